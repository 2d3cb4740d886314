import { memo, useLayoutEffect, useRef, useState, type DragEvent, type KeyboardEvent, type PointerEvent } from "react";
import { ColumnFilter } from "./column-filter";
import { ColumnMenu } from "./column-menu";
import { sortState, type ColumnSpec } from "./model";
import { GROUP_HEIGHT, GROUP_TITLES, HEADER_HEIGHT, SELECT_WIDTH, type GroupSpan, type PlacedColumn } from "./table-layout";

/** What the header asks of the table. The object and its functions keep their identity, or
 * the header renders on every scroll. */
export interface HeadActions {
  selectAll: (on: boolean) => void;
  sort: (field: string, add: boolean) => void;
  filter: (field: string, clauses: string[]) => void;
  /** A width while dragging (`done` false), then the final one (`done` true: kept in the view). */
  resize: (id: string, width: number, done: boolean) => void;
  /** Sets the column's width to fit its label and the loaded values. */
  fit: (id: string) => void;
  /** Moves a column `delta` places within its block (pinned or scrolling). */
  move: (id: string, delta: number) => void;
  /** Puts a column before (or after) another, as a drag and drop does. */
  place: (id: string, target: string, after: boolean) => void;
  pin: (id: string, on: boolean) => void;
  hide: (id: string) => void;
  groupBy: (id: string) => void;
  /** Scrolls the table sideways until the column is in view. */
  reveal: (id: string) => void;
  /** Moves the keyboard focus to the rows. */
  focusRows: () => void;
}

export interface JobsHeadProps {
  /** The pinned block's columns (status, name and those pinned) and width. */
  pinned: readonly PlacedColumn[];
  pinnedWidth: number;
  /** The scrolling columns in view. */
  columns: readonly PlacedColumn[];
  /** Every column id in display order (pinned first): where the arrow keys go. */
  order: readonly string[];
  /** The columns the user pinned (status and name always are). */
  userPinned: ReadonlySet<string>;
  groups: readonly GroupSpan[];
  /** How far the table is scrolled sideways: group titles stay in view. */
  scrollLeft: number;
  width: number;
  sort: string;
  filter: string;
  /** The fields the filter has clauses on (their filter buttons show as active). */
  filtered: ReadonlySet<string | null>;
  /** Whether every loaded job is selected. */
  allSelected: boolean;
  actions: HeadActions;
}

const DRAG_TYPE = "application/x-atlas-column";

/** The job table's sticky header: the column groups' titles (Job | Params | Metrics | Tags)
 * and the column headers. A header sorts on click, filters from ▾, resizes from its right
 * edge (double-click fits), reorders by drag and drop, and has a menu (pin, move, fit, group,
 * hide). The header row is one tab stop: arrows move between headers, Enter sorts,
 * Alt+arrows move the column, F opens its filter, M its menu, ↓ goes to the rows. */
export const JobsHead = memo(function JobsHead(props: JobsHeadProps) {
  const { actions } = props;
  const head = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState("status");
  const pendingFocus = useRef<string | null>(null);
  const resizing = useRef(false);
  const tabStop = props.order.includes(active) ? active : "status";

  // A header the arrow keys moved to is focused once it is rendered (it may first need a
  // sideways scroll to come into view).
  useLayoutEffect(() => {
    const id = pendingFocus.current;
    if (!id) return;
    const element = head.current?.querySelector<HTMLElement>(`[data-col="${CSS.escape(id)}"]`);
    if (element) {
      element.focus({ preventScroll: true });
      pendingFocus.current = null;
    }
  });

  const focusColumn = (id: string) => {
    setActive(id);
    pendingFocus.current = id;
    const element = head.current?.querySelector<HTMLElement>(`[data-col="${CSS.escape(id)}"]`);
    if (element) {
      element.focus({ preventScroll: true });
      pendingFocus.current = null;
    }
    actions.reveal(id);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>, column: ColumnSpec) => {
    if (event.target !== event.currentTarget) return;
    const at = props.order.indexOf(column.id);
    const step = event.key === "ArrowLeft" ? -1 : event.key === "ArrowRight" ? 1 : 0;
    if (step && event.altKey) {
      actions.move(column.id, step);
      pendingFocus.current = column.id;
    } else if (step) {
      const next = props.order[at + step];
      if (next) focusColumn(next);
    } else if (event.key === "Home" || event.key === "End") {
      const next = event.key === "Home" ? props.order[0] : props.order[props.order.length - 1];
      if (next) focusColumn(next);
    } else if ((event.key === "Enter" || event.key === " ") && column.sortable) {
      actions.sort(column.id, event.shiftKey);
    } else if (event.key === "ArrowDown") {
      actions.focusRows();
    } else if (event.key === "f" || event.key === "F") {
      event.currentTarget.querySelector<HTMLButtonElement>(".filter-button")?.click();
    } else if (event.key === "m" || event.key === "M" || event.key === "ContextMenu" || (event.key === "F10" && event.shiftKey)) {
      event.currentTarget.querySelector<HTMLButtonElement>(".column-menu-button")?.click();
    } else return;
    event.preventDefault();
  };

  const header = ({ column, left }: PlacedColumn, pinned: boolean) => {
    const state = sortState(props.sort, column.id);
    const fixed = column.id === "status" || column.id === "name";
    return (
      <div
        key={column.id}
        role="columnheader"
        aria-sort={state}
        tabIndex={column.id === tabStop ? 0 : -1}
        data-col={column.id}
        data-testid="column-header"
        className={`th ${column.kind === "number" ? "num" : ""}`}
        style={pinned ? { width: column.width } : { position: "absolute", left, width: column.width, top: GROUP_HEIGHT }}
        title={column.id}
        draggable={!fixed}
        onFocus={() => setActive(column.id)}
        onKeyDown={(e) => onKeyDown(e, column)}
        onDragStart={(e) => {
          // a press on the resize handle resizes: no drag and drop of the column
          if (resizing.current) {
            e.preventDefault();
            return;
          }
          e.dataTransfer.setData(DRAG_TYPE, column.id);
          e.dataTransfer.effectAllowed = "move";
        }}
        onDragOver={(e) => {
          if (!fixed && e.dataTransfer.types.includes(DRAG_TYPE)) e.preventDefault();
        }}
        onDrop={(e) => onDrop(e, column.id)}
      >
        {column.sortable ? (
          <button type="button" tabIndex={-1} className="sort-button" onClick={(e) => actions.sort(column.id, e.shiftKey)} aria-label={`Sort by ${column.label}`}>
            <span className="th-label">{column.label}</span>
            <span aria-hidden="true">{state === "descending" ? "▼" : state === "ascending" ? "▲" : ""}</span>
          </button>
        ) : (
          <span className="th-label">{column.label}</span>
        )}
        {column.sortable ? <ColumnFilter column={column} query={props.filter} active={props.filtered.has(column.id)} onApply={(clauses) => actions.filter(column.id, clauses)} /> : null}
        <ColumnMenu column={column} fixed={fixed} pinned={props.userPinned.has(column.id)} actions={actions} />
        <span
          className="col-resize"
          role="separator"
          aria-orientation="vertical"
          aria-label={`Resize ${column.label}`}
          title="Drag to resize, double-click to fit"
          onPointerDown={(e) => startResize(e, column)}
          onDoubleClick={() => actions.fit(column.id)}
        />
      </div>
    );
  };

  const onDrop = (event: DragEvent<HTMLDivElement>, target: string) => {
    const id = event.dataTransfer.getData(DRAG_TYPE);
    if (!id || id === target) return;
    event.preventDefault();
    const box = event.currentTarget.getBoundingClientRect();
    actions.place(id, target, event.clientX > box.left + box.width / 2);
  };

  const startResize = (event: PointerEvent<HTMLSpanElement>, column: ColumnSpec) => {
    if (event.button !== 0) return;
    // no drag and drop of the header, no text selection while resizing
    event.preventDefault();
    event.stopPropagation();
    const handle = event.currentTarget;
    const startX = event.clientX;
    const startWidth = column.width;
    resizing.current = true;
    handle.setPointerCapture(event.pointerId);
    const widthAt = (x: number) => startWidth + x - startX;
    const onMove = (e: globalThis.PointerEvent) => actions.resize(column.id, widthAt(e.clientX), false);
    const onUp = (e: globalThis.PointerEvent) => {
      handle.removeEventListener("pointermove", onMove);
      handle.removeEventListener("pointerup", onUp);
      handle.removeEventListener("pointercancel", onUp);
      resizing.current = false;
      actions.resize(column.id, widthAt(e.clientX), true);
    };
    handle.addEventListener("pointermove", onMove);
    handle.addEventListener("pointerup", onUp);
    handle.addEventListener("pointercancel", onUp);
  };

  return (
    <div className="jobs-head" role="row" ref={head} style={{ width: props.width, height: HEADER_HEIGHT }}>
      <div className="pinned" style={{ width: props.pinnedWidth, height: HEADER_HEIGHT }}>
        <div className="group-head" style={{ width: props.pinnedWidth }} data-testid="column-group">
          {GROUP_TITLES.job}
        </div>
        <div className="row-cells" style={{ top: GROUP_HEIGHT }}>
          <div className="th select-cell" style={{ width: SELECT_WIDTH }}>
            <input type="checkbox" aria-label="Select all loaded jobs" checked={props.allSelected} onChange={(e) => actions.selectAll(e.target.checked)} />
          </div>
          {props.pinned.map((placed) => header(placed, true))}
        </div>
      </div>
      {props.groups.map((group) => (
        <div
          key={`${group.group}-${group.left}`}
          className={`group-head${group.title ? "" : " continued"}`}
          style={{ position: "absolute", top: 0, left: group.left, width: group.width }}
          data-testid={group.title ? "column-group" : undefined}
        >
          {group.title ? <span style={{ marginLeft: Math.max(0, Math.min(group.width - 90, props.scrollLeft + props.pinnedWidth - group.left)) }}>{group.title}</span> : null}
        </div>
      ))}
      {props.columns.map((placed) => header(placed, false))}
    </div>
  );
});

import { memo } from "react";
import { ColumnFilter } from "./column-filter";
import { PINNED_COLUMNS, sortState, type ColumnSpec } from "./model";
import { GROUP_HEIGHT, GROUP_TITLES, HEADER_HEIGHT, PINNED_WIDTH, SELECT_WIDTH, type GroupSpan, type PlacedColumn } from "./table-layout";

export interface JobsHeadProps {
  /** The scrolling columns in view. */
  columns: readonly PlacedColumn[];
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
  /** Callbacks must keep their identity, or the header renders on every scroll. */
  onSelectAll: (on: boolean) => void;
  onSort: (field: string, add: boolean) => void;
  onFilter: (field: string, clauses: string[]) => void;
}

/** The job table's sticky header: the column groups' titles (Job | Params | Metrics | Tags)
 * and the column headers with their sort buttons and filters. */
export const JobsHead = memo(function JobsHead(props: JobsHeadProps) {
  const header = (column: ColumnSpec, left: number | undefined) => {
    const state = sortState(props.sort, column.id);
    return (
      <div
        key={column.id}
        role="columnheader"
        aria-sort={state}
        className={`th ${column.kind === "number" ? "num" : ""}`}
        style={left === undefined ? { width: column.width } : { position: "absolute", left, width: column.width, top: GROUP_HEIGHT }}
        title={column.id}
      >
        {column.sortable ? (
          <button type="button" className="sort-button" onClick={(e) => props.onSort(column.id, e.shiftKey)} aria-label={`Sort by ${column.label}`}>
            <span className="th-label">{column.label}</span>
            <span aria-hidden="true">{state === "descending" ? "▼" : state === "ascending" ? "▲" : ""}</span>
          </button>
        ) : (
          <span className="th-label">{column.label}</span>
        )}
        {column.sortable ? (
          <ColumnFilter column={column} query={props.filter} active={props.filtered.has(column.id)} onApply={(clauses) => props.onFilter(column.id, clauses)} />
        ) : null}
      </div>
    );
  };

  return (
    <div className="jobs-head" role="row" style={{ width: props.width, height: HEADER_HEIGHT }}>
      <div className="pinned" style={{ width: PINNED_WIDTH, height: HEADER_HEIGHT }}>
        <div className="group-head" style={{ width: PINNED_WIDTH }} data-testid="column-group">
          {GROUP_TITLES.job}
        </div>
        <div className="row-cells" style={{ top: GROUP_HEIGHT }}>
          <div className="th select-cell" style={{ width: SELECT_WIDTH }}>
            <input
              type="checkbox"
              aria-label="Select all loaded jobs"
              checked={props.allSelected}
              onChange={(e) => props.onSelectAll(e.target.checked)}
            />
          </div>
          {PINNED_COLUMNS.map((column) => header(column, undefined))}
        </div>
      </div>
      {props.groups.map((group) => (
        <div
          key={`${group.group}-${group.left}`}
          className={`group-head${group.title ? "" : " continued"}`}
          style={{ position: "absolute", top: 0, left: group.left, width: group.width }}
          data-testid={group.title ? "column-group" : undefined}
        >
          {group.title ? <span style={{ marginLeft: Math.max(0, Math.min(group.width - 90, props.scrollLeft + PINNED_WIDTH - group.left)) }}>{group.title}</span> : null}
        </div>
      ))}
      {props.columns.map(({ column, left }) => header(column, left))}
    </div>
  );
});

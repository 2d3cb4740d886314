import { useQueries } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from "react";
import { useNavigate } from "react-router-dom";
import { jobsPageQuery } from "../../lib/api/queries";
import type { Job } from "../../lib/api/types";
import { LIMITS } from "../../lib/api/limits.gen";
import { uniquePrefixLength } from "../../lib/format";
import { clauseField, splitClauses } from "../../lib/query-text";
import { fitWidth } from "./fit-width";
import { GroupBar } from "./group-bar";
import { GroupedJobs } from "./grouped-jobs";
import type { RowVisual } from "../../lib/row-visual";
import { JobRow } from "./job-row";
import { JobsHead, type HeadActions } from "./jobs-head";
import { MAX_WIDTH, MIN_WIDTH, PAGE_SIZE, columnFormats, pagesToFetch, placeColumn, splitPinned, type ColumnSpec, type TableView, type TableViewPatch } from "./model";
import { HEADER_HEIGHT, ROW_HEIGHT, ROW_OVERSCAN, columnStarts, groupSpans, pinnedWidth, rowSlots, type PlacedColumn } from "./table-layout";

export interface JobsTableProps {
  project: string;
  /** The filter whose rows are shown (the last good one while the wanted one is invalid:
   * see useJobsHead). */
  filter: string;
  sort: string;
  /** The shown columns in display order (status and name, always pinned, not among them). */
  columns: ColumnSpec[];
  selected: ReadonlySet<string>;
  onSelect: (ids: string[], on: boolean) => void;
  onSort: (field: string, add: boolean) => void;
  onFilter: (field: string, clauses: string[]) => void;
  /** Poll faster while some jobs of the project may still change. */
  live: boolean;
  /** Column order, widths, pinning and row grouping (the workspace's view), and its patch. */
  view: TableView;
  onView: TableViewPatch;
  /** The workspace's colour swatch, eye toggle and hover highlight on each row. */
  rowVisual?: RowVisual;
}

/** The job table: server-side paging, sorting and filtering; only the visible rows and
 * columns are in the page, so 100,000 jobs and 1,000 columns scroll smoothly. A scroll
 * renders the rows that came into view and nothing else: rows and header are memoised and
 * get the same column arrays and callbacks for as long as those do not change. Column
 * widths, order, pinning and the row grouping are the owner's (`view`, `onView`). */
export function JobsTable(props: JobsTableProps) {
  const { view, onView: patch } = props;
  return (
    <div className="jobs-table-wrap">
      <GroupBar project={props.project} group={view.group} metrics={view.groupMetrics} onChange={(group, groupMetrics) => patch({ group, groupMetrics }, true)} />
      {view.group.length ? <GroupedJobs {...props} group={view.group} metrics={view.groupMetrics} /> : <FlatJobs {...props} />}
    </div>
  );
}

function FlatJobs(props: JobsTableProps) {
  const { view, onView: patch } = props;
  const scroll = useRef<HTMLDivElement>(null);
  const [knownTotal, setKnownTotal] = useState(0);
  const [dragWidths, setDragWidths] = useState<Record<string, number> | null>(null);
  const widths = dragWidths ?? view.widths;
  const blocks = useMemo(() => splitPinned(props.columns, view.pin, widths), [props.columns, view.pin, widths]);
  const columns = blocks.scrolling;
  const start = pinnedWidth(blocks.pinned);
  const offsets = useMemo(() => columnStarts(columns, start), [columns, start]);
  const totalWidth = offsets.width;

  const rowVirtualizer = useVirtualizer({
    count: knownTotal,
    getScrollElement: () => scroll.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: ROW_OVERSCAN,
    paddingStart: HEADER_HEIGHT,
    // rows scrolled into view render in the next frame with the rest of it, not synchronously
    // in the scroll event (a scroll step's script time was mostly that forced render)
    useFlushSync: false,
  });
  const columnVirtualizer = useVirtualizer({
    horizontal: true,
    count: columns.length,
    getScrollElement: () => scroll.current,
    estimateSize: (i) => columns[i]?.width ?? 100,
    overscan: 4,
    paddingStart: start,
    useFlushSync: false,
  });
  useEffect(() => columnVirtualizer.measure(), [columns, start, columnVirtualizer]);
  // The pinned blocks stick (see styles.css) only once the table is scrolled sideways: the
  // class is set in the scroll event itself, so at worst the first frame of a sideways
  // scroll shows them moving with the table, and a vertical scroll paints no sticky layers.
  // While the table scrolls its rows take no pointer events (`scrolling`, until 150 ms after
  // the last scroll event): rows moving under a still pointer neither hover nor highlight.
  useEffect(() => {
    const element = scroll.current;
    if (!element) return;
    let settle: number | undefined;
    const onScroll = () => {
      element.classList.toggle("sideways", element.scrollLeft > 0);
      if (settle === undefined) element.classList.add("scrolling");
      else window.clearTimeout(settle);
      settle = window.setTimeout(() => {
        settle = undefined;
        element.classList.remove("scrolling");
      }, 150);
    };
    element.classList.toggle("sideways", element.scrollLeft > 0);
    element.addEventListener("scroll", onScroll, { passive: true });
    return () => {
      element.removeEventListener("scroll", onScroll);
      window.clearTimeout(settle);
    };
  }, []);
  // A new filter or sort starts again from the first row.
  useEffect(() => {
    if (scroll.current) scroll.current.scrollTop = 0;
  }, [props.filter, props.sort]);

  const virtualRows = rowVirtualizer.getVirtualItems();
  const slots = rowSlots(rowVirtualizer.scrollRect?.height ?? 0, virtualRows.length);
  const first = virtualRows[0]?.index ?? 0;
  const last = virtualRows[virtualRows.length - 1]?.index ?? PAGE_SIZE - 1;
  const pages = pagesToFetch(first, last, knownTotal);
  const results = useQueries({ queries: pages.map((page) => jobsPageQuery(props.project, props.filter, props.sort, page, props.live)) });
  const firstResult = results[0];
  const total = results.find((r) => r.data)?.data?.total ?? (firstResult?.isError ? 0 : knownTotal);
  useEffect(() => setKnownTotal(total), [total]);

  const loaded = useMemo(() => {
    const rows = new Map<number, Job>();
    results.forEach((result, i) => {
      const page = pages[i] ?? 0;
      result.data?.items.forEach((job, j) => rows.set(page * PAGE_SIZE + j, job));
    });
    return rows;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [results.map((r) => r.dataUpdatedAt).join(","), pages.join(",")]);
  const loadedJobs = useMemo(() => [...loaded.values()], [loaded]);
  const loadedIds = useMemo(() => loadedJobs.map((job) => job.id), [loadedJobs]);
  const idLength = useMemo(() => uniquePrefixLength(loadedIds), [loadedIds]);
  const allSelected = loadedIds.length > 0 && loadedIds.every((id) => props.selected.has(id));
  // One number format per column, from the loaded values; a new object only when a format changes.
  const formatsKey = useMemo(() => JSON.stringify(columnFormats([...blocks.pinned, ...columns], loadedJobs)), [blocks.pinned, columns, loadedJobs]);
  const formats = useMemo(() => JSON.parse(formatsKey) as ReturnType<typeof columnFormats>, [formatsKey]);

  // The scrolling columns in view: a new array only when another column comes into view.
  const virtualColumns = columnVirtualizer.getVirtualItems();
  const firstColumn = virtualColumns[0]?.index ?? 0;
  const lastColumn = virtualColumns[virtualColumns.length - 1]?.index ?? -1;
  const placed = useMemo<PlacedColumn[]>(() => {
    const out: PlacedColumn[] = [];
    for (let i = firstColumn; i <= lastColumn; i += 1) {
      const column = columns[i];
      if (column) out.push({ column, left: offsets.starts[i] ?? start, format: formats[column.id] ?? null });
    }
    return out;
  }, [columns, offsets, firstColumn, lastColumn, formats, start]);
  const pinnedPlaced = useMemo<PlacedColumn[]>(() => blocks.pinned.map((column) => ({ column, left: 0, format: formats[column.id] ?? null })), [blocks.pinned, formats]);
  const order = useMemo(() => [...blocks.pinned, ...columns].map((c) => c.id), [blocks.pinned, columns]);
  const userPinned = useMemo(() => new Set(view.pin), [view.pin]);
  const groups = useMemo(() => groupSpans(columns, offsets.starts, start), [columns, offsets, start]);
  const filtered = useMemo(() => new Set(splitClauses(props.filter).map(clauseField)), [props.filter]);
  const scrollLeft = columnVirtualizer.scrollOffset ?? 0;
  const onSelect = useStableCallback(props.onSelect);
  const navigate = useNavigate();

  // Roving focus: one row is the tab stop; arrows move it, Enter opens, Space selects.
  const [focusRow, setFocusRow] = useState(0);
  const pendingRowFocus = useRef(false);
  useLayoutEffect(() => {
    if (!pendingRowFocus.current) return;
    const row = scroll.current?.querySelector<HTMLElement>(`[role="row"][data-index="${focusRow}"][data-job-id]`);
    if (row) {
      row.focus({ preventScroll: true });
      pendingRowFocus.current = false;
    }
  });
  // Focuses row `index` now if it is rendered, else once it is (after the scroll to it).
  const focusRowAt = useCallback(
    (index: number) => {
      setFocusRow(index);
      pendingRowFocus.current = true;
      rowVirtualizer.scrollToIndex(index, { align: "auto" });
      const row = scroll.current?.querySelector<HTMLElement>(`[role="row"][data-index="${index}"][data-job-id]`);
      if (row) {
        row.focus({ preventScroll: true });
        pendingRowFocus.current = false;
      }
    },
    [rowVirtualizer],
  );
  const moveRowFocus = (index: number) => focusRowAt(Math.max(0, Math.min(total - 1, index)));
  const pageRows = Math.max(1, Math.floor((rowVirtualizer.scrollRect?.height ?? 600) / ROW_HEIGHT) - 2);
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const target = event.target as HTMLElement;
    if (target.getAttribute("role") !== "row" || !target.dataset.index) return;
    const index = Number(target.dataset.index);
    const job = loaded.get(index);
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: pageRows, PageUp: -pageRows };
    if (event.key === "ArrowUp" && index === 0) {
      scroll.current?.querySelector<HTMLElement>('[role="columnheader"][tabindex="0"]')?.focus({ preventScroll: true });
    } else if (event.key in moves) moveRowFocus(index + (moves[event.key] ?? 0));
    else if (event.key === "Home") moveRowFocus(0);
    else if (event.key === "End") moveRowFocus(total - 1);
    else if (event.key === "Enter" && job) navigate(`/jobs/${job.id}`);
    else if (event.key === " " && job) onSelect([job.id], !props.selected.has(job.id));
    else return;
    event.preventDefault();
  };

  // The header's actions read the latest state through a ref: the object keeps its identity.
  const latest = useRef({ view, widths, props, loaded, formats, idLength, columns, blocks, focusRow, first });
  useLayoutEffect(() => {
    latest.current = { view, widths, props, loaded, formats, idLength, columns, blocks, focusRow, first };
  });
  const actions = useMemo<HeadActions>(() => {
    const ids = () => latest.current.props.columns.map((c) => c.id);
    const clamp = (width: number) => Math.round(Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, width)));
    const setWidth = (id: string, width: number) => patch({ widths: { ...latest.current.view.widths, [id]: clamp(width) } });
    return {
      selectAll: (on) => latest.current.props.onSelect([...latest.current.loaded.values()].map((job) => job.id), on),
      sort: (field, add) => latest.current.props.onSort(field, add),
      filter: (field, clauses) => latest.current.props.onFilter(field, clauses),
      resize: (id, width, done) => {
        if (done) {
          setWidth(id, width);
          setDragWidths(null);
        } else setDragWidths({ ...latest.current.view.widths, [id]: clamp(width) });
      },
      fit: (id) => {
        const { blocks: b, loaded: rows, formats: f, idLength: length } = latest.current;
        const column = [...b.pinned, ...b.scrolling].find((c) => c.id === id);
        if (column && scroll.current) setWidth(id, fitWidth(scroll.current, column, [...rows.values()], f[id] ?? null, length));
      },
      move: (id, delta) => {
        const { blocks: b } = latest.current;
        const block = (b.pinned.some((c) => c.id === id) ? b.pinned : b.scrolling).map((c) => c.id).filter((c) => c !== "status" && c !== "name");
        const neighbour = block[block.indexOf(id) + delta];
        if (neighbour) patch({ cols: placeColumn(ids(), id, neighbour, delta > 0) });
      },
      place: (id, target, after) => patch({ cols: placeColumn(ids(), id, target, after) }),
      pin: (id, on) => {
        const pin = latest.current.view.pin.filter((p) => p !== id);
        patch({ pin: on ? [...pin, id] : pin });
      },
      hide: (id) => patch({ cols: ids().filter((c) => c !== id), pin: latest.current.view.pin.filter((p) => p !== id) }),
      groupBy: (id) => patch({ group: [...latest.current.view.group.filter((g) => g !== id), id].slice(-LIMITS.groupFields) }, true),
      reveal: (id) => {
        const index = latest.current.columns.findIndex((c) => c.id === id);
        if (index >= 0) columnVirtualizer.scrollToIndex(index, { align: "auto" });
      },
      focusRows: () => {
        const { focusRow: row, first: top, loaded: rows } = latest.current;
        focusRowAt(rows.has(row) ? row : top);
      },
    };
  }, [patch, columnVirtualizer, focusRowAt]);

  // The rows' job links are plain anchors: a plain click on one goes through the router
  // (no page load); a middle or modified click opens the job as any link does.
  const onClick = (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target instanceof Element ? event.target.closest("a.job-link") : null;
    const href = link?.getAttribute("href");
    if (!href) return;
    event.preventDefault();
    navigate(href);
  };

  return (
    <div
      className="jobs-scroll"
      ref={scroll}
      onClick={onClick}
      onKeyDown={onKeyDown}
      role="grid"
      aria-label="Jobs"
      aria-rowcount={total + 1}
      aria-colcount={order.length + 1}
      data-testid="jobs-table"
    >
      <div style={{ height: HEADER_HEIGHT + total * ROW_HEIGHT, width: totalWidth, position: "relative" }}>
        <JobsHead
          pinned={pinnedPlaced}
          pinnedWidth={start}
          columns={placed}
          order={order}
          userPinned={userPinned}
          groups={groups}
          scrollLeft={scrollLeft}
          width={totalWidth}
          sort={props.sort}
          filter={props.filter}
          filtered={filtered}
          allSelected={allSelected}
          actions={actions}
        />
        {virtualRows.map((vr) => {
          const job = loaded.get(vr.index);
          return (
            <JobRow
              key={vr.index % slots}
              index={vr.index}
              top={vr.start}
              job={job}
              selected={job ? props.selected.has(job.id) : false}
              focused={vr.index === focusRow}
              pinned={pinnedPlaced}
              pinnedWidth={start}
              columns={placed}
              width={totalWidth}
              idLength={idLength}
              onSelect={onSelect}
              visual={props.rowVisual}
            />
          );
        })}
      </div>
    </div>
  );
}

/** A callback of constant identity that calls the latest `callback` (so that memoised rows
 * are not rendered again because a parent made a new closure). */
function useStableCallback<A extends unknown[]>(callback: (...args: A) => void): (...args: A) => void {
  const latest = useRef(callback);
  useLayoutEffect(() => {
    latest.current = callback;
  });
  return useCallback((...args: A) => latest.current(...args), []);
}

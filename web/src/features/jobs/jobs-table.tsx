import { useQueries } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type MouseEvent } from "react";
import { useNavigate } from "react-router-dom";
import * as api from "../../lib/api/endpoints";
import type { Job, JobPage } from "../../lib/api/types";
import { clauseField, splitClauses } from "../../lib/query-text";
import { JobRow } from "./job-row";
import { JobsHead } from "./jobs-head";
import { PAGE_SIZE, PINNED_COLUMNS, pagesToFetch, type ColumnSpec } from "./model";
import { HEADER_HEIGHT, PINNED_WIDTH, ROW_HEIGHT, ROW_OVERSCAN, columnStarts, groupSpans, rowSlots, type PlacedColumn } from "./table-layout";

export interface JobsTableProps {
  project: string;
  filter: string;
  sort: string;
  columns: ColumnSpec[];
  selected: ReadonlySet<string>;
  onSelect: (ids: string[], on: boolean) => void;
  onSort: (field: string, add: boolean) => void;
  onFilter: (field: string, clauses: string[]) => void;
  /** Poll faster while some jobs of the project may still change. */
  live: boolean;
  onPage?: (page: JobPage | undefined, error: unknown) => void;
}

/** The job table: server-side paging, sorting and filtering; only the visible rows and
 * columns are in the page, so 100,000 jobs and 1,000 columns scroll smoothly. A scroll
 * renders the rows that came into view and nothing else: rows and header are memoised and
 * get the same column arrays and callbacks for as long as those do not change. */
export function JobsTable(props: JobsTableProps) {
  const scroll = useRef<HTMLDivElement>(null);
  const [knownTotal, setKnownTotal] = useState(0);
  const columns = props.columns;
  const offsets = useMemo(() => columnStarts(columns), [columns]);
  const totalWidth = offsets.width;

  const rowVirtualizer = useVirtualizer({
    count: knownTotal,
    getScrollElement: () => scroll.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: ROW_OVERSCAN,
    paddingStart: HEADER_HEIGHT,
  });
  const columnVirtualizer = useVirtualizer({
    horizontal: true,
    count: columns.length,
    getScrollElement: () => scroll.current,
    estimateSize: (i) => columns[i]?.width ?? 100,
    overscan: 4,
    paddingStart: PINNED_WIDTH,
  });
  useEffect(() => columnVirtualizer.measure(), [columns, columnVirtualizer]);
  // The pinned blocks stick (see styles.css) only once the table is scrolled sideways: the
  // class is set in the scroll event itself, so at worst the first frame of a sideways
  // scroll shows them moving with the table, and a vertical scroll paints no sticky layers.
  useEffect(() => {
    const element = scroll.current;
    if (!element) return;
    const onScroll = () => element.classList.toggle("sideways", element.scrollLeft > 0);
    onScroll();
    element.addEventListener("scroll", onScroll, { passive: true });
    return () => element.removeEventListener("scroll", onScroll);
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
  const results = useQueries({
    queries: pages.map((page) => ({
      queryKey: ["jobs", props.project, props.filter, props.sort, page],
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        api.listJobs(props.project, { filter: props.filter, sort: props.sort, limit: PAGE_SIZE, offset: page * PAGE_SIZE }, signal),
      refetchInterval: props.live ? 3_000 : 30_000,
      placeholderData: (previous: JobPage | undefined) => previous,
      meta: { what: "Loading jobs" },
    })),
  });
  const firstResult = results[0];
  const total = results.find((r) => r.data)?.data?.total ?? (firstResult?.isError ? 0 : knownTotal);
  useEffect(() => setKnownTotal(total), [total]);
  const onPage = props.onPage;
  useEffect(() => onPage?.(firstResult?.data, firstResult?.error), [firstResult?.data, firstResult?.error, onPage]);

  const loaded = useMemo(() => {
    const rows = new Map<number, Job>();
    results.forEach((result, i) => {
      const page = pages[i] ?? 0;
      result.data?.items.forEach((job, j) => rows.set(page * PAGE_SIZE + j, job));
    });
    return rows;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [results.map((r) => r.dataUpdatedAt).join(","), pages.join(",")]);
  const loadedIds = useMemo(() => Array.from(loaded.values(), (job) => job.id), [loaded]);
  const allSelected = loadedIds.length > 0 && loadedIds.every((id) => props.selected.has(id));

  // The scrolling columns in view: a new array only when another column comes into view.
  const virtualColumns = columnVirtualizer.getVirtualItems();
  const firstColumn = virtualColumns[0]?.index ?? 0;
  const lastColumn = virtualColumns[virtualColumns.length - 1]?.index ?? -1;
  const placed = useMemo<PlacedColumn[]>(() => {
    const out: PlacedColumn[] = [];
    for (let i = firstColumn; i <= lastColumn; i += 1) {
      const column = columns[i];
      if (column) out.push({ column, left: offsets.starts[i] ?? PINNED_WIDTH });
    }
    return out;
  }, [columns, offsets, firstColumn, lastColumn]);
  const groups = useMemo(() => groupSpans(columns, offsets.starts), [columns, offsets]);
  const filtered = useMemo(() => new Set(splitClauses(props.filter).map(clauseField)), [props.filter]);
  const scrollLeft = columnVirtualizer.scrollOffset ?? 0;
  const onSelect = useStableCallback(props.onSelect);
  const onSelectAll = useStableCallback((on: boolean) => props.onSelect([...loadedIds], on));
  const onSort = useStableCallback(props.onSort);
  const onFilter = useStableCallback(props.onFilter);
  const navigate = useNavigate();
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
    <div className="jobs-scroll" ref={scroll} onClick={onClick} role="grid" aria-label="Jobs" aria-rowcount={total + 1} aria-colcount={columns.length + PINNED_COLUMNS.length + 1} data-testid="jobs-table">
      <div style={{ height: HEADER_HEIGHT + total * ROW_HEIGHT, width: totalWidth, position: "relative" }}>
        <JobsHead
          columns={placed}
          groups={groups}
          scrollLeft={scrollLeft}
          width={totalWidth}
          sort={props.sort}
          filter={props.filter}
          filtered={filtered}
          allSelected={allSelected}
          onSelectAll={onSelectAll}
          onSort={onSort}
          onFilter={onFilter}
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
              columns={placed}
              width={totalWidth}
              onSelect={onSelect}
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

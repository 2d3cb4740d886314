import { useQueries } from "@tanstack/react-query";
import { getCoreRowModel, useReactTable, type ColumnDef, type RowSelectionState } from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useMemo, useRef, useState } from "react";
import * as api from "../../lib/api/endpoints";
import type { Job, JobPage } from "../../lib/api/types";
import { clauseField, splitClauses } from "../../lib/query-text";
import { Cell } from "./cells";
import { ColumnFilter } from "./column-filter";
import { PAGE_SIZE, PINNED_COLUMNS, pagesFor, sortState, type ColumnGroup, type ColumnSpec } from "./model";

const ROW_HEIGHT = 32;
const GROUP_HEIGHT = 22;
const HEADER_HEIGHT = GROUP_HEIGHT + 32;
const SELECT_WIDTH = 36;
const GROUP_LABELS: Record<ColumnGroup, string> = { job: "Job", params: "Params", metrics: "Metrics", tags: "Tags" };

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
 * columns are in the page, so 100,000 jobs and 1,000 columns scroll smoothly. */
export function JobsTable(props: JobsTableProps) {
  const scroll = useRef<HTMLDivElement>(null);
  const [knownTotal, setKnownTotal] = useState(0);
  const pinnedWidth = SELECT_WIDTH + PINNED_COLUMNS.reduce((sum, c) => sum + c.width, 0);
  const columns = props.columns;
  const offsets = useMemo(() => {
    const starts: number[] = [];
    let x = 0;
    for (const column of columns) {
      starts.push(x);
      x += column.width;
    }
    return { starts, width: x };
  }, [columns]);
  const totalWidth = pinnedWidth + offsets.width;

  const rowVirtualizer = useVirtualizer({
    count: knownTotal,
    getScrollElement: () => scroll.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    paddingStart: HEADER_HEIGHT,
  });
  const columnVirtualizer = useVirtualizer({
    horizontal: true,
    count: columns.length,
    getScrollElement: () => scroll.current,
    estimateSize: (i) => columns[i]?.width ?? 100,
    overscan: 4,
    paddingStart: pinnedWidth,
  });
  useEffect(() => columnVirtualizer.measure(), [columns, columnVirtualizer]);
  // A new filter or sort starts again from the first row.
  useEffect(() => {
    if (scroll.current) scroll.current.scrollTop = 0;
  }, [props.filter, props.sort]);

  const virtualRows = rowVirtualizer.getVirtualItems();
  const first = virtualRows[0]?.index ?? 0;
  const last = virtualRows[virtualRows.length - 1]?.index ?? PAGE_SIZE - 1;
  const pages = pagesFor(first, last);
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

  const data = useMemo(() => Array.from(loaded.values()), [loaded]);
  const rowSelection: RowSelectionState = useMemo(() => Object.fromEntries([...props.selected].map((id) => [id, true])), [props.selected]);
  const columnDefs = useMemo<ColumnDef<Job>[]>(() => [...PINNED_COLUMNS, ...columns].map((c) => ({ id: c.id, size: c.width })), [columns]);
  const table = useReactTable({
    data,
    columns: columnDefs,
    getRowId: (job) => job.id,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    manualFiltering: true,
    manualPagination: true,
    enableRowSelection: true,
    state: { rowSelection },
  });
  const rowsById = table.getRowModel().rowsById;

  const filtered = new Set(splitClauses(props.filter).map(clauseField));
  const virtualColumns = columnVirtualizer.getVirtualItems();
  // Group labels stay in view while the table scrolls sideways.
  const scrollLeft = columnVirtualizer.scrollOffset ?? 0;
  const groups = groupSpans(columns, offsets.starts, pinnedWidth);
  const visibleIds = data.map((job) => job.id);
  const allSelected = visibleIds.length > 0 && visibleIds.every((id) => props.selected.has(id));

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
        {column.sortable ? <ColumnFilter column={column} query={props.filter} active={filtered.has(column.id)} onApply={(clauses) => props.onFilter(column.id, clauses)} /> : null}
      </div>
    );
  };

  return (
    <div className="jobs-scroll" ref={scroll} role="grid" aria-label="Jobs" aria-rowcount={total + 1} aria-colcount={columns.length + PINNED_COLUMNS.length + 1} data-testid="jobs-table">
      <div style={{ height: HEADER_HEIGHT + total * ROW_HEIGHT, width: totalWidth, position: "relative" }}>
        <div className="jobs-head" role="row" style={{ width: totalWidth, height: HEADER_HEIGHT }}>
          <div className="pinned" style={{ width: pinnedWidth, height: HEADER_HEIGHT }}>
            <div className="group-head" style={{ width: pinnedWidth }}>
              Job
            </div>
            <div className="row-cells" style={{ top: GROUP_HEIGHT }}>
              <div className="th select-cell" style={{ width: SELECT_WIDTH }}>
                <input
                  type="checkbox"
                  aria-label="Select all loaded jobs"
                  checked={allSelected}
                  onChange={(e) => props.onSelect(visibleIds, e.target.checked)}
                />
              </div>
              {PINNED_COLUMNS.map((column) => header(column, undefined))}
            </div>
          </div>
          {groups.map((group) => (
            <div key={`${group.group}-${group.left}`} className="group-head" style={{ position: "absolute", top: 0, left: group.left, width: group.width }}>
              <span style={{ marginLeft: Math.max(0, Math.min(group.width - 90, scrollLeft + pinnedWidth - group.left)) }}>{GROUP_LABELS[group.group]}</span>
            </div>
          ))}
          {virtualColumns.map((vc) => {
            const column = columns[vc.index];
            return column ? header(column, vc.start) : null;
          })}
        </div>
        {virtualRows.map((vr) => {
          const job = loaded.get(vr.index);
          const selected = job ? props.selected.has(job.id) : false;
          const row = job ? rowsById[job.id] : undefined;
          return (
            <div
              key={vr.index}
              role="row"
              aria-rowindex={vr.index + 2}
              aria-selected={selected}
              className={`jobs-row${selected ? " selected" : ""}${vr.index % 2 ? " odd" : ""}`}
              style={{ top: vr.start, width: totalWidth, height: ROW_HEIGHT }}
              data-testid={job ? "job-row" : "job-row-loading"}
              data-job-id={job?.id}
            >
              <div className="pinned row-cells" style={{ width: pinnedWidth }}>
                <div className="td select-cell" role="gridcell" style={{ width: SELECT_WIDTH }}>
                  {job ? (
                    <input
                      type="checkbox"
                      aria-label={`Select job ${job.name || job.id}`}
                      checked={row?.getIsSelected() ?? selected}
                      onChange={(e) => props.onSelect([job.id], e.target.checked)}
                    />
                  ) : null}
                </div>
                {PINNED_COLUMNS.map((column) => (
                  <div key={column.id} className="td" role="gridcell" style={{ width: column.width }}>
                    {job ? <Cell job={job} column={column} /> : <span className="skeleton" />}
                  </div>
                ))}
              </div>
              {virtualColumns.map((vc) => {
                const column = columns[vc.index];
                if (!column) return null;
                return (
                  <div key={column.id} className={`td${column.kind === "number" ? " num" : ""}`} role="gridcell" style={{ position: "absolute", left: vc.start, width: column.width }}>
                    {job ? <Cell job={job} column={column} /> : null}
                  </div>
                );
              })}
            </div>
          );
        })}
      </div>
    </div>
  );
}

interface GroupSpan {
  group: ColumnGroup;
  left: number;
  width: number;
}

/** The column groups' header spans (Params, Metrics, Tags), from the columns' offsets. */
function groupSpans(columns: ColumnSpec[], starts: number[], pinnedWidth: number): GroupSpan[] {
  const spans: GroupSpan[] = [];
  columns.forEach((column, i) => {
    const left = pinnedWidth + (starts[i] ?? 0);
    const lastSpan = spans[spans.length - 1];
    if (lastSpan && lastSpan.group === column.group) lastSpan.width += column.width;
    else spans.push({ group: column.group, left, width: column.width });
  });
  return spans;
}

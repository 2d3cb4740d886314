// The job table's columns, their API fields and the sort string, as plain data.
import { JOBS_PAGE_SIZE } from "../../lib/api/queries";
import type { Job, Keys } from "../../lib/api/types";
import { columnNumberFormat, wireNumber, type NumberFormat } from "../../lib/format";
import { fieldName } from "../../lib/query-text";

export type ColumnGroup = "job" | "params" | "metrics" | "tags" | "media";
export type Aggregate = "last" | "min" | "max";
export type ValueKind = "text" | "number" | "time" | "status" | "tags" | "any" | "thumbnail";

export interface ColumnSpec {
  /** The API field, also the column's id in the URL: `status`, `params.lr`, `metrics.loss.min`. */
  id: string;
  group: ColumnGroup;
  key: string;
  aggregate?: Aggregate;
  label: string;
  width: number;
  kind: ValueKind;
  /** Whether the API can sort and filter on this column. */
  sortable: boolean;
}

export const JOB_COLUMNS: ColumnSpec[] = [
  { id: "id", group: "job", key: "id", label: "id", width: 92, kind: "text", sortable: true },
  { id: "user", group: "job", key: "user", label: "user", width: 100, kind: "text", sortable: true },
  { id: "created_at", group: "job", key: "created_at", label: "launched", width: 112, kind: "time", sortable: true },
  { id: "duration", group: "job", key: "duration", label: "duration", width: 100, kind: "number", sortable: true },
  { id: "tags", group: "tags", key: "tags", label: "tags", width: 200, kind: "tags", sortable: false },
];

/** Columns always shown at the left, sticky while scrolling sideways. */
export const PINNED_COLUMNS: ColumnSpec[] = [
  { id: "status", group: "job", key: "status", label: "status", width: 108, kind: "status", sortable: true },
  { id: "name", group: "job", key: "name", label: "name", width: 220, kind: "text", sortable: true },
];

export function paramColumn(key: string): ColumnSpec {
  return { id: fieldName("params", key), group: "params", key, label: key, width: 110, kind: "any", sortable: true };
}

export function metricColumn(key: string, aggregate: Aggregate = "last"): ColumnSpec {
  const label = aggregate === "last" ? key : `${key} (${aggregate})`;
  return { id: fieldName("metrics", key, aggregate), group: "metrics", key, aggregate, label, width: 112, kind: "number", sortable: true };
}

export function tagColumn(key: string): ColumnSpec {
  return { id: fieldName("tags", key), group: "tags", key, label: key, width: 120, kind: "text", sortable: true };
}

/** The prefix of a media thumbnail column's id: `media.samples` shows the image key
 * `samples`. Not an API field: the table neither sorts nor filters on it. */
export const MEDIA_PREFIX = "media.";

/** A column of thumbnails: each job's image of `key` at its last step. */
export function mediaColumn(key: string): ColumnSpec {
  return { id: MEDIA_PREFIX + key, group: "media", key, label: key, width: 96, kind: "thumbnail", sortable: false };
}

/** Every column the project's keys allow, in group order. */
export function allColumns(keys: Keys | undefined): ColumnSpec[] {
  return [
    ...JOB_COLUMNS.filter((c) => c.group === "job"),
    ...(keys?.params ?? []).map(paramColumn),
    ...(keys?.metrics ?? []).flatMap((key) => [metricColumn(key, "last"), metricColumn(key, "min"), metricColumn(key, "max")]),
    ...JOB_COLUMNS.filter((c) => c.group === "tags"),
    ...(keys?.tags ?? []).map(tagColumn),
  ];
}

/** The columns shown when the URL names none: job fields, the first 12 params, the first
 * 8 metrics (last value) and the tags. */
export function defaultColumnIds(keys: Keys | undefined): string[] {
  return [
    ...JOB_COLUMNS.filter((c) => c.group === "job").map((c) => c.id),
    ...(keys?.params ?? []).slice(0, 12).map((k) => paramColumn(k).id),
    ...(keys?.metrics ?? []).slice(0, 8).map((k) => metricColumn(k).id),
    "tags",
  ];
}

/** The visible columns in the order of `ids` (the display order); ids the project does not
 * know are left out, media ids (`media.<key>`) always kept. */
export function visibleColumns(ids: readonly string[], keys: Keys | undefined): ColumnSpec[] {
  const known = new Map(allColumns(keys).map((c) => [c.id, c]));
  const out: ColumnSpec[] = [];
  for (const id of new Set(ids)) {
    const column = known.get(id) ?? (id.startsWith(MEDIA_PREFIX) && id.length > MEDIA_PREFIX.length ? mediaColumn(id.slice(MEDIA_PREFIX.length)) : undefined);
    if (column) out.push(column);
  }
  return out;
}

/** Where each group goes when a column is added: thumbnails right after the job's own
 * columns (in view without scrolling sideways), then params, metrics, tags. */
const GROUP_RANK: Record<ColumnGroup, number> = { job: 0, media: 1, params: 2, metrics: 3, tags: 4 };

function groupOfId(id: string): ColumnGroup {
  if (id.startsWith(MEDIA_PREFIX)) return "media";
  if (id === "tags" || id.startsWith("tags.")) return "tags";
  if (id.startsWith("params.")) return "params";
  if (id.startsWith("metrics.")) return "metrics";
  return "job";
}

/** `visible` with `added` ids put after the last visible column of their group (or of an
 * earlier group), so a new column lands among its kind whatever order the user made. */
export function insertColumns(visible: readonly string[], added: readonly string[]): string[] {
  const out = [...visible];
  for (const id of added) {
    if (out.includes(id)) continue;
    const rank = GROUP_RANK[groupOfId(id)];
    let at = 0;
    out.forEach((other, i) => {
      if (GROUP_RANK[groupOfId(other)] <= rank) at = i + 1;
    });
    out.splice(at, 0, id);
  }
  return out;
}

/** `ids` with `id` moved `delta` places (clamped to the ends). */
export function moveColumn(ids: readonly string[], id: string, delta: number): string[] {
  const from = ids.indexOf(id);
  if (from < 0) return [...ids];
  const to = Math.max(0, Math.min(ids.length - 1, from + delta));
  const out = ids.filter((other) => other !== id);
  out.splice(to, 0, id);
  return out;
}

/** `ids` with `id` put just before `target` (after it with `after`). */
export function placeColumn(ids: readonly string[], id: string, target: string, after = false): string[] {
  if (id === target || !ids.includes(id) || !ids.includes(target)) return [...ids];
  const out = ids.filter((other) => other !== id);
  out.splice(out.indexOf(target) + (after ? 1 : 0), 0, id);
  return out;
}

/** The narrowest and widest a column can be made. */
export const MIN_WIDTH = 48;
export const MAX_WIDTH = 800;

/** `columns` with the widths the view sets (clamped), others at their default. */
export function sizedColumns(columns: readonly ColumnSpec[], widths: Readonly<Record<string, number>>): ColumnSpec[] {
  return columns.map((c) => {
    const width = widths[c.id];
    return typeof width === "number" && Number.isFinite(width) ? { ...c, width: Math.round(Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, width))) } : c;
  });
}

/** The table's column blocks: the pinned ones (status, name, then the `pin` ids in display
 * order) and the scrolling rest. */
export function splitPinned(columns: readonly ColumnSpec[], pin: readonly string[], widths: Readonly<Record<string, number>> = {}): { pinned: ColumnSpec[]; scrolling: ColumnSpec[] } {
  const pinnedIds = new Set(pin);
  return {
    pinned: sizedColumns([...PINNED_COLUMNS, ...columns.filter((c) => pinnedIds.has(c.id))], widths),
    scrolling: sizedColumns(
      columns.filter((c) => !pinnedIds.has(c.id)),
      widths,
    ),
  };
}

export interface SortField {
  field: string;
  descending: boolean;
}

/** The API's sort string as fields. */
export function parseSort(sort: string): SortField[] {
  return sort
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => ({ field: part.replace(/^[-+]/, ""), descending: part.startsWith("-") }));
}

export function formatSort(fields: readonly SortField[]): string {
  return fields.map((f) => `${f.descending ? "-" : ""}${f.field}`).join(",");
}

/** Clicking a header: descending first for numbers and times (best-first for most
 * metrics is a click away either way), then ascending, then back to the default.
 * With `add` (shift-click) the field is added to the sort instead of replacing it. */
export function nextSort(sort: string, field: string, add = false): string {
  const fields = parseSort(sort);
  const current = fields.find((f) => f.field === field);
  const others = add ? fields.filter((f) => f.field !== field) : [];
  if (!current) return formatSort([...others, { field, descending: true }].slice(0, 8));
  if (current.descending) return formatSort([...others, { field, descending: false }]);
  return formatSort(others);
}

/** How a column is sorted now: `descending`, `ascending` or `none`. */
export function sortState(sort: string, field: string): "descending" | "ascending" | "none" {
  const found = parseSort(sort).find((f) => f.field === field);
  return found ? (found.descending ? "descending" : "ascending") : "none";
}

/** The raw value of a column for a job (params any JSON, metrics numbers or wire strings). */
export function cellValue(job: Job, column: ColumnSpec): unknown {
  switch (column.group) {
    case "params":
      return column.key in job.params ? job.params[column.key] : undefined;
    case "metrics": {
      const summary = job.metrics[column.key];
      return summary ? summary[column.aggregate ?? "last"] : undefined;
    }
    case "tags":
      return column.key === "tags" && column.id === "tags" ? job.tags : job.tags[column.key];
    case "job":
      return (job as unknown as Record<string, unknown>)[column.key];
    case "media":
      return undefined;
  }
}

/** The listing's page size (one cache entry per page, shared with the charts' head). */
export const PAGE_SIZE = JOBS_PAGE_SIZE;

/** The pages that hold rows `first`..`last` (inclusive). */
export function pagesFor(first: number, last: number, pageSize = PAGE_SIZE): number[] {
  if (last < first) return [0];
  const pages: number[] = [];
  for (let p = Math.floor(Math.max(0, first) / pageSize); p <= Math.floor(last / pageSize); p += 1) pages.push(p);
  return pages;
}

/** Rows fetched beyond each edge of those rendered, so that a row scrolled into view finds
 * its page loaded: it is rendered once, with its job, not as a placeholder and then again. */
export const PREFETCH_ROWS = PAGE_SIZE / 2;

/** The pages to fetch while rows `first`..`last` are rendered, in a table of `total` rows
 * (0 while unknown): theirs, and the next or previous page once within `PREFETCH_ROWS`. */
export function pagesToFetch(first: number, last: number, total: number): number[] {
  const end = total > 0 ? Math.min(last + PREFETCH_ROWS, total - 1) : last;
  return pagesFor(first - PREFETCH_ROWS, Math.max(end, first));
}

/** Each number-holding column's format, from the values of `jobs` (params and metrics; a
 * column of text keeps none). */
export function columnFormats(columns: readonly ColumnSpec[], jobs: readonly Job[]): Record<string, NumberFormat> {
  const out: Record<string, NumberFormat> = {};
  for (const column of columns) {
    if (column.group !== "params" && column.group !== "metrics") continue;
    const values = jobs.map((job) => cellValue(job, column)).filter((v) => wireNumber(v) !== null);
    if (values.length) out[column.id] = columnNumberFormat(values);
  }
  return out;
}

/** The table's part of the workspace's view (ViewState's fields of the same names): column
 * order, pinning and widths, and the row grouping. */
export interface TableView {
  cols: string[];
  pin: string[];
  widths: Record<string, number>;
  group: string[];
  groupMetrics: string[];
}

/** Changes the table's view; `push` makes a history entry (a change the Back button undoes). */
export type TableViewPatch = (changes: Partial<TableView>, push?: boolean) => void;

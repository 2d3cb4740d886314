// The job table's geometry as plain data: row and header heights, the pinned block's width,
// where each scrolling column starts and the spans of the column groups' titles.
import type { NumberFormat } from "../../lib/format";
import type { ColumnGroup, ColumnSpec } from "./model";

export const ROW_HEIGHT = 32;
export const GROUP_HEIGHT = 22;
export const HEADER_HEIGHT = GROUP_HEIGHT + 32;
export const SELECT_WIDTH = 36;
/** Rows rendered beyond each edge of the view. */
export const ROW_OVERSCAN = 12;
/** The pinned block's width: the selection box and the pinned columns (status, name and
 * those the user pinned). */
export function pinnedWidth(pinned: readonly ColumnSpec[]): number {
  return SELECT_WIDTH + pinned.reduce((sum, c) => sum + c.width, 0);
}

/** The title of each column group. The pinned columns (status, name) open the Job group, so
 * the Job group's scrolling columns (id, user, launched, duration) carry no title of their
 * own: the pinned block's "Job" title stands above them all. */
export const GROUP_TITLES: Record<ColumnGroup, string> = { job: "Job", params: "Params", metrics: "Metrics", tags: "Tags", media: "Media" };

/** A column, where it starts (pixels from the table's left edge, or from the pinned
 * block's for a pinned one) and how its numbers are written (null: not a number column). */
export interface PlacedColumn {
  column: ColumnSpec;
  left: number;
  format: NumberFormat | null;
}

/** Where each scrolling column starts, after the pinned block (`start` px wide), and the
 * table's full width. */
export function columnStarts(columns: readonly ColumnSpec[], start: number): { starts: number[]; width: number } {
  const starts: number[] = [];
  let x = start;
  for (const column of columns) {
    starts.push(x);
    x += column.width;
  }
  return { starts, width: x };
}

export interface GroupSpan {
  group: ColumnGroup;
  left: number;
  width: number;
  /** The span's title; empty where the span continues the pinned block's Job group. */
  title: string;
}

/** The column groups' header spans over the scrolling columns (`starts` from
 * `columnStarts`): one span per run of columns of the same group. A Job run right after the
 * pinned block (`start` px wide) is untitled: the pinned block's "Job" title stands above it. */
export function groupSpans(columns: readonly ColumnSpec[], starts: readonly number[], start: number): GroupSpan[] {
  const spans: GroupSpan[] = [];
  columns.forEach((column, i) => {
    const left = starts[i] ?? start;
    const lastSpan = spans[spans.length - 1];
    if (lastSpan && lastSpan.group === column.group) lastSpan.width += column.width;
    else spans.push({ group: column.group, left, width: column.width, title: column.group === "job" && left === start ? "" : GROUP_TITLES[column.group] });
  });
  return spans;
}

/** How many row slots the table keeps: at least as many as a view of `viewHeight` pixels
 * shows with its overscan. A row's React key is its index modulo this count, so a row that
 * scrolls out of view hands its elements to the row that scrolls in (their text and
 * attributes change; nothing is created or removed), and the keys of the rows rendered at
 * once, consecutive indexes fewer than the slots, never collide. */
export function rowSlots(viewHeight: number, rendered: number): number {
  return Math.max(rendered, Math.ceil(viewHeight / ROW_HEIGHT) + 1 + 2 * ROW_OVERSCAN);
}

// The width that fits a column: its label with the header's buttons, and the widest of its
// loaded cells, measured with the table's own font.
import type { Job } from "../../lib/api/types";
import { formatDuration, formatInColumn, formatRelative, formatValue, shortId, type NumberFormat } from "../../lib/format";
import { MAX_WIDTH, MIN_WIDTH, cellValue, type ColumnSpec } from "./model";

/** Room for the header's sort arrow, filter and menu buttons and its padding. */
const HEADER_EXTRA = 64;
/** A cell's padding (and a status badge's dot). */
const CELL_EXTRA = 24;

let context: CanvasRenderingContext2D | null = null;

/** The text a cell of `column` shows for `job` (as the table writes it). */
export function cellText(job: Job, column: ColumnSpec, format: NumberFormat | null, idLength: number): string {
  switch (column.id) {
    case "status":
      return job.status;
    case "name":
      return job.name || job.id;
    case "id":
      return shortId(job.id, idLength);
    case "created_at":
      return formatRelative(job.created_at);
    case "duration":
      return formatDuration(job.duration);
    case "tags":
      return Object.entries(job.tags)
        .slice(0, 4)
        .map(([k, v]) => (v ? `${k}=${v}` : k))
        .join("   ");
  }
  const value = cellValue(job, column);
  return format ? formatInColumn(value, format) : formatValue(value);
}

/** The width (px) that shows `column`'s label and every one of `jobs`' cells whole, in the
 * font of `element` (the table), within the column bounds. A thumbnail column keeps its width. */
export function fitWidth(element: Element, column: ColumnSpec, jobs: readonly Job[], format: NumberFormat | null, idLength: number): number {
  if (column.kind === "thumbnail") return column.width;
  context ??= document.createElement("canvas").getContext("2d");
  if (!context) return column.width;
  const style = getComputedStyle(element);
  context.font = `600 13px ${style.fontFamily}`;
  let widest = context.measureText(column.label).width + HEADER_EXTRA;
  context.font = `${style.fontSize} ${column.id === "id" ? getComputedStyle(document.documentElement).getPropertyValue("--mono") || "monospace" : style.fontFamily}`;
  for (const job of jobs) widest = Math.max(widest, context.measureText(cellText(job, column, format, idLength)).width + CELL_EXTRA);
  return Math.round(Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, Math.ceil(widest))));
}

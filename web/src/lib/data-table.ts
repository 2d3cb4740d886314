// Tables logged with atlas.log_table (docs/media.md): parsing, sorting and paging as plain
// data, so a table of 100,000 rows is sorted once and only one page of it is rendered.

export type TableCell = number | string | boolean | null;

export interface TableData {
  columns: string[];
  rows: TableCell[][];
}

/** A table from its JSON (`{"columns": [...], "rows": [[...], ...]}`); an Error says what is
 * wrong with anything else. Cells that are not numbers, strings, bools or null become text. */
export function parseTable(value: unknown): TableData {
  const body = value as { columns?: unknown; rows?: unknown } | null;
  if (typeof body !== "object" || body === null || !Array.isArray(body.columns) || !Array.isArray(body.rows)) {
    throw new Error("a table must be a JSON object with lists `columns` and `rows`");
  }
  const columns = body.columns.map((c) => String(c));
  const rows = body.rows.map((row) => (Array.isArray(row) ? row.map(cellOf) : [cellOf(row)]));
  return { columns, rows };
}

function cellOf(value: unknown): TableCell {
  if (value === null || typeof value === "number" || typeof value === "string" || typeof value === "boolean") return value;
  return JSON.stringify(value) ?? null;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

/** Orders two cells: numbers (and bools as 0/1) by value before text, text in natural order;
 * nulls are not ordered here (see `sortedOrder`, which keeps them last). */
export function compareCells(a: Exclude<TableCell, null>, b: Exclude<TableCell, null>): number {
  const an = typeof a === "string" ? null : Number(a);
  const bn = typeof b === "string" ? null : Number(b);
  if (an !== null && bn !== null) return an - bn;
  if (an !== null) return -1;
  if (bn !== null) return 1;
  return collator.compare(a as string, b as string);
}

/** The rows' indexes sorted by `column` (stable; empty cells last either way). */
export function sortedOrder(rows: readonly TableCell[][], column: number, descending: boolean): number[] {
  const order = rows.map((_, i) => i);
  order.sort((i, j) => {
    const a = rows[i]?.[column] ?? null;
    const b = rows[j]?.[column] ?? null;
    if (a === null || b === null) return a === b ? i - j : a === null ? 1 : -1;
    const c = compareCells(a, b);
    return c === 0 ? i - j : descending ? -c : c;
  });
  return order;
}

export interface Page<T> {
  items: T[];
  /** The page shown (0-based), within the pages there are. */
  page: number;
  pages: number;
  /** The first item's index in the whole list. */
  first: number;
}

/** Page `page` (clamped) of `items`, `size` at a time. */
export function pageOf<T>(items: readonly T[], page: number, size: number): Page<T> {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const shown = Math.max(0, Math.min(pages - 1, Math.floor(page)));
  const first = shown * size;
  return { items: items.slice(first, first + size), page: shown, pages, first };
}

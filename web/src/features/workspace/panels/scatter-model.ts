// The scatter panel's data: one point per job of the filter (up to 100,000) in typed arrays,
// grouped by colour so that a canvas fills each colour as one path, and a grid over the
// drawn pixels that finds the point under the pointer without scanning them all.
import { DARK_SCALE_FLOOR, niceTicks, scaleColor } from "../../../lib/chart-scales";
import { formatNumber, wireNumber } from "../../../lib/format";
import { categoryText } from "../../../lib/parallel-axes";
import { PALETTE } from "../../../lib/palette";
import { valueAt, type ValueColumn } from "../../../lib/api/packed-values";

/** Steps of a numeric colour scale (each one path on the canvas). */
export const SCALE_STEPS = 16;
/** Categories with a colour of their own; the rest share OTHER_COLOR. */
export const MAX_CATEGORIES = PALETTE.length - 1;
export const OTHER_COLOR = "#9a9a9a";
/** The points' colour when no field colours them. */
export const PLAIN_COLOR = "#5b7fb0";

export type Legend =
  | { kind: "none" }
  | { kind: "scale"; field: string; min: number; max: number; stops: string[] }
  | { kind: "categories"; field: string; items: { label: string; color: string; count: number }[]; other: number; missing: number };

/** The values endpoint's columns, in either form (packed numbers are read in place). */
export interface ScatterColumns {
  ids: { readonly length: number };
  x: ValueColumn;
  y: ValueColumn;
  color?: ValueColumn | null;
}

export interface ScatterModel {
  /** Points drawn: jobs with a number on both axes (a positive one on a log axis). */
  count: number;
  /** Coordinates on the axes' scales (log10 of the value on a log axis). */
  x: Float64Array;
  y: Float64Array;
  /** Each point's row in the answer (its job). */
  row: Uint32Array;
  /** Each point's colour, as an index into `colors`. */
  bucket: Uint8Array;
  colors: string[];
  legend: Legend;
  /** The axes' spans on their scales, padded. */
  xRange: [number, number];
  yRange: [number, number];
  /** Jobs left out: a value missing or not a number, or not positive on a log axis. */
  skipped: number;
}

export interface ScatterOptions {
  logX: boolean;
  logY: boolean;
  colorField: string | null;
  dark?: boolean;
}

/** A value on an axis' scale, or null when it cannot be drawn there. */
export function scaled(value: unknown, log: boolean): number | null {
  const n = wireNumber(value);
  if (n === null || !Number.isFinite(n)) return null;
  if (!log) return n;
  return n > 0 ? Math.log10(n) : null;
}

/** The points of `columns` (the values endpoint's answer) for the chosen axes and colour. */
export function scatterModel(columns: ScatterColumns, options: ScatterOptions): ScatterModel {
  const rows = columns.ids.length;
  const x = new Float64Array(rows);
  const y = new Float64Array(rows);
  const row = new Uint32Array(rows);
  let count = 0;
  for (let i = 0; i < rows; i += 1) {
    const xi = scaled(valueAt(columns.x, i), options.logX);
    const yi = scaled(valueAt(columns.y, i), options.logY);
    if (xi === null || yi === null) continue;
    x[count] = xi;
    y[count] = yi;
    row[count] = i;
    count += 1;
  }
  const coloring = colorPoints(columns.color ?? null, row.subarray(0, count), options);
  return {
    count,
    x: x.subarray(0, count),
    y: y.subarray(0, count),
    row: row.subarray(0, count),
    bucket: coloring.bucket,
    colors: coloring.colors,
    legend: options.colorField && columns.color ? withField(coloring.legend, options.colorField) : { kind: "none" },
    xRange: padded(x, count),
    yRange: padded(y, count),
    skipped: rows - count,
  };
}

function withField(legend: Legend, field: string): Legend {
  return legend.kind === "none" ? legend : { ...legend, field };
}

interface Coloring {
  bucket: Uint8Array;
  colors: string[];
  legend: Legend;
}

/** Colours by a numeric field (a sequential scale in SCALE_STEPS steps) or a categorical
 * one (the most frequent categories in the palette, the rest grey); a point without the
 * field is grey. */
function colorPoints(values: ValueColumn | null, rows: Uint32Array, options: ScatterOptions): Coloring {
  const bucket = new Uint8Array(rows.length);
  if (!values) return { bucket, colors: [PLAIN_COLOR], legend: { kind: "none" } };
  const numbers = new Float64Array(rows.length);
  let numeric = true;
  let min = Infinity;
  let max = -Infinity;
  for (let k = 0; k < rows.length; k += 1) {
    const v = valueAt(values, rows[k] as number);
    const n = v === null || v === undefined ? NaN : wireNumber(v);
    if (n === null || typeof v === "boolean") numeric = false;
    numbers[k] = n ?? NaN;
    if (n !== null && Number.isFinite(n)) {
      min = Math.min(min, n);
      max = Math.max(max, n);
    }
  }
  const floor = options.dark ? DARK_SCALE_FLOOR : 0;
  if (numeric && Number.isFinite(min)) {
    const colors = Array.from({ length: SCALE_STEPS }, (_, s) => scaleColor(s / (SCALE_STEPS - 1), floor));
    colors.push(OTHER_COLOR);
    const span = max - min;
    for (let k = 0; k < rows.length; k += 1) {
      const n = numbers[k] as number;
      bucket[k] = Number.isFinite(n) ? (span === 0 ? SCALE_STEPS - 1 : Math.round(((n - min) / span) * (SCALE_STEPS - 1))) : SCALE_STEPS;
    }
    const stops = [0, 0.25, 0.5, 0.75, 1].map((t) => scaleColor(t, floor));
    return { bucket, colors, legend: { kind: "scale", field: "", min, max, stops } };
  }
  return categorical(values, rows, bucket);
}

function categorical(values: ValueColumn, rows: Uint32Array, bucket: Uint8Array): Coloring {
  const counts = new Map<string, number>();
  const texts: (string | null)[] = new Array(rows.length);
  for (let k = 0; k < rows.length; k += 1) {
    const v = valueAt(values, rows[k] as number);
    const text = v === null || v === undefined ? null : categoryText(v);
    texts[k] = text;
    if (text !== null) counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const named = ranked.slice(0, MAX_CATEGORIES);
  const index = new Map(named.map(([label], i) => [label, i]));
  const colors = [...named.map((_, i) => PALETTE[i] as string), OTHER_COLOR];
  let missing = 0;
  for (let k = 0; k < rows.length; k += 1) {
    const text = texts[k] ?? null;
    if (text === null) missing += 1;
    bucket[k] = text === null ? named.length : (index.get(text) ?? named.length);
  }
  const other = ranked.slice(MAX_CATEGORIES).reduce((sum, [, n]) => sum + n, 0);
  const items = named.map(([label, n], i) => ({ label, color: colors[i] as string, count: n }));
  return { bucket, colors, legend: { kind: "categories", field: "", items, other, missing } };
}

/** The span of the first `count` values, padded by 5% (±1 around a single value). */
export function padded(values: Float64Array, count: number): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < count; i += 1) {
    const v = values[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!Number.isFinite(min)) return [0, 1];
  const pad = max === min ? Math.abs(min) * 0.1 || 1 : (max - min) * 0.05;
  return [min - pad, max + pad];
}

export interface Tick {
  /** Where on the axis' scale. */
  at: number;
  label: string;
}

/** Ticks of an axis: round values, or on a log axis the powers of ten it spans (round
 * values of the exponent when it spans fewer than two). */
export function axisTicks([lo, hi]: readonly [number, number], log: boolean, count = 5): Tick[] {
  if (!log) return niceTicks(lo, hi, count).map((at) => ({ at, label: formatNumber(at) }));
  const first = Math.ceil(lo);
  const last = Math.floor(hi);
  if (last - first >= 1) {
    const every = Math.max(1, Math.ceil((last - first + 1) / count));
    const ticks: Tick[] = [];
    for (let e = first; e <= last; e += every) ticks.push({ at: e, label: formatNumber(10 ** e) });
    return ticks;
  }
  return niceTicks(lo, hi, count).map((at) => ({ at, label: formatNumber(Number((10 ** at).toPrecision(3))) }));
}

/** A grid over the drawn points' pixels, CELL px square: the point under the pointer is
 * looked for in the cells around it only. */
export interface PointIndex {
  cell: number;
  columns: number;
  rows: number;
  /** First point of each cell (-1: none), and each point's next in its cell. */
  head: Int32Array;
  next: Int32Array;
  px: Float32Array;
  py: Float32Array;
}

export function pointIndex(px: Float32Array, py: Float32Array, width: number, height: number, cell = 8): PointIndex {
  const columns = Math.max(1, Math.ceil(width / cell));
  const rows = Math.max(1, Math.ceil(height / cell));
  const head = new Int32Array(columns * rows).fill(-1);
  const next = new Int32Array(px.length).fill(-1);
  for (let i = 0; i < px.length; i += 1) {
    const c = Math.floor((px[i] as number) / cell);
    const r = Math.floor((py[i] as number) / cell);
    if (c < 0 || r < 0 || c >= columns || r >= rows) continue;
    const k = r * columns + c;
    next[i] = head[k] as number;
    head[k] = i;
  }
  return { cell, columns, rows, head, next, px, py };
}

/** The point nearest (qx, qy) within `radius` px, or -1. Among points at the same spot,
 * the one drawn last (on top) wins. */
export function nearestPoint(index: PointIndex, qx: number, qy: number, radius = 6): number {
  const { cell, columns, rows, head, next, px, py } = index;
  const reach = Math.ceil(radius / cell);
  const c0 = Math.floor(qx / cell);
  const r0 = Math.floor(qy / cell);
  let best = -1;
  let bestDistance = radius * radius;
  for (let r = Math.max(0, r0 - reach); r <= Math.min(rows - 1, r0 + reach); r += 1) {
    for (let c = Math.max(0, c0 - reach); c <= Math.min(columns - 1, c0 + reach); c += 1) {
      for (let i = head[r * columns + c] as number; i !== -1; i = next[i] as number) {
        const dx = (px[i] as number) - qx;
        const dy = (py[i] as number) - qy;
        const d = dx * dx + dy * dy;
        if (d < bestDistance || (d === bestDistance && i > best)) {
          best = i;
          bestDistance = d;
        }
      }
    }
  }
  return best;
}

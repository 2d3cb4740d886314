// Parallel-coordinate axes (the sweep page, the compare page, the workspace's parallel
// panel): each value's position along an axis (linear, log or categorical, missing values
// kept apart), and which items lie inside the brushes drawn on the axes.
import { formatValue, wireNumber } from "./format";

export interface Axis {
  key: string;
  label: string;
  kind: "linear" | "log" | "category";
  min: number;
  max: number;
  categories: string[];
  /** Each value's position from 0 (bottom) to 1 (top); null when missing or not drawable. */
  positions: (number | null)[];
}

/** The spec's entry for one param of the space, if any. */
export type SpaceEntry = Record<string, unknown>;

/** A category's text: strings as they are, anything else as the GUI writes values. */
export function categoryText(value: unknown): string {
  return typeof value === "string" ? value : formatValue(value);
}

/** An axis over one field's values. A categorical param keeps the order of its choices; a
 * `log: true` param is scaled logarithmically (when every value is positive); a missing value
 * (a conditional param) or a NaN/∞ value has no position. */
export function buildAxis(key: string, label: string, values: readonly unknown[], entry?: SpaceEntry): Axis {
  const categorical = entry?.type === "categorical" || values.some((v) => v != null && wireNumber(v) === null);
  if (categorical) {
    const choices = Array.isArray(entry?.choices) ? entry.choices.map(categoryText) : [];
    const seen = values.filter((v) => v !== undefined && v !== null).map(categoryText);
    const categories = [...new Set([...choices, ...seen.filter((s) => !choices.includes(s)).sort()])];
    const positions = values.map((v) => {
      if (v === undefined || v === null) return null;
      const k = categories.indexOf(categoryText(v));
      return categories.length === 1 ? 0.5 : k / (categories.length - 1);
    });
    return { key, label, kind: "category", min: 0, max: 1, categories, positions };
  }
  const numbers = values.map((v) => (v === undefined || v === null ? null : wireNumber(v)));
  const finite = numbers.filter((n): n is number => n !== null && Number.isFinite(n));
  const log = entry?.log === true && finite.length > 0 && finite.every((n) => n > 0);
  const low = typeof entry?.low === "number" ? entry.low : Infinity;
  const high = typeof entry?.high === "number" ? entry.high : -Infinity;
  // the axis spans the space's bounds when known (so a sweep's first trials sit where they
  // are in the space), widened to any value outside them
  // (reduced, not spread: an axis may hold 100,000 values)
  let min = finite.reduce((a, b) => Math.min(a, b), low);
  let max = finite.reduce((a, b) => Math.max(a, b), high);
  if (!Number.isFinite(min) || !Number.isFinite(max)) [min, max] = [0, 1];
  if (log && min <= 0) min = finite.reduce((a, b) => Math.min(a, b), Infinity);
  const scale = log ? Math.log : (n: number) => n;
  const span = scale(max) - scale(min);
  const positions = numbers.map((n) => (n === null || !Number.isFinite(n) ? null : span === 0 ? 0.5 : (scale(n) - scale(min)) / span));
  return { key, label, kind: log ? "log" : "linear", min, max, categories: [], positions };
}

/** For each of `count` items, whether it lies inside every brush (a range of axis positions,
 * 0..1, by axis key); an item without a position on a brushed axis is outside. */
export function brushed(axes: readonly Pick<Axis, "key" | "positions">[], brushes: Readonly<Record<string, readonly [number, number]>>, count: number): boolean[] {
  return Array.from({ length: count }, (_, i) =>
    axes.every((axis) => {
      const brush = brushes[axis.key];
      if (!brush) return true;
      const p = axis.positions[i];
      const [lo, hi] = brush[0] <= brush[1] ? brush : [brush[1], brush[0]];
      return p !== null && p !== undefined && p >= lo && p <= hi;
    }),
  );
}

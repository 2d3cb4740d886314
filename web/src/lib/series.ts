// Chart data shaping: series of several jobs aligned on a shared x, smoothing, group bands,
// and the non-finite points that a chart must mark rather than drop.
import { wireNumber } from "./format";

export type XAxis = "step" | "time" | "relative";

export interface Line {
  x: number[];
  /** Raw values, NaN and ±Infinity included. */
  y: number[];
}

/** A series from the API as x/y arrays for the chosen axis (`relative`: seconds since `t0`). */
export function toLine(
  series: { steps: number[]; times: unknown[]; values: unknown[] },
  axis: XAxis,
  t0 = 0,
): Line {
  const n = series.steps.length;
  const x = new Array<number>(n);
  const y = new Array<number>(n);
  for (let i = 0; i < n; i += 1) {
    const time = wireNumber(series.times[i]) ?? NaN;
    x[i] = axis === "step" ? (series.steps[i] ?? NaN) : axis === "time" ? time : time - t0;
    y[i] = wireNumber(series.values[i]) ?? NaN;
  }
  return { x, y };
}

export interface Aligned {
  x: number[];
  /** One array per line, `null` where that line has no point at this x; non-finite kept. */
  ys: (number | null)[][];
}

/** Aligns lines on the sorted union of their x values (a line's repeated x keeps its last y). */
export function alignLines(lines: readonly Line[]): Aligned {
  if (lines.length === 0) return { x: [], ys: [] };
  const first = lines[0] as Line;
  if (lines.every((line) => sameX(line.x, first.x)) && isIncreasing(first.x)) {
    return { x: first.x.slice(), ys: lines.map((line) => line.y.slice()) };
  }
  // A typed array sorts numbers natively, far faster than a Set, Array.sort and a Map
  // (10 lines of 100,000 points must align within a frame or two).
  const all = new Float64Array(lines.reduce((n, line) => n + line.x.length, 0));
  let count = 0;
  for (const line of lines) for (const v of line.x) if (Number.isFinite(v)) all[count++] = v;
  const sorted = all.subarray(0, count).sort();
  const x: number[] = [];
  for (const v of sorted) if (x.length === 0 || v !== x[x.length - 1]) x.push(v);
  const ys = lines.map((line) => {
    const out = new Array<number | null>(x.length).fill(null);
    line.x.forEach((v, i) => {
      const at = indexIn(x, v);
      if (at >= 0) out[at] = line.y[i] ?? null;
    });
    return out;
  });
  return { x, ys };
}

/** The index of `v` in the increasing `xs`, or -1. */
function indexIn(xs: readonly number[], v: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = xs[mid] as number;
    if (at === v) return mid;
    if (at < v) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function sameX(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

function isIncreasing(x: readonly number[]): boolean {
  for (let i = 1; i < x.length; i += 1) if (!((x[i] as number) > (x[i - 1] as number))) return false;
  return true;
}

/** Values a chart can draw: finite numbers; anything else (and, on a log scale, values
 * at or below zero) becomes a gap. */
export function drawable(ys: readonly (number | null)[], logScale = false): (number | null)[] {
  return ys.map((v) => (v === null || !Number.isFinite(v) || (logScale && v <= 0) ? null : v));
}

export type Special = "NaN" | "∞" | "−∞";

export interface Marker {
  x: number;
  kind: Special;
}

/** Where a line holds NaN or an infinity: drawn as markers, never silently dropped. */
export function specialPoints(x: readonly number[], ys: readonly (number | null)[]): Marker[] {
  const out: Marker[] = [];
  ys.forEach((v, i) => {
    if (v === null || Number.isFinite(v)) return;
    out.push({ x: x[i] as number, kind: Number.isNaN(v) ? "NaN" : v > 0 ? "∞" : "−∞" });
  });
  return out;
}

/** Exponential moving average with TensorBoard's debiasing; `weight` in [0, 1).
 * Gaps and non-finite values stay as they are and do not disturb the average.
 * One pass with a running power (no `Math.pow` per point): 20 panels × 10 lines of 1,000
 * points are smoothed again on every move of the smoothing control. */
export function smooth(ys: readonly (number | null)[], weight: number): (number | null)[] {
  if (weight <= 0) return ys.slice();
  const w = Math.min(weight, 0.999);
  const n = ys.length;
  const out = new Array<number | null>(n);
  let last = 0;
  let power = 1;
  for (let i = 0; i < n; i += 1) {
    const v = ys[i] as number | null;
    if (v === null || !Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * w + (1 - w) * v;
    power *= w;
    out[i] = last / (1 - power);
  }
  return out;
}

export interface Band {
  mean: (number | null)[];
  min: (number | null)[];
  max: (number | null)[];
  /** How many lines had a finite value at each x. */
  count: number[];
}

/** Mean and min–max band across aligned lines, per x, over finite values only. */
export function band(ys: readonly (readonly (number | null)[])[]): Band {
  const length = ys[0]?.length ?? 0;
  const result: Band = { mean: [], min: [], max: [], count: [] };
  for (let i = 0; i < length; i += 1) {
    let sum = 0;
    let n = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (const line of ys) {
      const v = line[i];
      if (v === null || v === undefined || !Number.isFinite(v)) continue;
      sum += v;
      n += 1;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    result.mean.push(n ? sum / n : null);
    result.min.push(n ? lo : null);
    result.max.push(n ? hi : null);
    result.count.push(n);
  }
  return result;
}

/** Fills the gaps of a line by carrying the last value forward (for group means of lines
 * sampled at different x), leaving leading gaps and non-finite values alone. */
export function carryForward(ys: readonly (number | null)[]): (number | null)[] {
  let last: number | null = null;
  return ys.map((v) => {
    if (v === null) return last;
    if (Number.isFinite(v)) last = v;
    return v;
  });
}

/** Groups items by a key; the groups keep the order in which their first item came. */
export function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = groups.get(key);
    if (list) list.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** The x range to ask the server for: the visible range widened to whole steps. */
export function stepRange(min: number, max: number): { minStep: number; maxStep: number } {
  return { minStep: Math.floor(min), maxStep: Math.ceil(max) };
}

/** Indexes in `i0`..`i1` of the values a line cannot show: a finite value with no finite
 * neighbour (a series of one point, or a point between gaps) draws no segment, so the
 * chart marks each of these with a dot or it would show empty axes. */
export function isolatedPoints(ys: readonly (number | null | undefined)[], i0 = 0, i1 = ys.length - 1): number[] {
  const finite = (i: number) => {
    const v = ys[i];
    return v !== null && v !== undefined && Number.isFinite(v);
  };
  const out: number[] = [];
  for (let i = Math.max(0, i0); i <= Math.min(i1, ys.length - 1); i += 1) {
    if (finite(i) && !finite(i - 1) && !finite(i + 1)) out.push(i);
  }
  return out;
}

/** A series' only point. */
export interface SingleValue {
  /** The series' index among those given. */
  index: number;
  step: number;
  /** NaN and the infinities included. */
  value: number;
}

/** When each loaded series holds at most one point and one of them holds one (a metric
 * logged once, such as a final test score): those points, for the chart to show as
 * numbers; otherwise null. Series not loaded yet (`undefined`) are passed over. */
export function singleValues(series: readonly ({ steps: number[]; values: unknown[] } | undefined)[]): SingleValue[] | null {
  const out: SingleValue[] = [];
  for (const [index, s] of series.entries()) {
    if (!s || s.steps.length === 0) continue;
    if (s.steps.length > 1) return null;
    out.push({ index, step: s.steps[0] as number, value: wireNumber(s.values[0]) ?? NaN });
  }
  return out.length ? out : null;
}

/** Time-weighted EMA: like `smooth`, but a point's weight decays with its distance in x from
 * the previous point, measured in the line's typical spacing (the median gap), so uneven
 * logging (a gap, then a burst) smooths as if evenly sampled. Equals `smooth` on even x.
 * The gaps sort in a typed array, and a gap of one unit (the usual case) takes no `Math.pow`. */
export function smoothTimeWeighted(x: readonly number[], ys: readonly (number | null)[], weight: number): (number | null)[] {
  if (weight <= 0) return ys.slice();
  const w = Math.min(weight, 0.999);
  const n = ys.length;
  const gaps = new Float64Array(n);
  let count = 0;
  let previous = NaN;
  for (let i = 0; i < n; i += 1) {
    const v = ys[i] as number | null;
    if (v === null || !Number.isFinite(v)) continue;
    const at = x[i] as number;
    if (at > previous) gaps[count++] = at - previous;
    previous = at;
  }
  const sorted = gaps.subarray(0, count).sort();
  const unit = count ? (sorted[count >> 1] as number) : 1;
  const out = new Array<number | null>(n);
  let last = 0;
  let norm = 0;
  let lastX = NaN;
  for (let i = 0; i < n; i += 1) {
    const v = ys[i] as number | null;
    if (v === null || !Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    const at = x[i] as number;
    // the first point counts as one unit after an empty past, as the EMA debiases it
    const gap = Number.isNaN(lastX) ? unit : Math.max(0, at - lastX);
    const decay = gap === unit ? w : Math.pow(w, gap / unit);
    lastX = at;
    last = last * decay + (1 - decay) * v;
    norm = norm * decay + (1 - decay);
    out[i] = norm > 0 ? last / norm : v;
  }
  return out;
}

export type SmoothingKind = "ema" | "time";

/** A line smoothed by `kind` with `weight` in [0, 1): 0 leaves it as it is. */
export function smoothLine(x: readonly number[], ys: readonly (number | null)[], weight: number, kind: SmoothingKind): (number | null)[] {
  return kind === "time" ? smoothTimeWeighted(x, ys, weight) : smooth(ys, weight);
}

/** The 1st to 99th percentile of the finite values of all `lines` (nearest rank): a y range
 * that a lone spike does not flatten. Null when there are no finite values. */
export function percentileRange(lines: readonly (readonly (number | null)[])[], lo = 0.01, hi = 0.99): { min: number; max: number } | null {
  const values: number[] = [];
  for (const line of lines) for (const v of line) if (v !== null && Number.isFinite(v)) values.push(v);
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))] as number;
  return { min: at(lo), max: at(hi) };
}

/** One metric against another: for each step both series logged, x is `xs`'s value and y is
 * `ys`'s, ordered by x (steps only one of them logged are left out). */
export function pairByStep(
  xs: { steps: number[]; values: unknown[] },
  ys: { steps: number[]; values: unknown[] },
): Line {
  const byStep = new Map<number, number>();
  xs.steps.forEach((step, i) => {
    const v = wireNumber(xs.values[i]);
    if (v !== null && Number.isFinite(v)) byStep.set(step, v);
  });
  const pairs: [number, number][] = [];
  ys.steps.forEach((step, i) => {
    const x = byStep.get(step);
    if (x !== undefined) pairs.push([x, wireNumber(ys.values[i]) ?? NaN]);
  });
  pairs.sort((a, b) => a[0] - b[0]);
  return { x: pairs.map((p) => p[0]), y: pairs.map((p) => p[1]) };
}

// Histograms logged over steps (atlas.log_histogram, docs/media.md) and the geometry of their
// ridge and heat views: plain data, drawn as SVG by components/histogram-chart.tsx.

/** A histogram as the SDK stores it: `bins + 1` edges, `bins` counts. */
export interface Histogram {
  edges: number[];
  counts: number[];
  /** Values binned (NaN and infinities are not). */
  count: number;
  min: number | null;
  max: number | null;
  nan: number;
  inf: number;
}

export interface StepHistogram {
  step: number;
  histogram: Histogram;
}

/** A histogram from its JSON; an Error says what is wrong with anything else. */
export function parseHistogram(value: unknown): Histogram {
  const body = value as Partial<Record<keyof Histogram, unknown>> | null;
  if (typeof body !== "object" || body === null) throw new Error("a histogram must be a JSON object");
  const { edges, counts } = body;
  if (!Array.isArray(edges) || !Array.isArray(counts) || !edges.every(isNumber) || !counts.every(isNumber)) {
    throw new Error("a histogram needs lists of numbers `edges` and `counts`");
  }
  if (edges.length !== counts.length + 1) throw new Error(`a histogram of ${counts.length} counts needs ${counts.length + 1} edges, not ${edges.length}`);
  const sum = counts.reduce((a, b) => a + b, 0);
  return {
    edges,
    counts,
    count: isNumber(body.count) ? body.count : sum,
    min: isNumber(body.min) ? body.min : null,
    max: isNumber(body.max) ? body.max : null,
    nan: isNumber(body.nan) ? body.nan : 0,
    inf: isNumber(body.inf) ? body.inf : 0,
  };
}

function isNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/** One step's row of a ridge or heat view. */
export interface RidgeRow {
  step: number;
  /** The row's baseline (ridge) or top (heat), in pixels from the top. */
  y: number;
  /** The ridge's outline: an SVG path, closed along the baseline ("" for an empty step). */
  path: string;
  /** Each bin as a rectangle of the heat view, with its density relative to the peak (0-1). */
  cells: { x: number; width: number; level: number }[];
}

export interface RidgeLayout {
  rows: RidgeRow[];
  /** The value range across every step: the x axis. */
  low: number;
  high: number;
  width: number;
  height: number;
  /** A ridge's greatest height in pixels (at the peak density of all steps). */
  amplitude: number;
  /** Pixels between two rows' baselines (ridge) or a heat row's height. */
  gap: number;
}

/** Where each step's ridge (or heat row) goes in a `width` x `height` box: steps from top
 * (earliest) to bottom (latest), one x axis over all of them, the height of each bin its
 * density (count per unit of value) scaled to the greatest density of any step, so rows
 * of different bin widths compare. */
export function ridgeLayout(steps: readonly StepHistogram[], width: number, height: number, mode: "ridge" | "heat" = "ridge"): RidgeLayout {
  const filled = steps.filter((s) => s.histogram.count > 0 && s.histogram.edges.length > 1);
  const low = filled.length ? Math.min(...filled.map((s) => s.histogram.edges[0] as number)) : 0;
  const high = filled.length ? Math.max(...filled.map((s) => s.histogram.edges[s.histogram.edges.length - 1] as number)) : 1;
  const span = high > low ? high - low : 1;
  const x = (value: number) => ((value - low) / span) * width;
  const densities = steps.map((s) => densitiesOf(s.histogram));
  const peak = Math.max(0, ...densities.flat());
  const n = steps.length;
  const amplitude = mode === "heat" ? 0 : n <= 1 ? height : height * 0.4;
  const gap = mode === "heat" ? height / Math.max(1, n) : n <= 1 ? 0 : (height - amplitude) / (n - 1);
  const rows = steps.map((s, i) => {
    const y = mode === "heat" ? i * gap : amplitude + i * gap;
    const { edges } = s.histogram;
    const levels = (densities[i] ?? []).map((d) => (peak > 0 ? d / peak : 0));
    const cells = levels.map((level, b) => ({ x: x(edges[b] as number), width: Math.max(0, x(edges[b + 1] as number) - x(edges[b] as number)), level }));
    let path = "";
    if (s.histogram.count > 0 && mode === "ridge") {
      const parts = [`M${fmt(x(edges[0] as number))},${fmt(y)}`];
      levels.forEach((level, b) => {
        const top = y - level * amplitude;
        parts.push(`L${fmt(x(edges[b] as number))},${fmt(top)}`, `L${fmt(x(edges[b + 1] as number))},${fmt(top)}`);
      });
      parts.push(`L${fmt(x(edges[edges.length - 1] as number))},${fmt(y)}Z`);
      path = parts.join("");
    }
    return { step: s.step, y, path, cells };
  });
  return { rows, low, high: high > low ? high : low + 1, width, height, amplitude, gap };
}

function densitiesOf(histogram: Histogram): number[] {
  return histogram.counts.map((count, b) => {
    const binWidth = (histogram.edges[b + 1] as number) - (histogram.edges[b] as number);
    return binWidth > 0 ? count / binWidth : 0;
  });
}

function fmt(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** What the pointer is over: a step, the bin under it and its count. */
export interface HistogramHover {
  step: number;
  value: number;
  /** The bin's edges and count, or null when the value is outside that step's bins. */
  bin: { low: number; high: number; count: number } | null;
}

/** The step and bin under the point (`px`, `py`) of a layout: the row whose baseline (or
 * heat band) is nearest at or below the point. */
export function hoverAt(layout: RidgeLayout, steps: readonly StepHistogram[], px: number, py: number): HistogramHover | null {
  if (!layout.rows.length || px < 0 || px > layout.width) return null;
  let index: number;
  if (layout.amplitude === 0) {
    index = Math.floor(py / Math.max(1e-9, layout.gap));
  } else {
    index = layout.rows.findIndex((row) => row.y >= py);
    if (index < 0) index = layout.rows.length - 1;
  }
  index = Math.max(0, Math.min(layout.rows.length - 1, index));
  const entry = steps[index];
  if (!entry) return null;
  const value = layout.low + (px / layout.width) * (layout.high - layout.low);
  return { step: entry.step, value, bin: binAt(entry.histogram, value) };
}

/** The bin of `histogram` holding `value` (the last bin holds its upper edge), or null. */
export function binAt(histogram: Histogram, value: number): { low: number; high: number; count: number } | null {
  const { edges, counts } = histogram;
  if (histogram.count === 0 || edges.length < 2 || value < (edges[0] as number) || value > (edges[edges.length - 1] as number)) return null;
  let lo = 0;
  let hi = counts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((edges[mid] as number) <= value) lo = mid;
    else hi = mid - 1;
  }
  return { low: edges[lo] as number, high: edges[lo + 1] as number, count: counts[lo] as number };
}

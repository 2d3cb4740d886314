// Scales the hand-drawn charts share (sweeps, workspace panels): round tick values, a padded
// range, and a colour-blind-safe sequential colour scale.

/** About `count` round tick values covering min..max (1, 2 or 5 times a power of ten apart). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  const [lo, hi] = min < max ? [min, max] : [max, min];
  const rough = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power) as number;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** The span a scatter axis covers: the values' range, padded by 5% (or ±1 around one value). */
export function paddedRange(values: readonly number[]): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return [0, 1];
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const pad = max === min ? Math.abs(min) * 0.1 || 1 : (max - min) * 0.05;
  return [min - pad, max + pad];
}

// A colour-blind-safe sequential scale (viridis, sampled), from worst to best.
const SCALE: readonly [number, number, number][] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

/** Where the scale starts on a dark background: its darkest purples would vanish there. */
export const DARK_SCALE_FLOOR = 0.35;

/** The colour of `t` in 0..1 on the scale (worst dark purple, best yellow); grey for null.
 * With `floor`, the scale starts that far in (for a dark background). */
export function scaleColor(t: number | null, floor = 0): string {
  if (t === null || !Number.isFinite(t)) return "#9a9a9a";
  const x = (floor + (1 - floor) * Math.min(1, Math.max(0, t))) * (SCALE.length - 1);
  const i = Math.min(SCALE.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [SCALE[i] as [number, number, number], SCALE[i + 1] as [number, number, number]];
  const mix = (k: 0 | 1 | 2) => Math.round(a[k] + (b[k] - a[k]) * f);
  return `rgb(${mix(0)}, ${mix(1)}, ${mix(2)})`;
}

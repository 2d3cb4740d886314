// Sweep view logic (docs/sweeps.md): the objectives a spec names, the best value over trials,
// the Pareto front, parallel-coordinate axes (linear, log, categorical, missing values),
// the colour scale, and sorting the trials table. Pure functions, tested in model.test.ts.
import { formatValue, wireNumber } from "../../lib/format";

/** The part of a trial the views read (TrialOut on the wire). */
export interface TrialLike {
  number: number;
  state: string;
  params: Record<string, unknown>;
  values?: readonly unknown[] | null;
  pruned_step?: number | null;
  job_id?: string | null;
}

export type Direction = "minimize" | "maximize";

export interface Objective {
  metric: string;
  direction: Direction;
  summary: string;
}

/** The spec's objectives as a list, whatever form it was written in (one object, a list,
 * or a bare metric name); an unknown direction reads as minimize. */
export function objectivesOf(spec: Record<string, unknown> | null | undefined): Objective[] {
  const raw = spec?.objective;
  const list = Array.isArray(raw) ? raw : raw == null ? [] : [raw];
  return list.map((item): Objective => {
    if (typeof item === "string") return { metric: item, direction: "minimize", summary: "last" };
    const o = (item ?? {}) as Record<string, unknown>;
    return {
      metric: typeof o.metric === "string" ? o.metric : "objective",
      direction: o.direction === "maximize" ? "maximize" : "minimize",
      summary: typeof o.summary === "string" ? o.summary : "last",
    };
  });
}

/** A named choice in the spec (`sampler: tpe` or `{name: tpe, ...}`), or the fallback. */
export function choiceName(value: unknown, fallback: string): string {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && typeof (value as { name?: unknown }).name === "string") return (value as { name: string }).name;
  return fallback;
}

/** A trial's value of objective `index` as a number: NaN and ±∞ as such, null when missing. */
export function trialValue(trial: TrialLike, index = 0): number | null {
  const values = trial.values;
  if (!values || index >= values.length) return null;
  return wireNumber(values[index]);
}

/** Whether `a` is a better value than `b` in `direction` (a finite value beats no value). */
export function better(a: number, b: number | null, direction: Direction): boolean {
  if (!Number.isFinite(a)) return false;
  if (b === null || !Number.isFinite(b)) return true;
  return direction === "minimize" ? a < b : a > b;
}

export interface BestSoFar {
  /** Trial numbers, ascending, of the trials with a value. */
  x: number[];
  /** Each trial's value (NaN and ±∞ kept, for the chart to mark). */
  values: number[];
  /** The best finite value among the trials up to and including this one, null before any. */
  best: (number | null)[];
}

/** The objective per finished trial (in trial order) and the running best; pruned, failed
 * and running trials are left out, as is any value that is not a number. */
export function bestSoFar(trials: readonly TrialLike[], direction: Direction, index = 0): BestSoFar {
  const done = trials
    .filter((t) => t.state === "complete")
    .map((t) => ({ number: t.number, value: trialValue(t, index) }))
    .filter((t): t is { number: number; value: number } => t.value !== null)
    .sort((a, b) => a.number - b.number);
  let best: number | null = null;
  const result: BestSoFar = { x: [], values: [], best: [] };
  for (const t of done) {
    if (better(t.value, best, direction)) best = t.value;
    result.x.push(t.number);
    result.values.push(t.value);
    result.best.push(best);
  }
  return result;
}

/** Whether point `a` dominates `b`: no worse in every objective, better in one. */
function dominates(a: readonly number[], b: readonly number[], directions: readonly Direction[]): boolean {
  let strictly = false;
  for (let i = 0; i < directions.length; i++) {
    const sign = directions[i] === "maximize" ? -1 : 1;
    const da = sign * (a[i] as number);
    const db = sign * (b[i] as number);
    if (da > db) return false;
    if (da < db) strictly = true;
  }
  return strictly;
}

/** Indexes of the points on the Pareto front (no other point dominates them); a point with
 * a missing or non-finite value is never on it. */
export function paretoFront(points: readonly (readonly (number | null)[])[], directions: readonly Direction[]): number[] {
  const usable = points
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => p.length >= directions.length && directions.every((_, k) => p[k] != null && Number.isFinite(p[k])));
  return usable
    .filter(({ p }) => !usable.some((other) => other.p !== p && dominates(other.p as number[], p as number[], directions)))
    .map(({ i }) => i);
}

export interface Axis {
  key: string;
  label: string;
  kind: "linear" | "log" | "category";
  min: number;
  max: number;
  categories: string[];
  /** Each trial's position from 0 (bottom) to 1 (top); null when missing or not drawable. */
  positions: (number | null)[];
}

/** The spec's entry for one param of the space, if any. */
export type SpaceEntry = Record<string, unknown>;

function categoryText(value: unknown): string {
  return typeof value === "string" ? value : formatValue(value);
}

/** An axis over one param's values. A categorical param keeps the order of its choices; a
 * `log: true` param is scaled logarithmically (when every value is positive); a param a trial
 * does not have (conditional) or a NaN/∞ value has no position. */
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
  let min = Math.min(low, ...finite);
  let max = Math.max(high, ...finite);
  if (!Number.isFinite(min) || !Number.isFinite(max)) [min, max] = [0, 1];
  if (log && min <= 0) min = Math.min(...finite);
  const scale = log ? Math.log : (n: number) => n;
  const span = scale(max) - scale(min);
  const positions = numbers.map((n) => (n === null || !Number.isFinite(n) ? null : span === 0 ? 0.5 : (scale(n) - scale(min)) / span));
  return { key, label, kind: log ? "log" : "linear", min, max, categories: [], positions };
}

/** Every param of the space (in the spec's order), then params only trials have (sorted). */
export function paramKeys(space: Record<string, unknown> | null | undefined, trials: readonly TrialLike[]): string[] {
  const fromSpace = Object.keys(space ?? {});
  const extra = [...new Set(trials.flatMap((t) => Object.keys(t.params)))].filter((k) => !fromSpace.includes(k)).sort();
  return [...fromSpace, ...extra];
}

/** The parallel-coordinate axes: one per param, then one per objective. */
export function sweepAxes(trials: readonly TrialLike[], space: Record<string, unknown> | null | undefined, objectives: readonly Objective[]): Axis[] {
  const axes = paramKeys(space, trials).map((key) => {
    const entry = space?.[key];
    return buildAxis(key, key, trials.map((t) => t.params[key]), entry && typeof entry === "object" ? (entry as SpaceEntry) : undefined);
  });
  objectives.forEach((o, i) => {
    axes.push(buildAxis(`objective:${i}`, `${o.metric} (${o.direction === "minimize" ? "min" : "max"})`, trials.map((t) => trialValue(t, i))));
  });
  return axes;
}

/** Where a value sits between the worst (0) and the best (1) of `values` in `direction`;
 * null for a missing or non-finite value. */
export function goodness(values: readonly (number | null)[], direction: Direction): (number | null)[] {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return null;
    if (max === min) return 1;
    const t = (v - min) / (max - min);
    return direction === "minimize" ? 1 - t : t;
  });
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

export interface Importance {
  param: string;
  importance: number;
}

/** Importances largest first, with each bar's length as a fraction of the largest. */
export function importanceBars(items: readonly { param: string; importance: unknown }[]): (Importance & { fraction: number })[] {
  const clean = items
    .map((item) => ({ param: item.param, importance: wireNumber(item.importance) ?? 0 }))
    .map((item) => ({ ...item, importance: Number.isFinite(item.importance) ? item.importance : 0 }))
    .sort((a, b) => b.importance - a.importance || a.param.localeCompare(b.param));
  const top = Math.max(0, ...clean.map((item) => item.importance));
  return clean.map((item) => ({ ...item, fraction: top > 0 ? item.importance / top : 0 }));
}

/** Table sort keys: `number`, `state`, `value:I`, `param:KEY`, `pruned_step`. */
export type TrialSort = { key: string; desc: boolean };

export function parseTrialSort(text: string): TrialSort {
  return text.startsWith("-") ? { key: text.slice(1), desc: true } : { key: text || "number", desc: false };
}

function sortValue(trial: TrialLike, key: string): number | string | null {
  if (key === "number") return trial.number;
  if (key === "state") return trial.state;
  if (key === "pruned_step") return trial.pruned_step ?? null;
  if (key.startsWith("value:")) {
    const v = trialValue(trial, Number(key.slice("value:".length)));
    return v === null || Number.isNaN(v) ? null : v;
  }
  if (key.startsWith("param:")) {
    const v = trial.params[key.slice("param:".length)];
    if (v === undefined || v === null) return null;
    const n = wireNumber(v);
    return n === null ? categoryText(v) : Number.isNaN(n) ? null : n;
  }
  return null;
}

/** The trials sorted by a column; missing values (and NaN) always last, ties by number. */
export function sortTrials<T extends TrialLike>(trials: readonly T[], sort: TrialSort): T[] {
  const sign = sort.desc ? -1 : 1;
  return [...trials].sort((a, b) => {
    const va = sortValue(a, sort.key);
    const vb = sortValue(b, sort.key);
    if (va === null || vb === null) return va === vb ? a.number - b.number : va === null ? 1 : -1;
    if (va < vb) return -sign;
    if (va > vb) return sign;
    return a.number - b.number;
  });
}

/** Trials done of the budget: `12 / 50` (pruned and failed count as done). */
export function progressText(counts: Partial<Record<string, number>> | null | undefined, budget: number): string {
  const done = (counts?.complete ?? 0) + (counts?.pruned ?? 0) + (counts?.failed ?? 0);
  return `${done} / ${budget}`;
}

/** The part of a sweep its actions depend on (SweepOut on the wire). */
export interface SweepLike {
  status: string;
  addable: boolean;
  trials: number;
  spec: Record<string, unknown>;
}

/** Which sweep actions apply: stop a running sweep, resume a stopped (or failed) one, add
 * trials to one whose budget may grow (the server's `addable`). */
export function sweepActions(sweep: SweepLike): { stop: boolean; resume: boolean; add: boolean } {
  const { status } = sweep;
  return { stop: status === "running", resume: status === "stopped" || status === "failed", add: sweep.addable };
}

/** Why no trials can be added to a sweep whose budget may not grow (`addable` false): a
 * fixed list of param sets, a grid already whole in its budget, or a budget at `maxTrials`
 * (the most the server takes); null for a sweep that takes more. */
export function whyNoMoreTrials(sweep: SweepLike, maxTrials: number): string | null {
  if (sweep.addable) return null;
  const space = sweep.spec.space;
  if (!space || typeof space !== "object" || Object.keys(space).length === 0) return "No trials can be added: this sweep runs a fixed list of param sets, all in its budget.";
  if (choiceName(sweep.spec.sampler, "tpe") === "grid") return "No trials can be added: every point of this sweep's grid is in its budget.";
  if (sweep.trials >= maxTrials) return `No trials can be added: the budget is at the most a sweep may have, ${maxTrials.toLocaleString("en-US")} trials.`;
  return "No trials can be added to this sweep.";
}

/** The most trials one Add may ask for: what is left below `maxTrials`. */
export function addableCount(budget: number, maxTrials: number): number {
  return Math.max(0, maxTrials - budget);
}

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

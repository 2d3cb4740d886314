// Sweep view logic (docs/sweeps.md): the objectives a spec names, the best value over trials,
// the Pareto front, parallel-coordinate axes (linear, log, categorical, missing values),
// the colour scale, and sorting the trials table. Pure functions, tested in model.test.ts.
import { DARK_SCALE_FLOOR, niceTicks, paddedRange, scaleColor } from "../../lib/chart-scales";
import { wireNumber } from "../../lib/format";
import { importanceBars, type Importance } from "../../lib/importance";
import { buildAxis, categoryText, type Axis, type SpaceEntry } from "../../lib/parallel-axes";

// Moved to lib/ (the workspace panels draw them too); kept here for the sweep views.
export { buildAxis, DARK_SCALE_FLOOR, importanceBars, niceTicks, paddedRange, scaleColor, type Axis, type Importance, type SpaceEntry };

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

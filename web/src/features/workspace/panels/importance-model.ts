// The importance panel's rows: each param's model-based importance for the chosen metric
// (largest first, as bars) beside its rank correlation with it.
import { wireNumber } from "../../../lib/format";
import { importanceBars } from "../../../lib/importance";

/** Fewer jobs with the metric than this, and the server gives no importances. */
export const MIN_JOBS = 3;

export interface ImportanceRow {
  param: string;
  importance: number;
  /** The bar's length: the importance as a fraction of the largest. */
  fraction: number;
  /** Spearman's rank correlation with the metric (−1..1); null for a categorical param. */
  correlation: number | null;
}

export function importanceRows(items: readonly { param: string; importance: unknown; correlation: unknown }[]): ImportanceRow[] {
  const correlations = new Map(items.map((item) => [item.param, wireNumber(item.correlation)]));
  return importanceBars(items).map((bar) => {
    const c = correlations.get(bar.param) ?? null;
    return { ...bar, correlation: c !== null && Number.isFinite(c) ? c : null };
  });
}

/** Why there is nothing to show (the server's reason when it gives one), or null when there
 * is something. */
export function importanceNote(answer: { jobs: number; items: readonly unknown[]; reason?: string | null }, metric: string): string | null {
  if (answer.items.length > 0) return null;
  if (answer.reason) return answer.reason;
  if (answer.jobs < MIN_JOBS) return `${answer.jobs} ${answer.jobs === 1 ? "job has" : "jobs have"} ${metric}: importances need at least ${MIN_JOBS}.`;
  return `The ${answer.jobs} jobs with ${metric} have no params that vary.`;
}

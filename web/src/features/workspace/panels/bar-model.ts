// The bar (or point) panel's data: one value per visible job, in the table's order, for a
// metric each job logged once (a final score) or any summary of one.
import { formatNumber, wireNumber } from "../../../lib/format";
import { literal } from "../../../lib/query-text";
import { metricField, metricSummary } from "./fields";

export interface Bar {
  id: string;
  name: string;
  color: string;
  /** The value; NaN and ±∞ kept (drawn as text, without a bar); null when not logged. */
  value: number | null;
  label: string;
}

/** The filter that selects exactly these jobs (their values come in one request). */
export function jobsFilter(ids: readonly string[]): string {
  return ids.length ? `id in (${ids.map((id) => literal(id)).join(", ")})` : "";
}

/** Each job's value of `field` from the values endpoint's answer, in the jobs' order. */
export function barsOf(jobs: readonly { id: string; name: string; color: string }[], answer: { ids: readonly string[]; columns: Record<string, readonly unknown[]> } | undefined, field: string): Bar[] {
  const rows = new Map((answer?.ids ?? []).map((id, i) => [id, i]));
  const column = answer?.columns[field] ?? [];
  return jobs.map((job) => {
    const row = rows.get(job.id);
    const raw = row === undefined ? null : column[row];
    const value = raw === null || raw === undefined ? null : wireNumber(raw);
    return { id: job.id, name: job.name || job.id, color: job.color, value, label: value === null ? "not logged" : formatNumber(value) };
  });
}

/** The series key and summary of a bar panel's metric (`loss`, or a summary field such as
 * `metrics.loss.min`) when the workspace's series batch gives it: not `count` (the series
 * there is downsampled). */
export function barSeries(metric: string): { key: string; aggregate: "last" | "min" | "max" | "last_step" } | null {
  const summary = metricSummary(metricField(metric, "last"));
  if (!summary || summary.aggregate === "count") return null;
  return { key: summary.key, aggregate: summary.aggregate as "last" | "min" | "max" | "last_step" };
}

type SeriesOf = (jobId: string, key: string) => { steps: number[]; values: unknown[] } | undefined;

/** Each job's summary of its series of `key`, in the jobs' order (min and max over finite
 * values; NaN when there are none; null when the job has no such series). */
export function barsFromSeries(jobs: readonly { id: string; name: string; color: string }[], seriesOf: SeriesOf, key: string, aggregate: "last" | "min" | "max" | "last_step"): Bar[] {
  return jobs.map((job) => {
    const value = summaryOf(seriesOf(job.id, key), aggregate);
    return { id: job.id, name: job.name || job.id, color: job.color, value, label: value === null ? "not logged" : formatNumber(value) };
  });
}

function summaryOf(series: { steps: number[]; values: unknown[] } | undefined, aggregate: "last" | "min" | "max" | "last_step"): number | null {
  const n = series?.steps.length ?? 0;
  if (!series || n === 0) return null;
  if (aggregate === "last_step") return series.steps[n - 1] as number;
  if (aggregate === "last") return wireNumber(series.values[n - 1]) ?? NaN;
  let out = NaN;
  for (const raw of series.values) {
    const v = wireNumber(raw);
    if (v === null || !Number.isFinite(v)) continue;
    if (Number.isNaN(out) || (aggregate === "min" ? v < out : v > out)) out = v;
  }
  return out;
}

/** The value axis: the finite values' range widened to take in 0 (bars start there). */
export function barDomain(bars: readonly Bar[]): [number, number] {
  let lo = 0;
  let hi = 0;
  for (const bar of bars) {
    if (bar.value === null || !Number.isFinite(bar.value)) continue;
    lo = Math.min(lo, bar.value);
    hi = Math.max(hi, bar.value);
  }
  return lo === hi ? [lo, lo + 1] : [lo, hi];
}

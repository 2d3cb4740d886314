// The bar (or point) panel's data: one value per visible job, in the table's order, for a
// metric each job logged once (a final score) or any summary of one.
import { formatNumber, wireNumber } from "../../../lib/format";
import { literal } from "../../../lib/query-text";

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

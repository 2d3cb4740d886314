// Compare view logic: the params table and grouping jobs (parallel-coordinate axes are
// lib/parallel-axes.ts, shared with the sweeps and the workspace).
import type { Job } from "../../lib/api/types";
import { formatValue } from "../../lib/format";

export interface ParamRow {
  key: string;
  values: unknown[];
  /** Whether the jobs do not all hold the same value (a missing value counts as one). */
  differs: boolean;
}

/** One row per param key of any job, sorted by key, each with every job's value. */
export function paramRows(jobs: readonly Job[]): ParamRow[] {
  const keys = [...new Set(jobs.flatMap((job) => Object.keys(job.params)))].sort();
  return keys.map((key) => {
    const values = jobs.map((job) => (key in job.params ? job.params[key] : undefined));
    const texts = new Set(values.map((v) => (v === undefined ? "\u0000missing" : JSON.stringify(v))));
    return { key, values, differs: texts.size > 1 };
  });
}

/** The value a job has for a grouping field (`params.x` or `tags.x`), as text. */
export function groupValue(job: Job, field: string): string {
  if (field.startsWith("params.")) {
    const key = field.slice("params.".length);
    return key in job.params ? formatValue(job.params[key]) : "(none)";
  }
  if (field.startsWith("tags.")) {
    const key = field.slice("tags.".length);
    return job.tags[key] ?? "(none)";
  }
  return "(all)";
}

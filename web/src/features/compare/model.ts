// Compare view logic: the params table, grouping jobs, parallel-coordinate axes.
import type { Job } from "../../lib/api/types";
import { formatValue, wireNumber } from "../../lib/format";

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

export interface Axis {
  key: string;
  label: string;
  kind: "number" | "category";
  min: number;
  max: number;
  categories: string[];
  /** Each job's position on the axis from 0 (bottom) to 1 (top), null when missing. */
  positions: (number | null)[];
  values: unknown[];
}

/** An axis over the jobs' values: numbers scaled between min and max, anything else as
 * evenly spaced categories in sorted order. NaN and infinities are missing. */
export function buildAxis(key: string, label: string, values: readonly unknown[]): Axis {
  const numbers = values.map((v) => (typeof v === "number" ? v : typeof v === "string" ? wireNumber(v) : null));
  const numeric = values.every((v, i) => v === undefined || v === null || numbers[i] !== null);
  if (numeric) {
    const finite = numbers.filter((n): n is number => n !== null && Number.isFinite(n));
    const min = finite.length ? Math.min(...finite) : 0;
    const max = finite.length ? Math.max(...finite) : 1;
    const span = max - min;
    const positions = numbers.map((n) => (n === null || !Number.isFinite(n) ? null : span === 0 ? 0.5 : (n - min) / span));
    return { key, label, kind: "number", min, max, categories: [], positions, values: [...values] };
  }
  const texts = values.map((v) => (v === undefined ? null : formatValue(v)));
  const categories = [...new Set(texts.filter((t): t is string => t !== null))].sort();
  const positions = texts.map((t) => (t === null ? null : categories.length === 1 ? 0.5 : categories.indexOf(t) / (categories.length - 1)));
  return { key, label, kind: "category", min: 0, max: 1, categories, positions, values: [...values] };
}

/** Jobs inside every brush (moved to lib/: the workspace's parallel panel brushes too). */
export { brushed } from "../../lib/parallel-axes";

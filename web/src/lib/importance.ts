// Param importances as bars (a sweep's, a project's for a chosen metric).
import { wireNumber } from "./format";

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

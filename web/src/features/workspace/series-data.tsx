// The series every line panel of the workspace draws, fetched in one batch (visible panels ×
// visible jobs) and shared: a panel reads its metric's series from here, never on its own.
import { useQueries } from "@tanstack/react-query";
import { createContext, useContext, useMemo, type ReactNode } from "react";
import { seriesBatchQuery } from "../../lib/api/queries";
import type { SeriesItem } from "../../lib/api/types";
import type { WorkspaceJob } from "./panel-types";

/** Points asked per series for the widest panel `widest` px wide: its width rounded up to
 * hundreds (a point per pixel, no more), 0 until the charts are laid out. */
export function pointsFor(widest: number): number {
  return widest > 0 ? Math.max(100, Math.ceil(widest / 100) * 100) : 0;
}

export interface SeriesData {
  /** A job's series of `key`; undefined when it has none (or it is not loaded yet). */
  get: (jobId: string, key: string) => SeriesItem | undefined;
  /** Changes whenever new data arrives (for memos and `data-drawn`). */
  stamp: number;
  loaded: boolean;
  error: unknown;
}

const EMPTY: SeriesData = { get: () => undefined, stamp: 0, loaded: false, error: null };
const Context = createContext<SeriesData>(EMPTY);

/** The series of `jobs` × `keys` at `maxPoints` points (none asked while 0), in one batch for
 * the finished jobs (read once) and one for the running ones (polled): polling never reads
 * a finished job's series again. */
export function useSeriesBatch(jobs: readonly Pick<WorkspaceJob, "id" | "live">[], keys: readonly string[], maxPoints: number): SeriesData {
  const sortedKeys = useMemo(() => [...keys].sort(), [keys.join("\u0000")]); // eslint-disable-line react-hooks/exhaustive-deps
  const done = jobs.filter((j) => !j.live).map((j) => j.id);
  const live = jobs.filter((j) => j.live).map((j) => j.id);
  const parts = useQueries({
    queries: [
      { ...seriesBatchQuery(done, sortedKeys, maxPoints, false), enabled: done.length > 0 && sortedKeys.length > 0 && maxPoints > 0 },
      { ...seriesBatchQuery(live, sortedKeys, maxPoints, true), enabled: live.length > 0 && sortedKeys.length > 0 && maxPoints > 0 },
    ],
  });
  const [finished, running] = parts as [(typeof parts)[number], (typeof parts)[number]];
  const asked = (ids: readonly string[]) => ids.length > 0 && sortedKeys.length > 0;
  const ready = (answer: typeof finished, ids: readonly string[]) => !asked(ids) || (answer.data !== undefined && !answer.isPlaceholderData);
  const loaded = ready(finished, done) && ready(running, live);
  const stamp = finished.dataUpdatedAt + running.dataUpdatedAt;
  const error = finished.error ?? running.error;
  return useMemo<SeriesData>(() => {
    const byPair = new Map<string, SeriesItem>();
    for (const item of [...(finished.data ?? []), ...(running.data ?? [])]) byPair.set(`${item.job_id}\u0000${item.key}`, item);
    return { get: (jobId, key) => byPair.get(`${jobId}\u0000${key}`), stamp, loaded, error };
  }, [finished.data, running.data, stamp, loaded, error]);
}

/** Gives the panels under it `value` (read with useSeriesData). */
export function SeriesProvider({ value, children }: { value: SeriesData; children: ReactNode }) {
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

/** The metrics of `keys` that every one of `jobs` logged at most once, and one at least
 * once (a final score): a line panel would draw them as lone dots. Empty until loaded. */
export function singleValueMetrics(keys: readonly string[], jobs: readonly string[], data: SeriesData): Set<string> {
  const out = new Set<string>();
  if (!data.loaded) return out;
  for (const key of keys) {
    let some = false;
    let many = false;
    for (const job of jobs) {
      const n = data.get(job, key)?.steps.length ?? 0;
      if (n > 1) many = true;
      if (n === 1) some = true;
    }
    if (some && !many) out.add(key);
  }
  return out;
}

export function useSeriesData(): SeriesData {
  return useContext(Context);
}

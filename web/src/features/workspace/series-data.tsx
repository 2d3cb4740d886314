// The series every line panel of the workspace draws, fetched in one batch (visible panels ×
// visible jobs) and shared: a panel reads its metric's series from here, never on its own.
import { useQuery } from "@tanstack/react-query";
import { createContext, useContext, useMemo, type ReactNode } from "react";
import { seriesBatchQuery } from "../../lib/api/queries";
import type { SeriesItem } from "../../lib/api/types";

/** Points asked per series: about a wide panel's width in pixels. */
export const MAX_POINTS = 1000;

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

/** The series of `jobs` × `keys`, in one batch. */
export function useSeriesBatch(jobs: readonly string[], keys: readonly string[], live: boolean): SeriesData {
  const sortedKeys = useMemo(() => [...keys].sort(), [keys.join("\u0000")]); // eslint-disable-line react-hooks/exhaustive-deps
  const answer = useQuery(seriesBatchQuery(jobs, sortedKeys, MAX_POINTS, live));
  const data = answer.data;
  const value = useMemo<SeriesData>(() => {
    const byPair = new Map<string, SeriesItem>();
    for (const item of data ?? []) byPair.set(`${item.job_id}\u0000${item.key}`, item);
    return {
      get: (jobId, key) => byPair.get(`${jobId}\u0000${key}`),
      stamp: answer.dataUpdatedAt,
      loaded: (data !== undefined && !answer.isPlaceholderData) || jobs.length === 0 || keys.length === 0,
      error: answer.error,
    };
  }, [data, answer.dataUpdatedAt, answer.isPlaceholderData, answer.error, jobs.length, keys.length]);
  return value;
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

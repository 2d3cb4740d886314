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

export function SeriesProvider({ jobs, keys, live, children }: { jobs: readonly string[]; keys: readonly string[]; live: boolean; children: ReactNode }) {
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
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useSeriesData(): SeriesData {
  return useContext(Context);
}

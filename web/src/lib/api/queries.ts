// Query options shared by pages: one key per resource, so every view of a job shares it.
import { keepPreviousData, queryOptions } from "@tanstack/react-query";
import * as api from "./endpoints";
import { LIMITS } from "./limits.gen";
import { FINAL_STATUSES, type Job, type SeriesItem, type Sweep } from "./types";

export const projectsQuery = () =>
  queryOptions({ queryKey: ["projects"], queryFn: ({ signal }) => api.listProjects(signal), refetchInterval: 10_000, meta: { what: "Loading projects" } });

export const projectQuery = (name: string) =>
  queryOptions({ queryKey: ["project", name], queryFn: ({ signal }) => api.getProject(name, signal), refetchInterval: 5_000, meta: { what: `Loading project ${name}` } });

/** Rows in one page of the jobs listing (the table's unit of fetching). */
export const JOBS_PAGE_SIZE = 100;

/** Page `page` of the jobs `filter` matches in `sort` order: one cache entry shared by the
 * table, its row groups and the workspace's charts (which read the first page). Kept while
 * the next filter loads; an invalid query is shown under the query box, not as a toast. */
export const jobsPageQuery = (project: string, filter: string, sort: string, page: number, live: boolean) =>
  queryOptions({
    queryKey: ["jobs", project, filter, sort, page],
    queryFn: ({ signal }) => api.listJobs(project, { filter, sort, limit: JOBS_PAGE_SIZE, offset: page * JOBS_PAGE_SIZE }, signal),
    refetchInterval: live ? 3_000 : 30_000,
    placeholderData: keepPreviousData,
    meta: { what: "Loading jobs", inlineCodes: ["invalid_query"] },
  });

export const keysQuery = (name: string) =>
  queryOptions({ queryKey: ["keys", name], queryFn: ({ signal }) => api.getKeys(name, signal), staleTime: 30_000, meta: { what: "Loading keys" } });

/** Running jobs poll every 2 s; final ones are fetched once. */
export const jobQuery = (id: string) =>
  queryOptions({
    queryKey: ["job", id],
    queryFn: ({ signal }) => api.getJob(id, signal),
    refetchInterval: (query) => (isLive(query.state.data) ? 2_000 : false),
    meta: { what: "Loading the job" },
  });

export const metricsQuery = (id: string, live: boolean) =>
  queryOptions({
    queryKey: ["metrics", id],
    queryFn: ({ signal }) => api.listMetrics(id, signal),
    refetchInterval: live ? 3_000 : false,
    meta: { what: "Loading metrics" },
  });

export const artifactsQuery = (id: string, live: boolean) =>
  queryOptions({
    queryKey: ["artifacts", id],
    queryFn: ({ signal }) => api.listArtifacts(id, signal),
    refetchInterval: live ? 5_000 : false,
    meta: { what: "Loading artifacts" },
  });

/** A job's media keys; a running job's are polled, as its artifacts are. */
export const mediaQuery = (id: string, live: boolean) =>
  queryOptions({
    queryKey: ["media", id],
    queryFn: ({ signal }) => api.listMedia(id, signal),
    refetchInterval: live ? 5_000 : false,
    staleTime: live ? 0 : 60_000,
    meta: { what: "Loading media" },
  });

/** Every version (step) of one artifact path, with its caption. */
export const versionsQuery = (id: string, path: string, lastStep: number | null) =>
  queryOptions({
    queryKey: ["versions", id, path, lastStep],
    queryFn: ({ signal }) => api.listVersions(id, path, signal),
    staleTime: 60_000,
    meta: { what: `Loading the steps of ${path}` },
  });

/** An artifact version's JSON (a table or a histogram): a version never changes. */
export const artifactJsonQuery = (id: string, path: string, step: number | null, sha: string) =>
  queryOptions({
    queryKey: ["artifact-json", id, path, step, sha],
    queryFn: ({ signal }) => api.readArtifactJson(id, path, step, signal),
    staleTime: Infinity,
    meta: { what: `Loading ${path}` },
  });

/** Whether a job may still change (so its views keep polling). */
export function isLive(job: Job | undefined): boolean {
  return job !== undefined && !FINAL_STATUSES.has(job.status);
}

/** A project's sweeps: polled while any of them runs. */
export const sweepsQuery = (project: string) =>
  queryOptions({
    queryKey: ["sweeps", project],
    queryFn: ({ signal }) => api.listSweeps(project, signal),
    refetchInterval: (query) => (query.state.data?.items.some((s) => s.status === "running") ? 3_000 : 15_000),
    meta: { what: "Loading sweeps" },
  });

/** A sweep polls every 2 s while it runs or a trial of it does (its trials and importances
 * follow it). */
export const sweepQuery = (id: string) =>
  queryOptions({
    queryKey: ["sweep", id],
    queryFn: ({ signal }) => api.getSweep(id, signal),
    refetchInterval: (query) => (isSweepLive(query.state.data) ? 2_000 : false),
    meta: { what: "Loading the sweep" },
  });

/** A sweep's trials, polled while `live`; `version` (the sweep's status and counts) changing
 * fetches them again, so the last trials' ends show after the sweep stops polling. */
export const trialsQuery = (id: string, live: boolean, version = "") =>
  queryOptions({
    queryKey: ["sweep-trials", id, version],
    queryFn: ({ signal }) => api.listTrials(id, signal),
    refetchInterval: live ? 2_000 : false,
    placeholderData: (previous) => previous,
    meta: { what: "Loading the trials" },
  });

/** Importances change only when a trial completes: keyed by the count of complete trials. */
export const importancesQuery = (id: string, objective: number, complete: number) =>
  queryOptions({
    queryKey: ["sweep-importances", id, objective, complete],
    queryFn: ({ signal }) => api.getImportances(id, objective, signal),
    staleTime: Infinity,
    placeholderData: (previous) => previous,
    meta: { what: "Loading param importances" },
  });

/** Whether a sweep may still change: it may start trials, or a trial of it runs. */
export function isSweepLive(sweep: Sweep | undefined): boolean {
  return sweep !== undefined && (sweep.status === "running" || sweep.counts.running > 0);
}

/** Columns of `fields` over the jobs `filter` matches (up to `limit`): kept while a new
 * filter or field loads, so a panel redraws from its old points rather than a blank. */
export const jobValuesQuery = (project: string, fields: readonly string[], filter: string, limit?: number) =>
  queryOptions({
    queryKey: ["job-values", project, [...fields], filter, limit ?? null],
    queryFn: ({ signal }) => api.getJobValues(project, { fields, filter, limit }, signal),
    enabled: fields.length > 0,
    staleTime: 10_000,
    placeholderData: (previous) => previous,
    meta: { what: "Loading the jobs' values", inlineCodes: ["invalid_query"] },
  });

/** The same columns in the compact form (ids and fields only, numbers in typed arrays):
 * the scatter's 100,000 points. */
export const packedJobValuesQuery = (project: string, fields: readonly string[], filter: string, limit?: number) =>
  queryOptions({
    queryKey: ["job-values-packed", project, [...fields], filter, limit ?? null],
    queryFn: ({ signal }) => api.getPackedJobValues(project, { fields, filter, limit }, signal),
    enabled: fields.length > 0,
    staleTime: 10_000,
    placeholderData: (previous) => previous,
    meta: { what: "Loading the jobs' values" },
  });

/** A project's param importances for `metric` over the jobs `filter` matches. */
export const projectImportancesQuery = (project: string, metric: string, filter: string) =>
  queryOptions({
    queryKey: ["project-importances", project, metric, filter],
    queryFn: ({ signal }) => api.getProjectImportances(project, metric, filter, signal),
    enabled: metric !== "",
    staleTime: 30_000,
    placeholderData: (previous) => previous,
    meta: { what: `Loading param importances for ${metric}`, inlineCodes: ["invalid_query"] },
  });

/** A project's saved views (default first). */
export const viewsQuery = (project: string) =>
  queryOptions({ queryKey: ["views", project], queryFn: ({ signal }) => api.listViews(project, signal), staleTime: 10_000, meta: { what: "Loading saved views" } });

/** The steps a zoomed chart reads (its points spread over them only). */
export interface StepRange {
  minStep: number;
  maxStep: number;
}

/** Every series of `jobs` × `keys` at `maxPoints` points, in as few requests as the
 * server's limits allow (one for a workspace of up to 200 panels of 10 jobs); the panels
 * of a page share it. Polled while `live` (give running jobs a batch of their own). */
export const seriesBatchQuery = (jobs: readonly string[], keys: readonly string[], maxPoints: number, live: boolean, range?: StepRange | null) =>
  queryOptions({
    // `live` in the key: when running jobs finish, their series are read once more as final.
    queryKey: ["series-batch", jobs.join(","), keys.join("\u0000"), maxPoints, live, range?.minStep ?? null, range?.maxStep ?? null],
    queryFn: async ({ signal }) => {
      const jobChunk = LIMITS.seriesJobs;
      const keyChunk = Math.max(1, Math.min(LIMITS.seriesKeys, Math.floor(LIMITS.seriesPairs / Math.max(1, Math.min(jobs.length, jobChunk)))));
      const requests: Promise<api.Items<SeriesItem>>[] = [];
      for (let j = 0; j < jobs.length; j += jobChunk) {
        for (let k = 0; k < keys.length; k += keyChunk) {
          requests.push(api.readSeriesBatch({ jobs: jobs.slice(j, j + jobChunk), keys: keys.slice(k, k + keyChunk), maxPoints, ...range }, signal));
        }
      }
      return (await Promise.all(requests)).flatMap((answer) => answer.items);
    },
    enabled: jobs.length > 0 && keys.length > 0,
    refetchInterval: live ? 3_000 : false,
    // Finished jobs' series do not change: read once.
    staleTime: live ? 0 : Infinity,
    placeholderData: (previous) => previous,
    meta: { what: "Loading charts" },
  });

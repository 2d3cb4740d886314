// Query options shared by pages: one key per resource, so every view of a job shares it.
import { queryOptions } from "@tanstack/react-query";
import * as api from "./endpoints";
import { FINAL_STATUSES, type Job } from "./types";

export const projectsQuery = () =>
  queryOptions({ queryKey: ["projects"], queryFn: ({ signal }) => api.listProjects(signal), refetchInterval: 10_000, meta: { what: "Loading projects" } });

export const projectQuery = (name: string) =>
  queryOptions({ queryKey: ["project", name], queryFn: ({ signal }) => api.getProject(name, signal), refetchInterval: 5_000, meta: { what: `Loading project ${name}` } });

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

/** Whether a job may still change (so its views keep polling). */
export function isLive(job: Job | undefined): boolean {
  return job !== undefined && !FINAL_STATUSES.has(job.status);
}

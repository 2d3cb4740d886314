// Typed calls of every route the GUI uses (docs/rest-api.md), one function each.
import { apiPath, failure, get, request, withQuery } from "./client";
import type { Role } from "../roles";
import type { Artifact, Description, Importances, Job, JobPage, Keys, MediaCell, MediaKey, Me, Member, MetricSummary, NewToken, Note, Project, SavedView, SchedulerState, Series, SeriesItem, SnapshotFile, Sweep, TensorBoard, Token, Trial, User } from "./types";
import type { JobGroups, JobValues, ProjectImportances, Schedule } from "./types";
import { decodeJobValues } from "./packed-values";

export interface Items<T> {
  items: T[];
}

export const listProjects = (signal?: AbortSignal) => get<Items<Project>>(apiPath("projects"), { signal });
export const getProject = (name: string, signal?: AbortSignal) => get<Project>(apiPath("projects", name), { signal });
export const createProject = (name: string, description = "") =>
  request<Project>("POST", apiPath("projects"), { body: { name, description } });
export const renameProject = (name: string, newName: string) =>
  request<Project>("PATCH", apiPath("projects", name), { body: { name: newName } });
export const deleteProject = (name: string) => request<void>("DELETE", apiPath("projects", name));
export const getDescription = (name: string, signal?: AbortSignal) =>
  get<Description>(apiPath("projects", name, "description"), { signal });
export const putDescription = (name: string, markdown: string) =>
  request<Description>("PUT", apiPath("projects", name, "description"), { body: { markdown } });
export const listNotes = (name: string, signal?: AbortSignal) => get<Items<Note>>(apiPath("projects", name, "notes"), { signal });
export const addNote = (name: string, text: string, author: string) =>
  request<Note>("POST", apiPath("projects", name, "notes"), { body: { text, author } });
export const getKeys = (name: string, signal?: AbortSignal) => get<Keys>(apiPath("projects", name, "keys"), { signal });

export interface JobListQuery {
  filter?: string;
  sort?: string;
  limit?: number;
  offset?: number;
}

export const listJobs = (name: string, query: JobListQuery, signal?: AbortSignal) =>
  get<JobPage>(apiPath("projects", name, "jobs"), { query: { ...query }, signal });

export const getJob = (id: string, signal?: AbortSignal) => get<Job>(apiPath("jobs", id), { signal });
export const deleteJob = (id: string) => request<void>("DELETE", apiPath("jobs", id));
export const renameJob = (id: string, name: string) => request<Job>("PATCH", apiPath("jobs", id), { body: { name } });
export const putTags = (id: string, tags: Record<string, string>) =>
  request<{ tags: Record<string, string> }>("PUT", apiPath("jobs", id, "tags"), { body: { tags } });
export const deleteTag = (id: string, key: string) => request<void>("DELETE", apiPath("jobs", id, "tags", key));
export const cancelJob = (id: string) => request<Job>("POST", apiPath("jobs", id, "cancel"));
export const rerunJob = (id: string) => request<Job>("POST", apiPath("jobs", id, "rerun"), { body: {} });

export const listMetrics = (id: string, signal?: AbortSignal) =>
  get<Items<MetricSummary>>(apiPath("jobs", id, "metrics"), { signal });

export interface SeriesQuery {
  minStep?: number | null;
  maxStep?: number | null;
  maxPoints?: number;
}

export const getSeries = (id: string, key: string, query: SeriesQuery, signal?: AbortSignal) =>
  get<Series>(apiPath("jobs", id, "metrics", key), {
    query: {
      min_step: query.minStep == null ? undefined : Math.floor(query.minStep),
      max_step: query.maxStep == null ? undefined : Math.ceil(query.maxStep),
      max_points: query.maxPoints == null ? undefined : Math.max(2, Math.min(100_000, Math.round(query.maxPoints))),
    },
    signal,
  });

export const listArtifacts = (id: string, signal?: AbortSignal) => get<Items<Artifact>>(apiPath("jobs", id, "artifacts"), { signal });
/** An artifact's bytes: the latest save, or with `step` the version saved at that step. */
export const artifactUrl = (id: string, path: string, step?: number | null) =>
  withQuery(apiPath("jobs", id, "artifacts", path), { step: step ?? undefined });

// Media (docs/media.md, "The API the GUI reads").
export const listMedia = (id: string, signal?: AbortSignal) => get<Items<MediaKey>>(apiPath("jobs", id, "media"), { signal });
export const listVersions = (id: string, path: string, signal?: AbortSignal) =>
  get<Items<Artifact>>(apiPath("jobs", id, "versions", path), { query: { limit: 10_000 }, signal });
/** An artifact's version at `step` as JSON (tables and histograms). */
export const readArtifactJson = (id: string, path: string, step: number | null, signal?: AbortSignal) =>
  get<unknown>(apiPath("jobs", id, "artifacts", path), { query: { step: step ?? undefined }, signal });
/** Each job's version of `path` at the greatest step at or before `step` (one project). */
export function compareMedia(project: string, path: string, jobIds: readonly string[], step: number | null, signal?: AbortSignal) {
  const query = new URLSearchParams({ path });
  for (const id of jobIds) query.append("job_id", id);
  if (step !== null) query.set("step", String(step));
  return get<Items<MediaCell>>(`${apiPath("projects", project, "media")}?${query.toString()}`, { signal });
}
export const logUrl = (id: string) => apiPath("jobs", id, "log");
export const snapshotUrl = (id: string) => apiPath("jobs", id, "snapshot");

/** A piece of a job's log from `offset` (at most `limit` bytes), and the log's whole size. */
export async function readLog(id: string, offset: number, signal?: AbortSignal, limit?: number): Promise<{ bytes: Uint8Array; size: number }> {
  const response = await fetch(withQuery(logUrl(id), { offset, limit }), { signal });
  if (!response.ok) throw await failure(response);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const size = Number(response.headers.get("X-Atlas-Log-Size") ?? "NaN");
  return { bytes, size: Number.isFinite(size) ? size : offset + bytes.byteLength };
}

/** The first `limit` bytes of an artifact as text (previews). */
export async function readArtifactText(id: string, path: string, limit: number, signal?: AbortSignal): Promise<{ text: string; truncated: boolean }> {
  const response = await fetch(artifactUrl(id, path), { headers: { Range: `bytes=0-${limit - 1}` }, signal });
  if (!response.ok && response.status !== 416) throw await failure(response);
  if (response.status === 416) return { text: "", truncated: false };
  const range = response.headers.get("Content-Range");
  const total = range ? Number(range.split("/")[1]) : NaN;
  const buffer = await response.arrayBuffer();
  const text = new TextDecoder().decode(buffer.slice(0, limit));
  return { text, truncated: Number.isFinite(total) ? total > limit : buffer.byteLength > limit };
}

export const listSnapshotFiles = (id: string, signal?: AbortSignal) => get<Items<SnapshotFile>>(apiPath("jobs", id, "snapshot", "files"), { signal });
export const snapshotFileUrl = (id: string, path: string) => apiPath("jobs", id, "snapshot", "files", path);

/** One file of a job's code snapshot as text. */
export async function readSnapshotFile(id: string, path: string, signal?: AbortSignal): Promise<string> {
  const response = await fetch(snapshotFileUrl(id, path), { signal });
  if (!response.ok) throw await failure(response);
  return new TextDecoder().decode(await response.arrayBuffer());
}

export const getScheduler = (signal?: AbortSignal) => get<SchedulerState>(apiPath("scheduler"), { query: { limit: 500 }, signal });

// Accounts: sign-in, users (admins), API tokens, project members (docs/auth.md).
export const getMe = (signal?: AbortSignal) => get<Me>(apiPath("auth", "me"), { signal });
export const login = (name: string, password: string) =>
  request<{ user: User; csrf_token: string }>("POST", apiPath("auth", "login"), { body: { name, password } });
export const logout = () => request<void>("POST", apiPath("auth", "logout"));
export const changePassword = (current: string, next: string) =>
  request<void>("PUT", apiPath("auth", "password"), { body: { current, new: next } });
/** Where the single sign-on button goes (a full page load: the provider's pages follow). */
export const oidcLoginUrl = (next: string) => withQuery(apiPath("auth", "oidc", "login"), { next });

export const listUsers = (signal?: AbortSignal) => get<Items<User>>(apiPath("users"), { signal });
export const createUser = (name: string, password: string | null, admin: boolean) =>
  request<User>("POST", apiPath("users"), { body: { name, password, admin } });
export interface UserChange {
  admin?: boolean;
  disabled?: boolean;
  password?: string;
}
export const updateUser = (name: string, change: UserChange) => request<User>("PATCH", apiPath("users", name), { body: change });

export const listTokens = (all: boolean, signal?: AbortSignal) => get<Items<Token>>(apiPath("tokens"), { query: { all: all || undefined }, signal });
export interface TokenRequest {
  name: string;
  expires_in: number | null;
  project: string | null;
  role: Role | null;
}
export const createToken = (token: TokenRequest) => request<NewToken>("POST", apiPath("tokens"), { body: token });
export const revokeToken = (id: string) => request<void>("DELETE", apiPath("tokens", id));

export const listMembers = (project: string, signal?: AbortSignal) => get<Items<Member>>(apiPath("projects", project, "members"), { signal });
export const putMember = (project: string, user: string, role: Role) =>
  request<Member>("PUT", apiPath("projects", project, "members", user), { body: { role } });
export const removeMember = (project: string, user: string) => request<void>("DELETE", apiPath("projects", project, "members", user));

/** The server's TensorBoard over exactly these jobs, started when none runs (the answer
 * comes once it serves, a few seconds). */
export const openTensorBoard = (jobs: readonly string[]) =>
  request<TensorBoard>("POST", apiPath("tensorboards"), { body: { jobs } });

// Sweeps (docs/sweeps.md, "REST API").
export const listSweeps = (project: string, signal?: AbortSignal) => get<Items<Sweep>>(apiPath("projects", project, "sweeps"), { signal });
export const getSweep = (id: string, signal?: AbortSignal) => get<Sweep>(apiPath("sweeps", id), { signal });
export const listTrials = (id: string, signal?: AbortSignal) => get<Items<Trial>>(apiPath("sweeps", id, "trials"), { signal });
/** How much each param explains objective `objective` (empty, with a reason, before two
 * complete trials). */
export const getImportances = (id: string, objective: number, signal?: AbortSignal) =>
  get<Importances>(apiPath("sweeps", id, "importances"), { query: { objective: objective || undefined }, signal });
export const stopSweep = (id: string) => request<Sweep>("POST", apiPath("sweeps", id, "stop"));
export const resumeSweep = (id: string) => request<Sweep>("POST", apiPath("sweeps", id, "resume"));
/** Raise the sweep's budget by `count` trials (a completed sweep runs again). */
export const addTrials = (id: string, count: number) => request<Sweep>("POST", apiPath("sweeps", id, "trials"), { body: { count } });

// Recurring jobs (docs/rest-api.md "Recurring jobs"): those of every project one reads.
export const listAllSchedules = (signal?: AbortSignal) => get<Items<Schedule>>(apiPath("schedules"), { signal });
export const updateSchedule = (id: string, change: { paused?: boolean; cron?: string; timezone?: string; name?: string }) =>
  request<Schedule>("PATCH", apiPath("schedules", id), { body: change });

// Workspace: saved views (docs/rest-api.md "Views") and many series in one request.
export const listViews = (project: string, signal?: AbortSignal) => get<Items<SavedView>>(apiPath("projects", project, "views"), { signal });
export const createView = (project: string, view: { name: string; state: object; is_default?: boolean }) =>
  request<SavedView>("POST", apiPath("projects", project, "views"), { body: view });
export const updateView = (id: string, change: { name?: string; state?: object; is_default?: boolean }) =>
  request<SavedView>("PATCH", apiPath("views", id), { body: change });
export const deleteView = (id: string) => request<void>("DELETE", apiPath("views", id));

export interface SeriesBatchQuery {
  jobs: readonly string[];
  keys: readonly string[];
  maxPoints: number;
  minStep?: number | null;
  maxStep?: number | null;
}

/** Every (job, key) series of `jobs` × `keys` in one request (missing pairs are left out). */
export const readSeriesBatch = (query: SeriesBatchQuery, signal?: AbortSignal) =>
  request<Items<SeriesItem>>("POST", apiPath("series"), {
    body: {
      jobs: query.jobs,
      keys: query.keys,
      max_points: Math.max(2, Math.min(100_000, Math.round(query.maxPoints))),
      min_step: query.minStep == null ? undefined : Math.floor(query.minStep),
      max_step: query.maxStep == null ? undefined : Math.ceil(query.maxStep),
    },
    signal,
  });

// Columnar values and importances over all the jobs a filter matches (the workspace's
// scatter, parallel and importance panels; docs/rest-api.md).
export interface JobValuesQuery {
  /** API fields (`params.lr`, `metrics.loss.min`, `tags.stage`), at most 16. */
  fields: readonly string[];
  filter?: string;
  /** At most 100,000 jobs (the server's default when absent). */
  limit?: number;
}

/** The JSON form (the default encoding, with names and statuses). */
export type JsonJobValues = Omit<JobValues, "ids" | "names" | "statuses" | "columns"> & {
  ids: string[];
  names: string[];
  statuses: string[];
  columns: Record<string, Extract<JobValues["columns"][string], unknown[]>>;
};

export const getJobValues = (project: string, query: JobValuesQuery, signal?: AbortSignal) =>
  get<JsonJobValues>(apiPath("projects", project, "jobs", "values"), {
    query: { fields: query.fields.join(","), filter: query.filter || undefined, limit: query.limit },
    signal,
  });

/** Ids and fields only, numeric columns packed (about a tenth of the JSON form's bytes and
 * parse time over 100,000 jobs), decoded into typed arrays. */
export const getPackedJobValues = async (project: string, query: JobValuesQuery, signal?: AbortSignal) =>
  decodeJobValues(
    await get<JobValues>(apiPath("projects", project, "jobs", "values"), {
      query: { fields: query.fields.join(","), filter: query.filter || undefined, limit: query.limit, include: "", encoding: "base64" },
      signal,
    }),
  );

/** Each param's importance for `metric` over the filter's jobs: `correlation` is Spearman's
 * (null for a categorical param), `importance` model-based; empty `items` (with a `reason`)
 * under 3 jobs. */
export const getProjectImportances = (project: string, metric: string, filter: string, signal?: AbortSignal) =>
  get<ProjectImportances>(apiPath("projects", project, "importances"), { query: { metric, filter: filter || undefined }, signal });

// Row grouping of the jobs table (docs/rest-api.md "Job groups").
export interface JobGroupsQuery {
  /** Params or tags fields (`params.optimizer`, `tags.stage`), at most 3. */
  by: readonly string[];
  /** Metric fields summarised per group (`metrics.loss.min`). */
  metrics: readonly string[];
  filter?: string;
  sort?: string;
}

/** The filter's jobs grouped by the values of `by` (at most 1,000 groups, ordered by value). */
export const listJobGroups = (project: string, query: JobGroupsQuery, signal?: AbortSignal) =>
  get<JobGroups>(apiPath("projects", project, "jobs", "groups"), {
    query: { by: query.by.join(","), metrics: query.metrics.length ? query.metrics.join(",") : undefined, filter: query.filter || undefined, sort: query.sort || undefined },
    signal,
  });

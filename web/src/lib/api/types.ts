// Wire types, taken from the generated OpenAPI schema (never written by hand).
import type { components } from "./schema.gen";

type Schemas = components["schemas"];

export type Project = Schemas["ProjectOut"];
export type Job = Schemas["JobOut"];
export type JobPage = Schemas["PageOut_JobOut_"];
export type JobStatus = Schemas["JobStatus"];
export type MetricSummary = Schemas["MetricSummaryOut"];
export type Series = Schemas["SeriesOut"];
export type Artifact = Schemas["ArtifactOut"];
export type Note = Schemas["NoteOut"];
export type Keys = Schemas["KeysOut"];
export type Description = Schemas["DescriptionOut"];
export type JobUpdate = Schemas["JobUpdate"];
export type Info = Schemas["InfoOut"];
export type SchedulerState = Schemas["SchedulerOut"];
export type SchedulerNode = Schemas["NodeOut"];
export type SnapshotFile = Schemas["SnapshotFileOut"];
export type ArtifactKind = Schemas["ArtifactKind"];
/** A job's media key with every step kept (docs/media.md). */
export type MediaKey = Schemas["MediaKeyOut"];
/** A job's version of a media path at a step, for the compare page. */
export type MediaCell = Schemas["MediaCellOut"];

/** A TensorBoard the server runs over some jobs (docs/tensorboard.md). */
export type TensorBoard = Schemas["TensorBoardOut"];

// Sweeps (docs/sweeps.md, "REST API").
export type Sweep = Schemas["SweepOut"];
export type SweepStatus = Schemas["SweepStatus"];
export type Trial = Schemas["TrialOut"];
export type TrialState = Schemas["TrialState"];
export type Importances = Schemas["ImportancesOut"];

/** A recurring job: a cron expression, its time zone and the job it submits (docs/jobs.md,
 * "Recurring jobs"); `next_run_at` is null while paused. */
export type Schedule = Schemas["ScheduleOut"];

/** A number as the API writes it: non-finite floats are the strings below. */
export type WireFloat = number | "NaN" | "Infinity" | "-Infinity";

/** Every job status, in the order the GUI lists them. */
export const JOB_STATUSES: readonly JobStatus[] = [
  "queued",
  "starting",
  "running",
  "completed",
  "failed",
  "cancelled",
  "lost",
];

/** Statuses after which a job never changes again. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(["completed", "failed", "cancelled", "lost"]);

// Accounts (docs/auth.md).
export type User = Schemas["UserOut"];
export type Me = Schemas["MeOut"];
export type Token = Schemas["TokenOut"];
export type NewToken = Schemas["TokenCreated"];
export type Member = Schemas["MemberOut"];

// Workspace (docs/rest-api.md, "Workspace").
/** A project's saved workspace view; `state` is the GUI's ViewState. */
export type SavedView = Schemas["ViewOut"];
/** One job's series of one key from `POST /series`. */
export type SeriesItem = Schemas["SeriesItemOut"];
/** Fields of many jobs as columns (`GET /projects/{name}/jobs/values`). */
export type JobValues = Schemas["JobValuesOut"];
/** The jobs grouped by their values (`GET /projects/{name}/jobs/groups`). */
export type JobGroups = Schemas["GroupsOut"];
/** One group: its values of the `by` fields (null where the jobs lack the field), its job
 * count, and mean/min/max of each summarised metric. */
export type JobGroup = Schemas["GroupOut"];
/** A project's param importances for a metric (`GET /projects/{name}/importances`). */
export type ProjectImportances = Schemas["ProjectImportancesOut"];

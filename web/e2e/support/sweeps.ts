// Sweeps made through the REST API as a client would (docs/sweeps.md, "REST API"): the trial
// folder (web/e2e/jobs/sweep) is packed as a .tar.gz and uploaded with PUT /snapshots/{sha256},
// then POST /sweeps starts the sweep; the scheduler runs each trial as a real job.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { jobsDir } from "./paths";
import type { SuiteState } from "./state";

/** The folder each trial runs in: trial.py. */
export const SWEEP_DIR = resolve(jobsDir, "sweep");

/** The parts of SweepOut and TrialOut the set-up reads. */
export interface SweepAnswer {
  id: string;
  status: string;
  trials: number;
  counts: Record<string, number>;
  error: { code: string; message: string } | null;
}

export interface TrialAnswer {
  number: number;
  job_id: string | null;
  state: string;
  params: Record<string, unknown>;
  values: unknown[] | null;
}

async function call<T>(suite: SuiteState, method: string, path: string, body?: unknown): Promise<T> {
  const answer = await fetch(`${suite.url}/api/v1${path}`, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!answer.ok) throw new Error(`${method} ${path}: ${answer.status} ${await answer.text()}`);
  return (await answer.json()) as T;
}

/** Upload the trial folder as a snapshot (once: the server keeps it by its sha256). */
async function uploadSnapshot(suite: SuiteState): Promise<string> {
  const archive = execFileSync("tar", ["--sort=name", "--mtime=@0", "--owner=0", "--group=0", "-czf", "-", "-C", SWEEP_DIR, "trial.py"]);
  const sha256 = createHash("sha256").update(archive).digest("hex");
  const answer = await fetch(`${suite.url}/api/v1/snapshots/${sha256}`, {
    method: "PUT",
    headers: { "Content-Type": "application/gzip" },
    body: archive,
  });
  if (!answer.ok) throw new Error(`PUT /snapshots/${sha256}: ${answer.status} ${await answer.text()}`);
  return sha256;
}

/** Create `project` (when new) and start a sweep of trial.py in it with `spec`. */
export async function createSweep(suite: SuiteState, project: string, spec: Record<string, unknown>): Promise<SweepAnswer> {
  const created = await fetch(`${suite.url}/api/v1/projects`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name: project, description: "" }),
  });
  if (!created.ok && created.status !== 409) throw new Error(`POST /projects: ${created.status} ${await created.text()}`);
  const snapshot = await uploadSnapshot(suite);
  return call<SweepAnswer>(suite, "POST", "/sweeps", { project, snapshot, spec });
}

export const getSweep = (suite: SuiteState, id: string) => call<SweepAnswer>(suite, "GET", `/sweeps/${id}`);
export const listTrials = async (suite: SuiteState, id: string) => (await call<{ items: TrialAnswer[] }>(suite, "GET", `/sweeps/${id}/trials`)).items;
/** Stop a sweep (a test's clean-up: no trial left running); a stopped one answers as is. */
export const stopSweep = (suite: SuiteState, id: string) => call<SweepAnswer>(suite, "POST", `/sweeps/${id}/stop`).catch(() => undefined);

/** Poll the sweep until `done` holds for it (or fail with its last state at the deadline). */
export async function waitForSweep(suite: SuiteState, id: string, done: (sweep: SweepAnswer) => boolean, timeoutMs = 90_000): Promise<SweepAnswer> {
  const deadline = Date.now() + timeoutMs;
  let sweep = await getSweep(suite, id);
  while (!done(sweep)) {
    if (Date.now() > deadline) throw new Error(`sweep ${id} did not get there in ${timeoutMs} ms: ${JSON.stringify(sweep)}`);
    await new Promise((wake) => setTimeout(wake, 250));
    sweep = await getSweep(suite, id);
  }
  return sweep;
}

/** Trials done (complete, pruned or failed). */
export function finished(sweep: SweepAnswer): number {
  return (sweep.counts.complete ?? 0) + (sweep.counts.pruned ?? 0) + (sweep.counts.failed ?? 0);
}

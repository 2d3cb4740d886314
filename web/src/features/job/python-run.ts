import type { Job } from "../../lib/api/types";

/** Whether the job ran outside the scheduler with no snapshot of its code, so there is no
 * Code tab and nothing to rerun: a plain `python train.py` that imported atlas (kind
 * `local`), or a run an MLflow client logged through the server's MLflow API (`mlflow`). */
export function runFromPython(job: Pick<Job, "kind" | "snapshot">): boolean {
  return (job.kind === "local" || job.kind === "mlflow") && !job.snapshot;
}

/** What the header says in place of Rerun for such a job. */
export function pythonRunLabel(job: Pick<Job, "kind">): string {
  return job.kind === "mlflow" ? "logged by MLflow" : "run from Python";
}

// A job's retries in words: which attempt this is, and its earlier attempts as the server
// records them (`attempts` on a job, oldest first; see src/atlas/store/requeue.py).
import type { Job } from "../../lib/api/types";
import { formatDuration } from "../../lib/format";

/** One earlier attempt of a job that was queued again after it failed or was lost. */
export interface Attempt {
  attempt: number;
  status: string;
  exitCode: number | null;
  error: { type: string; message: string } | null;
  startedAt: string | null;
  finishedAt: string | null;
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function integer(value: unknown): number | null {
  return typeof value === "number" && Number.isInteger(value) ? value : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The earlier attempts as the API sends them (JSON objects), read field by field: a field
 * missing or of another type reads as unknown rather than breaking the page. */
export function readAttempts(raw: Job["attempts"]): Attempt[] {
  return raw.map((entry, index) => {
    const error = entry["error"];
    const failure = isRecord(error)
        ? { type: text(error["type"]) ?? "Error", message: typeof error["message"] === "string" ? error["message"] : "" }
        : null;
    return {
      attempt: integer(entry["attempt"]) ?? index + 1,
      status: text(entry["status"]) ?? "unknown",
      exitCode: integer(entry["exit_code"]),
      error: failure,
      startedAt: text(entry["started_at"]),
      finishedAt: text(entry["finished_at"]),
    };
  });
}

/** `Attempt 2 of 3` for a job that may be queued again (retries > 0), `null` for one that
 * may not: the current attempt follows the earlier ones, out of `retries + 1`. */
export function attemptLabel(job: Pick<Job, "retries" | "attempts">): string | null {
  if (job.retries <= 0 && job.attempts.length === 0) return null;
  const number = job.attempts.length + 1;
  return `Attempt ${number} of ${Math.max(job.retries + 1, number)}`;
}

/** Why an attempt ended, in words: `RuntimeError: out of memory`, the exit code when no
 * error was recorded, or an empty string when neither is known. */
export function attemptReason(attempt: Attempt): string {
  if (attempt.error) return attempt.error.message ? `${attempt.error.type}: ${attempt.error.message}` : attempt.error.type;
  if (attempt.exitCode !== null) return `exited with code ${attempt.exitCode}`;
  return "";
}

/** How long an attempt ran (`9m 4s`), empty when it never started or the times are unreadable. */
export function attemptDuration(attempt: Attempt): string {
  if (!attempt.startedAt || !attempt.finishedAt) return "";
  const started = Date.parse(attempt.startedAt);
  const finished = Date.parse(attempt.finishedAt);
  if (Number.isNaN(started) || Number.isNaN(finished)) return "";
  return formatDuration(Math.max(0, (finished - started) / 1000));
}

// The GUI's TensorBoard page: its address for a selection of jobs, and back.

import { LIMITS } from "./api/limits.gen";

/** Most jobs one TensorBoard shows (atlas.names.MAX_TENSORBOARD_JOBS, read from the schema). */
export const MAX_TENSORBOARD_JOBS = LIMITS.tensorBoardJobs;

/** The GUI page that opens TensorBoard over ``ids`` (the first MAX_TENSORBOARD_JOBS, once each). */
export function tensorBoardPagePath(ids: readonly string[]): string {
  const unique = [...new Set(ids)].slice(0, MAX_TENSORBOARD_JOBS);
  return `/tensorboards/open?jobs=${unique.map(encodeURIComponent).join(",")}`;
}

/** The job ids a TensorBoard page's ``jobs`` parameter names. */
export function jobsOfPage(jobs: string | null): string[] {
  return [...new Set((jobs ?? "").split(",").map((id) => id.trim()).filter(Boolean))];
}

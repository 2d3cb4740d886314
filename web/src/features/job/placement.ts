import type { SchedulerNode } from "../../lib/api/types";

/** A job's `resources` split for the job page: the node labels it asked for, the id of the
 * node the scheduler placed it on (null: the server's own machine, or not placed yet), and
 * everything else (CPUs, GPUs, memory, the GPU indices it was given). */
export interface Placement {
  labels: Record<string, string>;
  node: string | null;
  rest: Record<string, unknown>;
}

export function readPlacement(resources: Record<string, unknown>): Placement {
  const { labels, node, ...rest } = resources;
  const asked: Record<string, string> = {};
  if (labels && typeof labels === "object" && !Array.isArray(labels)) {
    for (const [key, value] of Object.entries(labels)) asked[key] = String(value);
  }
  return { labels: asked, node: typeof node === "string" && node ? node : null, rest };
}

/** Where a scheduled job ran, for people: the node's name (its id when the cluster no
 * longer lists it), "this server's machine" for a job placed there, or null before the job
 * was placed (queued) or for a job that was not scheduled (a tracked script). */
export function nodeLabel(placement: Placement, status: string, scheduled: boolean, nodes: readonly SchedulerNode[] | undefined): string | null {
  if (placement.node) return nodes?.find((n) => n.id === placement.node)?.name || placement.node;
  if (!scheduled || status === "queued") return null;
  return "this server's machine";
}

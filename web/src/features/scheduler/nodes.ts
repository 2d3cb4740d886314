import type { Job, SchedulerNode } from "../../lib/api/types";

/** The id of the server's own machine among the nodes (`Node.id` on the server). */
export const LOCAL_NODE = "local";

/** Whether the scheduler view lists the nodes one by one: several of them, a cluster's
 * node, or a node that left the cluster. One machine (a laptop, a workstation) is shown
 * as one set of resources, without cluster chrome. */
export function showsNodes(nodes: readonly SchedulerNode[] | undefined): boolean {
  const list = nodes ?? [];
  return list.length > 1 || list.some((node) => !node.alive || node.id !== LOCAL_NODE);
}

/** `3 of 16`; for a node that left the cluster, whose totals are gone, `3 held`. */
export function shareText(used: number, total: number, alive: boolean, format: (n: number) => string): string {
  return alive ? `${format(used)} of ${format(total)}` : `${format(used)} held`;
}

/** GPUs held by jobs and GPUs in all, over every node. */
export function gpuCount(nodes: readonly SchedulerNode[]): { held: number; total: number } {
  const gpus = nodes.flatMap((node) => node.gpus);
  return { held: gpus.filter((gpu) => gpu.held).length, total: gpus.length };
}

/** How each listed job is named in links: its name, else its id. */
export function jobNames(jobs: readonly Job[]): Map<string, string> {
  return new Map(jobs.map((job) => [job.id, job.name || job.id]));
}

/** How a node is named for people: its name, with the start of its id when another node
 * has the same name (nodes of one host, or hosts the cluster gives no name), else its id. */
export function nodeName(node: SchedulerNode, nodes: readonly SchedulerNode[]): string {
  if (!node.name) return node.id;
  const twins = nodes.filter((other) => other.name === node.name).length;
  return twins > 1 ? `${node.name} (${node.id.slice(0, 8)})` : node.name;
}

/** The name of the node a job was placed on (`resources.node`, a node id), or null for
 * a job on the server's own machine; an id no listed node has is shown as it is. */
export function nodeOf(resources: Record<string, unknown>, nodes: readonly SchedulerNode[]): string | null {
  const id = resources.node;
  if (typeof id !== "string" || !id) return null;
  const node = nodes.find((n) => n.id === id);
  return node ? nodeName(node, nodes) : id;
}

/** `3 nodes` or `3 nodes, 1 left the cluster`. */
export function nodesSummary(nodes: readonly SchedulerNode[]): string {
  const gone = nodes.filter((node) => !node.alive).length;
  const count = `${nodes.length} node${nodes.length === 1 ? "" : "s"}`;
  return gone ? `${count}, ${gone} left the cluster` : count;
}

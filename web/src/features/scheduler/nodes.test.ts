import { describe, expect, it } from "vitest";
import type { SchedulerNode } from "../../lib/api/types";
import { formatNumber } from "../../lib/format";
import { gpuCount, jobNames, nodeName, nodeOf, nodesSummary, shareText, showsNodes } from "./nodes";

function node(overrides: Partial<SchedulerNode> = {}): SchedulerNode {
  return {
    id: "local",
    name: "laptop",
    address: "127.0.0.1",
    alive: true,
    labels: {},
    cpus: { total: 8, used: 0 },
    memory: { total: 16 * 1024 ** 3, used: 0 },
    gpus: [],
    running: [],
    ...overrides,
  };
}

describe("whether the scheduler view lists nodes", () => {
  it("shows one machine as one set of resources, without cluster chrome", () => {
    expect(showsNodes([node()])).toBe(false);
    expect(showsNodes([])).toBe(false);
    expect(showsNodes(undefined)).toBe(false);
  });

  it("lists the nodes of a cluster, even of one node, and a node that left", () => {
    expect(showsNodes([node(), node({ id: "b", name: "b" })])).toBe(true);
    expect(showsNodes([node({ id: "5c9a1e0f" })])).toBe(true);
    expect(showsNodes([node({ alive: false })])).toBe(true);
  });
});

describe("node figures", () => {
  it("reads used of total, or only what is held on a node that left", () => {
    expect(shareText(3, 16, true, formatNumber)).toBe("3 of 16");
    expect(shareText(1, 0, false, formatNumber)).toBe("1 held");
  });

  it("counts the GPUs held over every node", () => {
    const gpu = (index: number, job_id: string | null) => ({ index, name: `GPU ${index}`, memory_total: null, job_id, held: job_id != null });
    const nodes = [node({ gpus: [gpu(0, "j1"), gpu(1, null)] }), node({ id: "b", gpus: [gpu(0, "j2")] }), node({ id: "c" })];
    expect(gpuCount(nodes)).toEqual({ held: 2, total: 3 });
  });

  it("sums the nodes up, naming those that left", () => {
    expect(nodesSummary([node()])).toBe("1 node");
    expect(nodesSummary([node(), node({ id: "b", alive: false }), node({ id: "c" })])).toBe("3 nodes, 1 left the cluster");
  });
});

describe("naming jobs and nodes", () => {
  it("names a job by its name, else its id", () => {
    const names = jobNames([{ id: "j1", name: "resnet" }, { id: "j2", name: "" }] as never);
    expect(names.get("j1")).toBe("resnet");
    expect(names.get("j2")).toBe("j2");
  });

  it("names the node a job was placed on, its id when no node has it, nothing on the server's machine", () => {
    const nodes = [node({ id: "abc", name: "gpu-box-1" })];
    expect(nodeOf({ cpus: 1, node: "abc" }, nodes)).toBe("gpu-box-1");
    expect(nodeOf({ node: "gone" }, nodes)).toBe("gone");
    expect(nodeOf({ cpus: 1 }, nodes)).toBeNull();
  });

  it("tells nodes of one name apart by the start of their ids", () => {
    const a = node({ id: "5c9a1e0f7b5c", name: "vm" });
    const b = node({ id: "e41d07c2aae4", name: "vm" });
    const c = node({ id: "77b0f1aa", name: "gpu-box-1" });
    const d = node({ id: "0b1c2d3e", name: "" });
    const nodes = [a, b, c, d];
    expect(nodes.map((n) => nodeName(n, nodes))).toEqual(["vm (5c9a1e0f)", "vm (e41d07c2)", "gpu-box-1", "0b1c2d3e"]);
    expect(nodeOf({ node: "e41d07c2aae4" }, nodes)).toBe("vm (e41d07c2)");
  });
});

import { describe, expect, it } from "vitest";
import type { SchedulerNode } from "../../lib/api/types";
import { nodeLabel, readPlacement } from "./placement";

const nodes = [{ id: "5c9a1e0f", name: "gpu-box-1" }] as SchedulerNode[];

describe("where a job ran", () => {
  it("splits the labels asked for and the node given from the other resources", () => {
    const placement = readPlacement({ cpus: 2, gpus: 1, gpu_indices: [1], labels: { gpu_type: "a100" }, node: "5c9a1e0f" });
    expect(placement).toEqual({ labels: { gpu_type: "a100" }, node: "5c9a1e0f", rest: { cpus: 2, gpus: 1, gpu_indices: [1] } });
    expect(readPlacement({})).toEqual({ labels: {}, node: null, rest: {} });
  });

  it("names the node from the cluster's list, its id once the cluster no longer lists it", () => {
    expect(nodeLabel(readPlacement({ node: "5c9a1e0f" }), "running", true, nodes)).toBe("gpu-box-1");
    expect(nodeLabel(readPlacement({ node: "gone" }), "lost", true, nodes)).toBe("gone");
    expect(nodeLabel(readPlacement({ node: "5c9a1e0f" }), "completed", true, undefined)).toBe("5c9a1e0f");
  });

  it("says the server's machine for a scheduled job placed there, nothing before placement or for a tracked script", () => {
    expect(nodeLabel(readPlacement({ cpus: 1 }), "completed", true, nodes)).toBe("this server's machine");
    expect(nodeLabel(readPlacement({ cpus: 1 }), "queued", true, nodes)).toBeNull();
    expect(nodeLabel(readPlacement({}), "completed", false, nodes)).toBeNull();
  });
});

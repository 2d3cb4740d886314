import { describe, expect, it } from "vitest";
import { requestText, waitingText } from "./scheduler-page";

describe("what a job asked for", () => {
  it("reads CPUs, GPUs, memory and the GPUs held", () => {
    expect(requestText({ cpus: 2, gpus: 1, memory: 4 * 1024 ** 3, gpu_indices: [3] })).toBe("2 CPUs · 1 GPU · 4 GiB · GPU 3");
    expect(requestText({ cpus: 1, gpus: 0, memory: null })).toBe("1 CPU");
    expect(requestText({})).toBe("–");
  });

  it("reads the node labels asked for, and not the node given", () => {
    expect(requestText({ cpus: 1, labels: { zone: "b", gpu_type: "a100" }, node: "5c9a1e0f" })).toBe("1 CPU · gpu_type=a100 · zone=b");
  });
});

describe("what a queued job waits for", () => {
  const waits = {
    child: "2 CPU slots (0 free); its parent job parent holds 1 CPU slot and 0 B of memory",
    blank: "  ",
  };

  it("shows the server's words for that job", () => {
    expect(waitingText(waits, "child")).toBe(waits.child);
  });

  it("shows a dash when the server said nothing for it", () => {
    expect(waitingText(waits, "other")).toBe("–");
    expect(waitingText(waits, "blank")).toBe("–");
    expect(waitingText(undefined, "child")).toBe("–");
  });
});

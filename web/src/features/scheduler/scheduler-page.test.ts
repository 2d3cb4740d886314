import { describe, expect, it } from "vitest";
import { requestText } from "./scheduler-page";

describe("what a job asked for", () => {
  it("reads CPUs, GPUs, memory and the GPUs held", () => {
    expect(requestText({ cpus: 2, gpus: 1, memory: 4 * 1024 ** 3, gpu_indices: [3] })).toBe("2 CPUs · 1 GPU · 4 GiB · GPU 3");
    expect(requestText({ cpus: 1, gpus: 0, memory: null })).toBe("1 CPU");
    expect(requestText({})).toBe("–");
  });
});

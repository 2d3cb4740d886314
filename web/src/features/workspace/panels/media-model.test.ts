import { describe, expect, it } from "vitest";
import { findOption, mediaOptions, PICTURE_KINDS, stepNote } from "./media-model";

const img = (key: string, steps: number[]) => ({ key, path: `media/${key}.png`, kind: "image" as const, steps });

describe("media options", () => {
  it("merge the jobs' keys, each with every job's steps, by key", () => {
    const options = mediaOptions(["a", "b", "c"], [[img("samples", [1, 2]), { key: "weights", path: "media/weights.hist.json", kind: "histogram" as const, steps: [5] }], undefined, [img("samples", [2, 3]), img("masks", [0])]]);
    expect(options.map((o) => o.key)).toEqual(["masks", "samples", "weights"]);
    const samples = options[1];
    expect([...(samples?.steps.entries() ?? [])]).toEqual([
      ["a", [1, 2]],
      ["c", [2, 3]],
    ]);
    expect(findOption(options, "weights", PICTURE_KINDS)).toBeNull();
    expect(findOption(options, "samples", PICTURE_KINDS)?.path).toBe("media/samples.png");
  });
});

describe("a job's step note", () => {
  it("says which step a job shows, or why none", () => {
    expect(stepNote(undefined, 3, null, "samples")).toBe("did not log samples");
    expect(stepNote([1, 2], null, null, "samples")).toBe("its latest save");
    expect(stepNote([], 3, null, "samples")).toBe("saved without a step");
    expect(stepNote([5], 3, null, "samples")).toBe("nothing at or before step 3");
    expect(stepNote([1, 3], 3, 3, "samples")).toBe("step 3");
    expect(stepNote([1, 2], 3, 2, "samples")).toBe("step 2 (its latest at or before 3)");
  });
});

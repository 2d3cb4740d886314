import { describe, expect, it } from "vitest";
import { peaks } from "./waveform";

describe("peaks", () => {
  it("keeps each slice's extremes", () => {
    const result = peaks([0, 1, -1, 0.5, 0.2, -0.3], 3);
    expect(Array.from(result.max)).toEqual([1, 0.5, 0.20000000298023224]);
    expect(Array.from(result.min)).toEqual([0, -1, -0.30000001192092896]);
  });
  it("stretches fewer samples than columns", () => {
    const result = peaks([0.5], 4);
    expect(result.max[0]).toBe(0.5);
    expect(Array.from(result.max)).toEqual([0.5, 0.5, 0.5, 0.5]);
  });
});

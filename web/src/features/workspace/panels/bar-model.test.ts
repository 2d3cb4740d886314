import { describe, expect, it } from "vitest";
import { barDomain, barsOf, jobsFilter } from "./bar-model";

const jobs = [
  { id: "a1", name: "first", color: "#111" },
  { id: "b2", name: "", color: "#222" },
  { id: "c3", name: "third", color: "#333" },
  { id: "d4", name: "fourth", color: "#444" },
];

describe("bars", () => {
  it("asks for exactly the visible jobs", () => {
    expect(jobsFilter(["a1", 'we"ird'])).toBe('id in ("a1", "we\\"ird")');
    expect(jobsFilter([])).toBe("");
  });

  it("give each job its value in the jobs' order, whatever order the answer has", () => {
    const answer = { ids: ["c3", "a1", "b2"], columns: { "metrics.acc.last": [0.5, 0.25, "NaN"] } };
    const bars = barsOf(jobs, answer, "metrics.acc.last");
    expect(bars.map((b) => [b.id, b.value, b.label])).toEqual([
      ["a1", 0.25, "0.25"],
      ["b2", NaN, "NaN"],
      ["c3", 0.5, "0.5"],
      ["d4", null, "not logged"],
    ]);
    expect(bars[1]?.name).toBe("b2");
    expect(bars[0]?.color).toBe("#111");
  });

  it("start at zero: the axis takes in 0 and skips values that are not finite", () => {
    const bars = barsOf(jobs, { ids: ["a1", "b2", "c3"], columns: { m: [3, -1, "Infinity"] } }, "m");
    expect(barDomain(bars)).toEqual([-1, 3]);
    expect(barDomain(barsOf(jobs, { ids: ["a1"], columns: { m: [5] } }, "m"))).toEqual([0, 5]);
    expect(barDomain([])).toEqual([0, 1]);
  });
});

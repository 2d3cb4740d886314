import { describe, expect, it } from "vitest";
import { jobsOfPage, MAX_TENSORBOARD_JOBS, tensorBoardPagePath } from "./tensorboard";

describe("the TensorBoard page's address", () => {
  it("names each job once, at most the limit", () => {
    expect(tensorBoardPagePath(["a1", "b2", "a1"])).toBe("/tensorboards/open?jobs=a1,b2");
    const many = Array.from({ length: MAX_TENSORBOARD_JOBS + 5 }, (_, i) => `j${i}`);
    expect(jobsOfPage(new URL(tensorBoardPagePath(many), "http://x").searchParams.get("jobs"))).toHaveLength(MAX_TENSORBOARD_JOBS);
  });

  it("reads the jobs back, ignoring blanks and repeats", () => {
    expect(jobsOfPage(" a1, ,b2,a1,")).toEqual(["a1", "b2"]);
    expect(jobsOfPage(null)).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { importanceNote, importanceRows } from "./importance-model";

describe("importance rows", () => {
  it("are largest first, with bars relative to the largest and the correlation beside", () => {
    const rows = importanceRows([
      { param: "bs", importance: 0.1, correlation: 0.2 },
      { param: "lr", importance: 0.4, correlation: -0.62 },
      { param: "opt", importance: 0.2, correlation: null },
      { param: "seed", importance: "NaN", correlation: "NaN" },
    ]);
    expect(rows.map((r) => [r.param, r.fraction, r.correlation])).toEqual([
      ["lr", 1, -0.62],
      ["opt", 0.5, null],
      ["bs", 0.25, 0.2],
      ["seed", 0, null],
    ]);
  });
});

describe("the note over an empty answer", () => {
  it("says how many jobs have the metric when too few do", () => {
    expect(importanceNote({ jobs: 1, items: [] }, "loss (min)")).toBe("1 job has loss (min): importances need at least 3.");
    expect(importanceNote({ jobs: 0, items: [] }, "loss (min)")).toMatch(/^0 jobs have/);
  });

  it("says the params do not vary when enough jobs have the metric", () => {
    expect(importanceNote({ jobs: 12, items: [] }, "acc")).toBe("The 12 jobs with acc have no params that vary.");
    expect(importanceNote({ jobs: 12, items: [{}] }, "acc")).toBeNull();
  });

  it("is the server's reason when it gives one", () => {
    expect(importanceNote({ jobs: 2, items: [], reason: "2 jobs have metrics.acc.last; at least 3 are needed" }, "acc")).toBe("2 jobs have metrics.acc.last; at least 3 are needed");
  });
});

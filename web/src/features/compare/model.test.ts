import { describe, expect, it } from "vitest";
import type { Job } from "../../lib/api/types";
import { brushed, buildAxis, groupValue, paramRows } from "./model";

const job = (params: Record<string, unknown>, tags: Record<string, string> = {}) => ({ params, tags }) as unknown as Job;

describe("params table", () => {
  it("lists every key and marks the ones that differ", () => {
    const rows = paramRows([job({ lr: 0.1, depth: 3 }), job({ lr: 0.01, depth: 3 }), job({ depth: 3, extra: { a: 1 } })]);
    expect(rows.map((r) => [r.key, r.differs])).toEqual([
      ["depth", false],
      ["extra", true],
      ["lr", true],
    ]);
    expect(rows[2]?.values).toEqual([0.1, 0.01, undefined]);
  });
});

describe("grouping", () => {
  it("reads a param or tag as the group", () => {
    expect(groupValue(job({ lr: 0.1 }), "params.lr")).toBe("0.1");
    expect(groupValue(job({}, { seed: "3" }), "tags.seed")).toBe("3");
    expect(groupValue(job({}), "params.lr")).toBe("(none)");
  });
});

describe("parallel coordinates", () => {
  it("scales numbers and spaces categories", () => {
    const numeric = buildAxis("lr", "lr", [0.1, 0.3, undefined, "NaN"]);
    expect(numeric.kind).toBe("number");
    expect(numeric.positions).toEqual([0, 1, null, null]);
    const categories = buildAxis("opt", "opt", ["sgd", "adam", "sgd"]);
    expect(categories.categories).toEqual(["adam", "sgd"]);
    expect(categories.positions).toEqual([1, 0, 1]);
    expect(buildAxis("c", "c", [2, 2]).positions).toEqual([0.5, 0.5]);
  });
  it("keeps the jobs inside every brush", () => {
    const axes = [buildAxis("a", "a", [0, 5, 10]), buildAxis("b", "b", [1, 2, 3])];
    expect(brushed(axes, {}, 3)).toEqual([true, true, true]);
    expect(brushed(axes, { a: [0.4, 1] }, 3)).toEqual([false, true, true]);
    expect(brushed(axes, { a: [1, 0.4], b: [0, 0.6] }, 3)).toEqual([false, true, false]);
  });
});

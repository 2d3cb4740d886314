import { describe, expect, it } from "vitest";
import { brushed, buildAxis } from "./parallel-axes";

describe("parallel-coordinate axes", () => {
  it("scales numbers and spaces categories in sorted order", () => {
    const numeric = buildAxis("lr", "lr", [0.1, 0.3, undefined, "NaN"]);
    expect(numeric.kind).toBe("linear");
    expect(numeric.positions).toEqual([0, 1, null, null]);
    const categories = buildAxis("opt", "opt", ["sgd", "adam", "sgd"]);
    expect(categories.categories).toEqual(["adam", "sgd"]);
    expect(categories.positions).toEqual([1, 0, 1]);
    expect(buildAxis("c", "c", [2, 2]).positions).toEqual([0.5, 0.5]);
  });
  it("keeps the items inside every brush", () => {
    const axes = [buildAxis("a", "a", [0, 5, 10]), buildAxis("b", "b", [1, 2, 3])];
    expect(brushed(axes, {}, 3)).toEqual([true, true, true]);
    expect(brushed(axes, { a: [0.4, 1] }, 3)).toEqual([false, true, true]);
    expect(brushed(axes, { a: [1, 0.4], b: [0, 0.6] }, 3)).toEqual([false, true, false]);
  });
});

import { describe, expect, it } from "vitest";
import { compareOrder } from "./bulk-bar";

describe("compareOrder", () => {
  it("puts the selected visible jobs first, in the charts' order, then the others as selected", () => {
    expect(compareOrder(["x", "c", "a", "y"], ["a", "b", "c"])).toEqual(["a", "c", "x", "y"]);
  });
  it("keeps the selection's order when none of it is visible", () => {
    expect(compareOrder(["y", "x"], [])).toEqual(["y", "x"]);
  });
});

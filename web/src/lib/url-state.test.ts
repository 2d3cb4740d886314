import { describe, expect, it } from "vitest";
import { joinList, splitList } from "./url-state";

describe("url lists", () => {
  it("round-trips items holding commas", () => {
    const items = ["params.lr", "metrics.a,b.min", "tags.x"];
    expect(splitList(joinList(items))).toEqual(items);
    expect(splitList("")).toEqual([]);
  });
});

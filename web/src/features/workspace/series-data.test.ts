import { describe, expect, it } from "vitest";
import { pointsFor } from "./series-data";

describe("points asked per series", () => {
  it("are the widest panel's width in pixels rounded up to hundreds, none before layout", () => {
    expect(pointsFor(0)).toBe(0);
    expect(pointsFor(30)).toBe(100);
    expect(pointsFor(340)).toBe(400);
    expect(pointsFor(1400)).toBe(1400);
  });
});

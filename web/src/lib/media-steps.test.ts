import { describe, expect, it } from "vitest";
import { chosenStep, imagePath, sampleSteps, stepAtOrBefore, unionSteps } from "./media-steps";

describe("stepAtOrBefore", () => {
  const steps = [0, 10, 20, 35];
  it("picks the step itself when logged", () => expect(stepAtOrBefore(steps, 20)).toBe(20));
  it("picks the nearest step at or below", () => expect(stepAtOrBefore(steps, 34)).toBe(20));
  it("picks the last step past the end", () => expect(stepAtOrBefore(steps, 1000)).toBe(35));
  it("has nothing before the first step", () => expect(stepAtOrBefore(steps, -1)).toBeNull());
  it("has nothing in no steps", () => expect(stepAtOrBefore([], 3)).toBeNull());
});

describe("chosenStep", () => {
  const steps = [0, 5, 9];
  it("defaults to the latest", () => expect(chosenStep(steps, "")).toBe(9));
  it("keeps a logged step", () => expect(chosenStep(steps, "5")).toBe(5));
  it("falls back at or below, then to the first", () => {
    expect(chosenStep(steps, "7")).toBe(5);
    expect(chosenStep(steps, "-3")).toBe(0);
  });
  it("ignores text that is no number", () => expect(chosenStep(steps, "abc")).toBe(9));
  it("is null for a key without steps", () => expect(chosenStep([], "")).toBeNull());
});

describe("sampleSteps", () => {
  const many = Array.from({ length: 1000 }, (_, i) => i * 2);
  it("keeps short lists whole", () => expect(sampleSteps([1, 2, 3], 5)).toEqual([1, 2, 3]));
  it("spreads evenly with the first and the last", () => {
    const picked = sampleSteps(many, 5);
    expect(picked).toEqual([0, 500, 1000, 1498, 1998]);
  });
  it("keeps the chosen step", () => {
    const picked = sampleSteps(many, 5, 702);
    expect(picked).toHaveLength(5);
    expect(picked).toContain(702);
    expect(picked[0]).toBe(0);
    expect(picked[4]).toBe(1998);
  });
});

it("unionSteps merges and sorts", () => expect(unionSteps([[3, 1], [2, 3], []])).toEqual([1, 2, 3]));
it("imagePath is where log_image stores a key", () => expect(imagePath("val/samples")).toBe("media/val/samples.png"));

import { describe, expect, it } from "vitest";
import { valueStore } from "./value-store";

describe("valueStore", () => {
  it("tells its listeners of a change, not of the same value, and stops after unsubscribe", () => {
    const store = valueStore(0);
    const seen: number[] = [];
    const off = store.subscribe(() => seen.push(store.get()));
    store.set(0.5);
    store.set(0.5);
    store.set(0.9);
    off();
    store.set(0.1);
    expect(seen).toEqual([0.5, 0.9]);
    expect(store.get()).toBe(0.1);
  });
});

import { describe, expect, it } from "vitest";
import { pageOf, parseTable, sortedOrder, type TableCell } from "./data-table";

describe("parseTable", () => {
  it("reads columns and rows", () => {
    expect(parseTable({ columns: ["id", "p"], rows: [[1, 0.5]] })).toEqual({ columns: ["id", "p"], rows: [[1, 0.5]] });
  });
  it("shows other cells as text", () => {
    expect(parseTable({ columns: ["x"], rows: [[{ a: 1 }]] }).rows[0]).toEqual(['{"a":1}']);
  });
  it("refuses what is not a table", () => expect(() => parseTable({ columns: [] })).toThrow(/rows/));
});

describe("sortedOrder", () => {
  const rows: TableCell[][] = [["b10", 3], ["b9", null], ["a", 1], [null, 2], ["B9", 1]];
  it("sorts numbers by value with empty cells last", () => {
    expect(sortedOrder(rows, 1, false)).toEqual([2, 4, 3, 0, 1]);
    expect(sortedOrder(rows, 1, true)).toEqual([0, 3, 2, 4, 1]);
  });
  it("sorts text in natural order, stable for equal cells", () => {
    expect(sortedOrder(rows, 0, false)).toEqual([2, 1, 4, 0, 3]);
  });
  it("puts numbers before text in a mixed column", () => {
    expect(sortedOrder([["x"], [2], [true]], 0, false)).toEqual([2, 1, 0]);
  });
  it("sorts 10,000 rows quickly", () => {
    const many: TableCell[][] = Array.from({ length: 10_000 }, (_, i) => [(i * 7919) % 10_000, `row ${i}`]);
    const started = performance.now();
    const order = sortedOrder(many, 0, true);
    expect(performance.now() - started).toBeLessThan(200);
    expect(many[order[0] as number]?.[0]).toBe(9999);
  });
});

describe("pageOf", () => {
  const items = Array.from({ length: 105 }, (_, i) => i);
  it("slices one page", () => expect(pageOf(items, 2, 50)).toEqual({ items: [100, 101, 102, 103, 104], page: 2, pages: 3, first: 100 }));
  it("clamps the page", () => {
    expect(pageOf(items, 9, 50).page).toBe(2);
    expect(pageOf(items, -1, 50).page).toBe(0);
  });
  it("has one empty page for no items", () => expect(pageOf([], 0, 50)).toEqual({ items: [], page: 0, pages: 1, first: 0 }));
});

import { describe, expect, it } from "vitest";
import { PINNED_COLUMNS, defaultColumnIds, visibleColumns } from "./model";
import { GROUP_TITLES, ROW_HEIGHT, ROW_OVERSCAN, SELECT_WIDTH, columnStarts, groupSpans, pinnedWidth, rowSlots } from "./table-layout";

const PINNED_WIDTH = pinnedWidth(PINNED_COLUMNS);

const keys = { params: ["lr", "depth"], metrics: ["loss"], tags: ["stage"] };

describe("column groups", () => {
  it("title each group once: the Job group's scrolling columns continue the pinned block's title", () => {
    const columns = visibleColumns(defaultColumnIds(keys), keys);
    const { starts } = columnStarts(columns, PINNED_WIDTH);
    const spans = groupSpans(columns, starts, PINNED_WIDTH);
    expect(spans.map((s) => s.group)).toEqual(["job", "params", "metrics", "tags"]);
    const titles = [GROUP_TITLES.job, ...spans.map((s) => s.title).filter(Boolean)];
    expect(titles).toEqual(["Job", "Params", "Metrics", "Tags"]);
    expect(new Set(titles).size).toBe(titles.length);
  });
  it("place the spans over their columns, after the pinned block", () => {
    const columns = visibleColumns(["id", "params.lr", "params.depth", "metrics.loss"], keys);
    const { starts, width } = columnStarts(columns, PINNED_WIDTH);
    expect(starts[0]).toBe(PINNED_WIDTH);
    const spans = groupSpans(columns, starts, PINNED_WIDTH);
    expect(spans.map((s) => [s.left, s.width])).toEqual([
      [PINNED_WIDTH, 92],
      [PINNED_WIDTH + 92, 220],
      [PINNED_WIDTH + 312, 112],
    ]);
    expect(width).toBe(PINNED_WIDTH + 424);
  });
});

describe("pinned block", () => {
  it("is the selection box and the pinned columns; a Job column away from it gets its title", () => {
    expect(PINNED_WIDTH).toBe(SELECT_WIDTH + 108 + 220);
    const columns = visibleColumns(["params.lr", "id"], keys);
    const { starts } = columnStarts(columns, 100);
    expect(groupSpans(columns, starts, 100).map((s) => s.title)).toEqual(["Params", "Job"]);
  });
});

describe("row slots", () => {
  it("hold every row a view renders, so that keys never collide", () => {
    const slots = rowSlots(900, 0);
    expect(slots).toBeGreaterThanOrEqual(Math.ceil(900 / ROW_HEIGHT) + 1 + 2 * ROW_OVERSCAN);
    expect(rowSlots(900, slots + 5)).toBe(slots + 5);
    const rendered = Array.from({ length: slots }, (_, i) => 12_345 + i);
    expect(new Set(rendered.map((index) => index % slots)).size).toBe(slots);
  });
});

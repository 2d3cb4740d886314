import { describe, expect, it } from "vitest";
import type { Job } from "../../lib/api/types";
import {
  allColumns,
  cellValue,
  columnFormats,
  defaultColumnIds,
  insertColumns,
  mediaColumn,
  metricColumn,
  moveColumn,
  nextSort,
  pagesFor,
  pagesToFetch,
  paramColumn,
  parseSort,
  placeColumn,
  sizedColumns,
  sortState,
  splitPinned,
  tagColumn,
  visibleColumns,
} from "./model";

const keys = { params: ["lr", "model.depth"], metrics: ["loss"], tags: ["stage"] };

describe("columns", () => {
  it("name columns by their API field", () => {
    expect(paramColumn("model.depth").id).toBe("params.`model.depth`");
    expect(metricColumn("loss", "min").id).toBe("metrics.loss.min");
    expect(metricColumn("loss").label).toBe("loss");
    expect(tagColumn("stage").id).toBe("tags.stage");
  });
  it("default to job fields, some params and metrics, and tags", () => {
    expect(defaultColumnIds(keys)).toEqual(["id", "user", "created_at", "duration", "params.lr", "params.`model.depth`", "metrics.loss", "tags"]);
  });
  it("keep group order whatever the URL order", () => {
    const ids = visibleColumns(["tags.stage", "metrics.loss.max", "params.lr", "id", "params.nope"], keys).map((c) => c.id);
    expect(ids).toEqual(["tags.stage", "metrics.loss.max", "params.lr", "id"]);
  });
  it("cope with a thousand params", () => {
    const many = { params: Array.from({ length: 1000 }, (_, i) => `p${i}`), metrics: [], tags: [] };
    expect(allColumns(many)).toHaveLength(1000 + 5);
    expect(defaultColumnIds(many)).toHaveLength(4 + 12 + 1);
  });
  it("read each cell's value", () => {
    const job = {
      id: "abc",
      user: "ana",
      params: { lr: 0.1, "model.depth": 3 },
      tags: { stage: "prod" },
      metrics: { loss: { key: "loss", last: "NaN", min: 0.1, max: 2, count: 3, last_step: 2, updated_at: "" } },
    } as unknown as Job;
    expect(cellValue(job, paramColumn("lr"))).toBe(0.1);
    expect(cellValue(job, paramColumn("nope"))).toBeUndefined();
    expect(cellValue(job, metricColumn("loss"))).toBe("NaN");
    expect(cellValue(job, metricColumn("loss", "min"))).toBe(0.1);
    expect(cellValue(job, tagColumn("stage"))).toBe("prod");
    expect(cellValue(job, allColumns(keys).find((c) => c.id === "user")!)).toBe("ana");
  });
});

describe("sorting", () => {
  it("cycles descending, ascending, none", () => {
    expect(nextSort("-created_at", "metrics.loss")).toBe("-metrics.loss");
    expect(nextSort("-metrics.loss", "metrics.loss")).toBe("metrics.loss");
    expect(nextSort("metrics.loss", "metrics.loss")).toBe("");
  });
  it("adds fields with shift", () => {
    expect(nextSort("-metrics.loss", "params.lr", true)).toBe("-metrics.loss,-params.lr");
    expect(parseSort("-a,+b,c")).toEqual([
      { field: "a", descending: true },
      { field: "b", descending: false },
      { field: "c", descending: false },
    ]);
    expect(sortState("-a,b", "b")).toBe("ascending");
    expect(sortState("-a,b", "c")).toBe("none");
  });
});

describe("paging", () => {
  it("finds the pages a visible range needs", () => {
    expect(pagesFor(0, 30)).toEqual([0]);
    expect(pagesFor(95, 130)).toEqual([0, 1]);
    expect(pagesFor(99_950, 99_999)).toEqual([999]);
    expect(pagesFor(5, 2)).toEqual([0]);
  });
  it("fetches the next page before its rows come into view", () => {
    expect(pagesToFetch(0, 30, 0)).toEqual([0]);
    expect(pagesToFetch(0, 30, 100_000)).toEqual([0]);
    expect(pagesToFetch(20, 60, 100_000)).toEqual([0, 1]);
    expect(pagesToFetch(140, 190, 100_000)).toEqual([0, 1, 2]);
    expect(pagesToFetch(99_950, 99_999, 100_000)).toEqual([999]);
    expect(pagesToFetch(0, 99, 100)).toEqual([0]);
  });
});

describe("media thumbnail columns", () => {
  it("are kept from the URL after the job's columns, never sortable", () => {
    const keys = { params: ["lr"], metrics: [], tags: [] };
    const columns = visibleColumns(["params.lr", "media.val/samples", "id", "media."], keys);
    expect(columns.map((c) => c.id)).toEqual(["params.lr", "media.val/samples", "id"]);
    expect(columns[1]).toMatchObject({ group: "media", key: "val/samples", kind: "thumbnail", sortable: false });
    expect(mediaColumn("x").id).toBe("media.x");
  });
});

describe("column order, widths and pinning", () => {
  it("adds a column among its kind, whatever order the user made", () => {
    expect(insertColumns(["id", "params.lr", "metrics.loss", "tags"], ["params.b", "media.img", "id"])).toEqual(["id", "media.img", "params.lr", "params.b", "metrics.loss", "tags"]);
    expect(insertColumns(["metrics.loss", "id"], ["tags.x"])).toEqual(["metrics.loss", "id", "tags.x"]);
    expect(insertColumns([], ["params.a"])).toEqual(["params.a"]);
  });
  it("moves and places columns", () => {
    expect(moveColumn(["a", "b", "c"], "a", 1)).toEqual(["b", "a", "c"]);
    expect(moveColumn(["a", "b", "c"], "c", 5)).toEqual(["a", "b", "c"]);
    expect(moveColumn(["a", "b", "c"], "b", -1)).toEqual(["b", "a", "c"]);
    expect(placeColumn(["a", "b", "c"], "c", "a")).toEqual(["c", "a", "b"]);
    expect(placeColumn(["a", "b", "c"], "a", "c", true)).toEqual(["b", "c", "a"]);
  });
  it("applies widths within bounds and splits the pinned block off", () => {
    const columns = visibleColumns(["id", "params.lr", "metrics.loss"], keys);
    expect(sizedColumns(columns, { id: 10, "params.lr": 300 }).map((c) => c.width)).toEqual([48, 300, 112]);
    const { pinned, scrolling } = splitPinned(columns, ["metrics.loss"], { name: 150 });
    expect(pinned.map((c) => [c.id, c.width])).toEqual([["status", 108], ["name", 150], ["metrics.loss", 112]]);
    expect(scrolling.map((c) => c.id)).toEqual(["id", "params.lr"]);
  });
});

describe("column formats", () => {
  it("give each number column one format from its loaded values, none to text", () => {
    const job = (lr: unknown, loss: number) => ({ params: { lr }, metrics: { loss: { last: loss, min: loss, max: loss } }, tags: {} }) as unknown as Job;
    const columns = visibleColumns(["params.lr", "metrics.loss", "id"], keys);
    expect(columnFormats(columns, [job(0.001, 8.968e-4), job("adam", 0.00319)])).toEqual({
      "params.lr": { kind: "fixed", decimals: 3 },
      "metrics.loss": { kind: "exponent", digits: 3 },
    });
    expect(columnFormats(columns, [job("adam", 1)])).toEqual({ "metrics.loss": { kind: "fixed", decimals: 0 } });
  });
});

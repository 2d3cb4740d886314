import { describe, expect, it } from "vitest";
import {
  applyCompletion,
  editDistance,
  groupClauses,
  nearest,
  renameField,
  unknownFields,
  clauseField,
  complete,
  fieldName,
  filterClauses,
  joinClauses,
  literal,
  quoteKey,
  removeClause,
  setFieldClauses,
  splitClauses,
  readFieldFilter,
} from "./query-text";

describe("keys and literals", () => {
  it("quotes keys only when needed", () => {
    expect(quoteKey("lr")).toBe("lr");
    expect(quoteKey("model/depth")).toBe("model/depth");
    expect(quoteKey("val.loss")).toBe("`val.loss`");
    expect(quoteKey("a`b")).toBe("`a\\`b`");
    expect(fieldName("metrics", "val.loss", "min")).toBe("metrics.`val.loss`.min");
    expect(fieldName("metrics", "loss", "last")).toBe("metrics.loss");
    expect(fieldName("job", "status")).toBe("status");
  });
  it("writes literals the parser reads back", () => {
    expect(literal('say "hi"\n')).toBe('"say \\"hi\\"\\n"');
    expect(literal("a\\d")).toBe('"a\\\\d"');
    expect(literal(0.01)).toBe("0.01");
    expect(literal(true)).toBe("true");
    expect(literal(null)).toBe("null");
    expect(() => literal(NaN)).toThrow();
  });
});

describe("clauses", () => {
  it("splits top-level and, keeping strings and parentheses whole", () => {
    expect(splitClauses('params.lr < 0.01 and (tags.stage = "a and b" or status = "failed") AND name contains "x"')).toEqual([
      "params.lr < 0.01",
      '(tags.stage = "a and b" or status = "failed")',
      'name contains "x"',
    ]);
    expect(splitClauses("")).toEqual([]);
    expect(splitClauses("(a = 1 and b = 2)")).toEqual(["a = 1", "b = 2"]);
  });
  it("keeps a top-level or as one clause", () => {
    expect(splitClauses("a = 1 or b = 2 and c = 3")).toEqual(["a = 1 or b = 2 and c = 3"]);
  });
  it("joins with parentheses where or would change the meaning", () => {
    expect(joinClauses(["a = 1 or b = 2", "c = 3"])).toBe("(a = 1 or b = 2) and c = 3");
    expect(joinClauses(["", "c = 3"])).toBe("c = 3");
  });
  it("round-trips: removing a chip removes its clause", () => {
    const query = 'status in ("running", "queued") and params.lr < 0.1 and tags.team = "x"';
    expect(removeClause(query, 1)).toBe('status in ("running", "queued") and tags.team = "x"');
    expect(removeClause("a = 1", 0)).toBe("");
  });
  it("finds a clause's field", () => {
    expect(clauseField("params.lr < 0.1")).toBe("params.lr");
    expect(clauseField("not name contains \"debug\"")).toBe("name");
    expect(clauseField("metrics.`val.loss`.min < 2")).toBe("metrics.`val.loss`.min");
    expect(clauseField("(a = 1 or b = 2)")).toBeNull();
  });
  it("replaces the clauses of one column", () => {
    const query = "params.lr >= 0.1 and status = \"running\"";
    expect(setFieldClauses(query, "params.lr", ["params.lr <= 1"])).toBe('status = "running" and params.lr <= 1');
    expect(setFieldClauses(query, "status", [])).toBe("params.lr >= 0.1");
  });
});

describe("column filters", () => {
  it("builds range, text, set and time clauses", () => {
    expect(filterClauses("params.lr", { type: "range", min: 0.01, max: 1 })).toEqual(["params.lr >= 0.01", "params.lr <= 1"]);
    expect(filterClauses("params.lr", { type: "range", min: null })).toEqual([]);
    expect(filterClauses("name", { type: "contains", text: "res" })).toEqual(['name contains "res"']);
    expect(filterClauses("status", { type: "in", values: ["running", "failed"] })).toEqual(['status in ("running", "failed")']);
    expect(filterClauses("status", { type: "in", values: ["failed"] })).toEqual(['status = "failed"']);
    expect(filterClauses("created_at", { type: "time", after: "2026-11-01" })).toEqual(['created_at >= "2026-11-01"']);
    expect(filterClauses("tags.stage", { type: "equals", value: "prod" })).toEqual(['tags.stage = "prod"']);
  });
});

describe("completion", () => {
  const keys = { params: ["lr", "batch_size"], metrics: ["loss", "val.loss"], tags: ["stage"] };
  it("offers fields and keys matching the word at the cursor", () => {
    const result = complete("params.l", 8, keys);
    expect(result.options).toEqual(["params.lr"]);
    expect(complete("los", 3, keys).options).toEqual(["metrics.loss", "metrics.`val.loss`"]);
    expect(complete("sta", 3, keys).options.slice(0, 3)).toEqual(["status", "started_at", "tags.stage"]);
    // a sweep's trials: `sweep = "<id>"` (docs/sweeps.md)
    expect(complete("swe", 3, keys).options).toEqual(["sweep"]);
  });
  it("offers nothing inside a string or for an empty word", () => {
    expect(complete('name = "par', 11, keys).options).toEqual([]);
    expect(complete("", 0, keys).options).toEqual([]);
  });
  it("applies a completion in place", () => {
    const text = "params.l < 1";
    const completion = complete(text, 8, keys);
    expect(applyCompletion(text, completion, "params.lr")).toEqual({ text: "params.lr < 1", cursor: 10 });
    const end = complete("metr", 4, keys);
    expect(applyCompletion("metr", end, "metrics.loss")).toEqual({ text: "metrics.loss ", cursor: 13 });
  });
});

describe("reading a column's filter back", () => {
  it("finds sets, bounds and text of the field's clauses", () => {
    const query = 'status in ("running", "failed") and params.lr >= 0.01 and params.lr <= 1 and name contains "res\\"x"';
    expect(readFieldFilter(query, "status").values).toEqual(["running", "failed"]);
    expect(readFieldFilter(query, "params.lr")).toMatchObject({ min: "0.01", max: "1" });
    expect(readFieldFilter(query, "name").text).toBe('res"x');
    expect(readFieldFilter('tags.stage = "prod"', "tags.stage")).toMatchObject({ values: ["prod"], text: "prod" });
    expect(readFieldFilter("", "status")).toEqual({ values: [], min: "", max: "", text: "" });
  });
});

describe("unknownFields", () => {
  const project = { params: ["lr", "optimizer", "batch_size"], metrics: ["val_loss", "train_loss", "acc"], tags: ["stage"] };

  it("suggests the closest known names for an unknown key", () => {
    expect(unknownFields("metrics.val_los < 0.1", project)).toEqual([{ field: "metrics.val_los", suggestions: ["metrics.val_loss"] }]);
    expect(unknownFields("params.val_loss < 0.1", project)).toEqual([{ field: "params.val_loss", suggestions: ["metrics.val_loss"] }]);
    expect(unknownFields("stauts = \"completed\"", project)).toEqual([{ field: "stauts", suggestions: ["status"] }]);
  });

  it("is silent on known fields, aggregates, values and keywords", () => {
    expect(unknownFields('metrics.val_loss.min < 0.1 and params.optimizer in (adam, sgd) and not tags.stage exists and status = completed', project)).toEqual([]);
    expect(unknownFields("(params.lr >= 1e-3 or params.batch_size = 64) and name contains x", project)).toEqual([]);
  });

  it("names an unknown key once and offers nothing when nothing is close", () => {
    expect(unknownFields("params.zzzzzz > 1 and params.zzzzzz < 3", project)).toEqual([{ field: "params.zzzzzz", suggestions: [] }]);
  });
});

describe("nearest", () => {
  it("orders by edit distance, then by name, within a third of the key", () => {
    expect(nearest("metrics.loss", ["metrics.val_loss", "metrics.los", "metrics.loss2"])).toEqual(["metrics.los", "metrics.loss2"]);
    expect(editDistance("kitten", "sitting")).toBe(3);
  });
});

describe("renameField", () => {
  it("rewrites the field wherever it is a word, never inside a string", () => {
    expect(renameField('metrics.val_los < 1 and name = "metrics.val_los" or metrics.val_los > 3', "metrics.val_los", "metrics.val_loss")).toBe(
      'metrics.val_loss < 1 and name = "metrics.val_los" or metrics.val_loss > 3',
    );
  });
});

describe("groupClauses", () => {
  it("select a group by each of its values, absence included", () => {
    expect(groupClauses({ "params.optimizer": "adam", "params.lr": 0.1, "params.amp": true, "tags.stage": null })).toEqual([
      'params.optimizer = "adam"',
      "params.lr = 0.1",
      "params.amp = true",
      "not tags.stage exists",
    ]);
  });
});

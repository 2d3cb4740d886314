import { describe, expect, it } from "vitest";
import type { Job } from "../../lib/api/types";
import { groupValue, paramRows } from "./model";

const job = (params: Record<string, unknown>, tags: Record<string, string> = {}) => ({ params, tags }) as unknown as Job;

describe("params table", () => {
  it("lists every key and marks the ones that differ", () => {
    const rows = paramRows([job({ lr: 0.1, depth: 3 }), job({ lr: 0.01, depth: 3 }), job({ depth: 3, extra: { a: 1 } })]);
    expect(rows.map((r) => [r.key, r.differs])).toEqual([
      ["depth", false],
      ["extra", true],
      ["lr", true],
    ]);
    expect(rows[2]?.values).toEqual([0.1, 0.01, undefined]);
  });
});

describe("grouping", () => {
  it("reads a param or tag as the group", () => {
    expect(groupValue(job({ lr: 0.1 }), "params.lr")).toBe("0.1");
    expect(groupValue(job({}, { seed: "3" }), "tags.seed")).toBe("3");
    expect(groupValue(job({}), "params.lr")).toBe("(none)");
  });
});

import { describe, expect, it } from "vitest";
import type { Job } from "../../lib/api/types";
import { cellText } from "./fit-width";
import { JOB_COLUMNS, PINNED_COLUMNS, metricColumn, paramColumn } from "./model";

const job = {
  id: "01m89kc979fzfy96",
  name: "",
  status: "completed",
  duration: 65,
  created_at: new Date().toISOString(),
  params: { lr: 0.001, opt: "adam" },
  metrics: { loss: { last: 8.968e-4, min: 8e-4, max: 1 } },
  tags: { stage: "prod", reviewed: "" },
} as unknown as Job;

const column = (id: string) => [...PINNED_COLUMNS, ...JOB_COLUMNS].find((c) => c.id === id) ?? paramColumn(id);

describe("cellText", () => {
  it("is the text the table writes in the cell", () => {
    expect(cellText(job, column("status"), null, 8)).toBe("completed");
    expect(cellText(job, column("name"), null, 8)).toBe(job.id);
    expect(cellText(job, column("id"), null, 10)).toBe("01m89kc979");
    expect(cellText(job, column("duration"), null, 8)).toBe("1m 5s");
    expect(cellText(job, column("tags"), null, 8)).toBe("stage=prod   reviewed");
    expect(cellText(job, paramColumn("opt"), null, 8)).toBe("adam");
    expect(cellText(job, paramColumn("lr"), { kind: "fixed", decimals: 4 }, 8)).toBe("0.0010");
    expect(cellText(job, metricColumn("loss"), { kind: "exponent", digits: 3 }, 8)).toBe("8.968e-4");
  });
});

import { describe, expect, it } from "vitest";
import { attemptDuration, attemptLabel, attemptReason, readAttempts } from "./attempts";

const failed = {
  attempt: 1,
  status: "failed",
  exit_code: 1,
  error: { type: "RuntimeError", message: "CUDA out of memory" },
  started_at: "2026-12-05T06:00:00+00:00",
  finished_at: "2026-12-05T06:09:04+00:00",
};
const lost = { attempt: 2, status: "lost", exit_code: null, error: null, started_at: "2026-12-05T06:10:00+00:00", finished_at: "2026-12-05T06:10:03.5+00:00" };

describe("job attempts", () => {
  it("counts the current attempt after the earlier ones, out of retries + 1", () => {
    expect(attemptLabel({ retries: 0, attempts: [] })).toBeNull();
    expect(attemptLabel({ retries: 2, attempts: [] })).toBe("Attempt 1 of 3");
    expect(attemptLabel({ retries: 2, attempts: [failed, lost] })).toBe("Attempt 3 of 3");
    expect(attemptLabel({ retries: 1, attempts: [failed] })).toBe("Attempt 2 of 2");
  });

  it("never reads a total below the attempts already made", () => {
    expect(attemptLabel({ retries: 0, attempts: [failed] })).toBe("Attempt 2 of 2");
  });

  it("reads the server's entries field by field", () => {
    expect(readAttempts([failed, lost])).toEqual([
      { attempt: 1, status: "failed", exitCode: 1, error: { type: "RuntimeError", message: "CUDA out of memory" }, startedAt: failed.started_at, finishedAt: failed.finished_at },
      { attempt: 2, status: "lost", exitCode: null, error: null, startedAt: lost.started_at, finishedAt: lost.finished_at },
    ]);
  });

  it("keeps an entry with missing or odd fields, numbered by its place", () => {
    expect(readAttempts([{}, { attempt: "x", status: 3, error: "boom", exit_code: 1.5 }])).toEqual([
      { attempt: 1, status: "unknown", exitCode: null, error: null, startedAt: null, finishedAt: null },
      { attempt: 2, status: "unknown", exitCode: null, error: null, startedAt: null, finishedAt: null },
    ]);
  });

  it("says why an attempt ended in words", () => {
    const [first, second] = readAttempts([failed, lost]);
    expect(attemptReason(first!)).toBe("RuntimeError: CUDA out of memory");
    expect(attemptReason(second!)).toBe("");
    expect(attemptReason({ ...second!, exitCode: 137 })).toBe("exited with code 137");
    expect(attemptReason({ ...first!, error: { type: "Lost", message: "" } })).toBe("Lost");
  });

  it("gives how long an attempt ran", () => {
    const [first, second] = readAttempts([failed, lost]);
    expect(attemptDuration(first!)).toBe("9m 4s");
    expect(attemptDuration(second!)).toBe("3.5s");
    expect(attemptDuration({ ...first!, startedAt: null })).toBe("");
    expect(attemptDuration({ ...first!, finishedAt: "not a time" })).toBe("");
  });
});

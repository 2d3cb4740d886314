import { describe, expect, it } from "vitest";
import { pythonRunLabel, runFromPython } from "./python-run";

describe("jobs run from Python", () => {
  it("covers tracked scripts and MLflow clients' runs, not scheduled jobs", () => {
    expect(runFromPython({ kind: "local", snapshot: null })).toBe(true);
    expect(runFromPython({ kind: "mlflow", snapshot: null })).toBe(true);
    expect(runFromPython({ kind: "scheduled", snapshot: "abc" })).toBe(false);
    expect(runFromPython({ kind: "sweep-trial", snapshot: null })).toBe(false);
    expect(pythonRunLabel({ kind: "mlflow" })).toBe("logged by MLflow");
    expect(pythonRunLabel({ kind: "local" })).toBe("run from Python");
  });
});

import { describe, expect, it } from "vitest";
import { ApiError } from "./api/client";
import { dismissToast, showError, subscribeToasts, type Toast } from "./toast-store";

describe("toasts", () => {
  it("show an API error's code and message, once per repeat", () => {
    let seen: readonly Toast[] = [];
    const stop = subscribeToasts((toasts) => (seen = toasts));
    showError(new ApiError(404, "not_found", "job x not found"), "Loading the job failed");
    showError(new ApiError(404, "not_found", "job x not found"), "Loading the job failed");
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ kind: "error", code: "not_found", message: "job x not found" });
    dismissToast(seen[0]?.id ?? 0);
    expect(seen).toHaveLength(0);
    stop();
  });
});

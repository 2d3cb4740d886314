import { describe, expect, it } from "vitest";
import { ApiError } from "../../lib/api/client";
import { memberErrorText } from "./model";

describe("member errors", () => {
  it("explains the last owner", () => {
    expect(memberErrorText(new ApiError(409, "conflict", "the last owner cannot be removed"), "ana")).toBe(
      "ana is the last owner: a project always keeps one. Make someone else owner first.",
    );
  });
  it("shows other errors with their code", () => {
    expect(memberErrorText(new ApiError(403, "permission_denied", "only owners"), "ana")).toBe("only owners (permission_denied)");
  });
});

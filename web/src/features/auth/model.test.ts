import { describe, expect, it } from "vitest";
import { ApiError } from "../../lib/api/client";
import { loginErrorText, loginQueryError } from "./model";

describe("login errors", () => {
  it("says the same for every wrong name or password", () => {
    expect(loginErrorText(new ApiError(401, "unauthenticated", "wrong user name or password"))).toBe("Wrong user name or password");
  });
  it("says how long to wait after too many tries", () => {
    expect(loginErrorText(new ApiError(429, "too_many_attempts", "too many", { retry_after: 41.2 }))).toBe("Too many attempts; try again in 42 s");
    expect(loginErrorText(new ApiError(429, "too_many_attempts", "too many"))).toBe("Too many attempts; try again later");
  });
  it("passes other answers on", () => {
    expect(loginErrorText(new ApiError(404, "not_found", "authentication is off on this server"))).toBe("authentication is off on this server");
  });
  it("explains a failed single sign-on", () => {
    expect(loginQueryError("sso_failed")).toMatch(/Single sign-on did not work/);
    expect(loginQueryError("sso_unavailable")).toMatch(/provider did not answer/);
    expect(loginQueryError(null)).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { isExpired, tokenRequest, tokenScope } from "./model";

describe("token form", () => {
  it("sends a role only with a project", () => {
    expect(tokenRequest(" ci ", 0, "", "editor")).toEqual({ name: "ci", expires_in: 7 * 86400, project: null, role: null });
    expect(tokenRequest("ci", 2, "vision", "editor")).toEqual({ name: "ci", expires_in: 90 * 86400, project: "vision", role: "editor" });
  });
  it("can last until revoked", () => {
    expect(tokenRequest("ci", 3, "", "viewer").expires_in).toBeNull();
  });
  it("says what a token reaches", () => {
    expect(tokenScope({ project: null, role: null })).toBe("all your projects, with your own roles");
    expect(tokenScope({ project: "vision", role: "viewer" })).toBe("vision as viewer");
  });
  it("knows an expired token", () => {
    expect(isExpired("2020-01-01T00:00:00Z")).toBe(true);
    expect(isExpired(null)).toBe(false);
    expect(isExpired("2999-01-01T00:00:00Z")).toBe(false);
  });
});

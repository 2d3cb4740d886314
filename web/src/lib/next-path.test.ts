import { describe, expect, it } from "vitest";
import { loginPath, safeNextPath } from "./next-path";

describe("safeNextPath", () => {
  it("keeps a path of this site with its query and fragment", () => {
    expect(safeNextPath("/projects/vision?q=params.lr%20%3C%200.1#x")).toBe("/projects/vision?q=params.lr%20%3C%200.1#x");
    expect(safeNextPath("/jobs/abc/metrics")).toBe("/jobs/abc/metrics");
  });
  it("goes home when there is no next", () => {
    expect(safeNextPath(null)).toBe("/");
    expect(safeNextPath(undefined)).toBe("/");
    expect(safeNextPath("")).toBe("/");
  });
  it("refuses other origins however they are spelt", () => {
    for (const raw of [
      "https://evil.example/",
      "//evil.example/x",
      "/\\evil.example",
      "\\\\evil.example",
      "javascript:alert(1)",
      "evil.example/path",
      "/\t/evil.example",
      "/\n/evil.example",
      " //evil.example",
      "http:/evil.example",
    ]) {
      expect(safeNextPath(raw), raw).toBe("/");
    }
  });
  it("does not send the login page back to itself", () => {
    expect(safeNextPath("/login")).toBe("/");
    expect(safeNextPath("/login?next=/x")).toBe("/");
  });
  it("normalises dot segments without leaving the site", () => {
    expect(safeNextPath("/a/../../b")).toBe("/b");
  });
});

describe("loginPath", () => {
  it("names the page to come back to", () => {
    expect(loginPath("/projects/my project?q=a&b")).toBe("/login?next=%2Fprojects%2Fmy%2520project%3Fq%3Da%26b");
    expect(safeNextPath(new URLSearchParams(loginPath("/jobs/1?x=1").split("?")[1]).get("next"))).toBe("/jobs/1?x=1");
  });
  it("leaves next out for the home page", () => {
    expect(loginPath("/")).toBe("/login");
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";
import { apiPath, cookieValue, CSRF_HEADER, csrfHeaders, errorFrom, request, setCsrfToken, setUnauthenticatedListener, withQuery } from "./client";

describe("api client", () => {
  it("encodes path segments, keeping slashes of keys", () => {
    expect(apiPath("jobs", "abc", "metrics", "system/cpu %")).toBe("/api/v1/jobs/abc/metrics/system/cpu%20%25");
    expect(apiPath("projects", "my project")).toBe("/api/v1/projects/my%20project");
  });
  it("leaves empty query values out", () => {
    expect(withQuery("/x", { a: 1, b: "", c: undefined, d: "p q" })).toBe("/x?a=1&d=p+q");
  });
  it("reads the API's error shape", async () => {
    const response = new Response(JSON.stringify({ error: { code: "invalid_query", message: "bad", detail: { position: 3 } } }), { status: 400 });
    const error = await errorFrom(response);
    expect(error).toMatchObject({ status: 400, code: "invalid_query", message: "bad", detail: { position: 3 } });
  });
  it("reads any other failure", async () => {
    const error = await errorFrom(new Response("Bad gateway", { status: 502, statusText: "Bad Gateway" }));
    expect(error).toMatchObject({ status: 502, code: "http_502", message: "Bad gateway" });
  });
});

describe("csrf header", () => {
  it("goes on every write, from the cookie first", () => {
    const cookies = "theme=dark; atlas_csrf=abc%3D123; other=x";
    for (const method of ["POST", "PUT", "PATCH", "DELETE", "post"]) {
      expect(csrfHeaders(method, cookies, "stale")).toEqual({ [CSRF_HEADER]: "abc=123" });
    }
  });
  it("falls back to the token the server last gave", () => {
    expect(csrfHeaders("POST", "theme=dark", "known")).toEqual({ "X-CSRF-Token": "known" });
  });
  it("stays off reads, and off everything with no token (auth off)", () => {
    expect(csrfHeaders("GET", "atlas_csrf=abc", "known")).toEqual({});
    expect(csrfHeaders("HEAD", "atlas_csrf=abc", null)).toEqual({});
    expect(csrfHeaders("DELETE", "", null)).toEqual({});
  });
  it("reads cookies by exact name", () => {
    expect(cookieValue("xatlas_csrf=no; atlas_csrf=yes", "atlas_csrf")).toBe("yes");
    expect(cookieValue("atlas_csrf=", "atlas_csrf")).toBeNull();
    expect(cookieValue("", "atlas_csrf")).toBeNull();
  });
});

describe("request", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    setCsrfToken(null);
    setUnauthenticatedListener(null);
  });
  it("sends the known csrf token with a write and tells the listener of a 401", async () => {
    const seen: Request[] = [];
    vi.stubGlobal("fetch", async (input: string, init: RequestInit) => {
      seen.push(new Request(new URL(input, "http://atlas.test"), init));
      return new Response(JSON.stringify({ error: { code: "unauthenticated", message: "log in", detail: {} } }), { status: 401 });
    });
    const heard: string[] = [];
    setUnauthenticatedListener((error) => heard.push(error.code));
    setCsrfToken("tok");
    await expect(request("POST", "/api/v1/projects", { body: { name: "x" } })).rejects.toMatchObject({ status: 401 });
    await expect(request("GET", "/api/v1/projects")).rejects.toMatchObject({ status: 401 });
    expect(seen[0]?.headers.get("X-CSRF-Token")).toBe("tok");
    expect(seen[1]?.headers.get("X-CSRF-Token")).toBeNull();
    expect(heard).toEqual(["unauthenticated", "unauthenticated"]);
  });
});

import { describe, expect, it } from "vitest";
import { apiPath, errorFrom, withQuery } from "./client";

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

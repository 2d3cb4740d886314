import { describe, expect, it } from "vitest";
import { endsSession } from "./session";

describe("endsSession", () => {
  it("takes a 401 of an ordinary call as the end of the session", () => {
    expect(endsSession("http://atlas.test/api/v1/projects")).toBe(true);
    expect(endsSession("/api/v1/jobs/abc/log")).toBe(true);
  });
  it("takes a wrong password as an answer, not as a signed-out user", () => {
    expect(endsSession("http://atlas.test/api/v1/auth/login")).toBe(false);
    expect(endsSession("http://atlas.test/api/v1/auth/password")).toBe(false);
  });
});

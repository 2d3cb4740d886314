import { describe, expect, it } from "vitest";
import { gate, isRole, roleAllows } from "./roles";

describe("roles", () => {
  it("orders viewer < editor < owner", () => {
    expect(roleAllows("viewer", "viewer")).toBe(true);
    expect(roleAllows("viewer", "editor")).toBe(false);
    expect(roleAllows("editor", "editor")).toBe(true);
    expect(roleAllows("editor", "owner")).toBe(false);
    expect(roleAllows("owner", "editor")).toBe(true);
  });
  it("lets an unknown role through (the server decides; auth off answers owner)", () => {
    expect(roleAllows(undefined, "owner")).toBe(true);
    expect(gate(null, "owner", "rename the project")).toEqual({ disabled: false, reason: undefined });
  });
  it("disables with the reason in words", () => {
    expect(gate("viewer", "editor", "cancel jobs")).toEqual({ disabled: true, reason: "editors and owners can cancel jobs (your role here: viewer)" });
    expect(gate("editor", "owner", "manage members").reason).toBe("only owners can manage members (your role here: editor)");
    expect(gate("owner", "owner", "manage members")).toEqual({ disabled: false, reason: undefined });
  });
  it("knows the role names", () => {
    expect(isRole("editor")).toBe(true);
    expect(isRole("admin")).toBe(false);
    expect(isRole(undefined)).toBe(false);
  });
});

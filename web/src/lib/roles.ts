// What a project role may do in the GUI (docs/auth.md "Roles"): the server enforces every
// rule; the GUI disables what a role may not use and says why, instead of failing on click.

export type Role = "viewer" | "editor" | "owner";

/** The project roles, weakest first; each may do everything the one before it may. */
export const ROLES: readonly Role[] = ["viewer", "editor", "owner"];

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** Whether `role` may do what `needed` may. An unknown role (still loading) is let through:
 * the server checks anyway, and auth-off servers answer every project as "owner". */
export function roleAllows(role: Role | null | undefined, needed: Role): boolean {
  if (role == null) return true;
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** A control's state for a role: disabled, with the reason as its tooltip. */
export interface Gate {
  disabled: boolean;
  /** Why it is disabled (for `title`), or undefined when the role allows it. */
  reason: string | undefined;
}

const WHO: Record<Role, string> = {
  viewer: "viewers, editors and owners",
  editor: "editors and owners",
  owner: "only owners",
};

/** The gate for doing `action` (e.g. "cancel jobs") with `role`, when it needs `needed`:
 * `gate("viewer", "editor", "cancel jobs")` is disabled with "editors and owners can cancel jobs". */
export function gate(role: Role | null | undefined, needed: Role, action: string): Gate {
  if (roleAllows(role, needed)) return { disabled: false, reason: undefined };
  return { disabled: true, reason: `${WHO[needed]} can ${action} (your role here: ${role})` };
}

// The tokens page's choices, apart from React.
import type { Role } from "../../lib/roles";

/** How long a new token lasts: the choices offered, in seconds (null: until revoked). */
export const EXPIRY_CHOICES: readonly { label: string; seconds: number | null }[] = [
  { label: "7 days", seconds: 7 * 86_400 },
  { label: "30 days", seconds: 30 * 86_400 },
  { label: "90 days", seconds: 90 * 86_400 },
  { label: "Never", seconds: null },
];

/** The default expiry: 30 days. */
export const DEFAULT_EXPIRY = 1;

/** The body of POST /tokens from the form: a role only with a project. */
export function tokenRequest(name: string, expiry: number, project: string, role: Role) {
  const choice = EXPIRY_CHOICES[expiry] ?? EXPIRY_CHOICES[DEFAULT_EXPIRY];
  return {
    name: name.trim(),
    expires_in: choice?.seconds ?? null,
    project: project || null,
    role: project ? role : null,
  };
}

/** What a token may reach, in words. */
export function tokenScope(token: { project?: string | null; role?: string | null }): string {
  if (!token.project) return "all your projects, with your own roles";
  return `${token.project} as ${token.role ?? "your own role"}`;
}

/** Whether a token's expiry has passed at `now`. */
export function isExpired(expiresAt: string | null | undefined, now = Date.now()): boolean {
  return Boolean(expiresAt) && Date.parse(expiresAt as string) <= now;
}

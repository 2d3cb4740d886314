// Where the login page sends a user back to: a path of this site only, never another origin
// (an open redirect would let a link to our login page forward a signed-in user anywhere).

/** The page shown after login when `next` is missing or not a path of this site. */
export const HOME_PATH = "/";

/**
 * `raw` if it is a path on this origin (`/projects/x?q=1#y`), else {@link HOME_PATH}.
 * Refused: absolute URLs (`https://…`, `javascript:…`), protocol-relative ones (`//host`,
 * `/\host`, which browsers read as `//host`), control characters, and the login page itself
 * (which would loop).
 */
export function safeNextPath(raw: string | null | undefined): string {
  if (!raw) return HOME_PATH;
  // Browsers drop tabs and newlines from URLs, so "/\t/evil.example" would become "//evil…".
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(raw)) return HOME_PATH;
  if (!raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) return HOME_PATH;
  let url: URL;
  try {
    url = new URL(raw, "http://atlas.invalid");
  } catch {
    return HOME_PATH;
  }
  if (url.origin !== "http://atlas.invalid") return HOME_PATH;
  if (url.pathname === "/login" || url.pathname.startsWith("/login/")) return HOME_PATH;
  return url.pathname + url.search + url.hash;
}

/** The login page's address that comes back to `path` (the page a 401 interrupted). */
export function loginPath(path: string): string {
  const next = safeNextPath(path);
  return next === HOME_PATH ? "/login" : `/login?next=${encodeURIComponent(next)}`;
}

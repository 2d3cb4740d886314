import { ApiError } from "../../lib/api/client";

/** A failed login in words: the same words for every wrong name or password (the server does
 * not say which), the wait after too many tries, else the server's own message. */
export function loginErrorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return "Wrong user name or password";
    if (error.status === 429) {
      const wait = Number(error.detail.retry_after);
      return Number.isFinite(wait) && wait > 0 ? `Too many attempts; try again in ${Math.ceil(wait)} s` : "Too many attempts; try again later";
    }
    if (error.status === 0) return "The server did not answer; check that it is running and try again";
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** What `/login?error=…` means (single sign-on sends the browser back with it). */
export function loginQueryError(code: string | null): string | null {
  if (!code) return null;
  if (code === "sso_failed") return "Single sign-on did not work. Try again, or sign in with your user name and password.";
  if (code === "sso_unavailable") return "The single sign-on provider did not answer. Try again later, or sign in with your user name and password.";
  return "Sign-in did not work. Try again.";
}

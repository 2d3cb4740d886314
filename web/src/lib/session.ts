// Who is signed in (GET /api/v1/auth/me), shared by the boot gate, the rail's user menu and
// the pages that only some users see. docs/auth.md describes the server's side.
import { queryOptions, useQuery, type QueryClient } from "@tanstack/react-query";
import { setCsrfToken } from "./api/client";
import { LIMITS } from "./api/limits.gen";
import * as api from "./api/endpoints";
import type { Me, User } from "./api/types";

export const ME_KEY = ["auth", "me"] as const;

/** The signed-in state; asked once per page load and after login/logout, never polled (a
 * session that ends shows as a 401 on the next call, which sends the GUI to /login). */
export const meQuery = () =>
  queryOptions({
    queryKey: ME_KEY,
    queryFn: async ({ signal }) => {
      const me = await api.getMe(signal);
      setCsrfToken(me.csrf_token ?? null);
      return me;
    },
    staleTime: Infinity,
    meta: { what: "Asking who is signed in" },
  });

export function useMe(): Me | undefined {
  return useQuery(meQuery()).data;
}

/** Whether this server asks who you are (auth on). */
export function authOn(me: Me | undefined): boolean {
  return Boolean(me?.auth);
}

/** Whether `me` must sign in before seeing anything. */
export function needsLogin(me: Me): boolean {
  return me.auth && !me.user;
}

/** Record a login's answer: the user and the CSRF token its writes carry. */
export function signedIn(client: QueryClient, answer: { user: User; csrf_token: string }): void {
  setCsrfToken(answer.csrf_token);
  client.setQueryData<Me>(ME_KEY, (old) => ({
    auth: true,
    user: answer.user,
    kind: "session",
    csrf_token: answer.csrf_token,
    sso: old?.sso ?? { enabled: false, label: "" },
  }));
}

/** Forget the user (logout, or a 401: the session ended); nothing of theirs stays cached. */
export function signedOut(client: QueryClient): void {
  setCsrfToken(null);
  const me = client.getQueryData<Me>(ME_KEY);
  client.removeQueries({ predicate: (query) => query.queryKey[0] !== ME_KEY[0] });
  if (me) client.setQueryData<Me>(ME_KEY, { ...me, user: null, kind: "anonymous", csrf_token: null });
}

/** The shortest password the server takes (from its schema, like every form limit). */
export const MIN_PASSWORD_LENGTH = LIMITS.passwordMin;

/** Calls whose 401 is an answer about what was typed (a wrong password), not a sign that
 * the session ended. */
const OWN_401_PATHS = ["/api/v1/auth/login", "/api/v1/auth/password"];

/** Whether a 401 from `url` means the session is gone (so the GUI goes to the login page). */
export function endsSession(url: string): boolean {
  let path = url;
  try {
    path = new URL(url, "http://atlas.invalid").pathname;
  } catch {
    // keep it as given
  }
  return !OWN_401_PATHS.includes(path);
}

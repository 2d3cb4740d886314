import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router-dom";
import { loginPath } from "../../lib/next-path";
import { ErrorPanel } from "../../components/states";
import { meQuery, needsLogin } from "../../lib/session";

/** The pages behind sign-in: with auth on and nobody signed in, the login page (coming back
 * here after); with auth off, the pages as they are. Nothing renders before `/auth/me` answers: a
 * page's own requests sent without a session would each be refused and logged by the
 * browser, and starting them a round trip earlier measured no faster first rows. */
export function RequireUser({ children }: { children: ReactNode }) {
  const me = useQuery(meQuery());
  const location = useLocation();
  if (me.isPending) return null;
  if (me.isError) {
    return (
      <div style={{ padding: 24 }}>
        <ErrorPanel error={me.error} title="Could not reach the Atlas server" />
      </div>
    );
  }
  if (needsLogin(me.data)) return <Navigate to={loginPath(location.pathname + location.search + location.hash)} replace />;
  return children;
}

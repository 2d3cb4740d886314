import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Navigate, useNavigate, useSearchParams } from "react-router-dom";
import * as api from "../../lib/api/endpoints";
import { safeNextPath } from "../../lib/next-path";
import { ErrorPanel, Loading } from "../../components/states";
import { loginErrorText, loginQueryError } from "./model";
import { meQuery, signedIn } from "../../lib/session";

/** Sign in: user name and password, or single sign-on when the server has it; then back to
 * the page that asked (`?next=`, a path of this site only) or the projects. */
export function LoginPage() {
  const me = useQuery(meQuery());
  const [params] = useSearchParams();
  const next = safeNextPath(params.get("next"));
  const client = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const login = useMutation({
    mutationFn: () => api.login(name.trim(), password),
    meta: { inline: true },
    onSuccess: (answer) => {
      signedIn(client, answer);
      navigate(next, { replace: true });
    },
  });
  if (me.isPending) return <Loading what="Loading" />;
  if (me.isError) {
    return (
      <main className="login-screen">
        <ErrorPanel error={me.error} title="Could not reach the Atlas server" />
      </main>
    );
  }
  if (!me.data.auth || me.data.user) return <Navigate to={next} replace />;
  const notice = loginQueryError(params.get("error"));
  const sso = me.data.sso;
  return (
    <main className="login-screen">
      <section className="login-card panel" aria-labelledby="login-title">
        <div className="login-brand">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          <span>Atlas</span>
        </div>
        <h1 id="login-title">Sign in</h1>
        {notice ? (
          <p className="login-error" role="alert" data-testid="login-notice">
            {notice}
          </p>
        ) : null}
        <form
          className="login-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim() && password) login.mutate();
          }}
        >
          <label htmlFor="login-name">User name</label>
          <input id="login-name" name="username" autoComplete="username" value={name} onChange={(e) => setName(e.target.value)} autoFocus required />
          <label htmlFor="login-password">Password</label>
          <input
            id="login-password"
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
          {login.isError ? (
            <p className="login-error" role="alert" data-testid="login-error">
              {loginErrorText(login.error)}
            </p>
          ) : null}
          <button type="submit" className="primary" disabled={!name.trim() || !password || login.isPending}>
            {login.isPending ? "Signing in…" : "Sign in"}
          </button>
        </form>
        {sso.enabled ? (
          <>
            <div className="login-or" aria-hidden="true">
              <span>or</span>
            </div>
            <a className="button-link login-sso" href={api.oidcLoginUrl(next)}>
              Sign in with {sso.label || "single sign-on"}
            </a>
          </>
        ) : null}
      </section>
    </main>
  );
}

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError } from "../../lib/api/client";
import * as api from "../../lib/api/endpoints";
import { showToast } from "../../lib/toast-store";
import { MIN_PASSWORD_LENGTH, useMe } from "../../lib/session";

/** Change your own password: the current one, then the new one twice. */
export function PasswordPage() {
  const me = useMe();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [again, setAgain] = useState("");
  const change = useMutation({
    mutationFn: () => api.changePassword(current, next),
    meta: { inline: true },
    onSuccess: () => {
      setCurrent("");
      setNext("");
      setAgain("");
      showToast({ kind: "success", title: "Password changed", message: "Use the new password from now on." });
    },
  });
  const problem =
    next && next.length < MIN_PASSWORD_LENGTH
      ? `The new password needs at least ${MIN_PASSWORD_LENGTH} characters.`
      : again && next !== again
        ? "The two new passwords differ."
        : null;
  const failure = change.error instanceof ApiError && change.error.status === 401 ? "The current password is wrong." : change.error?.message;
  if (me?.user && me.user.source !== "local") {
    return (
      <div className="narrow-page">
        <h1>Change password</h1>
        <p>You sign in with single sign-on; change your password with your identity provider.</p>
      </div>
    );
  }
  return (
    <div className="narrow-page">
      <h1>Change password</h1>
      <form
        className="stack-form panel"
        onSubmit={(e) => {
          e.preventDefault();
          if (!problem && current && next && next === again) change.mutate();
        }}
      >
        <label htmlFor="pw-current">Current password</label>
        <input id="pw-current" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />
        <label htmlFor="pw-new">New password</label>
        <input id="pw-new" type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} minLength={MIN_PASSWORD_LENGTH} required />
        <label htmlFor="pw-again">New password again</label>
        <input id="pw-again" type="password" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} required />
        {problem ? <p className="form-error">{problem}</p> : null}
        {change.isError ? (
          <p className="form-error" role="alert">
            {failure}
          </p>
        ) : null}
        <div className="row">
          <button type="submit" className="primary" disabled={Boolean(problem) || !current || !next || next !== again || change.isPending}>
            Change password
          </button>
        </div>
      </form>
    </div>
  );
}

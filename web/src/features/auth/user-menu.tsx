import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "react-router-dom";
import * as api from "../../lib/api/endpoints";
import { Popover } from "../../components/popover";
import { authOn, signedOut, useMe } from "../../lib/session";

/** The rail's user menu (auth on only): who is signed in, API tokens, Users for admins,
 * Change password for local accounts, Log out. */
export function UserMenu() {
  const me = useMe();
  const client = useQueryClient();
  const navigate = useNavigate();
  const logout = useMutation({
    mutationFn: api.logout,
    meta: { what: "Logging out" },
    onSuccess: () => {
      navigate("/login", { replace: true });
      signedOut(client);
    },
  });
  const user = me?.user;
  if (!authOn(me) || !user) return null;
  return (
    <Popover
      label={
        <span className="user-button">
          <span className="avatar" aria-hidden="true">
            {user.name.slice(0, 1).toUpperCase()}
          </span>
          <span className="user-name">{user.display_name || user.name}</span>
        </span>
      }
      ariaLabel={`User menu: signed in as ${user.name}`}
      className="user-menu-button"
      testId="user-menu"
    >
      {(close) => (
        <div className="user-menu" role="menu" aria-label="User menu">
          <div className="user-menu-who">
            <strong>{user.display_name || user.name}</strong>
            <span className="soft">
              {user.name}
              {user.admin ? " · admin" : ""}
              {user.source !== "local" ? " · single sign-on" : ""}
            </span>
          </div>
          <Link role="menuitem" to="/settings/tokens" onClick={close}>
            API tokens
          </Link>
          {user.admin ? (
            <Link role="menuitem" to="/admin/users" onClick={close}>
              Users
            </Link>
          ) : null}
          {user.source === "local" && me.kind === "session" ? (
            <Link role="menuitem" to="/settings/password" onClick={close}>
              Change password
            </Link>
          ) : null}
          <button type="button" role="menuitem" className="link" onClick={() => logout.mutate()} disabled={logout.isPending}>
            Log out
          </button>
        </div>
      )}
    </Popover>
  );
}

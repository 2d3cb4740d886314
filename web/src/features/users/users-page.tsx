import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import * as api from "../../lib/api/endpoints";
import type { User } from "../../lib/api/types";
import { showToast } from "../../lib/toast-store";
import { ConfirmDialog } from "../../components/confirm-dialog";
import { ErrorPanel, Loading } from "../../components/states";
import { Popover } from "../../components/popover";
import { TimeText } from "../../components/time-text";
import { MIN_PASSWORD_LENGTH, useMe } from "../../lib/session";

const usersQuery = () => queryOptions({ queryKey: ["users"], queryFn: ({ signal }) => api.listUsers(signal), meta: { what: "Loading users" } });

/** The instance's accounts (admins only): add, make admin, disable or enable, reset password. */
export function UsersPage() {
  const me = useMe();
  const admin = Boolean(me?.user?.admin);
  const users = useQuery({ ...usersQuery(), enabled: admin });
  if (!admin) {
    return (
      <div className="settings-page">
        <h1>Users</h1>
        <p>Only instance admins manage users. Ask an admin to add someone, or to make you an admin.</p>
      </div>
    );
  }
  return (
    <div className="settings-page">
      <h1 style={{ marginBottom: 12 }}>Users</h1>
      <AddUser ssoEnabled={Boolean(me?.sso.enabled)} />
      {users.isPending ? <Loading what="Loading users" /> : null}
      {users.isError ? <ErrorPanel error={users.error} title="Could not load the users" /> : null}
      {users.data ? <UserTable users={users.data.items} self={me?.user?.name ?? ""} /> : null}
    </div>
  );
}

function AddUser({ ssoEnabled }: { ssoEnabled: boolean }) {
  const client = useQueryClient();
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [admin, setAdmin] = useState(false);
  const add = useMutation({
    mutationFn: () => api.createUser(name.trim(), password || null, admin),
    meta: { what: "Adding the user" },
    onSuccess: (user) => {
      showToast({ kind: "success", title: "User added", message: `${user.name} can sign in now` });
      setName("");
      setPassword("");
      setAdmin(false);
      void client.invalidateQueries({ queryKey: ["users"] });
    },
  });
  const short = password.length > 0 && password.length < MIN_PASSWORD_LENGTH;
  const ready = name.trim() && (ssoEnabled ? !short : password.length >= MIN_PASSWORD_LENGTH);
  return (
    <form
      className="panel token-form"
      aria-label="Add a user"
      onSubmit={(e) => {
        e.preventDefault();
        if (ready) add.mutate();
      }}
    >
      <h2>Add a user</h2>
      <div className="form-grid">
        <label htmlFor="user-name">User name</label>
        <input id="user-name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" maxLength={100} required />
        <label htmlFor="user-password">Password</label>
        <input
          id="user-password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          placeholder={ssoEnabled ? "empty: single sign-on only" : `at least ${MIN_PASSWORD_LENGTH} characters`}
          required={!ssoEnabled}
        />
        <span />
        <label className="check">
          <input type="checkbox" checked={admin} onChange={(e) => setAdmin(e.target.checked)} /> Instance admin (every project, users, audit)
        </label>
      </div>
      {short ? <p className="form-error">A password needs at least {MIN_PASSWORD_LENGTH} characters.</p> : null}
      <div className="row" style={{ marginTop: 10 }}>
        <button type="submit" className="primary" disabled={!ready || add.isPending}>
          Add user
        </button>
      </div>
    </form>
  );
}

function UserTable({ users, self }: { users: User[]; self: string }) {
  const client = useQueryClient();
  const [disabling, setDisabling] = useState<User | null>(null);
  const update = useMutation({
    mutationFn: ({ user, change }: { user: User; change: api.UserChange }) => api.updateUser(user.name, change),
    meta: { what: "Changing the user" },
    onSuccess: (user, { change }) => {
      const what =
        change.password !== undefined
          ? "password reset"
          : change.disabled !== undefined
            ? change.disabled
              ? "disabled"
              : "enabled"
            : change.admin
              ? "is an admin now"
              : "is no longer an admin";
      showToast({ kind: "success", title: "User changed", message: `${user.name}: ${what}` });
      setDisabling(null);
      void client.invalidateQueries({ queryKey: ["users"] });
    },
  });
  return (
    <>
      <table className="simple users-table" aria-label="Users">
        <thead>
          <tr>
            <th>Name</th>
            <th>Role</th>
            <th>Signs in with</th>
            <th>Last login</th>
            <th>Status</th>
            <th>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {users.map((user) => (
            <tr key={user.name} data-user={user.name} className={user.disabled ? "disabled-user" : undefined}>
              <td>
                <strong>{user.name}</strong>
                {user.display_name && user.display_name !== user.name ? <span className="soft"> · {user.display_name}</span> : null}
                {user.email ? <div className="soft">{user.email}</div> : null}
              </td>
              <td>{user.admin ? <span className="tag">admin</span> : <span className="soft">user</span>}</td>
              <td>{user.source === "local" ? "password" : "single sign-on"}</td>
              <td>{user.last_login_at ? <TimeText iso={user.last_login_at} /> : <span className="soft">never</span>}</td>
              <td data-testid="user-status">{user.disabled ? <strong className="danger-text">disabled</strong> : "active"}</td>
              <td className="num">
                <div className="row" style={{ justifyContent: "flex-end" }}>
                  <button
                    type="button"
                    onClick={() => update.mutate({ user, change: { admin: !user.admin } })}
                    disabled={update.isPending || (user.name === self && user.admin)}
                    title={user.name === self && user.admin ? "You cannot remove your own admin rights; another admin can" : undefined}
                  >
                    {user.admin ? "Remove admin" : "Make admin"}
                  </button>
                  {user.source === "local" ? <ResetPassword user={user} onReset={(password) => update.mutate({ user, change: { password } })} /> : null}
                  {user.disabled ? (
                    <button type="button" onClick={() => update.mutate({ user, change: { disabled: false } })} disabled={update.isPending} aria-label={`Enable ${user.name}`}>
                      Enable
                    </button>
                  ) : (
                    <button
                      type="button"
                      className="danger"
                      onClick={() => setDisabling(user)}
                      disabled={user.name === self}
                      title={user.name === self ? "You cannot disable yourself" : undefined}
                      aria-label={`Disable ${user.name}`}
                    >
                      Disable
                    </button>
                  )}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ConfirmDialog
        open={disabling !== null}
        title={`Disable ${disabling?.name ?? ""}?`}
        confirmLabel="Disable user"
        danger
        busy={update.isPending}
        onConfirm={() => disabling && update.mutate({ user: disabling, change: { disabled: true } })}
        onCancel={() => setDisabling(null)}
      >
        <p>They are signed out at once and their API tokens stop working. Their projects, jobs and memberships stay; enable them again to give access back.</p>
      </ConfirmDialog>
    </>
  );
}

function ResetPassword({ user, onReset }: { user: User; onReset: (password: string) => void }) {
  const [password, setPassword] = useState("");
  const short = password.length < MIN_PASSWORD_LENGTH;
  return (
    <Popover label="Reset password" ariaLabel={`Reset the password of ${user.name}`} align="right">
      {(close) => (
        <form
          className="filter-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (short) return;
            onReset(password);
            setPassword("");
            close();
          }}
        >
          <label>
            New password for {user.name}
            <input type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} autoFocus />
          </label>
          <span className="soft">At least {MIN_PASSWORD_LENGTH} characters. Tell it to them in person; they can change it after signing in.</span>
          <button type="submit" className="primary" disabled={short}>
            Set password
          </button>
        </form>
      )}
    </Popover>
  );
}

import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import * as api from "../../lib/api/endpoints";
import { LIMITS } from "../../lib/api/limits.gen";
import { projectsQuery } from "../../lib/api/queries";
import type { NewToken, Token } from "../../lib/api/types";
import { ROLES, type Role } from "../../lib/roles";
import { showToast } from "../../lib/toast-store";
import { ConfirmDialog } from "../../components/confirm-dialog";
import { EmptyState, ErrorPanel, Loading } from "../../components/states";
import { TimeText } from "../../components/time-text";
import { useMe } from "../../lib/session";
import { DEFAULT_EXPIRY, EXPIRY_CHOICES, isExpired, tokenRequest, tokenScope } from "./model";

const tokensQuery = (all: boolean) =>
  queryOptions({ queryKey: ["tokens", all], queryFn: ({ signal }) => api.listTokens(all, signal), meta: { what: "Loading tokens" } });

/** API tokens: the scripts', the CLI's and the SDK's way in. List, create (shown once), revoke. */
export function TokensPage() {
  const me = useMe();
  const admin = Boolean(me?.user?.admin);
  const [all, setAll] = useState(false);
  const tokens = useQuery(tokensQuery(admin && all));
  const [created, setCreated] = useState<NewToken | null>(null);
  return (
    <div className="settings-page">
      <div className="row" style={{ marginBottom: 12 }}>
        <h1>API tokens</h1>
        <span className="spacer" />
        {admin ? (
          <label className="check">
            <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> Everyone’s tokens
          </label>
        ) : null}
      </div>
      <p className="soft">
        A token lets a script, the SDK or the <code>atlas</code> command act as you: set <code>ATLAS_TOKEN</code>, or run{" "}
        <code>atlas login {window.location.origin} --token …</code>. Limit it to one project and a role to give it less than you have.
      </p>
      {created ? <NewSecret created={created} onDone={() => setCreated(null)} /> : <CreateToken onCreated={setCreated} />}
      <h2 style={{ marginTop: 18 }}>{all ? "Every token" : "Your tokens"}</h2>
      {tokens.isPending ? <Loading what="Loading tokens" /> : null}
      {tokens.isError ? <ErrorPanel error={tokens.error} title="Could not load the tokens" /> : null}
      {tokens.data && tokens.data.items.length === 0 ? (
        <EmptyState title="No tokens yet">
          <p>Create one above, or from a shell:</p>
          <pre>atlas tokens create --name laptop --expires 30d</pre>
        </EmptyState>
      ) : null}
      {tokens.data && tokens.data.items.length > 0 ? <TokenTable tokens={tokens.data.items} showUser={all} /> : null}
    </div>
  );
}

function CreateToken({ onCreated }: { onCreated: (token: NewToken) => void }) {
  const client = useQueryClient();
  const projects = useQuery(projectsQuery());
  const [name, setName] = useState("");
  const [expiry, setExpiry] = useState(DEFAULT_EXPIRY);
  const [project, setProject] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const create = useMutation({
    mutationFn: () => api.createToken(tokenRequest(name, expiry, project, role)),
    meta: { what: "Creating the token" },
    onSuccess: (answer) => {
      setName("");
      setProject("");
      void client.invalidateQueries({ queryKey: ["tokens"] });
      onCreated(answer);
    },
  });
  return (
    <form
      className="panel token-form"
      aria-label="New token"
      onSubmit={(e) => {
        e.preventDefault();
        if (name.trim()) create.mutate();
      }}
    >
      <h2>New token</h2>
      <div className="form-grid">
        <label htmlFor="token-name">Name</label>
        <input id="token-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. laptop, ci" maxLength={LIMITS.tokenName} required />
        <label htmlFor="token-expiry">Expires</label>
        <select id="token-expiry" value={expiry} onChange={(e) => setExpiry(Number(e.target.value))}>
          {EXPIRY_CHOICES.map((choice, i) => (
            <option key={choice.label} value={i}>
              {choice.seconds === null ? "Never" : `In ${choice.label}`}
            </option>
          ))}
        </select>
        <label htmlFor="token-project">Project</label>
        <select id="token-project" value={project} onChange={(e) => setProject(e.target.value)}>
          <option value="">All my projects (my own roles)</option>
          {(projects.data?.items ?? []).map((p) => (
            <option key={p.name} value={p.name}>
              {p.name}
            </option>
          ))}
        </select>
        <label htmlFor="token-role">Role</label>
        <select id="token-role" value={role} onChange={(e) => setRole(e.target.value as Role)} disabled={!project} title={project ? undefined : "Choose a project to limit the token's role"}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </div>
      <div className="row" style={{ marginTop: 10 }}>
        <button type="submit" className="primary" disabled={!name.trim() || create.isPending}>
          Create token
        </button>
        {project ? <span className="soft">At most {role} in {project}, and never more than your own role there.</span> : null}
      </div>
    </form>
  );
}

function NewSecret({ created, onDone }: { created: NewToken; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.secret);
      setCopied(true);
    } catch {
      showToast({ kind: "info", title: "Copy the token by hand", message: "Select it and copy it." });
    }
  };
  return (
    <section className="panel new-secret" aria-label="New token secret" data-testid="new-secret">
      <h2>Token “{created.token.name}” created</h2>
      <p className="warning" role="alert">
        Copy it now: Atlas keeps only a digest and will not show it again. Anyone who holds it can act as you{created.token.project ? ` in ${created.token.project}` : ""}.
      </p>
      <div className="row">
        <input className="mono secret" readOnly value={created.secret} aria-label="Token secret" onFocus={(e) => e.target.select()} data-testid="token-secret" />
        <button type="button" className="primary" onClick={() => void copy()}>
          {copied ? "Copied" : "Copy"}
        </button>
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  );
}

function TokenTable({ tokens, showUser }: { tokens: Token[]; showUser: boolean }) {
  const client = useQueryClient();
  const [revoking, setRevoking] = useState<Token | null>(null);
  const revoke = useMutation({
    mutationFn: (id: string) => api.revokeToken(id),
    meta: { what: "Revoking the token" },
    onSuccess: () => {
      showToast({ kind: "success", title: "Token revoked", message: revoking?.name ?? "" });
      setRevoking(null);
      void client.invalidateQueries({ queryKey: ["tokens"] });
    },
  });
  return (
    <>
      <table className="simple" aria-label="Tokens">
        <thead>
          <tr>
            <th>Name</th>
            {showUser ? <th>User</th> : null}
            <th>Reaches</th>
            <th>Created</th>
            <th>Expires</th>
            <th>Last used</th>
            <th>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((token) => (
            <tr key={token.id} data-token={token.name}>
              <td>
                <span className="mono">{token.name}</span>
              </td>
              {showUser ? <td>{token.user}</td> : null}
              <td>{tokenScope(token)}</td>
              <td>
                <TimeText iso={token.created_at} />
              </td>
              <td>{token.expires_at ? isExpired(token.expires_at) ? <span className="soft">expired</span> : <TimeText iso={token.expires_at} /> : <span className="soft">never</span>}</td>
              <td>{token.last_used_at ? <TimeText iso={token.last_used_at} /> : <span className="soft">never</span>}</td>
              <td className="num">
                <button type="button" className="danger" onClick={() => setRevoking(token)} aria-label={`Revoke token ${token.name}`}>
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke token “${revoking?.name ?? ""}”?`}
        confirmLabel="Revoke token"
        danger
        busy={revoke.isPending}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
        onCancel={() => setRevoking(null)}
      >
        <p>Scripts and machines using this token lose access at once. It cannot be undone; create a new token to give access again.</p>
      </ConfirmDialog>
    </>
  );
}

import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import * as api from "../../lib/api/endpoints";
import type { Member } from "../../lib/api/types";
import { gate, ROLES, type Role } from "../../lib/roles";
import { showToast } from "../../lib/toast-store";
import { ConfirmDialog } from "../../components/confirm-dialog";
import { ErrorPanel, Loading } from "../../components/states";
import { TimeText } from "../../components/time-text";
import { useProjectRole } from "../../lib/use-project-role";
import { memberErrorText } from "./model";

const membersQuery = (project: string) =>
  queryOptions({ queryKey: ["members", project], queryFn: ({ signal }) => api.listMembers(project, signal), meta: { what: "Loading members" } });

/** Who may use a project, with what role; owners add, change and remove members. */
export function MembersPanel({ project }: { project: string }) {
  const members = useQuery(membersQuery(project));
  const role = useProjectRole(project);
  const manage = gate(role, "owner", "manage members");
  const client = useQueryClient();
  const [problem, setProblem] = useState<string | null>(null);
  const [removing, setRemoving] = useState<Member | null>(null);
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ["members", project] });
    void client.invalidateQueries({ queryKey: ["project", project] });
  };
  const put = useMutation({
    mutationFn: ({ user, role }: { user: string; role: Role }) => api.putMember(project, user, role),
    meta: { inline: true },
    onMutate: () => setProblem(null),
    onSuccess: (member) => {
      showToast({ kind: "success", title: "Member saved", message: `${member.user} is ${member.role} of ${project}` });
      refresh();
    },
    onError: (error, { user }) => setProblem(memberErrorText(error, user)),
  });
  const remove = useMutation({
    mutationFn: (user: string) => api.removeMember(project, user),
    meta: { inline: true },
    onMutate: () => setProblem(null),
    onSuccess: (_void, user) => {
      showToast({ kind: "success", title: "Member removed", message: `${user} no longer has access to ${project}` });
      setRemoving(null);
      refresh();
    },
    onError: (error, user) => {
      setRemoving(null);
      setProblem(memberErrorText(error, user));
    },
  });
  return (
    <section className="panel members-panel" aria-label="Members">
      <div className="row" style={{ marginBottom: 8 }}>
        <h2 style={{ margin: 0 }}>Members</h2>
        <span className="spacer" />
        {role ? <span className="soft">your role: {role}</span> : null}
      </div>
      <p className="soft">Viewers read everything; editors also run, change and delete jobs; owners also rename or delete the project and manage its members.</p>
      {problem ? (
        <p className="form-error" role="alert" data-testid="members-error">
          {problem}
        </p>
      ) : null}
      {members.isPending ? <Loading what="Loading members" /> : null}
      {members.isError ? <ErrorPanel error={members.error} title="Could not load the members" /> : null}
      {members.data ? (
        <table className="simple" aria-label="Project members">
          <thead>
            <tr>
              <th>User</th>
              <th>Role</th>
              <th>Added</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {members.data.items.map((member) => (
              <tr key={member.user} data-member={member.user}>
                <td>{member.user}</td>
                <td>
                  <select
                    value={member.role}
                    aria-label={`Role of ${member.user}`}
                    disabled={manage.disabled || put.isPending}
                    title={manage.reason}
                    onChange={(e) => put.mutate({ user: member.user, role: e.target.value as Role })}
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <TimeText iso={member.added_at} />
                </td>
                <td className="num">
                  <button type="button" className="danger" disabled={manage.disabled} title={manage.reason} onClick={() => setRemoving(member)} aria-label={`Remove ${member.user}`}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <AddMember disabled={manage.disabled} reason={manage.reason} busy={put.isPending} onAdd={(user, r) => put.mutate({ user, role: r })} />
      <ConfirmDialog
        open={removing !== null}
        title={`Remove ${removing?.user ?? ""} from ${project}?`}
        confirmLabel="Remove member"
        danger
        busy={remove.isPending}
        onConfirm={() => removing && remove.mutate(removing.user)}
        onCancel={() => setRemoving(null)}
      >
        <p>They lose access to the project at once, and their tokens limited to it stop working here. Their jobs stay.</p>
      </ConfirmDialog>
    </section>
  );
}

function AddMember({ disabled, reason, busy, onAdd }: { disabled: boolean; reason: string | undefined; busy: boolean; onAdd: (user: string, role: Role) => void }) {
  const [user, setUser] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  return (
    <form
      className="row add-member"
      aria-label="Add a member"
      onSubmit={(e) => {
        e.preventDefault();
        if (!user.trim()) return;
        onAdd(user.trim(), role);
        setUser("");
      }}
    >
      <label htmlFor="member-user">Add</label>
      <input id="member-user" value={user} onChange={(e) => setUser(e.target.value)} placeholder="user name" disabled={disabled} title={reason} autoComplete="off" maxLength={100} />
      <label htmlFor="member-role">as</label>
      <select id="member-role" value={role} onChange={(e) => setRole(e.target.value as Role)} disabled={disabled} title={reason}>
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      <button type="submit" className="primary" disabled={disabled || busy || !user.trim()} title={reason}>
        Add member
      </button>
    </form>
  );
}

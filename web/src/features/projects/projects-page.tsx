import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate } from "react-router-dom";
import * as api from "../../lib/api/endpoints";
import { LIMITS } from "../../lib/api/limits.gen";
import { keysQuery, projectsQuery } from "../../lib/api/queries";
import { JOB_STATUSES, type Project } from "../../lib/api/types";
import { markdownSummary } from "../../lib/markdown-text";
import { authOn, useMe } from "../../lib/session";
import { gate } from "../../lib/roles";
import { showToast } from "../../lib/toast-store";
import { ConfirmDialog } from "../../components/confirm-dialog";
import { EmptyState, ErrorPanel, Loading } from "../../components/states";
import { StatusBadge } from "../../components/status-badge";
import { TimeText } from "../../components/time-text";

const FIRST_JOB = `cat > train.py <<'END'
import atlas

atlas.log_params({"lr": 0.01, "layers": 3})
for step in range(100):
    atlas.log_metric("loss", 1 / (step + 1), step=step)
END
ATLAS_PROJECT=my-first-project python train.py`;

/** Every project: description, job counts, last activity, tags; create, rename, delete. */
export function ProjectsPage() {
  const projects = useQuery(projectsQuery());
  const me = useMe();
  return (
    <div>
      <div className="row" style={{ marginBottom: 14 }}>
        <h1>Projects</h1>
        <span className="spacer" />
        <CreateProject />
      </div>
      {projects.isPending ? <Loading what="Loading projects" /> : null}
      {projects.isError ? <ErrorPanel error={projects.error} title="Could not load the projects" /> : null}
      {projects.data && projects.data.items.length === 0 ? (
        <EmptyState title="No projects yet">
          <p>A project appears as soon as a job reports to this server. Track a first job from Python:</p>
          <pre data-testid="first-job-commands">{FIRST_JOB}</pre>
          {authOn(me) ? (
            <p className="soft">
              Or create an empty project with the form above. This server asks who you are: create an API token (user menu, <em>API tokens</em>)
              and run <code>atlas login {window.location.origin} --token …</code> once, or set <code>ATLAS_URL</code> and <code>ATLAS_TOKEN</code>.
              A project someone else owns appears here when they add you to it.
            </p>
          ) : (
            <p className="soft">
              Or create an empty project with the form above. The SDK finds this server at <code>http://127.0.0.1:5555</code>{" "}
              (set <code>ATLAS_URL</code> for another address).
            </p>
          )}
        </EmptyState>
      ) : null}
      {projects.data && projects.data.items.length > 0 ? (
        <ul className="project-list" aria-label="Projects">
          {projects.data.items.map((project) => (
            <ProjectRow key={project.name} project={project} />
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function CreateProject() {
  const [name, setName] = useState("");
  const client = useQueryClient();
  const navigate = useNavigate();
  const create = useMutation({
    mutationFn: () => api.createProject(name.trim()),
    meta: { what: "Creating the project" },
    onSuccess: (project) => {
      void client.invalidateQueries({ queryKey: ["projects"] });
      showToast({ kind: "success", title: "Project created", message: project.name });
      setName("");
      navigate(`/projects/${encodeURIComponent(project.name)}`);
    },
  });
  return (
    <form
      className="row"
      onSubmit={(e) => {
        e.preventDefault();
        if (name.trim()) create.mutate();
      }}
    >
      <label htmlFor="new-project">New project</label>
      <input id="new-project" value={name} onChange={(e) => setName(e.target.value)} placeholder="name" maxLength={LIMITS.projectName} />
      <button type="submit" className="primary" disabled={!name.trim() || create.isPending}>
        Create project
      </button>
    </form>
  );
}

function ProjectRow({ project }: { project: Project }) {
  const [renaming, setRenaming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [newName, setNewName] = useState(project.name);
  const client = useQueryClient();
  const keys = useQuery(keysQuery(project.name));
  const url = `/projects/${encodeURIComponent(project.name)}`;
  const rename = useMutation({
    mutationFn: () => api.renameProject(project.name, newName.trim()),
    meta: { what: "Renaming the project" },
    onSuccess: () => {
      setRenaming(false);
      void client.invalidateQueries({ queryKey: ["projects"] });
    },
  });
  const remove = useMutation({
    mutationFn: () => api.deleteProject(project.name),
    meta: { what: "Deleting the project" },
    onSuccess: () => {
      setDeleting(false);
      showToast({ kind: "success", title: "Project deleted", message: project.name });
      void client.invalidateQueries({ queryKey: ["projects"] });
    },
  });
  const tags = keys.data?.tags ?? [];
  const mayRename = gate(project.role, "owner", "rename the project");
  const mayDelete = gate(project.role, "owner", "delete the project");
  return (
    <li className="project-row panel" data-testid="project-row" data-project={project.name}>
      <div className="project-main">
        {renaming ? (
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              if (newName.trim()) rename.mutate();
            }}
          >
            <label htmlFor={`rename-${project.name}`} className="sr-only">
              New name for {project.name}
            </label>
            <input id={`rename-${project.name}`} value={newName} onChange={(e) => setNewName(e.target.value)} maxLength={LIMITS.projectName} autoFocus />
            <button type="submit" className="primary" disabled={!newName.trim() || rename.isPending}>
              Save
            </button>
            <button
              type="button"
              onClick={() => {
                setRenaming(false);
                setNewName(project.name);
              }}
            >
              Cancel
            </button>
          </form>
        ) : (
          <Link to={url} className="project-name" title={project.name}>
            {project.name}
          </Link>
        )}
        <p className="soft project-desc" data-testid="project-summary">
          {markdownSummary(project.description) || "No description"}
        </p>
        <div className="row">
          {JOB_STATUSES.filter((s) => project.job_counts[s]).map((status) => (
            <span key={status} className="row" style={{ gap: 4 }}>
              <StatusBadge status={status} /> <span className="num">{project.job_counts[status]}</span>
            </span>
          ))}
          {project.job_count === 0 ? <span className="soft">no jobs</span> : null}
        </div>
        {tags.length ? (
          <div className="project-tags" aria-label="Tags in use">
            {tags.slice(0, 8).map((tag) => (
              <span key={tag} className="tag" title={tag}>
                {tag}
              </span>
            ))}
            {tags.length > 8 ? <span className="soft">+{tags.length - 8} more</span> : null}
          </div>
        ) : null}
      </div>
      <div className="project-side">
        <div className="num">
          <strong>{project.job_count}</strong> <span className="soft">jobs</span>
        </div>
        <div className="soft">
          active <TimeText iso={project.last_activity ?? project.created_at} />
        </div>
        <div className="row" style={{ justifyContent: "flex-end" }}>
          <button type="button" onClick={() => setRenaming(true)} aria-label={`Rename project ${project.name}`} disabled={mayRename.disabled} title={mayRename.reason}>
            Rename
          </button>
          <button type="button" className="danger" onClick={() => setDeleting(true)} aria-label={`Delete project ${project.name}`} disabled={mayDelete.disabled} title={mayDelete.reason}>
            Delete
          </button>
        </div>
      </div>
      <ConfirmDialog
        open={deleting}
        title={`Delete project “${project.name}”?`}
        confirmLabel="Delete project"
        danger
        busy={remove.isPending}
        onConfirm={() => remove.mutate()}
        onCancel={() => setDeleting(false)}
      >
        <p>
          This deletes the project, its description and notes, and its <strong>{project.job_count}</strong> job
          {project.job_count === 1 ? "" : "s"} with all their params, metrics, logs and artifacts. It cannot be undone.
        </p>
      </ConfirmDialog>
    </li>
  );
}

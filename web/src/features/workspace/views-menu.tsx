// The saved views of a project: load, save as, update, rename, delete, make default, reset
// to default; a "modified" mark while the page differs from the view it started from. A
// project opened with no state in its URL shows its default view.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useSearchParams } from "react-router-dom";
import { Popover } from "../../components/popover";
import { LIMITS } from "../../lib/api/limits.gen";
import { ApiError } from "../../lib/api/client";
import * as api from "../../lib/api/endpoints";
import { viewsQuery } from "../../lib/api/queries";
import type { SavedView } from "../../lib/api/types";
import { gate } from "../../lib/roles";
import { showToast } from "../../lib/toast-store";
import { useProjectRole } from "../../lib/use-project-role";
import { hasNoState, isModified, namedView, stateToView, viewParams } from "./saved-views";
import { decodeView } from "./use-view";
import { DEFAULT_VIEW, type ViewState } from "./view";

export function ViewsMenu({ project }: { project: string }) {
  const [params, setParams] = useSearchParams();
  const views = useQuery(viewsQuery(project));
  const role = useProjectRole(project);
  const write = gate(role, "editor", "save views");
  const client = useQueryClient();
  const items = views.data?.items ?? [];
  const currentId = params.get("view");
  const current = items.find((v) => v.id === currentId) ?? null;
  const view = decodeView(params);
  const modified = current !== null && isModified(view, current.state);
  const fallback = items.find((v) => v.is_default) ?? null;

  const load = (target: SavedView | null, push = true) => {
    const state = target ? stateToView(target.state) : DEFAULT_VIEW;
    setParams((now) => viewParams(state, target?.id ?? null, now), { replace: !push });
  };

  // A link naming only a view (`?view=<id>`) shows that view; a project opened with no
  // state in the URL shows its default view (once per visit).
  const applied = useRef(false);
  const paramsKey = params.toString();
  useEffect(() => {
    if (!views.data) return;
    const named = namedView(params, items);
    if (named) load(named, false);
    else if (!applied.current && fallback && hasNoState(params)) load(fallback, false);
    applied.current = true;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [views.data, paramsKey]);

  const refresh = () => client.invalidateQueries({ queryKey: ["views", project] });
  const create = useMutation({
    mutationFn: (name: string) => api.createView(project, { name, state: view as unknown as object }),
    onSuccess: (saved) => {
      refresh();
      setParams((now) => {
        const next = new URLSearchParams(now);
        next.set("view", saved.id);
        return next;
      });
      showToast({ kind: "success", title: "View saved", message: `“${saved.name}” is saved for everyone in ${project}` });
    },
  });
  const update = useMutation({
    mutationFn: ({ id, change }: { id: string; change: { name?: string; state?: object; is_default?: boolean } }) => api.updateView(id, change),
    onSuccess: () => refresh(),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.deleteView(id),
    onSuccess: (_done, id) => {
      refresh();
      if (id === currentId) {
        setParams((now) => {
          const next = new URLSearchParams(now);
          next.delete("view");
          return next;
        });
      }
    },
  });

  return (
    <span className="views-menu">
      <Popover label={current ? `View: ${current.name}` : "Views"} testId="views-menu" align="right" title="Saved views of this project">
        {(close) => (
          <ViewsPanel
            items={items}
            loading={views.isPending}
            current={current}
            modified={modified}
            write={write}
            view={view}
            error={create.error ?? update.error ?? remove.error}
            busy={create.isPending || update.isPending || remove.isPending}
            onLoad={(target) => {
              load(target);
              close();
            }}
            onReset={() => {
              load(fallback);
              close();
            }}
            onCreate={(name) => create.mutate(name)}
            onUpdate={(id, change) => update.mutate({ id, change })}
            onDelete={(id) => remove.mutate(id)}
          />
        )}
      </Popover>
      {modified ? (
        <span className="modified-mark" data-testid="view-modified" title={`The page differs from the saved view “${current?.name}”`}>
          modified
        </span>
      ) : null}
    </span>
  );
}

interface ViewsPanelProps {
  items: SavedView[];
  loading: boolean;
  current: SavedView | null;
  modified: boolean;
  write: { disabled: boolean; reason: string | undefined };
  view: ViewState;
  error: unknown;
  busy: boolean;
  onLoad: (view: SavedView) => void;
  onReset: () => void;
  onCreate: (name: string) => void;
  onUpdate: (id: string, change: { name?: string; state?: object; is_default?: boolean }) => void;
  onDelete: (id: string) => void;
}

function ViewsPanel(props: ViewsPanelProps) {
  const [name, setName] = useState("");
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null);
  const { write } = props;
  const errorText = props.error instanceof ApiError ? (props.error.code === "view_exists" ? "A view of that name exists already in this project." : props.error.message) : null;
  return (
    <div className="panel-edit" data-testid="views-panel">
      {props.loading ? <p className="soft">Loading views…</p> : null}
      {!props.loading && props.items.length === 0 ? <p className="soft">No saved views yet. Save this page's table and charts under a name to share them.</p> : null}
      <ul className="views-list" aria-label="Saved views" hidden={props.items.length === 0}>
        {props.items.map((item) => (
          <li key={item.id} data-testid="saved-view" data-view-id={item.id}>
            {renaming?.id === item.id ? (
              <form
                className="row name"
                onSubmit={(e) => {
                  e.preventDefault();
                  if (renaming.name.trim()) props.onUpdate(item.id, { name: renaming.name.trim() });
                  setRenaming(null);
                }}
              >
                <input aria-label={`New name of ${item.name}`} value={renaming.name} maxLength={LIMITS.viewName} autoFocus onChange={(e) => setRenaming({ id: item.id, name: e.target.value })} />
                <button type="submit">Rename</button>
              </form>
            ) : (
              <button type="button" className="link name" onClick={() => props.onLoad(item)} title={`Load “${item.name}” (saved by ${item.updated_by ?? item.created_by ?? "someone"})`}>
                {item.name}
                {item.id === props.current?.id ? " ✓" : ""}
              </button>
            )}
            {item.is_default ? <span className="chip">default</span> : null}
            <button type="button" className="link" disabled={write.disabled} title={write.reason ?? "Rename"} onClick={() => setRenaming({ id: item.id, name: item.name })} aria-label={`Rename ${item.name}`}>
              rename
            </button>
            {!item.is_default ? (
              <button type="button" className="link" disabled={write.disabled} title={write.reason ?? "Open this view when the project opens"} onClick={() => props.onUpdate(item.id, { is_default: true })} aria-label={`Make ${item.name} the default`}>
                make default
              </button>
            ) : null}
            <button type="button" className="link danger" disabled={write.disabled} title={write.reason ?? "Delete this view"} onClick={() => props.onDelete(item.id)} aria-label={`Delete ${item.name}`}>
              delete
            </button>
          </li>
        ))}
      </ul>
      {props.current ? (
        <button type="button" disabled={write.disabled || !props.modified || props.busy} title={write.reason ?? (props.modified ? `Save this page as “${props.current.name}”` : "No change to save")} onClick={() => props.current && props.onUpdate(props.current.id, { state: props.view as unknown as object })}>
          Update “{props.current.name}”
        </button>
      ) : null}
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) props.onCreate(name.trim());
          setName("");
        }}
      >
        <input aria-label="New view name" placeholder="name of a new view" value={name} maxLength={LIMITS.viewName} disabled={write.disabled} onChange={(e) => setName(e.target.value)} />
        <button type="submit" className="primary" disabled={write.disabled || !name.trim() || props.busy} title={write.reason}>
          Save as
        </button>
      </form>
      {write.reason ? <p className="soft">{write.reason}</p> : null}
      {errorText ? (
        <p className="ws-error" role="alert">
          {errorText}
        </p>
      ) : null}
      <button type="button" className="link" onClick={props.onReset} title="The project's default view, or the plain table and one chart per metric">
        Reset to default
      </button>
    </div>
  );
}

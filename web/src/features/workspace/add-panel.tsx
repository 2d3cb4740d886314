// "Add panel": pick a kind, set it up with the kind's own form, add it to the workspace.
import { useQueries, useQuery } from "@tanstack/react-query";
import { useMemo, useState, type JSX } from "react";
import { Popover } from "../../components/popover";
import { keysQuery, mediaQuery } from "../../lib/api/queries";
import type { WorkspaceJob } from "./panel-types";
import type { EditorProps, MediaChoice, PanelSources } from "./panels/kind";
import { panelKinds } from "./panels/registry";
import { newPanelId } from "./model";
import type { PanelKind, PanelSpec } from "./view";

export function AddPanel({ project, jobs, panels, onAdd }: { project: string; jobs: WorkspaceJob[]; panels: readonly PanelSpec[]; onAdd: (panel: PanelSpec) => void }) {
  return (
    <Popover label="+ Add panel" testId="add-panel" align="right">
      {(close) => (
        <AddPanelForm
          project={project}
          jobs={jobs}
          panels={panels}
          onAdd={(panel) => {
            onAdd(panel);
            close();
          }}
        />
      )}
    </Popover>
  );
}

function AddPanelForm({ project, jobs, panels, onAdd }: { project: string; jobs: WorkspaceJob[]; panels: readonly PanelSpec[]; onAdd: (panel: PanelSpec) => void }) {
  const keys = useQuery(keysQuery(project));
  const media = useQueries({ queries: jobs.map((job) => mediaQuery(job.id, false)) });
  const mediaStamp = media.map((m) => m.dataUpdatedAt).join(",");
  const sources: PanelSources = useMemo(() => {
    const seen = new Map<string, MediaChoice>();
    for (const answer of media) for (const item of answer.data?.items ?? []) if (!seen.has(item.key)) seen.set(item.key, { key: item.key, path: item.path, kind: item.kind });
    return { keys: keys.data ?? { params: [], metrics: [], tags: [] }, media: [...seen.values()] };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [keys.data, mediaStamp]);
  const kinds = panelKinds().filter((def) => def.defaults(sources) !== null);
  const [draft, setDraft] = useState<PanelSpec | null>(null);
  const pick = (kind: PanelKind) => {
    const def = kinds.find((k) => k.kind === kind);
    const settings = def?.defaults(sources);
    if (!def || !settings) return setDraft(null);
    setDraft({ id: newPanelId(panels, kind), kind, section: null, w: 1, h: 1, title: null, settings } as PanelSpec);
  };
  const def = draft ? kinds.find((k) => k.kind === draft.kind) : undefined;
  const Editor = def?.Editor as ((props: EditorProps<PanelKind>) => JSX.Element) | undefined;
  if (!keys.data) return <p className="soft">Loading the project's keys…</p>;
  if (kinds.length === 0) return <p className="soft">This project has nothing to chart yet.</p>;
  return (
    <form
      className="panel-edit"
      data-testid="add-panel-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (draft) onAdd(draft);
      }}
    >
      <div className="row" role="radiogroup" aria-label="Panel kind">
        {kinds.map((k) => (
          <button key={k.kind} type="button" role="radio" aria-checked={draft?.kind === k.kind} onClick={() => pick(k.kind)}>
            {k.label}
          </button>
        ))}
      </div>
      {draft && Editor ? <Editor panel={draft} project={project} jobs={jobs} onChange={(settings) => setDraft({ ...draft, settings } as PanelSpec)} /> : <p className="soft">Pick a kind of panel.</p>}
      <div className="row" style={{ justifyContent: "flex-end" }}>
        <button type="submit" className="primary" disabled={!draft}>
          Add
        </button>
      </div>
    </form>
  );
}

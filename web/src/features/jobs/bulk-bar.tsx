import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router-dom";
import * as api from "../../lib/api/endpoints";
import { LIMITS } from "../../lib/api/limits.gen";
import { gate } from "../../lib/roles";
import { showError, showToast } from "../../lib/toast-store";
import { ConfirmDialog } from "../../components/confirm-dialog";
import { TensorBoardLink } from "../../components/tensorboard-link";
import { Popover } from "../../components/popover";
import { useProjectRole } from "../../lib/use-project-role";

const MAX_COMPARE = 100;

/** Runs one call per job; reports how many worked and shows each failure. */
async function forEach(ids: readonly string[], what: string, call: (id: string) => Promise<unknown>): Promise<number> {
  const results = await Promise.allSettled(ids.map(call));
  let done = 0;
  results.forEach((result, i) => {
    if (result.status === "fulfilled") done += 1;
    else showError(result.reason, `${what} job ${ids[i]} failed`);
  });
  return done;
}

/** The selected jobs in the order the charts colour them: the visible ones in their visible
 * order, then the others in the order they were selected. */
export function compareOrder(selected: readonly string[], visible: readonly string[]): string[] {
  const chosen = new Set(selected);
  const shown = new Set(visible);
  return [...visible.filter((id) => chosen.has(id)), ...selected.filter((id) => !shown.has(id))];
}

/** The action bar raised by selecting jobs: compare (in the charts' order, `visible`, so the
 * colours match), TensorBoard, tag, stop, delete. */
export function BulkBar({ project, selected, visible = [], onClear }: { project: string; selected: string[]; visible?: readonly string[]; onClear: () => void }) {
  const client = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [tagKey, setTagKey] = useState("");
  const [tagValue, setTagValue] = useState("");
  const role = useProjectRole(project);
  const mayTag = gate(role, "editor", "tag jobs");
  const mayStop = gate(role, "editor", "cancel jobs");
  const mayDelete = gate(role, "editor", "delete jobs");
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ["jobs", project] });
    void client.invalidateQueries({ queryKey: ["project", project] });
    void client.invalidateQueries({ queryKey: ["keys", project] });
  };
  const stop = useMutation({
    mutationFn: () => forEach(selected, "Stopping", api.cancelJob),
    onSuccess: (done) => {
      if (done) showToast({ kind: "success", title: "Stopping", message: `${done} job${done === 1 ? "" : "s"} asked to stop` });
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: () => forEach(selected, "Deleting", api.deleteJob),
    onSuccess: (done) => {
      setConfirming(false);
      showToast({ kind: "success", title: "Deleted", message: `${done} job${done === 1 ? "" : "s"} deleted` });
      onClear();
      refresh();
    },
  });
  const tag = useMutation({
    mutationFn: () => forEach(selected, "Tagging", (id) => api.putTags(id, { [tagKey.trim()]: tagValue })),
    onSuccess: (done) => {
      showToast({ kind: "success", title: "Tagged", message: `${done} job${done === 1 ? "" : "s"} tagged ${tagKey}` });
      refresh();
    },
  });
  const compareIds = compareOrder(selected, visible).slice(0, MAX_COMPARE);
  return (
    <div className="bulk-bar" role="toolbar" aria-label="Selected jobs" data-testid="bulk-bar">
      <strong>{selected.length} selected</strong>
      {selected.length >= 2 ? (
        <Link className="button-link primary" to={`/compare?jobs=${compareIds.join(",")}`}>
          Compare{selected.length > MAX_COMPARE ? ` first ${MAX_COMPARE}` : ""}
        </Link>
      ) : (
        <span className="soft">select 2 or more to compare</span>
      )}
      <TensorBoardLink jobIds={selected} />
      <Popover label="Tag" ariaLabel="Tag selected jobs" align="left" disabled={mayTag.disabled} title={mayTag.reason}>
        {(close) => (
          <form
            className="filter-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (!tagKey.trim()) return;
              tag.mutate();
              close();
            }}
          >
            <label>
              Tag <input value={tagKey} onChange={(e) => setTagKey(e.target.value)} maxLength={LIMITS.tagKey} autoFocus />
            </label>
            <label>
              Value <input value={tagValue} onChange={(e) => setTagValue(e.target.value)} />
            </label>
            <button type="submit" className="primary" disabled={!tagKey.trim()}>
              Tag {selected.length} jobs
            </button>
          </form>
        )}
      </Popover>
      <button type="button" onClick={() => stop.mutate()} disabled={mayStop.disabled || stop.isPending} title={mayStop.reason}>
        Stop
      </button>
      <button type="button" className="danger" onClick={() => setConfirming(true)} disabled={mayDelete.disabled} title={mayDelete.reason}>
        Delete
      </button>
      <span className="spacer" />
      <button type="button" className="link" onClick={onClear}>
        Clear selection
      </button>
      <ConfirmDialog
        open={confirming}
        title={`Delete ${selected.length} job${selected.length === 1 ? "" : "s"}?`}
        confirmLabel={`Delete ${selected.length} job${selected.length === 1 ? "" : "s"}`}
        danger
        busy={remove.isPending}
        onConfirm={() => remove.mutate()}
        onCancel={() => setConfirming(false)}
      >
        <p>
          This deletes {selected.length === 1 ? "this job" : "these jobs"} with their params, tags, metrics, logs and artifacts. It cannot be undone.
        </p>
      </ConfirmDialog>
    </div>
  );
}

// The jobs the charts show, with their colours: the first rows of the table's sort and
// filter less hidden plus shown ones (model.ts), each coloured by its place in that list.
import { useQueries } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { isLive, jobQuery } from "../../lib/api/queries";
import type { Job } from "../../lib/api/types";
import { styleFor } from "../../lib/palette";
import { valueStore, type ValueStore } from "../../lib/value-store";
import { toggleVisible, visibleJobIds } from "./model";
import type { RowVisual, WorkspaceJob } from "./panel-types";
import type { ViewState } from "./view";

function toWorkspaceJob(job: Job, index: number): WorkspaceJob {
  const style = styleFor(index);
  const started = job.started_at ?? job.created_at;
  return { id: job.id, name: job.name || job.id, color: style.color, dash: style.dash, t0: started ? Date.parse(started) / 1000 : null, live: isLive(job), status: job.status };
}

/** The visible jobs (`head`: the table's first rows, loaded), the table rows' visual and
 * the store of the hovered job (the charts and the rows follow it themselves: a hover
 * re-renders neither the page nor the table). */
export function useWorkspaceJobs(
  view: ViewState,
  patch: (changes: Partial<ViewState>, push?: boolean) => void,
  head: readonly Job[] | undefined,
): { jobs: WorkspaceJob[]; rowVisual: Required<RowVisual>; highlight: ValueStore<string | null> } {
  const [store] = useState(() => valueStore<string | null>(null));
  // (rows moving under a still pointer while the table scrolls take no hover: jobs-table)
  const onHover = store.set;
  // Keyed on the first rows' ids: a refetch or a new page of rows with the same first rows
  // changes nothing here (nor in the charts).
  const firstKey = (head ?? []).slice(0, Math.max(0, view.visibleCount)).map((job) => job.id).join("\u0000");
  const headIds = useMemo(() => (firstKey ? firstKey.split("\u0000") : []), [firstKey]);
  const wanted = useMemo(() => visibleJobIds(headIds, view), [headIds, view.visibleCount, view.hide, view.show]); // eslint-disable-line react-hooks/exhaustive-deps
  const known = useMemo(() => new Map((head ?? []).map((job) => [job.id, job])), [head]);
  const extra = wanted.filter((id) => !known.has(id));
  const fetched = useQueries({ queries: extra.map((id) => jobQuery(id)) });
  // A shown job that cannot be read (deleted) takes no colour: the colours count the jobs the
  // charts and "Compare visible" have, so the compare page gives each the same one.
  const gone = extra.filter((_, i) => fetched[i]?.isError).join(",");
  const ids = useMemo(() => (gone ? wanted.filter((id) => !gone.split(",").includes(id)) : wanted), [wanted, gone]);
  const stamp = fetched.map((r) => r.dataUpdatedAt).join(",");
  const jobs = useMemo(() => {
    const byId = new Map(known);
    for (const answer of fetched) if (answer.data) byId.set(answer.data.id, answer.data);
    const out: WorkspaceJob[] = [];
    ids.forEach((id, i) => {
      const job = byId.get(id);
      if (job) out.push(toWorkspaceJob(job, i));
    });
    return out;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ids, known, stamp]);
  // Same identity while the same jobs show (the charts redraw only on a real change).
  const jobsKey = jobs.map((j) => `${j.id}|${j.name}|${j.status}|${j.color}`).join(",");
  const stableJobs = useMemo(() => jobs, [jobsKey]); // eslint-disable-line react-hooks/exhaustive-deps

  const firstRows = useMemo(() => new Set(headIds.slice(0, view.visibleCount)), [headIds, view.visibleCount]);
  const rowVisual = useMemo<Required<RowVisual>>(() => {
    const colors = new Map(ids.map((id, i) => [id, styleFor(i).color]));
    return {
      colorOf: (id) => colors.get(id) ?? null,
      toggle: (id) => patch(toggleVisible(view, id, colors.has(id), firstRows.has(id)), true),
      highlight: store,
      onHover,
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ids, firstRows, view.hide, view.show, store, onHover, patch]);
  return { jobs: stableJobs, rowVisual, highlight: store };
}

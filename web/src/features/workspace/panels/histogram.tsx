import { useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useState } from "react";
import { Link } from "react-router-dom";
import { versionsQuery } from "../../../lib/api/queries";
import { HistogramSteps } from "../../../components/histogram-steps";
import { Loading } from "../../../components/states";
import type { PanelProps, WorkspaceJob } from "../panel-types";
import type { HistogramSettings } from "../view";
import type { EditorProps, PanelKindDef } from "./kind";
import { findOption, type MediaOption } from "./media-model";
import { useLatest } from "./use-latest";
import { useMediaOptions } from "./use-media";
import "./panels.css";

/** Steps of each job's histogram drawn (spread over its steps): a panel shows several jobs. */
const PANEL_STEPS = 20;
const HISTOGRAMS: ReadonlySet<string> = new Set(["histogram"]);

/** A histogram key over steps for each visible job that logged it, as ridges or a heat map,
 * one chart per job under its name and colour. */
function HistogramPanel({ panel, jobs, height, onDrawn }: PanelProps<"histogram">) {
  const s = panel.settings;
  const { options, loaded } = useMediaOptions(jobs);
  const option = findOption(options, s.key, HISTOGRAMS);
  const holders = jobs.filter((j) => option?.steps.has(j.id));
  const [done, setDone] = useState<ReadonlySet<string>>(new Set());
  const onLoaded = useCallback((id: string, ok: boolean) => setDone((d) => (d.has(id) === ok ? d : ok ? new Set([...d, id]) : new Set([...d].filter((x) => x !== id)))), []);
  const drawn = useLatest(onDrawn);
  const all = loaded && holders.every((j) => done.has(j.id));
  useEffect(() => drawn.current(all), [all, drawn]);

  if (!loaded) return <Loading what="Loading the jobs' media" />;
  if (!option) return <p className="soft">None of the visible jobs logged a histogram under {s.key || "this key"}.</p>;
  return (
    <div className="histogram-panel-body" style={{ maxHeight: height, overflow: "auto" }}>
      {holders.map((job) => (
        <JobHistogram key={job.id} job={job} option={option} mode={s.mode} onLoaded={onLoaded} />
      ))}
    </div>
  );
}

function JobHistogram({ job, option, mode, onLoaded }: { job: WorkspaceJob; option: MediaOption; mode: HistogramSettings["mode"]; onLoaded: (id: string, ok: boolean) => void }) {
  const steps = option.steps.get(job.id) ?? [];
  const versions = useQuery(versionsQuery(job.id, option.path, steps[steps.length - 1] ?? null));
  const loadedHere = useCallback((ok: boolean) => onLoaded(job.id, ok), [onLoaded, job.id]);
  return (
    <section className="workspace-histogram" data-testid="histogram-job" aria-label={`${option.key} of ${job.name || job.id}`}>
      <div className="row">
        <span className="swatch" style={{ background: job.color }} />
        <Link to={`/jobs/${job.id}/media`}>{job.name || job.id}</Link>
      </div>
      <HistogramSteps
        jobId={job.id}
        media={{ key: option.key, path: option.path, steps }}
        versions={versions.isPending ? undefined : (versions.data?.items ?? [])}
        mode={mode === "heatmap" ? "heat" : "ridge"}
        maxSteps={PANEL_STEPS}
        label={`${option.key} of ${job.name || job.id}`}
        onLoaded={loadedHere}
      />
    </section>
  );
}

function HistogramEditor({ panel, jobs, onChange }: EditorProps<"histogram">) {
  const { options } = useMediaOptions(jobs);
  const keys = [...new Set(options.filter((o) => HISTOGRAMS.has(o.kind)).map((o) => o.key))];
  const s = panel.settings;
  const set = (patch: Partial<HistogramSettings>) => onChange({ ...s, ...patch });
  return (
    <div className="panel-editor">
      <label className="field-select">
        <span>Histogram key</span>
        <select value={s.key} onChange={(e) => set({ key: e.target.value })}>
          {!keys.includes(s.key) ? <option value={s.key}>{s.key || "(none)"} (no visible job has it)</option> : null}
          {keys.map((key) => (
            <option key={key}>{key}</option>
          ))}
        </select>
      </label>
      <span className="segmented" role="radiogroup" aria-label="View">
        {(["ridges", "heatmap"] as const).map((mode) => (
          <label key={mode} className="check">
            <input type="radio" name={`histogram-mode-${panel.id}`} checked={s.mode === mode} onChange={() => set({ mode })} /> {mode === "ridges" ? "Ridges" : "Heat map"}
          </label>
        ))}
      </span>
    </div>
  );
}

export const histogramKind: PanelKindDef<"histogram"> = {
  kind: "histogram",
  label: "Histogram over steps",
  Panel: HistogramPanel,
  Editor: HistogramEditor,
  defaults: ({ media }) => {
    const first = media.find((m) => HISTOGRAMS.has(m.kind));
    return first ? { key: first.key, mode: "ridges" } : null;
  },
};

import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo } from "react";
import { Link } from "react-router-dom";
import * as api from "../../../lib/api/endpoints";
import { chosenStep, stepAtOrBefore, unionSteps } from "../../../lib/media-steps";
import { MediaView } from "../../../components/media-view";
import { ErrorPanel, Loading } from "../../../components/states";
import { StepSlider } from "../../../components/step-slider";
import type { PanelProps } from "../panel-types";
import type { EditorProps, PanelKindDef } from "./kind";
import { findOption, PICTURE_KINDS, stepNote } from "./media-model";
import { useLatest } from "./use-latest";
import { useMediaOptions } from "./use-media";
import "./panels.css";

/** One image key across the visible jobs at one step: a cell per job in its colour, a step
 * slider over every job's steps; a job without that step shows its latest before it. */
function MediaPanel({ panel, project, jobs, height, onChange, onDrawn }: PanelProps<"media">) {
  const s = panel.settings;
  const { options, loaded } = useMediaOptions(jobs);
  const option = findOption(options, s.key, PICTURE_KINDS);
  const steps = useMemo(() => unionSteps(option ? [...option.steps.values()] : []), [option]);
  const step = chosenStep(steps, s.step === null ? "" : String(s.step));
  const ids = jobs.filter((j) => option?.steps.has(j.id)).map((j) => j.id);
  const cells = useQuery({
    queryKey: ["compare-media", project, option?.path, ids, step],
    queryFn: ({ signal }) => api.compareMedia(project, option?.path ?? "", ids, step, signal),
    enabled: option !== null && ids.length > 0,
    staleTime: 30_000,
    placeholderData: (previous) => previous,
    meta: { what: "Loading media" },
  });
  const versions = useMemo(() => new Map((cells.data?.items ?? []).map((cell) => [cell.job_id, cell.version])), [cells.data]);
  const done = loaded && (option === null || ids.length === 0 || cells.data !== undefined);
  const drawn = useLatest(onDrawn);
  useEffect(() => drawn.current(done), [done, versions, drawn]);

  if (!loaded) return <Loading what="Loading the jobs' media" />;
  if (!option) return <p className="soft">None of the visible jobs logged images under {s.key || "this key"}. Choose another key in the panel's settings.</p>;
  return (
    <div className="media-panel-body" style={{ maxHeight: height, overflow: "auto" }}>
      <StepSlider steps={steps} value={step} onChange={(next) => onChange({ ...s, step: next === steps[steps.length - 1] ? null : next })} />
      {cells.isError ? <ErrorPanel error={cells.error} title={`Could not load ${s.key}`} /> : null}
      <div className="workspace-media-grid">
        {jobs.map((job) => {
          const own = option.steps.get(job.id);
          const version = versions.get(job.id);
          const shown = own && step !== null ? stepAtOrBefore(own, step) : null;
          return (
            <figure key={job.id} className="workspace-media-cell" data-testid="media-cell" aria-label={`${s.key} of ${job.name || job.id}`}>
              <figcaption>
                <span className="swatch" style={{ background: job.color }} />
                <Link to={`/jobs/${job.id}/media`} title={job.name || job.id}>
                  {job.name || job.id}
                </Link>{" "}
                <span className="soft">{stepNote(own, step, shown, s.key)}</span>
              </figcaption>
              {version ? <MediaView jobId={job.id} version={version} label={`${s.key} of ${job.name || job.id} at step ${version.step}`} /> : null}
            </figure>
          );
        })}
      </div>
    </div>
  );
}

function MediaEditor({ panel, jobs, onChange }: EditorProps<"media">) {
  const { options } = useMediaOptions(jobs);
  const keys = options.filter((o) => PICTURE_KINDS.has(o.kind)).map((o) => o.key);
  const s = panel.settings;
  return (
    <div className="panel-editor">
      <label className="field-select">
        <span>Image key</span>
        <select value={s.key} onChange={(e) => onChange({ key: e.target.value, step: null })}>
          {!keys.includes(s.key) ? <option value={s.key}>{s.key || "(none)"} (no visible job has it)</option> : null}
          {[...new Set(keys)].map((key) => (
            <option key={key}>{key}</option>
          ))}
        </select>
      </label>
    </div>
  );
}

export const mediaKind: PanelKindDef<"media"> = {
  kind: "media",
  label: "Images",
  Panel: MediaPanel,
  Editor: MediaEditor,
  defaults: ({ media }) => {
    const first = media.find((m) => PICTURE_KINDS.has(m.kind));
    return first ? { key: first.key, step: null } : null;
  },
};

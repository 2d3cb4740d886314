import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import * as api from "../../lib/api/endpoints";
import { isLive, mediaQuery, versionsQuery } from "../../lib/api/queries";
import type { Artifact, Job, MediaKey } from "../../lib/api/types";
import { chosenStep, sampleSteps } from "../../lib/media-steps";
import { useUrlParam } from "../../lib/url-state";
import { HistogramSteps } from "../../components/histogram-steps";
import { MediaView } from "../../components/media-view";
import { EmptyState, ErrorPanel, Loading } from "../../components/states";
import { StepSlider } from "../../components/step-slider";

/** Images shown across steps (thumbnails) beside the chosen one. */
const GRID_STEPS = 12;
/** Audio players listed beside the chosen step's. */
const AUDIO_STEPS = 8;

/** The order of the panels: pictures first, then sound, then numbers. */
const KIND_ORDER = ["image", "gif", "video", "audio", "table", "histogram"];

const KIND_NAMES: Record<string, string> = { image: "images", gif: "GIF", video: "video", audio: "audio", table: "table", histogram: "histogram" };

/** The job's media (atlas.log_image, log_audio, log_video, log_table, log_histogram): one
 * panel per key with a step slider (the latest step first), the chosen step's image, audio,
 * video or table, and a histogram's distribution over its steps. */
export function MediaTab({ job }: { job: Job }) {
  const media = useQuery(mediaQuery(job.id, isLive(job)));
  if (media.isPending) return <Loading what="Loading media" />;
  if (media.isError) return <ErrorPanel error={media.error} title="Could not load the job's media" />;
  const keys = [...media.data.items].sort((a, b) => rank(a) - rank(b) || a.key.localeCompare(b.key));
  if (keys.length === 0) {
    return (
      <EmptyState title="No media">
        <p>
          This job logged no images, audio, video, tables or histograms{isLive(job) ? " yet" : ""}. One line in the training loop makes some, kept at every step:
        </p>
        <pre>{`atlas.log_image("samples", image, step=step)`}</pre>
        <p className="soft">
          Also <code>atlas.log_audio</code>, <code>log_video</code>, <code>log_table</code> and <code>log_histogram</code>: see docs/media.md.
        </p>
      </EmptyState>
    );
  }
  return (
    <div className="media-tab">
      <nav className="row media-keys" aria-label="Media keys">
        {keys.map((m) => (
          <a key={m.path} href={`#media-${encodeURIComponent(m.key)}`}>
            {m.key} <span className="soft">{KIND_NAMES[m.kind] ?? m.kind}</span>
          </a>
        ))}
      </nav>
      {keys.map((m) => (
        <KeyPanel key={m.path} job={job} media={m} />
      ))}
    </div>
  );
}

function rank(media: MediaKey): number {
  const index = KIND_ORDER.indexOf(media.kind);
  return index < 0 ? KIND_ORDER.length : index;
}

function KeyPanel({ job, media }: { job: Job; media: MediaKey }) {
  const [stepText, setStep] = useUrlParam(`step:${media.key}`);
  const step = chosenStep(media.steps, stepText);
  const versions = useQuery(versionsQuery(job.id, media.path, media.last_step));
  const byStep = useMemo(() => new Map((versions.data?.items ?? []).map((v) => [v.step, v])), [versions.data]);
  const version = (at: number | null): Artifact =>
    byStep.get(at) ?? { path: media.path, step: at, kind: media.kind, mime: media.mime, size: 0, sha256: "", caption: at === media.last_step ? media.caption : null, created_at: "" };
  const label = (at: number | null) => (at === null ? media.key : `${media.key} at step ${at}`);
  const histogram = media.kind === "histogram";
  const [histogramMode] = useUrlParam(`view:${media.key}`, "ridge");
  return (
    <section className="panel media-panel" id={`media-${encodeURIComponent(media.key)}`} aria-label={`Media ${media.key}`} data-testid="media-panel">
      <div className="row">
        <h2 className="mono">{media.key}</h2>
        <span className="soft">
          {KIND_NAMES[media.kind] ?? media.kind} · {media.count ? `${media.count} step${media.count === 1 ? "" : "s"}` : "saved without a step"}
        </span>
        {histogram ? <HistogramModeSwitch mediaKey={media.key} /> : <StepSlider steps={media.steps} value={step} onChange={(s) => setStep(String(s))} />}
        <span className="spacer" />
        <a href={api.artifactUrl(job.id, media.path, step)} download>
          Download
        </a>
      </div>
      {versions.isError ? <ErrorPanel error={versions.error} title={`Could not load the steps of ${media.key}`} /> : null}
      {histogram ? (
        <HistogramSteps jobId={job.id} media={media} versions={versions.isPending ? undefined : (versions.data?.items ?? [])} mode={histogramMode === "heat" ? "heat" : "ridge"} />
      ) : (
        <>
          <div className={`media-main media-${media.kind}`}>
            <MediaView jobId={job.id} version={version(step)} label={label(step)} />
          </div>
          {(media.kind === "image" || media.kind === "gif") && media.steps.length > 1 ? (
            <StepGrid job={job} media={media} chosen={step} onChoose={(s) => setStep(String(s))} />
          ) : null}
          {media.kind === "audio" && media.steps.length > 1 ? <AudioSteps job={job} media={media} chosen={step} /> : null}
        </>
      )}
    </section>
  );
}

/** Thumbnails of the key at steps spread over all of them; a click shows that step. */
function StepGrid({ job, media, chosen, onChoose }: { job: Job; media: MediaKey; chosen: number | null; onChoose: (step: number) => void }) {
  const shown = sampleSteps(media.steps, GRID_STEPS, chosen);
  return (
    <div className="step-grid" role="group" aria-label={`${media.key} across steps`}>
      {shown.map((s) => (
        <button key={s} type="button" className={`step-thumb${s === chosen ? " chosen" : ""}`} aria-pressed={s === chosen} aria-label={`Show ${media.key} at step ${s}`} onClick={() => onChoose(s)}>
          <img src={api.artifactUrl(job.id, media.path, s)} alt="" loading="lazy" />
          <span className="mono">step {s}</span>
        </button>
      ))}
      {media.steps.length > shown.length ? <span className="soft">{media.steps.length - shown.length} more steps: use the slider</span> : null}
    </div>
  );
}

/** Players of the key's other steps (loaded only when played). */
function AudioSteps({ job, media, chosen }: { job: Job; media: MediaKey; chosen: number | null }) {
  const shown = sampleSteps(media.steps, AUDIO_STEPS + 1, chosen).filter((s) => s !== chosen);
  return (
    <ul className="audio-steps" aria-label={`${media.key} at other steps`}>
      {shown.map((s) => (
        <li key={s} className="audio-row">
          <span className="mono">step {s}</span>
          <audio src={api.artifactUrl(job.id, media.path, s)} controls preload="none" aria-label={`Audio ${media.key} at step ${s} (list)`} />
        </li>
      ))}
    </ul>
  );
}

function HistogramModeSwitch({ mediaKey }: { mediaKey: string }) {
  const [mode, setMode] = useUrlParam(`view:${mediaKey}`, "ridge");
  return (
    <span className="segmented" role="radiogroup" aria-label={`View of ${mediaKey}`}>
      {(["ridge", "heat"] as const).map((m) => (
        <label key={m} className="check">
          <input type="radio" name={`view-${mediaKey}`} checked={mode === m} onChange={() => setMode(m)} /> {m === "ridge" ? "Ridges" : "Heat map"}
        </label>
      ))}
    </span>
  );
}


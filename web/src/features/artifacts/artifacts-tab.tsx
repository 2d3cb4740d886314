import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import * as api from "../../lib/api/endpoints";
import { artifactsQuery, isLive } from "../../lib/api/queries";
import type { Artifact, Job } from "../../lib/api/types";
import { formatBytes, formatNumber } from "../../lib/format";
import { useUrlParam } from "../../lib/url-state";
import { EmptyState, ErrorPanel, Loading } from "../../components/states";
import { TimeText } from "../../components/time-text";
import { Waveform } from "../../components/waveform";
import { fileCount, folderTree, imageSeries, imagesAtStep, nameOf, parseDelimited, type Folder, type ImageSeries } from "./model";

const PREVIEW_BYTES = 256 * 1024;

/** Images with a step slider, audio, GIF and video inline, previews of text/JSON/CSV, and
 * every file in its folder with a download link. */
export function ArtifactsTab({ job }: { job: Job }) {
  const artifacts = useQuery(artifactsQuery(job.id, isLive(job)));
  const [preview, setPreview] = useUrlParam("file");
  const items = useMemo(() => artifacts.data?.items ?? [], [artifacts.data]);
  const series = useMemo(() => imageSeries(items), [items]);
  const media = items.filter((a) => a.kind === "gif" || a.kind === "video");
  const audio = items.filter((a) => a.kind === "audio");
  const tree = useMemo(() => folderTree(items), [items]);
  if (artifacts.isPending) return <Loading what="Loading artifacts" />;
  if (artifacts.isError) return <ErrorPanel error={artifacts.error} />;
  if (items.length === 0) {
    return (
      <EmptyState title="No artifacts">
        <p>Files a job saves show here: images, audio, video, text, tables and anything else.</p>
        <pre>{`atlas.save_artifact("samples/epoch-3.png", step=3)`}</pre>
      </EmptyState>
    );
  }
  const previewed = items.find((a) => a.path === preview);
  return (
    <div className="artifacts">
      {series.map((s) => (
        <Gallery key={s.folder} jobId={job.id} series={s} />
      ))}
      {media.length ? (
        <section className="panel" aria-labelledby="media-title">
          <h2 id="media-title">GIFs and video</h2>
          <div className="media-grid">
            {media.map((a) => (
              <figure key={a.path}>
                {a.kind === "gif" ? (
                  <img src={api.artifactUrl(job.id, a.path)} alt={a.path} loading="lazy" />
                ) : (
                  <video src={api.artifactUrl(job.id, a.path)} controls preload="metadata" aria-label={a.path} />
                )}
                <figcaption title={a.path}>{a.path}</figcaption>
              </figure>
            ))}
          </div>
        </section>
      ) : null}
      {audio.length ? (
        <section className="panel" aria-labelledby="audio-title">
          <h2 id="audio-title">Audio</h2>
          {audio.map((a) => (
            <div key={a.path} className="audio-row">
              <span className="mono" title={a.path}>
                {a.path}
                {a.step !== null ? <span className="soft"> · step {a.step}</span> : null}
              </span>
              <Waveform url={api.artifactUrl(job.id, a.path)} label={a.path} size={a.size} />
              <audio src={api.artifactUrl(job.id, a.path)} controls preload="metadata" aria-label={`Audio ${a.path}`} />
            </div>
          ))}
        </section>
      ) : null}
      <section className="panel" aria-labelledby="files-title">
        <h2 id="files-title">Files ({items.length})</h2>
        <table className="simple files-table" aria-labelledby="files-title">
          <thead>
            <tr>
              <th>path</th>
              <th>kind</th>
              <th className="num">size</th>
              <th className="num">step</th>
              <th>saved</th>
              <th>
                <span className="sr-only">actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            <FolderRows jobId={job.id} folder={tree} depth={0} onPreview={setPreview} />
          </tbody>
        </table>
      </section>
      {previewed ? <Preview jobId={job.id} artifact={previewed} onClose={() => setPreview("")} /> : null}
    </div>
  );
}

function Gallery({ jobId, series }: { jobId: string; series: ImageSeries }) {
  const param = `step:${series.folder}`;
  const [stepText, setStep] = useUrlParam(param);
  const last = series.steps[series.steps.length - 1] ?? null;
  const step = stepText === "" ? last : Number(stepText);
  const index = step === null ? -1 : Math.max(0, series.steps.findIndex((s) => s >= step));
  const shown = imagesAtStep(series, step);
  const title = series.folder || "Images";
  return (
    <section className="panel" aria-label={`Images ${title}`} data-testid="image-gallery">
      <div className="row">
        <h2>{title}</h2>
        {series.steps.length > 1 ? (
          <>
            <label htmlFor={`slider-${series.folder}`}>Step</label>
            <input
              id={`slider-${series.folder}`}
              type="range"
              min={0}
              max={series.steps.length - 1}
              value={index}
              onChange={(e) => setStep(String(series.steps[Number(e.target.value)] ?? ""))}
              aria-valuetext={`step ${series.steps[index]}`}
            />
            <span className="mono">{formatNumber(series.steps[index])}</span>
            <span className="soft">
              ({series.steps.length} steps, {formatNumber(series.steps[0])}–{formatNumber(last)})
            </span>
          </>
        ) : null}
      </div>
      <div className="gallery">
        {shown.map((image) => (
          <figure key={image.path}>
            <a href={api.artifactUrl(jobId, image.path)} target="_blank" rel="noreferrer">
              <img src={api.artifactUrl(jobId, image.path)} alt={image.path} loading="lazy" />
            </a>
            <figcaption title={image.path}>
              {nameOf(image.path)}
              {image.step !== null ? <span className="soft"> · step {image.step}</span> : null}
            </figcaption>
          </figure>
        ))}
      </div>
    </section>
  );
}

function FolderRows({ jobId, folder, depth, onPreview }: { jobId: string; folder: Folder; depth: number; onPreview: (path: string) => void }) {
  const [open, setOpen] = useState(depth < 1);
  return (
    <>
      {folder.path ? (
        <tr className="folder-row">
          <td colSpan={6} style={{ paddingLeft: 8 + (depth - 1) * 16 }}>
            <button type="button" className="link" aria-expanded={open} onClick={() => setOpen(!open)}>
              {open ? "▾" : "▸"} {nameOf(folder.path)}/
            </button>{" "}
            <span className="soft">{fileCount(folder)} files</span>
          </td>
        </tr>
      ) : null}
      {open || !folder.path
        ? [
            ...folder.folders.map((child) => <FolderRows key={child.path} jobId={jobId} folder={child} depth={depth + 1} onPreview={onPreview} />),
            ...folder.files.map((a) => (
              <tr key={a.path}>
                <td className="mono" style={{ paddingLeft: 8 + depth * 16 }} title={a.path}>
                  {nameOf(a.path)}
                </td>
                <td>{a.kind}</td>
                <td className="num">{formatBytes(a.size)}</td>
                <td className="num">{a.step ?? ""}</td>
                <td>
                  <TimeText iso={a.created_at} />
                </td>
                <td className="row" style={{ flexWrap: "nowrap" }}>
                  {a.kind === "text" || a.kind === "table" ? (
                    <button type="button" className="link" onClick={() => onPreview(a.path)} aria-label={`Preview ${a.path}`}>
                      Preview
                    </button>
                  ) : null}
                  <a href={api.artifactUrl(jobId, a.path)} download={nameOf(a.path)} aria-label={`Download ${a.path}`}>
                    Download
                  </a>
                </td>
              </tr>
            )),
          ]
        : null}
    </>
  );
}

function Preview({ jobId, artifact, onClose }: { jobId: string; artifact: Artifact; onClose: () => void }) {
  const text = useQuery({
    queryKey: ["artifact-text", jobId, artifact.path, artifact.sha256],
    queryFn: ({ signal }) => api.readArtifactText(jobId, artifact.path, PREVIEW_BYTES, signal),
    meta: { what: `Loading ${artifact.path}` },
  });
  return (
    <section className="panel preview" aria-label={`Preview of ${artifact.path}`} data-testid="artifact-preview">
      <div className="row">
        <h2 className="mono">{artifact.path}</h2>
        <span className="spacer" />
        <a href={api.artifactUrl(jobId, artifact.path)} download={nameOf(artifact.path)}>
          Download
        </a>
        <button type="button" onClick={onClose}>
          Close preview
        </button>
      </div>
      {text.isPending ? <Loading /> : null}
      {text.isError ? <ErrorPanel error={text.error} /> : null}
      {text.data ? <PreviewBody artifact={artifact} text={text.data.text} /> : null}
      {text.data?.truncated ? <p className="soft">Showing the first {formatBytes(PREVIEW_BYTES)}; download the file for all of it.</p> : null}
    </section>
  );
}

function PreviewBody({ artifact, text }: { artifact: Artifact; text: string }) {
  if (artifact.kind === "table") {
    const rows = parseDelimited(text, artifact.mime.includes("tab-separated") ? "\t" : ",");
    const [head, ...body] = rows;
    return (
      <div className="table-preview">
        <table className="simple">
          <thead>
            <tr>{head?.map((cell, i) => <th key={i}>{cell}</th>)}</tr>
          </thead>
          <tbody>
            {body.map((row, i) => (
              <tr key={i}>
                {row.map((cell, j) => (
                  <td key={j}>{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  }
  let shown = text;
  if (artifact.mime.includes("json") && !artifact.path.endsWith(".jsonl")) {
    try {
      shown = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      shown = text;
    }
  }
  return <pre className="text-preview">{shown}</pre>;
}

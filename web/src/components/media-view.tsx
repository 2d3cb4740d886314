import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import * as api from "../lib/api/endpoints";
import { artifactJsonQuery } from "../lib/api/queries";
import type { Artifact } from "../lib/api/types";
import { parseTable } from "../lib/data-table";
import { parseHistogram } from "../lib/histogram";
import { DataTableView } from "./data-table-view";
import { HistogramChart } from "./histogram-chart";
import { ErrorPanel, Loading } from "./states";
import { Waveform } from "./waveform";

/** One version (one step) of a media key, as its kind is shown: an image or GIF with its
 * caption, a video, an audio player with its waveform, a sortable paged table, or a
 * histogram. `label` names it for screen readers (`samples at step 3`). */
export function MediaView({ jobId, version, label, pageSize }: { jobId: string; version: Artifact; label: string; pageSize?: number }) {
  const url = api.artifactUrl(jobId, version.path, version.step);
  const caption = version.caption ? <figcaption className="caption">{version.caption}</figcaption> : null;
  switch (version.kind) {
    case "image":
    case "gif":
      return (
        <figure className="media-view">
          <a href={url} target="_blank" rel="noreferrer">
            <img src={url} alt={label} loading="lazy" />
          </a>
          {caption}
        </figure>
      );
    case "video":
      return (
        <figure className="media-view">
          <video src={url} controls preload="metadata" aria-label={label} />
          {caption}
        </figure>
      );
    case "audio":
      return (
        <figure className="media-view audio-view">
          <Waveform url={url} label={label} size={version.size} />
          <audio src={url} controls preload="metadata" aria-label={`Audio ${label}`} />
          {caption}
        </figure>
      );
    case "table":
    case "histogram":
      return <JsonMedia jobId={jobId} version={version} label={label} pageSize={pageSize} />;
    default:
      return (
        <a href={url} download>
          Download {label}
        </a>
      );
  }
}

function JsonMedia({ jobId, version, label, pageSize }: { jobId: string; version: Artifact; label: string; pageSize?: number }) {
  const body = useQuery(artifactJsonQuery(jobId, version.path, version.step, version.sha256));
  const parsed = useMemo(() => {
    if (body.data === undefined) return null;
    try {
      return version.kind === "table" ? { table: parseTable(body.data) } : { histogram: parseHistogram(body.data) };
    } catch (error) {
      return { error };
    }
  }, [body.data, version.kind]);
  if (body.isPending) return <Loading what={`Loading ${label}`} />;
  if (body.isError) return <ErrorPanel error={body.error} title={`Could not load ${label}`} />;
  if (!parsed || "error" in parsed) return <ErrorPanel error={parsed?.error} title={`${label} is not a ${version.kind} Atlas can show`} />;
  if ("table" in parsed && parsed.table) return <DataTableView data={parsed.table} label={label} pageSize={pageSize} />;
  if ("histogram" in parsed && parsed.histogram) return <HistogramChart steps={[{ step: version.step ?? 0, histogram: parsed.histogram }]} mode="ridge" label={label} />;
  return null;
}

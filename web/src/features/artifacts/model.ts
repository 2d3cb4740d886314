// Artifacts as the page shows them: image series by folder and step, folders, previews.
import type { Artifact } from "../../lib/api/types";

export interface ImageSeries {
  /** The folder the images are in ("" at the top). */
  folder: string;
  /** Distinct steps, ascending (empty when none of the images has a step). */
  steps: number[];
  images: Artifact[];
}

export function folderOf(path: string): string {
  const at = path.lastIndexOf("/");
  return at < 0 ? "" : path.slice(0, at);
}

export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Images (not GIFs) grouped by folder, each group with the steps it has. */
export function imageSeries(artifacts: readonly Artifact[]): ImageSeries[] {
  const groups = new Map<string, Artifact[]>();
  for (const artifact of artifacts) {
    if (artifact.kind !== "image") continue;
    const folder = folderOf(artifact.path);
    groups.set(folder, [...(groups.get(folder) ?? []), artifact]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([folder, images]) => ({
      folder,
      images,
      steps: [...new Set(images.map((i) => i.step).filter((s): s is number => s !== null && s !== undefined))].sort((a, b) => a - b),
    }));
}

/** The images of a series to show at `step`: those logged at the step nearest at or below
 * it (or every image without a step). */
export function imagesAtStep(series: ImageSeries, step: number | null): Artifact[] {
  if (series.steps.length === 0 || step === null) return series.steps.length === 0 ? series.images : series.images.filter((i) => i.step === series.steps[series.steps.length - 1]);
  const below = series.steps.filter((s) => s <= step);
  const chosen = below.length ? below[below.length - 1] : series.steps[0];
  return series.images.filter((i) => i.step === chosen || i.step === null);
}

export interface Folder {
  path: string;
  files: Artifact[];
  folders: Folder[];
}

/** The artifacts as a tree of folders. */
export function folderTree(artifacts: readonly Artifact[]): Folder {
  const root: Folder = { path: "", files: [], folders: [] };
  for (const artifact of artifacts) {
    const parts = artifact.path.split("/");
    let node = root;
    for (let i = 0; i < parts.length - 1; i += 1) {
      const path = parts.slice(0, i + 1).join("/");
      let child = node.folders.find((f) => f.path === path);
      if (!child) {
        child = { path, files: [], folders: [] };
        node.folders.push(child);
      }
      node = child;
    }
    node.files.push(artifact);
  }
  return root;
}

/** Counts the files under a folder, its subfolders included. */
export function fileCount(folder: Folder): number {
  return folder.files.length + folder.folders.reduce((n, f) => n + fileCount(f), 0);
}

/** Parses CSV or TSV text into rows (quoted fields with "" escapes), at most `limit` rows. */
export function parseDelimited(text: string, delimiter = ",", limit = 200): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length && rows.length < limit; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === delimiter) {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if ((field || row.length) && rows.length < limit) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

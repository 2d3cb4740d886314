import { describe, expect, it } from "vitest";
import type { Artifact } from "../../lib/api/types";
import { fileCount, folderTree, imageSeries, imagesAtStep, nameOf, parseDelimited } from "./model";

const art = (path: string, kind: string, step: number | null = null) => ({ path, kind, step, mime: "", size: 1, sha256: "", created_at: "" }) as unknown as Artifact;

describe("artifacts", () => {
  const items = [art("samples/a.png", "image", 0), art("samples/a.png.10", "image", 10), art("samples/b.png", "image", 20), art("top.png", "image"), art("anim.gif", "gif"), art("logs/x/y.txt", "text")];
  it("groups images by folder with their steps", () => {
    const series = imageSeries(items);
    expect(series.map((s) => s.folder)).toEqual(["", "samples"]);
    expect(series[1]?.steps).toEqual([0, 10, 20]);
  });
  it("shows the images at the nearest step at or below", () => {
    const samples = imageSeries(items)[1]!;
    expect(imagesAtStep(samples, 15).map((i) => i.path)).toEqual(["samples/a.png.10"]);
    expect(imagesAtStep(samples, -5).map((i) => i.path)).toEqual(["samples/a.png"]);
    expect(imagesAtStep(samples, null).map((i) => i.path)).toEqual(["samples/b.png"]);
    expect(imagesAtStep(imageSeries(items)[0]!, 3).map((i) => i.path)).toEqual(["top.png"]);
  });
  it("builds a folder tree", () => {
    const tree = folderTree(items);
    expect(tree.files.map((f) => f.path)).toEqual(["top.png", "anim.gif"]);
    expect(tree.folders.map((f) => f.path)).toEqual(["samples", "logs"]);
    expect(tree.folders[1]?.folders[0]?.path).toBe("logs/x");
    expect(fileCount(tree)).toBe(6);
    expect(nameOf("a/b/c.txt")).toBe("c.txt");
  });
  it("parses CSV with quotes", () => {
    expect(parseDelimited('a,b\n1,"x, ""y"""\r\n2,3')).toEqual([["a", "b"], ["1", 'x, "y"'], ["2", "3"]]);
    expect(parseDelimited("a\tb\n", "\t")).toEqual([["a", "b"]]);
    expect(parseDelimited("1\n2\n3", ",", 2)).toHaveLength(2);
  });
});

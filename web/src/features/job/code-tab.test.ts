import { describe, expect, it } from "vitest";
import { buildTree } from "./code-tab";

describe("snapshot file tree", () => {
  it("nests folders before files, each by name", () => {
    const tree = buildTree([
      { path: "train.py", size: 10 },
      { path: "src/model.py", size: 5 },
      { path: "src/data/load.py", size: 3 },
      { path: "README.md", size: 1 },
    ]);
    expect(tree.children.map((c) => c.name)).toEqual(["src", "README.md", "train.py"]);
    const src = tree.children[0]!;
    expect(src.children.map((c) => c.path)).toEqual(["src/data", "src/model.py"]);
    expect(src.children[1]?.size).toBe(5);
  });
});

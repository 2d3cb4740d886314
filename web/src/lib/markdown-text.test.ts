import { describe, expect, it } from "vitest";
import { markdownSummary } from "./markdown-text";

describe("markdownSummary", () => {
  it("reads emphasis as its words", () => {
    expect(markdownSummary("Image classifiers on **CIFAR-10**.\n\nResNet sweeps over the learning rate.")).toBe(
      "Image classifiers on CIFAR-10. ResNet sweeps over the learning rate.",
    );
    expect(markdownSummary("*one* __two__ _three_ ~~four~~ ***five***")).toBe("one two three four five");
  });
  it("keeps HTML as text (the server renders it as text too)", () => {
    expect(markdownSummary("**bold** <script>alert(1)</script>")).toBe("bold <script>alert(1)</script>");
    expect(markdownSummary("a &lt;b&gt; &amp; &#65;&#x42; &bogus;")).toBe("a <b> & AB &bogus;");
  });
  it("leaves marks that are not markup alone", () => {
    expect(markdownSummary("snake_case_name and 2 * 3 * 4")).toBe("snake_case_name and 2 * 3 * 4");
    expect(markdownSummary("\\*not emphasis\\* and a \\_ too")).toBe("*not emphasis* and a _ too");
    expect(markdownSummary("run `make **all**` then `a`")).toBe("run make **all** then a");
  });
  it("drops block marks, link targets, rules and table rules", () => {
    expect(markdownSummary("# Title #\n\n> - [x] done\n1. first")).toBe("Title done");
    expect(markdownSummary("---\n[docs](https://example.org) and ![a chart](c.png) and <https://x.org>")).toBe(
      "docs and a chart and https://x.org",
    );
    expect(markdownSummary("| a | b |\n|---|:-:|\n| 1 | 2 |", 3)).toBe("a · b 1 · 2");
    expect(markdownSummary("[ref]: https://example.org\nTitle\n=====\nbody", 3)).toBe("Title body");
  });
  it("shows code blocks as written, without their fences", () => {
    expect(markdownSummary("```python\nimport atlas\n```\nafter")).toBe("import atlas after");
  });
  it("takes the first lines only", () => {
    expect(markdownSummary("one\n\ntwo\nthree")).toBe("one two");
    expect(markdownSummary("one\ntwo\nthree", 1)).toBe("one");
    expect(markdownSummary("")).toBe("");
  });
});

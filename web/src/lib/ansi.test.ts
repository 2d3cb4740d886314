import { describe, expect, it } from "vitest";
import { appendLines, parseAnsi, stripAnsi } from "./ansi";

describe("ansi", () => {
  it("colours spans and resets", () => {
    expect(parseAnsi("a\u001b[31mred\u001b[0m b")).toEqual([{ text: "a" }, { text: "red", color: "#cd3131" }, { text: " b" }]);
    expect(parseAnsi("\u001b[1;92mok")).toEqual([{ text: "ok", color: "#23d18b", bold: true }]);
    expect(parseAnsi("plain")).toEqual([{ text: "plain" }]);
  });
  it("strips escapes for search", () => {
    expect(stripAnsi("\u001b[2Kx\u001b[31my")).toBe("xy");
  });
  it("keeps the unfinished last line apart", () => {
    let state = appendLines([], "", "one\ntw");
    expect(state).toEqual({ lines: ["one"], partial: "tw" });
    state = appendLines(state.lines, state.partial, "o\r\nthree\n");
    expect(state).toEqual({ lines: ["one", "two", "three"], partial: "" });
  });
});

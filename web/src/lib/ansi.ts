// ANSI colour codes (SGR) in logs, as styled spans; every other escape is dropped.

export interface Span {
  text: string;
  color?: string;
  bold?: boolean;
}

const COLORS = ["#000000", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#e5e5e5"];
const BRIGHT = ["#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff"];
// eslint-disable-next-line no-control-regex
const ESCAPE = /\u001b\[([0-9;]*)([A-Za-z])/g;

/** Splits a line into spans with the colour and weight its SGR codes ask for. */
export function parseAnsi(line: string): Span[] {
  const spans: Span[] = [];
  let color: string | undefined;
  let bold = false;
  let last = 0;
  const push = (text: string) => {
    if (text) spans.push({ text, ...(color ? { color } : {}), ...(bold ? { bold } : {}) });
  };
  for (const match of line.matchAll(ESCAPE)) {
    push(line.slice(last, match.index));
    last = (match.index ?? 0) + match[0].length;
    if (match[2] !== "m") continue;
    const codes = (match[1] || "0").split(";").map(Number);
    for (const code of codes) {
      if (code === 0) {
        color = undefined;
        bold = false;
      } else if (code === 1) bold = true;
      else if (code === 22) bold = false;
      else if (code >= 30 && code <= 37) color = COLORS[code - 30];
      else if (code >= 90 && code <= 97) color = BRIGHT[code - 90];
      else if (code === 39) color = undefined;
    }
  }
  push(line.slice(last));
  return spans;
}

/** The line without escape codes (for search and copy). */
export function stripAnsi(line: string): string {
  return line.replace(ESCAPE, "");
}

/** Appends a chunk of log text to complete lines plus the unfinished last line. */
export function appendLines(lines: string[], partial: string, chunk: string): { lines: string[]; partial: string } {
  const parts = (partial + chunk).split(/\r?\n/);
  const rest = parts.pop() ?? "";
  return { lines: parts.length ? lines.concat(parts) : lines, partial: rest };
}

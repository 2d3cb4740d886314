// Markdown as plain text, for places too small for the rendered description (the projects
// list): the words a reader sees, without the marks that format them. Nothing here makes
// HTML: the result is text that React escapes, so a `<script>` in a description shows as
// text, as it does in the server's rendering (raw HTML is off there too).

const FENCE = /^(`{3,}|~{3,})/;
const THEMATIC_BREAK = /^(?:[-*_][ \t]*){3,}$/;
const SETEXT_UNDERLINE = /^=+$/;
const TABLE_DELIMITER = /^\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?$/;
const LINK_DEFINITION = /^\[[^\]]+\]:[ \t]*\S/;
const ESCAPABLE = /\\([!-/:-@[-`{-~])/g;
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };
const CODE_SPAN = /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g;
/** Escaped characters and code spans are parked in the Private Use Area while the marks
 * are removed (a `*` in code or after a backslash is not emphasis). */
const PARKED = 0xe000;
const PARKED_CODE = 0xe100;
const CODE_SLOTS = 0xf8ff - PARKED_CODE;

/** The first `lines` non-empty lines of `markdown` as plain text, joined by spaces: heading,
 * quote and list marks, emphasis, strikethrough, code marks, link targets, fences, rules and
 * table rules removed; a link or an image reads as its text; escapes and entities resolved. */
export function markdownSummary(markdown: string, lines = 2): string {
  const out: string[] = [];
  let fence: string | null = null;
  for (const raw of markdown.split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    const fenceMark = FENCE.exec(line)?.[1];
    if (fence !== null) {
      if (fenceMark && fenceMark[0] === fence[0] && fenceMark.length >= fence.length && line === fenceMark) fence = null;
      else if (line) out.push(line); // code reads as it is written
    } else if (fenceMark) {
      fence = fenceMark;
    } else if (line && !isMarkupOnly(line)) {
      const text = inlineText(blockText(line));
      if (text) out.push(text);
    }
    if (out.length >= lines) break;
  }
  return out.join(" ");
}

function isMarkupOnly(line: string): boolean {
  return THEMATIC_BREAK.test(line) || SETEXT_UNDERLINE.test(line) || TABLE_DELIMITER.test(line) || LINK_DEFINITION.test(line);
}

/** A line without its block marks: quotes, heading hashes, list bullets and numbers, task
 * boxes, and a table row's pipes (its cells joined by " · "). */
function blockText(line: string): string {
  let text = line;
  for (let before = ""; before !== text; ) {
    before = text;
    text = text
      .replace(/^>[ \t]?/, "")
      .replace(/^#{1,6}(?:[ \t]+|$)/, "")
      .replace(/^[-+*][ \t]+/, "")
      .replace(/^\d{1,9}[.)][ \t]+/, "")
      .replace(/^\[[ xX]\][ \t]+/, "");
  }
  text = text.replace(/[ \t]+#+$/, "").replace(/\\$/, "");
  if (text.startsWith("|")) {
    text = text
      .replace(/^\|/, "")
      .replace(/(?<!\\)\|$/, "")
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim())
      .filter(Boolean)
      .join(" · ");
  }
  return text;
}

/** Inline marks removed: code spans keep their text verbatim, links and images read as their
 * text, emphasis and strikethrough marks go, then escapes and entities are resolved. */
function inlineText(line: string): string {
  if (/[\ue000-\uf8ff]/.test(line)) return marksRemoved(line).replace(/\s+/g, " ").trim(); // nothing can be parked
  const code: string[] = [];
  const parked = line
    .replace(CODE_SPAN, (whole, _ticks: string, content: string) => {
      if (code.length >= CODE_SLOTS) return whole;
      code.push(content.replace(/^ (.*) $/, "$1"));
      return String.fromCharCode(PARKED_CODE + code.length - 1);
    })
    .replace(ESCAPABLE, (_, c: string) => String.fromCharCode(PARKED + c.charCodeAt(0)));
  return marksRemoved(parked)
    .replace(/[\ue000-\ue07f]/g, (c) => String.fromCharCode(c.charCodeAt(0) - PARKED))
    .replace(/[\ue100-\uf8ff]/g, (c) => code[c.charCodeAt(0) - PARKED_CODE] ?? c)
    .replace(/\s+/g, " ")
    .trim();
}

function marksRemoved(text: string): string {
  let out = text
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]+)\]\[[^\]]*\]/g, "$1")
    .replace(/<((?:https?|mailto):[^>\s]+)>/gi, "$1");
  for (let before = ""; before !== out; ) {
    before = out;
    out = out
      .replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, "$1")
      .replace(/(?<![\p{L}\p{N}_])__(?=\S)([\s\S]*?\S)__(?![\p{L}\p{N}_])/gu, "$1")
      .replace(/~~(?=\S)([\s\S]*?\S)~~/g, "$1")
      .replace(/\*(?=[^\s*])([\s\S]*?[^\s*])\*/g, "$1")
      .replace(/(?<![\p{L}\p{N}_])_(?=[^\s_])([\s\S]*?[^\s_])_(?![\p{L}\p{N}_])/gu, "$1");
  }
  return out.replace(/&(#\d{1,7}|#x[0-9a-f]{1,6}|[a-z]+);/gi, (whole, name: string) => entity(name) ?? whole);
}

function entity(name: string): string | undefined {
  if (name.startsWith("#")) {
    const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
  }
  return ENTITIES[name.toLowerCase()];
}

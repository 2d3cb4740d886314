// The filter query text (docs/rest-api.md#filters) <-> the chips and column filters that
// edit it. A chip is one top-level `and` clause of the query, so removing a chip removes
// exactly that clause, and a column filter adds or replaces the clause on its field.

const KEY_SAFE = /^[A-Za-z0-9_\-/]+$/;

/** A key as the query language writes it: bare when safe, else in backticks. */
export function quoteKey(key: string): string {
  return KEY_SAFE.test(key) ? key : "`" + key.replace(/\\/g, "\\\\").replace(/`/g, "\\`") + "`";
}

/** A query field: `status`, `params.lr`, ``metrics.`val.loss`.min``. */
export function fieldName(group: "job" | "params" | "metrics" | "tags", key: string, aggregate?: string): string {
  if (group === "job") return key;
  const base = `${group}.${quoteKey(key)}`;
  return aggregate && aggregate !== "last" ? `${base}.${aggregate}` : base;
}

/** A literal value: numbers as written, strings quoted with escapes, true/false/null. */
export function literal(value: string | number | boolean | null): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`a filter cannot compare with ${value}`);
    return String(value);
  }
  const escaped = value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\t/g, "\\t");
  return `"${escaped}"`;
}

interface Token {
  text: string;
  start: number;
  end: number;
  kind: "word" | "string" | "open" | "close" | "other";
}

/** Splits a query into tokens, keeping strings and backtick keys whole. */
export function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i] ?? "";
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    const start = i;
    if (c === '"' || c === "'") {
      i = skipQuoted(query, i, c);
      tokens.push({ text: query.slice(start, i), start, end: i, kind: "string" });
    } else if (c === "(" || c === ")") {
      i += 1;
      tokens.push({ text: c, start, end: i, kind: c === "(" ? "open" : "close" });
    } else if (/[A-Za-z0-9_.`\-/+]/.test(c)) {
      while (i < query.length && /[A-Za-z0-9_.`\-/+]/.test(query[i] ?? "")) {
        i = query[i] === "`" ? skipQuoted(query, i, "`") : i + 1;
      }
      tokens.push({ text: query.slice(start, i), start, end: i, kind: "word" });
    } else {
      while (i < query.length && /[<>=!~,]/.test(query[i] ?? "") && i - start < 2) i += 1;
      if (i === start) i += 1;
      tokens.push({ text: query.slice(start, i), start, end: i, kind: "other" });
    }
  }
  return tokens;
}

function skipQuoted(text: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < text.length && text[i] !== quote) i += text[i] === "\\" ? 2 : 1;
  return Math.min(i + 1, text.length);
}

/** The query's top-level `and` clauses (outer parentheses of the whole query removed). */
export function splitClauses(query: string): string[] {
  const text = stripOuterParens(query.trim());
  if (!text) return [];
  const tokens = tokenize(text);
  const clauses: string[] = [];
  let depth = 0;
  let clauseStart = 0;
  let hasTopOr = false;
  for (const token of tokens) {
    if (token.kind === "open") depth += 1;
    else if (token.kind === "close") depth -= 1;
    else if (depth === 0 && token.kind === "word" && token.text.toLowerCase() === "or") hasTopOr = true;
    else if (depth === 0 && token.kind === "word" && token.text.toLowerCase() === "and") {
      clauses.push(text.slice(clauseStart, token.start).trim());
      clauseStart = token.end;
    }
  }
  clauses.push(text.slice(clauseStart).trim());
  // `a or b and c` is one clause: `and` binds tighter, so it cannot be split at the top.
  if (hasTopOr) return [text];
  return clauses.filter(Boolean);
}

function stripOuterParens(text: string): string {
  let current = text;
  for (;;) {
    if (!current.startsWith("(") || !current.endsWith(")")) return current;
    const tokens = tokenize(current);
    let depth = 0;
    let closesAtEnd = true;
    tokens.forEach((token, index) => {
      if (token.kind === "open") depth += 1;
      if (token.kind === "close") depth -= 1;
      if (depth === 0 && index < tokens.length - 1) closesAtEnd = false;
    });
    if (!closesAtEnd) return current;
    current = current.slice(1, -1).trim();
  }
}

/** Joins clauses into one query; a clause holding a top-level `or` gets parentheses. */
export function joinClauses(clauses: readonly string[]): string {
  return clauses
    .map((clause) => clause.trim())
    .filter(Boolean)
    .map((clause) => (needsParens(clause) ? `(${clause})` : clause))
    .join(" and ");
}

function needsParens(clause: string): boolean {
  let depth = 0;
  for (const token of tokenize(clause)) {
    if (token.kind === "open") depth += 1;
    else if (token.kind === "close") depth -= 1;
    else if (depth === 0 && token.kind === "word" && token.text.toLowerCase() === "or") return true;
  }
  return false;
}

/** The field a clause filters on (`params.lr` for `params.lr < 0.1`), if it has one. */
export function clauseField(clause: string): string | null {
  const tokens = tokenize(clause);
  const first = tokens[0];
  if (!first || first.kind !== "word") return null;
  if (first.text.toLowerCase() === "not") return tokens[1]?.kind === "word" ? (tokens[1]?.text ?? null) : null;
  return first.text;
}

/** The query with every clause on `field` replaced by `clauses` (none: removed). */
export function setFieldClauses(query: string, field: string, clauses: readonly string[]): string {
  const kept = splitClauses(query).filter((clause) => clauseField(clause) !== field);
  return joinClauses([...kept, ...clauses]);
}

/** The query without its `index`th clause. */
export function removeClause(query: string, index: number): string {
  return joinClauses(splitClauses(query).filter((_, i) => i !== index));
}

/** Clauses of a column filter: the value range, text or set a user picked. */
export type ColumnFilter =
  | { type: "range"; min?: number | null; max?: number | null }
  | { type: "contains"; text: string }
  | { type: "in"; values: string[] }
  | { type: "time"; after?: string | null; before?: string | null }
  | { type: "equals"; value: string };

/** The clauses for a column filter on `field` (empty when the filter is empty). */
export function filterClauses(field: string, filter: ColumnFilter): string[] {
  switch (filter.type) {
    case "range": {
      const out: string[] = [];
      if (filter.min != null && Number.isFinite(filter.min)) out.push(`${field} >= ${literal(filter.min)}`);
      if (filter.max != null && Number.isFinite(filter.max)) out.push(`${field} <= ${literal(filter.max)}`);
      return out;
    }
    case "contains":
      return filter.text ? [`${field} contains ${literal(filter.text)}`] : [];
    case "equals":
      return filter.value ? [`${field} = ${literal(filter.value)}`] : [];
    case "in":
      if (filter.values.length === 0) return [];
      if (filter.values.length === 1) return [`${field} = ${literal(filter.values[0] ?? "")}`];
      return [`${field} in (${filter.values.map(literal).join(", ")})`];
    case "time": {
      const out: string[] = [];
      if (filter.after) out.push(`${field} >= ${literal(filter.after)}`);
      if (filter.before) out.push(`${field} <= ${literal(filter.before)}`);
      return out;
    }
  }
}

export const JOB_FIELDS = [
  "id",
  "name",
  "status",
  "user",
  "kind",
  "command",
  "created_at",
  "started_at",
  "finished_at",
  "duration",
  "exit_code",
  "priority",
  "sweep",
] as const;

const KEYWORDS = ["and", "or", "not", "in", "contains", "matches", "exists"];

export interface Completion {
  /** Where the word being completed starts and ends in the text. */
  start: number;
  end: number;
  /** The candidates, best first. */
  options: string[];
}

/** What to offer for the word at `cursor`: fields, params/metrics/tags keys, keywords. */
export function complete(
  text: string,
  cursor: number,
  keys: { params: readonly string[]; metrics: readonly string[]; tags: readonly string[] },
  limit = 12,
): Completion {
  let start = cursor;
  while (start > 0 && /[A-Za-z0-9_.`\-/]/.test(text[start - 1] ?? "")) start -= 1;
  let end = cursor;
  while (end < text.length && /[A-Za-z0-9_.`\-/]/.test(text[end] ?? "")) end += 1;
  const word = text.slice(start, cursor).toLowerCase();
  const quotes = (text.slice(0, start).match(/"/g) ?? []).length;
  if (quotes % 2 === 1) return { start, end, options: [] };
  const candidates = [
    ...JOB_FIELDS,
    ...keys.params.map((k) => `params.${quoteKey(k)}`),
    ...keys.metrics.map((k) => `metrics.${quoteKey(k)}`),
    ...keys.tags.map((k) => `tags.${quoteKey(k)}`),
    ...KEYWORDS,
  ];
  if (!word) return { start, end, options: [] };
  const prefix = candidates.filter((c) => c.toLowerCase().startsWith(word) && c.toLowerCase() !== word);
  const inside = candidates.filter((c) => !c.toLowerCase().startsWith(word) && c.toLowerCase().includes(word));
  return { start, end, options: [...prefix, ...inside].slice(0, limit) };
}

/** The text with the completion applied, and where the cursor goes. */
export function applyCompletion(text: string, completion: Completion, option: string): { text: string; cursor: number } {
  const before = text.slice(0, completion.start) + option;
  const after = text.slice(completion.end);
  const spaced = after.startsWith(" ") || after === "" ? after : ` ${after}`;
  return { text: before + (after === "" ? " " : spaced), cursor: before.length + 1 };
}

/** What the query already says about `field`, to fill a column's filter form: the values
 * of `in`/`=`, the bounds of `>=`/`>`/`<=`/`<`, and the text of `contains`. */
export function readFieldFilter(query: string, field: string): { values: string[]; min: string; max: string; text: string } {
  const found = { values: [] as string[], min: "", max: "", text: "" };
  for (const clause of splitClauses(query)) {
    if (clauseField(clause) !== field || clause.trim().toLowerCase().startsWith("not ")) continue;
    const tokens = tokenize(clause).slice(1);
    const op = tokens[0]?.text.toLowerCase() ?? "";
    const literals = tokens.slice(1).filter((t) => t.kind === "string" || t.kind === "word").map((t) => unquote(t.text));
    const first = literals[0] ?? "";
    if (op === "in") found.values = literals;
    else if (op === "=" || op === "==") {
      found.values = [first];
      found.text = first;
    } else if (op === ">=" || op === ">") found.min = first;
    else if (op === "<=" || op === "<") found.max = first;
    else if (op === "contains") found.text = first;
  }
  return found;
}

function unquote(text: string): string {
  const quote = text[0];
  if ((quote !== '"' && quote !== "'") || text.length < 2) return text;
  return text.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : c));
}

/** A field the query names that the project does not have, and the nearest names it has. */
export interface UnknownField {
  field: string;
  suggestions: string[];
}

const GROUPS = ["params", "metrics", "tags"] as const;
const AGGREGATES = ["last", "min", "max"];

/** The fields of `query` that name no param, metric, tag or job field of the project
 * (`keys`), each with up to 3 known names within a small edit distance, nearest first:
 * `metrics.val_los` → `metrics.val_loss`. A field is a word before an operator, or any word
 * starting with `params.`, `metrics.` or `tags.`. */
export function unknownFields(query: string, keys: { params: readonly string[]; metrics: readonly string[]; tags: readonly string[] }): UnknownField[] {
  const known = new Set<string>([...JOB_FIELDS, ...KEYWORDS]);
  const candidates: string[] = [...JOB_FIELDS];
  for (const group of GROUPS) {
    for (const key of keys[group]) {
      const name = `${group}.${quoteKey(key)}`;
      known.add(name);
      candidates.push(name);
      if (group === "metrics") for (const aggregate of AGGREGATES) known.add(`${name}.${aggregate}`);
    }
  }
  const tokens = tokenize(query);
  const out: UnknownField[] = [];
  let inList = false;
  tokens.forEach((token, i) => {
    const previous = tokens[i - 1];
    if (token.kind === "open" && previous?.text.toLowerCase() === "in") inList = true;
    if (token.kind === "close") inList = false;
    if (token.kind !== "word" || inList || known.has(token.text) || out.some((u) => u.field === token.text)) return;
    const grouped = GROUPS.some((group) => token.text.startsWith(`${group}.`));
    const next = tokens[i + 1];
    const beforeOperator = next !== undefined && (next.kind === "other" || ["in", "contains", "matches", "exists"].includes(next.text.toLowerCase()));
    const value = previous?.kind === "other" || /^[-+]?[0-9.]/.test(token.text);
    if (!grouped && (!beforeOperator || value)) return;
    out.push({ field: token.text, suggestions: nearest(token.text, candidates) });
  });
  return out;
}

/** Up to `limit` of `candidates` nearest `word` (case-insensitive edit distance, a metric's
 * aggregate suffix ignored), within a third of the word's length (at least 2). */
export function nearest(word: string, candidates: readonly string[], limit = 3): string[] {
  const bare = word.replace(/\.(last|min|max)$/, "");
  const wanted = bare.toLowerCase();
  const keyPart = wanted.slice(wanted.indexOf(".") + 1);
  const allowed = Math.max(2, Math.floor(keyPart.length / 3));
  const scored: { name: string; distance: number }[] = [];
  for (const name of candidates) {
    const lower = name.toLowerCase();
    // the right key in the wrong group (params.val_loss for a metric) is one step away
    const sameKey = lower.slice(lower.indexOf(".") + 1) === keyPart && lower !== wanted ? 1 : Infinity;
    const distance = Math.min(editDistance(wanted, lower), sameKey);
    if (distance <= allowed) scored.push({ name, distance });
  }
  scored.sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name));
  return scored.slice(0, limit).map((s) => s.name);
}

/** Levenshtein distance between two strings. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The query with every word `from` (a field, as `unknownFields` names it) written `to`. */
export function renameField(query: string, from: string, to: string): string {
  let out = "";
  let at = 0;
  for (const token of tokenize(query)) {
    if (token.kind !== "word" || token.text !== from) continue;
    out += query.slice(at, token.start) + to;
    at = token.end;
  }
  return out + query.slice(at);
}

/** The clauses that select one group of a row grouping: `field = value` for each field, or
 * `not field exists` where the group's value is null (its jobs lack the field). */
export function groupClauses(values: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(values).map(([field, value]) => {
    if (value === null || value === undefined) return `not ${field} exists`;
    if (typeof value === "number" && !Number.isFinite(value)) return `${field} = ${literal(String(value))}`;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return `${field} = ${literal(value)}`;
    return `${field} = ${literal(JSON.stringify(value))}`;
  });
}

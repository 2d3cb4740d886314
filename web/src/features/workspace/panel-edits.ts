// The user's panels kept as differences from the generated ones (see `PanelEdits` in
// view.ts): the panel list they make, the differences an edited list leaves, and both read
// back from a URL or a saved view (an explicit list of the first version included).
import { generatedPanels, panelSection } from "./model";
import { checkPanel, gridHeight, gridWidth, isRecord, named, strings } from "./panel-check";
import type { PanelChange, PanelEdits, PanelSpec } from "./view";

const FRAME = ["section", "w", "h", "title"] as const;
const GENERATED = "gen:";

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

const isGenerated = (id: string) => id.startsWith(GENERATED);

/** No edits at all reads as null: the generated panels as they are. */
function orNull(edits: PanelEdits): PanelEdits | null {
  return edits.added.length + edits.removed.length + edits.order.length + Object.keys(edits.changed).length === 0 ? null : edits;
}

/** A generated panel with the user's change: frame fields, and the settings its kind has
 * (a change for a line left on a metric now drawn as a bar keeps only what a bar has). A
 * change that does not make a valid panel leaves the generated one. */
function applyChange(panel: PanelSpec, change: PanelChange | undefined): PanelSpec {
  if (!change) return panel;
  const own = panel.settings as unknown as Record<string, unknown>;
  const settings = { ...own };
  for (const [key, value] of Object.entries(change.settings ?? {})) if (key in own) settings[key] = value;
  const frame = Object.fromEntries(FRAME.filter((key) => key in change).map((key) => [key, change[key]]));
  return checkPanel({ ...panel, ...frame, settings }) ?? panel;
}

/** `list` with the panels named in `order` first, in that order, and the rest after it in
 * their own order; shown by section, each section's listed panels lead it. */
function ordered(list: readonly PanelSpec[], order: readonly string[]): PanelSpec[] {
  if (order.length === 0) return [...list];
  const rank = new Map(order.map((id, i) => [id, i]));
  const first = list.filter((p) => rank.has(p.id)).sort((a, b) => (rank.get(a.id) ?? 0) - (rank.get(b.id) ?? 0));
  return [...first, ...list.filter((p) => !rank.has(p.id))];
}

/** The panels the workspace shows: the generated ones less the removed, with their
 * changes, then the added ones, in the user's order. Without edits, the generated ones. */
export function mergePanels(generated: readonly PanelSpec[], edits: PanelEdits | null): PanelSpec[] {
  if (!edits) return [...generated];
  const removed = new Set(edits.removed);
  const ids = new Set(generated.map((p) => p.id));
  const base = [...generated.filter((p) => !removed.has(p.id)).map((p) => applyChange(p, edits.changed[p.id])), ...edits.added.filter((p) => !ids.has(p.id))];
  return ordered(base, edits.order);
}

function changeOf(panel: PanelSpec, generated: PanelSpec): PanelChange | null {
  const change: Record<string, unknown> = {};
  for (const key of FRAME) if (!same(panel[key], generated[key])) change[key] = panel[key];
  const now = panel.settings as unknown as Record<string, unknown>;
  const before = generated.settings as unknown as Record<string, unknown>;
  const settings = Object.fromEntries(Object.keys(before).filter((key) => key in now && !same(now[key], before[key])).map((key) => [key, now[key]]));
  if (Object.keys(settings).length) change.settings = settings;
  return Object.keys(change).length ? (change as PanelChange) : null;
}

/** The sections whose panels `list` orders otherwise than `natural` does: their panels'
 * ids in `list`'s order (so a move stores one section's order, not every panel's). */
function reordered(list: readonly PanelSpec[], natural: readonly PanelSpec[]): string[] {
  const bySection = (panels: readonly PanelSpec[]) => {
    const out = new Map<string, string[]>();
    for (const p of panels) out.set(panelSection(p), [...(out.get(panelSection(p)) ?? []), p.id]);
    return out;
  };
  const before = bySection(natural);
  return [...bySection(list)].filter(([name, ids]) => !same(ids, before.get(name))).flatMap(([, ids]) => ids);
}

/** The differences `list` (the panels after an edit) has from `generated`, or null when it
 * has none. `previous` edits about generated panels not in `generated` (metrics not loaded
 * yet, or gone) are kept, so an edit never forgets them. */
export function diffPanels(generated: readonly PanelSpec[], list: readonly PanelSpec[], previous: PanelEdits | null = null): PanelEdits | null {
  const byId = new Map(generated.map((p) => [p.id, p]));
  const listed = new Set(list.map((p) => p.id));
  const elsewhere = (id: string) => isGenerated(id) && !byId.has(id);
  const changed: Record<string, PanelChange> = {};
  for (const [id, change] of Object.entries(previous?.changed ?? {})) if (elsewhere(id)) changed[id] = change;
  for (const panel of list) {
    const from = byId.get(panel.id);
    const change = from ? changeOf(panel, from) : null;
    if (change) changed[panel.id] = change;
  }
  const edits: PanelEdits = {
    added: list.filter((p) => !isGenerated(p.id)),
    changed,
    removed: [...generated.filter((p) => !listed.has(p.id)).map((p) => p.id), ...(previous?.removed ?? []).filter(elsewhere)],
    order: [],
  };
  edits.order = [...reordered(list, mergePanels(generated, edits)), ...(previous?.order ?? []).filter(elsewhere)];
  return orNull(edits);
}

function readChange(raw: unknown): PanelChange | null {
  if (!isRecord(raw)) return null;
  const change: PanelChange = {};
  if ("section" in raw) change.section = named(raw.section);
  if ("title" in raw) change.title = named(raw.title);
  if ("w" in raw) change.w = gridWidth(raw.w);
  if ("h" in raw) change.h = gridHeight(raw.h);
  if (isRecord(raw.settings)) change.settings = raw.settings;
  return Object.keys(change).length ? change : null;
}

/** A first-version line panel: x "step" and log y off meant "the workspace's". */
function fromFirstVersion(panel: PanelSpec): PanelSpec {
  if (panel.kind !== "line") return panel;
  const { x, logY } = panel.settings;
  return { ...panel, settings: { ...panel.settings, x: x === "step" ? null : x, logY: logY === false ? null : logY } };
}

/** An explicit panel list (a first-version view) as differences from the generated panels
 * of the metrics it names. Generated panels it had left out are not known, so metrics it
 * does not name get panels, as new metrics do. */
function fromList(list: readonly PanelSpec[]): PanelEdits | null {
  const panels = list.map(fromFirstVersion);
  const generated = panels.filter((p) => isGenerated(p.id));
  const metrics = generated.map((p) => p.id.slice(GENERATED.length));
  const bars = new Set(generated.filter((p) => p.kind === "bar").map((p) => p.id.slice(GENERATED.length)));
  return diffPanels(generatedPanels(metrics, bars), panels);
}

/** `raw` (from a URL or a saved view) as panel edits: bad panels and entries dropped, sizes
 * clamped; an explicit list of the first version turned into differences. */
export function readPanelEdits(raw: unknown): PanelEdits | null {
  const checked = (list: unknown[]) => {
    const byId = new Map<string, PanelSpec>();
    for (const panel of list.map(checkPanel)) if (panel && !byId.has(panel.id)) byId.set(panel.id, panel);
    return [...byId.values()];
  };
  if (Array.isArray(raw)) return fromList(checked(raw));
  if (!isRecord(raw)) return null;
  const changed: Record<string, PanelChange> = {};
  if (isRecord(raw.changed)) {
    for (const [id, value] of Object.entries(raw.changed)) {
      const change = readChange(value);
      if (change) changed[id] = change;
    }
  }
  const edits: PanelEdits = {
    added: Array.isArray(raw.added) ? checked(raw.added).filter((p) => !isGenerated(p.id)) : [],
    changed,
    removed: strings(raw.removed) ?? [],
    order: strings(raw.order) ?? [],
  };
  return orNull(edits);
}

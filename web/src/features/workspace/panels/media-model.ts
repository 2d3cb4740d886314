// The media keys the visible jobs logged, merged across jobs: what the media and histogram
// panels offer, and each job's steps of the chosen key.
import type { MediaKey } from "../../../lib/api/types";
import type { MediaChoice } from "./kind";

/** Kinds the media panel shows (pictures); histograms have a panel of their own. */
export const PICTURE_KINDS: ReadonlySet<string> = new Set(["image", "gif"]);

export interface MediaOption extends MediaChoice {
  /** Each job's steps of this key, by job id (absent: the job did not log it). */
  steps: Map<string, number[]>;
}

/** Every key any of the jobs logged (`lists[i]` is job `ids[i]`'s, undefined while loading),
 * ordered by key; a key logged under two kinds counts as two. */
export function mediaOptions(ids: readonly string[], lists: readonly (readonly Pick<MediaKey, "key" | "path" | "kind" | "steps">[] | undefined)[]): MediaOption[] {
  const byPath = new Map<string, MediaOption>();
  lists.forEach((list, i) => {
    const id = ids[i];
    if (id === undefined) return;
    for (const m of list ?? []) {
      const option = byPath.get(m.path) ?? { key: m.key, path: m.path, kind: m.kind, steps: new Map<string, number[]>() };
      option.steps.set(id, m.steps);
      byPath.set(m.path, option);
    }
  });
  return [...byPath.values()].sort((a, b) => a.key.localeCompare(b.key) || a.path.localeCompare(b.path));
}

/** The option of `key` among those of `kinds`, or null. */
export function findOption(options: readonly MediaOption[], key: string, kinds: ReadonlySet<string>): MediaOption | null {
  return options.find((o) => o.key === key && kinds.has(o.kind)) ?? null;
}

/** What a job shows at `step` of a key: the step it has there (its latest at or before),
 * or why it has none. */
export function stepNote(own: readonly number[] | undefined, step: number | null, shown: number | null, key: string): string {
  if (own === undefined) return `did not log ${key}`;
  if (step === null) return "its latest save";
  if (own.length === 0) return "saved without a step";
  if (shown === null) return `nothing at or before step ${step}`;
  return shown === step ? `step ${shown}` : `step ${shown} (its latest at or before ${step})`;
}

// Steps of media keys: which version a slider position shows, and which steps a grid or a
// chart samples when a key was logged at thousands of steps.

/** The artifact path `atlas.log_image(key, ...)` stores under (docs/media.md). */
export function imagePath(key: string): string {
  return `media/${key}.png`;
}

/** The greatest of `steps` (ascending) at or before `step`, or null when all come after
 * it: the version a job shows at a step it did not log. */
export function stepAtOrBefore(steps: readonly number[], step: number): number | null {
  let lo = 0;
  let hi = steps.length - 1;
  let found: number | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const value = steps[mid] as number;
    if (value <= step) {
      found = value;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** Every step of any of the lists, ascending, once each. */
export function unionSteps(lists: readonly (readonly number[])[]): number[] {
  const all = new Set<number>();
  for (const list of lists) for (const step of list) all.add(step);
  return [...all].sort((a, b) => a - b);
}

/** At most `max` of `steps` (ascending), evenly spread, always with the first and the
 * last, and with `keep` when it is one of them. */
export function sampleSteps(steps: readonly number[], max: number, keep: number | null = null): number[] {
  if (steps.length <= max) return [...steps];
  if (max <= 1) return keep !== null && steps.includes(keep) ? [keep] : steps.slice(-1);
  const picked = new Set<number>();
  for (let i = 0; i < max; i += 1) picked.add(steps[Math.round((i * (steps.length - 1)) / (max - 1))] as number);
  if (keep !== null && steps.includes(keep) && !picked.has(keep)) {
    // trade the sampled step nearest to `keep` (never the first or the last) for it
    const inner = [...picked].filter((s) => s !== steps[0] && s !== steps[steps.length - 1]);
    const nearest = inner.reduce((best, s) => (Math.abs(s - keep) < Math.abs(best - keep) ? s : best), inner[0] as number);
    picked.delete(nearest);
    picked.add(keep);
  }
  return [...picked].sort((a, b) => a - b);
}

/** The step a slider shows: the one in the URL (`text`) when the key has it, else the
 * nearest at or before it, else the latest. */
export function chosenStep(steps: readonly number[], text: string): number | null {
  const latest = steps.length ? (steps[steps.length - 1] as number) : null;
  if (text === "" || !Number.isFinite(Number(text))) return latest;
  return stepAtOrBefore(steps, Number(text)) ?? (steps[0] ?? null);
}

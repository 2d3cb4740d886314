/** Node labels (`gpu_type=a100`) as `KEY=VALUE` strings, sorted by key. */
export function labelList(labels: Record<string, string> | null | undefined): string[] {
  return Object.entries(labels ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`);
}

/** Labels as chips in a list named `label` (what a node has, or what a job asked for);
 * nothing when there are none. */
export function LabelChips({ labels, label }: { labels: Record<string, string> | null | undefined; label: string }) {
  const items = labelList(labels);
  if (items.length === 0) return null;
  return (
    <ul className="label-chips" aria-label={label}>
      {items.map((text) => (
        <li key={text} className="tag mono" data-testid="label-chip" title={text}>
          {text}
        </li>
      ))}
    </ul>
  );
}

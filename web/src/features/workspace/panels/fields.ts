// The API fields a panel's settings name (`params.lr`, `metrics.loss.min`, `tags.stage`):
// the choices a project's keys offer, and how a field reads in a label.
import type { Keys } from "../../../lib/api/types";
import { fieldName } from "../../../lib/query-text";

/** The metric summaries a field may name, in the order the editors offer them. */
export const AGGREGATES = ["last", "min", "max"] as const;

export interface FieldChoice {
  /** The API field. */
  value: string;
  label: string;
  group: "params" | "metrics" | "tags";
}

/** Every param, every metric's summaries and (with `tags`) every tag of the project, as
 * fields a panel can plot or colour by. */
export function fieldChoices(keys: Pick<Keys, "params" | "metrics" | "tags"> | undefined, { tags = true } = {}): FieldChoice[] {
  if (!keys) return [];
  const params = [...keys.params].sort().map((key): FieldChoice => ({ value: fieldName("params", key), label: `params.${key}`, group: "params" }));
  const metrics = [...keys.metrics].sort().flatMap((key) =>
    AGGREGATES.map((aggregate): FieldChoice => ({ value: metricField(key, aggregate), label: `${key} (${aggregate})`, group: "metrics" })),
  );
  const tagChoices = tags ? [...keys.tags].sort().map((key): FieldChoice => ({ value: fieldName("tags", key), label: `tags.${key}`, group: "tags" })) : [];
  return [...metrics, ...params, ...tagChoices];
}

/** The field of a metric's summary: a bare key (`loss`, as line panels name metrics) becomes
 * `metrics.loss.min`; a field already (`metrics.loss.min`) stays as it is. */
export function metricField(metric: string, aggregate: string = "last"): string {
  if (metric.startsWith("metrics.")) return metric;
  return `${fieldName("metrics", metric)}.${aggregate}`;
}

/** A field as a label reads: `metrics.loss.min` → `loss (min)`, `params.lr` → `lr`. */
export function fieldLabel(field: string): string {
  const metric = metricSummary(field);
  if (metric) return `${metric.key} (${metric.aggregate})`;
  const other = /^(params|tags|metrics)\.(.+)$/.exec(field);
  return other ? unquote(other[2] as string) : field;
}

/** A metric summary field's parts: `metrics.loss.min` → loss, min; null for another field. */
export function metricSummary(field: string): { key: string; aggregate: string } | null {
  const metric = /^metrics\.(.+)\.(last|min|max|count|last_step)$/.exec(field);
  return metric ? { key: unquote(metric[1] as string), aggregate: metric[2] as string } : null;
}

function unquote(key: string): string {
  return key.startsWith("`") && key.endsWith("`") ? key.slice(1, -1).replace(/\\(.)/g, "$1") : key;
}

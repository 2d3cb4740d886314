import { formatNumber, truncate } from "../../../lib/format";
import { fieldLabel } from "./fields";
import type { Legend as LegendModel } from "./scatter-model";

/** What the points' colours mean: a gradient from the field's least to its greatest value,
 * or the categories with their colours and counts. */
export function Legend({ legend }: { legend: LegendModel }) {
  if (legend.kind === "none") return null;
  if (legend.kind === "scale") {
    return (
      <span className="pc-legend" data-testid="scatter-legend">
        {fieldLabel(legend.field)} {formatNumber(legend.min)}
        <span className="pc-gradient" style={{ background: `linear-gradient(to right, ${legend.stops.join(", ")})` }} />
        {formatNumber(legend.max)}
      </span>
    );
  }
  return (
    <span className="pc-legend" data-testid="scatter-legend">
      {fieldLabel(legend.field)}:
      {legend.items.map((item) => (
        <span key={item.label} title={`${item.label}: ${item.count} jobs`}>
          <span className="legend-dot" style={{ background: item.color }} />
          {truncate(item.label, 16)}
        </span>
      ))}
      {legend.other ? <span>+{formatNumber(legend.other)} in other values</span> : null}
      {legend.missing ? <span>{formatNumber(legend.missing)} without it</span> : null}
    </span>
  );
}

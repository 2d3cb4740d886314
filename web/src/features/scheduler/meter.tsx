import { shareText } from "./nodes";

interface MeterProps {
  label: string;
  /** The meter's accessible name when `label` alone is ambiguous (one per node). */
  name?: string;
  used: number;
  total: number;
  format: (n: number) => string;
  /** False for a node that left the cluster: its total is gone, only what jobs hold is shown. */
  known?: boolean;
}

/** A used/total bar with its numbers, exposed as an ARIA meter named `name` (else `label`). */
export function Meter({ label, name, used, total, format, known = true }: MeterProps) {
  const share = known && total > 0 ? Math.min(1, used / total) : 0;
  return (
    <div className="meter">
      <div className="row">
        <span>{label}</span>
        <span className="spacer" />
        <span className="num">{shareText(used, total, known, format)}</span>
      </div>
      <div className="meter-bar" role="meter" aria-label={name ?? label} aria-valuemin={0} aria-valuemax={known ? total : used} aria-valuenow={used}>
        <div style={{ width: `${share * 100}%` }} />
      </div>
    </div>
  );
}

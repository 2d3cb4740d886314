import { useId } from "react";
import { formatNumber } from "../lib/format";

/** A slider over the steps a media key was logged at (arrow keys, Home and End move it),
 * with the step shown and the range. */
export function StepSlider({ steps, value, onChange, label = "Step" }: { steps: readonly number[]; value: number | null; onChange: (step: number) => void; label?: string }) {
  const id = useId();
  if (steps.length < 2) {
    return value === null ? null : <span className="soft">step {formatNumber(value)}</span>;
  }
  const index = Math.max(0, value === null ? steps.length - 1 : steps.indexOf(value));
  return (
    <span className="step-slider">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="range"
        min={0}
        max={steps.length - 1}
        value={index}
        onChange={(e) => onChange(steps[Number(e.target.value)] as number)}
        aria-valuetext={`step ${steps[index]}`}
      />
      <span className="mono">{formatNumber(steps[index])}</span>
      <span className="soft">
        ({steps.length} steps, {formatNumber(steps[0])}–{formatNumber(steps[steps.length - 1])})
      </span>
    </span>
  );
}

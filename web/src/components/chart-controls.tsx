import type { XAxis } from "../lib/series";
import { useUrlParam } from "../lib/url-state";

export interface ChartOptions {
  axis: XAxis;
  logY: boolean;
  smoothing: number;
}

/** Chart options kept in the URL: `x` (step, time, relative), `logy`, `smooth`. */
export function useChartOptions(defaultAxis: XAxis = "step"): [ChartOptions, (patch: Partial<ChartOptions>) => void] {
  const [axis, setAxis] = useUrlParam("x", defaultAxis);
  const [logY, setLogY] = useUrlParam("logy", "0");
  const [smoothing, setSmoothing] = useUrlParam("smooth", "0");
  const options: ChartOptions = {
    axis: axis === "time" || axis === "relative" ? axis : "step",
    logY: logY === "1",
    smoothing: Math.min(0.99, Math.max(0, Number(smoothing) || 0)),
  };
  const set = (patch: Partial<ChartOptions>) => {
    if (patch.axis !== undefined) setAxis(patch.axis);
    if (patch.logY !== undefined) setLogY(patch.logY ? "1" : "0");
    if (patch.smoothing !== undefined) setSmoothing(String(patch.smoothing));
  };
  return [options, set];
}

/** The x axis, log-y and smoothing controls shared by all charts of a page. */
export function ChartControls({ options, onChange }: { options: ChartOptions; onChange: (patch: Partial<ChartOptions>) => void }) {
  return (
    <div className="row chart-controls" role="group" aria-label="Chart options">
      <label htmlFor="chart-axis">X axis</label>
      <select id="chart-axis" value={options.axis} onChange={(e) => onChange({ axis: e.target.value as XAxis })}>
        <option value="step">step</option>
        <option value="time">time</option>
        <option value="relative">relative time</option>
      </select>
      <label className="check">
        <input type="checkbox" checked={options.logY} onChange={(e) => onChange({ logY: e.target.checked })} /> log y
      </label>
      <label htmlFor="chart-smoothing">Smoothing</label>
      <input
        id="chart-smoothing"
        type="range"
        min={0}
        max={0.99}
        step={0.01}
        value={options.smoothing}
        onChange={(e) => onChange({ smoothing: Number(e.target.value) })}
      />
      <span className="num mono" style={{ width: 32 }}>
        {options.smoothing.toFixed(2)}
      </span>
      <span className="soft">drag on a chart to zoom, double-click to reset</span>
    </div>
  );
}

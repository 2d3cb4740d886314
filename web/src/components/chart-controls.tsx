// The chart options every page of charts offers (x axis, log y, smoothing and its kind): one
// component, so the job page, compare and the workspace's toolbar behave alike.
import { useEffect, useId, useRef } from "react";
import type { SmoothingKind, XAxis } from "../lib/series";
import { useUrlParam } from "../lib/url-state";
import { useValue, type ValueStore } from "../lib/value-store";

export interface ChartOptions {
  axis: XAxis;
  logY: boolean;
  smoothing: number;
  smoothingKind: SmoothingKind;
}

/** Chart options kept in the URL: `x` (step, time, relative), `logy`, `smooth`, `smoothk`. */
export function useChartOptions(defaultAxis: XAxis = "step"): [ChartOptions, (patch: Partial<ChartOptions>) => void] {
  const [axis, setAxis] = useUrlParam("x", defaultAxis);
  const [logY, setLogY] = useUrlParam("logy", "0");
  const [smoothing, setSmoothing] = useUrlParam("smooth", "0");
  const [kind, setKind] = useUrlParam("smoothk", "ema");
  const options: ChartOptions = {
    axis: axis === "time" || axis === "relative" ? axis : "step",
    logY: logY === "1",
    smoothing: clampSmoothing(Number(smoothing)),
    smoothingKind: kind === "time" ? "time" : "ema",
  };
  const set = (patch: Partial<ChartOptions>) => {
    if (patch.axis !== undefined) setAxis(patch.axis);
    if (patch.logY !== undefined) setLogY(patch.logY ? "1" : "0");
    if (patch.smoothing !== undefined) setSmoothing(String(patch.smoothing));
    if (patch.smoothingKind !== undefined) setKind(patch.smoothingKind);
  };
  return [options, set];
}

const MAX_SMOOTHING = 0.99;
export const clampSmoothing = (v: number) => Math.min(MAX_SMOOTHING, Math.max(0, Number.isFinite(v) ? v : 0));

/** How long after the control's release its value is written (the URL, the view): the
 * charts draw the new value first, and a burst of key presses writes once. */
const COMMIT_DELAY_MS = 250;

export interface ChartOptionFieldsProps {
  options: ChartOptions;
  onChange: (patch: Partial<ChartOptions>) => void;
  /** Where the smoothing goes while the control moves (charts that read it redraw, nothing
   * else renders); `onChange` hears of it on release only. Without it, on every move. */
  live?: ValueStore<number>;
}

/** The x axis, log y, smoothing kind and smoothing controls (no container: the caller's
 * toolbar holds them). The range input is `data-testid="smoothing"`. */
export function ChartOptionFields({ options, onChange, live }: ChartOptionFieldsProps) {
  const id = useId();
  return (
    <>
      <label htmlFor={`${id}-axis`}>X axis</label>
      <select id={`${id}-axis`} value={options.axis} onChange={(e) => onChange({ axis: e.target.value as XAxis })}>
        <option value="step">step</option>
        <option value="time">time</option>
        <option value="relative">relative time</option>
      </select>
      <label className="check">
        <input type="checkbox" checked={options.logY} onChange={(e) => onChange({ logY: e.target.checked })} /> log y
      </label>
      <label htmlFor={`${id}-smoothing`}>Smoothing</label>
      <select aria-label="Smoothing kind" value={options.smoothingKind} onChange={(e) => onChange({ smoothingKind: e.target.value as SmoothingKind })}>
        <option value="ema">EMA</option>
        <option value="time">time-weighted EMA</option>
      </select>
      <SmoothingSlider id={`${id}-smoothing`} value={options.smoothing} live={live} onCommit={(smoothing) => onChange({ smoothing })} />
    </>
  );
}

/** The smoothing range input and its value. With `live`, a move sets the store only and the
 * release (`change`) commits; the store follows `value` when it changes from outside. */
function SmoothingSlider({ id, value, live, onCommit }: { id: string; value: number; live?: ValueStore<number>; onCommit: (value: number) => void }) {
  const shown = useValue(live, value);
  const input = useRef<HTMLInputElement>(null);
  const commit = useRef(onCommit);
  commit.current = onCommit;
  useEffect(() => live?.set(value), [live, value]);
  useEffect(() => {
    const element = input.current;
    if (!element || !live) return;
    let timer: number | undefined;
    const release = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => commit.current(live.get()), COMMIT_DELAY_MS);
    };
    element.addEventListener("change", release);
    return () => {
      element.removeEventListener("change", release);
      window.clearTimeout(timer);
    };
  }, [live]);
  return (
    <>
      <input
        ref={input}
        id={id}
        data-testid="smoothing"
        type="range"
        min={0}
        max={MAX_SMOOTHING}
        step={0.01}
        value={shown}
        onChange={(e) => {
          const next = clampSmoothing(Number(e.target.value));
          if (live) live.set(next);
          else onCommit(next);
        }}
      />
      <span className="num mono" style={{ width: 32 }}>
        {shown.toFixed(2)}
      </span>
    </>
  );
}

/** The chart options of a page, with the zoom hint. */
export function ChartControls({ options, onChange }: { options: ChartOptions; onChange: (patch: Partial<ChartOptions>) => void }) {
  return (
    <div className="row chart-controls" role="group" aria-label="Chart options">
      <ChartOptionFields options={options} onChange={onChange} />
      <span className="soft">drag on a chart to zoom, double-click to reset</span>
    </div>
  );
}

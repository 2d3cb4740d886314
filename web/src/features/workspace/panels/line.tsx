// The line panel: one metric of the visible jobs over steps, time or another metric, with
// its own log axes, y range, smoothing and clipping; values in the hover tooltip.
import { useEffect, useMemo, useRef, useState } from "react";
import { LineChart } from "../../../components/line-chart";
import { SingleValues } from "../../../components/series-chart";
import { useTheme } from "../../../lib/theme";
import type { PanelProps } from "../panel-types";
import { useSeriesData } from "../series-data";
import { useValue } from "../../../lib/value-store";
import { useHighlightStore, useLiveSmoothing } from "../live-state";
import { lineBase, lineOptions, smoothedLines } from "./line-model";

export function LinePanel({ panel, jobs, view, height, onHighlight, onDrawn }: PanelProps<"line">) {
  const data = useSeriesData();
  const theme = useTheme();
  const highlight = useHighlightStore();
  // The smoothing control's value while it moves (this panel alone re-renders), else the view's.
  const smoothing = useValue(useLiveSmoothing(), view.smoothing);
  const { settings } = panel;
  const options = lineOptions(settings, { x: view.x, logY: view.logY, smoothing, smoothingKind: view.smoothingKind });
  const base = useMemo(
    () => lineBase(settings, { x: view.x, logY: view.logY, smoothing: 0, smoothingKind: "ema" }, jobs, data.get),
    [settings, view.x, view.logY, jobs, data],
  );
  // A smoothing change is new values for the same lines: the chart takes them with setData.
  const lines = useMemo(() => smoothedLines(base, options.smoothing, options.smoothingKind), [base, options.smoothing, options.smoothingKind]);
  const shape = { ...base, lines };
  // data-drawn: the chart reports each draw; the panel is drawn once a draw happened for
  // the data and settings it shows now.
  const key = `${data.stamp}|${JSON.stringify(settings)}|${options.x}|${options.logY}|${options.smoothing}|${options.smoothingKind}|${jobs.map((j) => j.id).join(",")}`;
  const current = useRef(key);
  current.current = key;
  const [drawnFor, setDrawnFor] = useState<string | null>(null);
  const drawn = data.loaded && drawnFor === key;
  useEffect(() => onDrawn(drawn), [drawn, onDrawn]);
  const singles = shape.singles;
  const chartJobs = useMemo(() => jobs.map((job) => ({ id: job.id, label: job.name, color: job.color })), [jobs]);
  return (
    <>
      <div className="chart-note">
        {data.loaded ? `${shape.points.toLocaleString()} point${shape.points === 1 ? "" : "s"}` : "loading…"}
        {shape.markers.length ? ` · ${shape.markers.length} NaN/∞ marked` : ""}
        {settings.clip && shape.yRange ? " · clipped to the 1st–99th percentile" : ""}
      </div>
      {singles ? <SingleValues metric={settings.metric} singles={singles} jobs={chartJobs} /> : null}
      <LineChart
        x={shape.x}
        lines={shape.lines}
        markers={shape.markers}
        xAxis={shape.xAxis}
        xLabel={shape.xLabel}
        logY={shape.logY}
        logX={settings.logX}
        yRange={shape.yRange}
        height={singles ? Math.max(80, height - 40) : height}
        syncKey={`ws:${shape.xLabel}`}
        label={`${settings.metric} by ${shape.xLabel}`}
        theme={theme}
        tooltip
        legendNames={3}
        highlightSource={highlight}
        onHighlight={onHighlight}
        onDrawn={() => setDrawnFor(current.current)}
      />
    </>
  );
}

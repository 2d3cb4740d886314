import { useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from "react";
import { formatNumber } from "../lib/format";
import { hoverAt, ridgeLayout, type HistogramHover, type StepHistogram } from "../lib/histogram";

const WIDTH = 640;
const LEFT = 64;
const RIGHT = 12;
const TOP = 8;
const BOTTOM = 22;
const TICKS = 5;

/** Histograms over steps as TensorBoard's distributions show them: a ridge per step (the
 * earliest at the top, the latest in front) or a heat map (a band per step, darker where
 * values are dense), sharing one value axis; the pointer reads off the step, bin and count. */
export function HistogramChart({ steps, mode, label }: { steps: readonly StepHistogram[]; mode: "ridge" | "heat"; label: string }) {
  const svg = useRef<SVGSVGElement>(null);
  const [cursor, setCursor] = useState<{ x: number; y: number } | null>(null);
  const height = Math.min(420, Math.max(120, 60 + steps.length * (mode === "heat" ? 10 : 14)));
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = height - TOP - BOTTOM;
  const layout = useMemo(() => ridgeLayout(steps, plotWidth, plotHeight, mode), [steps, plotWidth, plotHeight, mode]);
  const labelEvery = Math.max(1, Math.ceil(steps.length / Math.max(1, Math.floor(plotHeight / 16))));
  const ticks = Array.from({ length: TICKS }, (_, i) => layout.low + ((layout.high - layout.low) * i) / (TICKS - 1));

  const hover: HistogramHover | null = cursor ? hoverAt(layout, steps, cursor.x, cursor.y) : null;
  const onMove = (event: PointerEvent<SVGSVGElement>) => {
    const matrix = svg.current?.getScreenCTM()?.inverse();
    if (!matrix) return;
    const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix);
    setCursor({ x: point.x - LEFT, y: point.y - TOP });
  };
  // The keyboard moves the same cursor: left and right along the values, up and down
  // through the steps.
  const onKey = (event: KeyboardEvent<SVGSVGElement>) => {
    const rowY = (i: number) => {
      const row = layout.rows[Math.max(0, Math.min(layout.rows.length - 1, i))];
      return row ? (mode === "heat" ? row.y + layout.gap / 2 : row.y - 1) : 0;
    };
    const current = cursor ?? { x: plotWidth / 2, y: rowY(layout.rows.length - 1) };
    const index = hover ? steps.findIndex((s) => s.step === hover.step) : layout.rows.length - 1;
    const moves: Record<string, () => { x: number; y: number }> = {
      ArrowLeft: () => ({ ...current, x: Math.max(0, current.x - plotWidth / 64) }),
      ArrowRight: () => ({ ...current, x: Math.min(plotWidth, current.x + plotWidth / 64) }),
      ArrowUp: () => ({ ...current, y: rowY(index - 1) }),
      ArrowDown: () => ({ ...current, y: rowY(index + 1) }),
    };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    setCursor(move());
  };
  const hoverIndex = hover ? steps.findIndex((s) => s.step === hover.step) : -1;
  const hoverX = hover ? LEFT + ((hover.value - layout.low) / (layout.high - layout.low)) * plotWidth : 0;
  const nonFinite = steps.reduce((sum, s) => sum + s.histogram.nan + s.histogram.inf, 0);

  return (
    <figure className="histogram-chart">
      <svg
        ref={svg}
        viewBox={`0 0 ${WIDTH} ${height}`}
        role="img"
        aria-label={`${mode === "ridge" ? "Ridge" : "Heat"} view of ${label} over ${steps.length} step${steps.length === 1 ? "" : "s"}`}
        tabIndex={0}
        onPointerMove={onMove}
        onPointerLeave={() => setCursor(null)}
        onKeyDown={onKey}
        onBlur={() => setCursor(null)}
        data-testid="histogram-chart"
      >
        <g transform={`translate(${LEFT},${TOP})`}>
          {layout.rows.map((row, i) =>
            mode === "ridge" ? (
              row.path ? (
                <path
                  key={row.step}
                  d={row.path}
                  className={`ridge${i === hoverIndex ? " hovered" : ""}`}
                  style={{ fill: `color-mix(in srgb, var(--accent) ${Math.round(15 + (55 * (i + 1)) / layout.rows.length)}%, var(--bg))` }}
                />
              ) : null
            ) : (
              <g key={row.step} className={i === hoverIndex ? "hovered" : undefined}>
                {row.cells.map((cell, b) =>
                  cell.level > 0 ? <rect key={b} x={cell.x} y={row.y} width={Math.max(0.5, cell.width)} height={Math.max(0.5, layout.gap - 0.5)} className="heat-cell" fillOpacity={0.12 + 0.88 * cell.level} /> : null,
                )}
              </g>
            ),
          )}
          {layout.rows.map((row, i) =>
            i % labelEvery === 0 || i === layout.rows.length - 1 ? (
              <text key={row.step} x={-6} y={mode === "heat" ? row.y + layout.gap / 2 : row.y} className="axis-label" textAnchor="end" dominantBaseline="middle">
                {formatNumber(row.step)}
              </text>
            ) : null,
          )}
          {ticks.map((tick, i) => (
            <text key={i} x={(i * plotWidth) / (TICKS - 1)} y={plotHeight + 15} className="axis-label" textAnchor={i === 0 ? "start" : i === TICKS - 1 ? "end" : "middle"}>
              {formatNumber(tick)}
            </text>
          ))}
          <line x1={0} x2={plotWidth} y1={plotHeight} y2={plotHeight} className="axis-line" />
        </g>
        {hover ? <line x1={hoverX} x2={hoverX} y1={TOP} y2={TOP + plotHeight} className="crosshair" /> : null}
      </svg>
      <figcaption className="soft" aria-live="polite" data-testid="histogram-readout">
        {hover
          ? `step ${formatNumber(hover.step)} · value ${formatNumber(hover.value)} · ` +
            (hover.bin ? `bin ${formatNumber(hover.bin.low)} to ${formatNumber(hover.bin.high)}: ${hover.bin.count.toLocaleString()} values` : "outside this step's bins")
          : `step on the left, value along the bottom; point at a ${mode === "ridge" ? "ridge" : "band"} (or focus the chart and use the arrow keys) to read its counts`}
        {nonFinite ? ` · ${nonFinite.toLocaleString()} NaN/∞ values not binned` : ""}
      </figcaption>
    </figure>
  );
}

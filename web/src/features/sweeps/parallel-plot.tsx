import { useMemo, useState } from "react";
import { useNavigate } from "react-router-dom";
import type { Trial } from "../../lib/api/types";
import { formatNumber, truncate } from "../../lib/format";
import { useTheme } from "../../lib/theme";
import { DARK_SCALE_FLOOR, goodness, scaleColor, sweepAxes, trialValue, type Axis, type Objective } from "./model";

const HEIGHT = 320;
const PAD_TOP = 34;
const PAD_BOTTOM = 26;
const AXIS_GAP = 150;
const LEFT = 70;
const MAX_CATEGORY_LABELS = 12;

function axisLabels(axis: Axis, y: (p: number) => number) {
  if (axis.kind === "category") {
    const shown = axis.categories.slice(0, MAX_CATEGORY_LABELS);
    return shown.map((c, k) => ({ text: c, y: y(axis.categories.length === 1 ? 0.5 : k / (axis.categories.length - 1)) }));
  }
  const top = { text: formatNumber(axis.max), y: y(1) };
  const bottom = { text: formatNumber(axis.min), y: y(0) };
  if (axis.kind !== "log" || axis.min <= 0) return [top, bottom];
  // a log axis also marks its middle, so the scale reads as logarithmic
  const middle = Math.sqrt(axis.min * axis.max);
  return [top, { text: formatNumber(middle), y: y(0.5) }, bottom];
}

/** Params and objectives of every trial as lines across parallel axes, coloured from the
 * worst (dark) to the best (bright) value of the first objective; conditional params a
 * trial lacks break its line. Hovering a line names the trial and raises it; a click opens
 * the trial's job. */
export function ParallelPlot({ trials, space, objectives }: { trials: readonly Trial[]; space: Record<string, unknown> | undefined; objectives: readonly Objective[] }) {
  const [hover, setHover] = useState<number | null>(null);
  const floor = useTheme() === "dark" ? DARK_SCALE_FLOOR : 0;
  const navigate = useNavigate();
  const axes = useMemo(() => sweepAxes(trials, space, objectives), [trials, space, objectives]);
  const ranks = useMemo(() => {
    const primary = objectives[0];
    return primary ? goodness(trials.map((t) => trialValue(t, 0)), primary.direction) : trials.map(() => null);
  }, [trials, objectives]);
  const width = Math.max(480, (axes.length - 1) * AXIS_GAP + LEFT * 2);
  const plotHeight = HEIGHT - PAD_TOP - PAD_BOTTOM;
  const y = (p: number) => PAD_TOP + (1 - p) * plotHeight;
  const x = (a: number) => LEFT + a * AXIS_GAP;
  // the best trials are drawn last (on top), the hovered one above all
  const sorted = trials.map((_, i) => i).sort((a, b) => (ranks[a] ?? -1) - (ranks[b] ?? -1) || a - b);
  if (hover !== null) sorted.push(hover);
  const hovered = hover === null ? null : trials[hover];
  return (
    <section className="panel" aria-labelledby="parallel-title" data-testid="sweep-parallel">
      <div className="row">
        <h2 id="parallel-title">Parallel coordinates</h2>
        <span className="soft">coloured by {objectives[0]?.metric ?? "objective"}</span>
        <span className="pc-legend" aria-hidden="true">
          worst <span className="pc-gradient" style={{ background: `linear-gradient(to right, ${[0, 0.25, 0.5, 0.75, 1].map((t) => scaleColor(t, floor)).join(", ")})` }} /> best
        </span>
        <span className="spacer" />
        <span className="soft" data-testid="parallel-hover">
          {hovered ? `trial ${hovered.number}${trialValue(hovered, 0) !== null ? ` · ${objectives[0]?.metric} ${formatNumber(trialValue(hovered, 0))}` : ""}` : `${trials.length} trials`}
        </span>
      </div>
      {axes.length < 2 ? <p className="soft">Nothing to draw yet: the trials have no params.</p> : null}
      <div className="table-scroll">
        <svg width={width} height={HEIGHT} role="img" aria-label="Parallel coordinates of the params and the objective of each trial" data-testid="parallel-svg" onMouseLeave={() => setHover(null)}>
          {sorted.map((i, k) => {
            const trial = trials[i] as Trial;
            // a missing value (a conditional param, NaN) breaks the line into pieces
            const pieces: string[][] = [[]];
            axes.forEach((axis, a) => {
              const p = axis.positions[i];
              if (p === null || p === undefined) pieces.push([]);
              else pieces.at(-1)?.push(`${x(a)},${y(p)}`);
            });
            const isHover = hover === i && k === sorted.length - 1;
            return (
              <g
                key={`${trial.number}-${k}`}
                onMouseEnter={() => setHover(i)}
                onClick={trial.job_id ? () => navigate(`/jobs/${trial.job_id}`) : undefined}
                style={trial.job_id ? { cursor: "pointer" } : undefined}
                data-testid={k === sorted.length - 1 && hover !== null ? undefined : "parallel-line"}
              >
                <title>{`trial ${trial.number} (${trial.state})${trial.job_id ? ": click to open its job" : ""}`}</title>
                {pieces
                  .filter((piece) => piece.length > 0)
                  .map((piece, j) =>
                    piece.length === 1 ? (
                      <circle key={j} cx={Number(piece[0]?.split(",")[0])} cy={Number(piece[0]?.split(",")[1])} r={2.5} fill={scaleColor(ranks[i] ?? null, floor)} />
                    ) : (
                      <polyline key={j} points={piece.join(" ")} fill="none" stroke={isHover ? "var(--text)" : scaleColor(ranks[i] ?? null, floor)} strokeWidth={isHover ? 3 : 1.5} opacity={hover === null || isHover ? 0.85 : 0.35} />
                    ),
                  )}
              </g>
            );
          })}
          {axes.map((axis, a) => (
            <g key={axis.key} data-testid="parallel-axis">
              <line x1={x(a)} x2={x(a)} y1={PAD_TOP} y2={HEIGHT - PAD_BOTTOM} stroke="var(--text-soft)" />
              <text x={x(a)} y={16} textAnchor="middle" fontSize="12" fill="var(--text)" fontWeight={axis.key.startsWith("objective:") ? 600 : 400}>
                <title>{`${axis.label}${axis.kind === "log" ? " (log scale)" : ""}`}</title>
                {truncate(axis.label, 22)}
                {axis.kind === "log" ? " (log)" : ""}
              </text>
              {axisLabels(axis, y).map((label, k) => (
                <text key={k} x={x(a) + 5} y={label.y + 4} fontSize="11" fill="var(--text-soft)" paintOrder="stroke" stroke="var(--bg)" strokeWidth={3}>
                  {truncate(label.text, 16)}
                </text>
              ))}
            </g>
          ))}
        </svg>
      </div>
    </section>
  );
}

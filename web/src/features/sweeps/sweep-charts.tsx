import { useMemo } from "react";
import { useNavigate } from "react-router-dom";
import type { Trial } from "../../lib/api/types";
import { formatNumber, truncate } from "../../lib/format";
import { drawable, specialPoints } from "../../lib/series";
import { useTheme } from "../../lib/theme";
import { LineChart } from "../../components/line-chart";
import { bestSoFar, importanceBars, niceTicks, paddedRange, paretoFront, trialValue, type Objective } from "./model";

const POINTS = "#4e79a7";
const BEST = "#e15759";

/** Each finished trial's objective as a point, and the best so far as a line, by trial. */
export function BestChart({ trials, objective, index }: { trials: readonly Trial[]; objective: Objective; index: number }) {
  const theme = useTheme();
  const data = useMemo(() => bestSoFar(trials, objective.direction, index), [trials, objective.direction, index]);
  const lines = useMemo(
    () => [
      { label: objective.metric, color: POINTS, pointsOnly: true, values: drawable(data.values) },
      { label: "best so far", color: BEST, width: 2, values: data.best },
    ],
    [data, objective.metric],
  );
  const markers = useMemo(() => specialPoints(data.x, data.values).map((m) => ({ ...m, color: POINTS })), [data]);
  const last = data.best.at(-1);
  return (
    <section className="panel" aria-labelledby={`best-title-${index}`} data-testid="best-chart">
      <div className="row">
        <h2 id={`best-title-${index}`}>
          Best <span className="mono">{objective.metric}</span> so far
        </h2>
        <span className="spacer" />
        {last != null ? (
          <span className="soft" data-testid="best-value">
            {objective.direction === "minimize" ? "lowest" : "highest"} <strong className="num">{formatNumber(last)}</strong>
          </span>
        ) : null}
      </div>
      {data.x.length === 0 ? (
        <p className="soft">No trial has finished with a value of {objective.metric} yet.</p>
      ) : (
        <LineChart x={data.x} lines={lines} markers={markers} xAxis="step" xLabel="trial" label={`${objective.metric} per trial and the best so far`} theme={theme} height={220} />
      )}
      <p className="chart-note">x: trial number · points: each complete trial · line: the best value up to that trial</p>
    </section>
  );
}

const BAR_HEIGHT = 22;
const LABEL_WIDTH = 150;

/** Param importances for objective 0 as horizontal bars, largest first. */
export function ImportanceChart({ items, reason, metric }: { items: readonly { param: string; importance: unknown }[]; reason?: string | null; metric: string }) {
  const bars = importanceBars(items);
  const width = 460;
  const plot = width - LABEL_WIDTH - 60;
  return (
    <section className="panel" aria-labelledby="importance-title" data-testid="importance-chart">
      <h2 id="importance-title">
        Param importances for <span className="mono">{metric}</span>
      </h2>
      {bars.length === 0 ? (
        <p className="soft">{reason || "Importances appear once two trials are complete."}</p>
      ) : (
        <svg width="100%" viewBox={`0 0 ${width} ${bars.length * BAR_HEIGHT + 4}`} role="img" aria-label={`Importance of each param for ${metric}`} style={{ maxWidth: width }}>
          {bars.map((bar, i) => (
            <g key={bar.param} transform={`translate(0, ${i * BAR_HEIGHT + 2})`} data-testid="importance-bar">
              <title>{`${bar.param}: ${formatNumber(bar.importance)}`}</title>
              <text x={LABEL_WIDTH - 6} y={BAR_HEIGHT / 2 + 4} textAnchor="end" fontSize="12" fill="var(--text)" fontFamily="var(--mono)">
                {truncate(bar.param, 20)}
              </text>
              <rect x={LABEL_WIDTH} y={3} height={BAR_HEIGHT - 6} width={Math.max(1, bar.fraction * plot)} fill="var(--accent)" rx={2} />
              <text x={LABEL_WIDTH + Math.max(1, bar.fraction * plot) + 6} y={BAR_HEIGHT / 2 + 4} fontSize="12" fill="var(--text-soft)">
                {formatNumber(bar.importance)}
              </text>
            </g>
          ))}
        </svg>
      )}
    </section>
  );
}

const SCATTER_W = 520;
const SCATTER_H = 300;
const PAD = { left: 64, right: 16, top: 12, bottom: 40 };

/** Two objectives against each other: every complete trial a point, the Pareto front
 * highlighted and joined; a click on a point opens its job. */
export function ParetoChart({ trials, objectives }: { trials: readonly Trial[]; objectives: readonly [Objective, Objective] }) {
  const points = useMemo(
    () =>
      trials
        .filter((t) => t.state === "complete")
        .map((t) => ({ trial: t, x: trialValue(t, 0), y: trialValue(t, 1) })),
    [trials],
  );
  const drawn = points.filter((p): p is { trial: Trial; x: number; y: number } => p.x !== null && p.y !== null && Number.isFinite(p.x) && Number.isFinite(p.y));
  const hidden = points.length - drawn.length;
  const front = new Set(paretoFront(drawn.map((p) => [p.x, p.y]), [objectives[0].direction, objectives[1].direction]));
  const [x0, x1] = paddedRange(drawn.map((p) => p.x));
  const [y0, y1] = paddedRange(drawn.map((p) => p.y));
  const plotW = SCATTER_W - PAD.left - PAD.right;
  const plotH = SCATTER_H - PAD.top - PAD.bottom;
  const sx = (v: number) => PAD.left + ((v - x0) / (x1 - x0)) * plotW;
  const sy = (v: number) => PAD.top + (1 - (v - y0) / (y1 - y0)) * plotH;
  const navigate = useNavigate();
  const frontPoints = drawn.filter((_, i) => front.has(i)).sort((a, b) => a.x - b.x);
  return (
    <section className="panel" aria-labelledby="pareto-title" data-testid="pareto-chart">
      <div className="row">
        <h2 id="pareto-title">Pareto front</h2>
        <span className="soft" data-testid="pareto-count">
          {front.size} of {drawn.length} trials on the front
        </span>
        {hidden ? <span className="soft">· {hidden} with NaN or ∞ not drawn</span> : null}
      </div>
      <svg width="100%" viewBox={`0 0 ${SCATTER_W} ${SCATTER_H}`} style={{ maxWidth: SCATTER_W }} role="img" aria-label={`${objectives[0].metric} against ${objectives[1].metric}, Pareto front highlighted`}>
        {niceTicks(x0, x1, 5).map((t) => (
          <g key={`x${t}`}>
            <line x1={sx(t)} x2={sx(t)} y1={PAD.top} y2={PAD.top + plotH} stroke="var(--border)" />
            <text x={sx(t)} y={PAD.top + plotH + 14} textAnchor="middle" fontSize="11" fill="var(--text-soft)">
              {formatNumber(t)}
            </text>
          </g>
        ))}
        {niceTicks(y0, y1, 5).map((t) => (
          <g key={`y${t}`}>
            <line x1={PAD.left} x2={PAD.left + plotW} y1={sy(t)} y2={sy(t)} stroke="var(--border)" />
            <text x={PAD.left - 6} y={sy(t) + 4} textAnchor="end" fontSize="11" fill="var(--text-soft)">
              {formatNumber(t)}
            </text>
          </g>
        ))}
        <text x={PAD.left + plotW / 2} y={SCATTER_H - 4} textAnchor="middle" fontSize="12" fill="var(--text)">
          {objectives[0].metric} ({objectives[0].direction})
        </text>
        <text transform={`translate(12, ${PAD.top + plotH / 2}) rotate(-90)`} textAnchor="middle" fontSize="12" fill="var(--text)">
          {objectives[1].metric} ({objectives[1].direction})
        </text>
        {frontPoints.length > 1 ? (
          <polyline points={frontPoints.map((p) => `${sx(p.x)},${sy(p.y)}`).join(" ")} fill="none" stroke={BEST} strokeWidth={1.5} strokeDasharray="4 3" />
        ) : null}
        {drawn.map((p, i) => {
          const onFront = front.has(i);
          const label = `trial ${p.trial.number}: ${objectives[0].metric} ${formatNumber(p.x)}, ${objectives[1].metric} ${formatNumber(p.y)}${onFront ? " (on the front)" : ""}`;
          const dot = (
            <circle cx={sx(p.x)} cy={sy(p.y)} r={onFront ? 6 : 4} fill={onFront ? BEST : POINTS} fillOpacity={onFront ? 1 : 0.55} stroke={onFront ? "var(--text)" : "none"} data-testid={onFront ? "pareto-front-point" : "pareto-point"}>
              <title>{label}</title>
            </circle>
          );
          return p.trial.job_id ? (
            <a
              key={p.trial.number}
              href={`/jobs/${p.trial.job_id}`}
              aria-label={label}
              onClick={(e) => {
                e.preventDefault();
                navigate(`/jobs/${p.trial.job_id}`);
              }}
            >
              {dot}
            </a>
          ) : (
            <g key={p.trial.number}>{dot}</g>
          );
        })}
      </svg>
    </section>
  );
}

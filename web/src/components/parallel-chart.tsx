// The parallel-coordinates drawing shared by the compare page and the workspace's parallel
// panel: a line per item across one vertical axis per field, and brushes dragged on the axes.
import { useRef, type PointerEvent } from "react";
import { formatNumber, truncate } from "../lib/format";
import type { Axis } from "../lib/parallel-axes";

export type Brushes = Record<string, [number, number]>;

/** One item's line: drawn in `color` while inside every brush (grey outside), thicker when
 * `strong` or hovered (`highlight`). */
export interface ParallelLine {
  id: string;
  name: string;
  color: string;
  strong?: boolean;
}

export interface ParallelChartProps {
  /** The axes, left to right; `axes[a].positions[i]` places `lines[i]`. */
  axes: readonly Axis[];
  lines: readonly ParallelLine[];
  /** Which lines lie inside every brush (see lib/parallel-axes `brushed`). */
  inside: readonly boolean[];
  /** The order the lines are drawn in (last on top); all, in order, when absent. */
  order?: readonly number[];
  brushes: Brushes;
  onBrushes: (change: (brushes: Brushes) => Brushes) => void;
  width: number;
  height: number;
  /** The accessible name of the chart, and its test id. */
  label: string;
  testId: string;
  highlight?: string | null;
  onHover?: (id: string | null) => void;
  onOpen?: (id: string) => void;
}

const PAD = { top: 28, bottom: 22, side: 56 };

/** Lines across axes; drag along an axis to brush it (the owner keeps only the lines inside
 * every brush coloured), a click on an axis clears its brush. */
export function ParallelChart(props: ParallelChartProps) {
  const { axes, lines, inside, brushes, width, height } = props;
  const drag = useRef<{ key: string; start: number } | null>(null);
  const plot = height - PAD.top - PAD.bottom;
  const gap = axes.length > 1 ? (width - 2 * PAD.side) / (axes.length - 1) : 0;
  const x = (a: number) => PAD.side + a * gap;
  const y = (p: number) => PAD.top + (1 - p) * plot;
  const position = (event: PointerEvent<SVGRectElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    return Math.min(1, Math.max(0, 1 - (event.clientY - box.top) / box.height));
  };
  const order = props.order ?? lines.map((_, i) => i);
  return (
    <svg width={width} height={height} role="img" aria-label={props.label} data-testid={props.testId}>
      {order.map((i) => {
        const line = lines[i];
        if (!line) return null;
        const on = inside[i] ?? true;
        const points = axes.flatMap((axis, a) => {
          const p = axis.positions[i];
          return p === null || p === undefined ? [] : [`${x(a)},${y(p)}`];
        });
        return (
          <polyline
            key={line.id}
            points={points.join(" ")}
            fill="none"
            stroke={on ? line.color : "var(--border)"}
            strokeWidth={props.highlight === line.id ? 3 : on && line.strong ? 2 : 1}
            opacity={on ? 0.85 : 0.4}
            style={props.onOpen ? { cursor: "pointer" } : undefined}
            onPointerEnter={props.onHover ? () => props.onHover?.(line.id) : undefined}
            onPointerLeave={props.onHover ? () => props.onHover?.(null) : undefined}
            onClick={props.onOpen ? () => props.onOpen?.(line.id) : undefined}
            data-testid="parallel-line"
          >
            <title>{line.name}</title>
          </polyline>
        );
      })}
      {axes.map((axis, a) => (
        <AxisView key={axis.key} axis={axis} x={x(a)} y={y} top={PAD.top} plot={plot} brush={brushes[axis.key]} />
      ))}
      {axes.map((axis, a) => (
        <rect
          key={axis.key}
          x={x(a) - 12}
          width={24}
          y={PAD.top}
          height={plot}
          fill="transparent"
          style={{ cursor: "ns-resize" }}
          data-testid="parallel-brush"
          onPointerDown={(e) => {
            e.currentTarget.setPointerCapture(e.pointerId);
            drag.current = { key: axis.key, start: position(e) };
          }}
          onPointerMove={(e) => {
            const start = drag.current?.key === axis.key ? drag.current.start : null;
            if (start === null) return;
            const end = position(e);
            props.onBrushes((b) => ({ ...b, [axis.key]: [start, end] }));
          }}
          onPointerUp={(e) => {
            if (drag.current && Math.abs(position(e) - drag.current.start) < 0.01) {
              props.onBrushes((b) => Object.fromEntries(Object.entries(b).filter(([k]) => k !== axis.key)));
            }
            drag.current = null;
          }}
        />
      ))}
    </svg>
  );
}

function AxisView({ axis, x, y, top, plot, brush }: { axis: Axis; x: number; y: (p: number) => number; top: number; plot: number; brush: [number, number] | undefined }) {
  const labels =
    axis.kind === "category"
      ? axis.categories.slice(0, 12).map((c, k) => ({ text: c, at: axis.categories.length === 1 ? 0.5 : k / (axis.categories.length - 1) }))
      : [
          { text: formatNumber(axis.max), at: 1 },
          { text: formatNumber(axis.min), at: 0 },
        ];
  return (
    <g data-testid="parallel-axis">
      <line x1={x} x2={x} y1={top} y2={top + plot} stroke="var(--text-soft)" />
      <text x={x} y={top - 12} textAnchor="middle" fontSize="12" fill="var(--text)">
        <title>{axis.label}</title>
        {truncate(axis.label, 20)}
      </text>
      {labels.map((label) => (
        <text key={`${label.at}-${label.text}`} x={x + 5} y={y(label.at) + 4} fontSize="11" fill="var(--text-soft)" paintOrder="stroke" stroke="var(--bg)" strokeWidth={3}>
          {truncate(label.text, 14)}
        </text>
      ))}
      {brush ? <rect x={x - 7} width={14} y={y(Math.max(...brush))} height={Math.abs(brush[1] - brush[0]) * plot} fill="var(--accent)" opacity={0.3} /> : null}
    </g>
  );
}

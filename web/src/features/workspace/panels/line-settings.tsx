// The settings of a line panel: metric, x, log axes, y range, smoothing and clipping.
import { useId } from "react";
import type { LineSettings, LineX, Smoothing } from "../view";

const number = (text: string): number | null => (text.trim() === "" || !Number.isFinite(Number(text)) ? null : Number(text));

export function LineSettingsForm({ settings, metrics, onChange }: { settings: LineSettings; metrics: readonly string[]; onChange: (settings: LineSettings) => void }) {
  const id = useId();
  const set = (patch: Partial<LineSettings>) => onChange({ ...settings, ...patch });
  return (
    <div className="panel-form" data-testid="line-settings">
      <label htmlFor={`${id}-metric`}>Metric</label>
      <select id={`${id}-metric`} value={settings.metric} onChange={(e) => set({ metric: e.target.value })}>
        {[...new Set([settings.metric, ...metrics])].map((m) => (
          <option key={m} value={m}>
            {m}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-x`}>X axis</label>
      <select id={`${id}-x`} value={settings.x ?? ""} onChange={(e) => set({ x: (e.target.value || null) as LineX | null })}>
        <option value="">workspace's</option>
        <option value="step">step</option>
        <option value="time">time</option>
        <option value="relative">relative time</option>
        {metrics
          .filter((m) => m !== settings.metric)
          .map((m) => (
            <option key={m} value={`metric:${m}`}>
              metric {m}
            </option>
          ))}
      </select>
      <span />
      <span className="row">
        <label className="check">
          <input type="checkbox" checked={settings.logX} onChange={(e) => set({ logX: e.target.checked })} /> log x
        </label>
        <select aria-label="Y scale" value={settings.logY === null ? "" : settings.logY ? "log" : "linear"} onChange={(e) => set({ logY: e.target.value === "" ? null : e.target.value === "log" })}>
          <option value="">workspace's y scale</option>
          <option value="linear">linear y</option>
          <option value="log">log y</option>
        </select>
        <label className="check">
          <input type="checkbox" checked={settings.clip} onChange={(e) => set({ clip: e.target.checked })} /> clip outliers (1–99th pct)
        </label>
      </span>
      <label htmlFor={`${id}-ymin`}>Y range</label>
      <span className="row">
        <input id={`${id}-ymin`} aria-label="Y min" className="num" type="number" placeholder="min" defaultValue={settings.yMin ?? ""} onBlur={(e) => set({ yMin: number(e.target.value) })} style={{ width: 90 }} />
        –
        <input aria-label="Y max" className="num" type="number" placeholder="max" defaultValue={settings.yMax ?? ""} onBlur={(e) => set({ yMax: number(e.target.value) })} style={{ width: 90 }} />
      </span>
      <label htmlFor={`${id}-smooth`}>Smoothing</label>
      <span className="row">
        <select aria-label="Panel smoothing kind" value={settings.smoothingKind ?? ""} onChange={(e) => set({ smoothingKind: (e.target.value || null) as Smoothing | null })}>
          <option value="">workspace's</option>
          <option value="ema">EMA</option>
          <option value="time">time-weighted EMA</option>
        </select>
        <input
          id={`${id}-smooth`}
          type="range"
          min={0}
          max={0.99}
          step={0.01}
          value={settings.smoothing ?? 0}
          onChange={(e) => set({ smoothing: Number(e.target.value) })}
        />
        <span className="num mono">{settings.smoothing === null ? "–" : settings.smoothing.toFixed(2)}</span>
        {settings.smoothing !== null ? (
          <button type="button" className="link" onClick={() => set({ smoothing: null })}>
            use the workspace's
          </button>
        ) : null}
      </span>
    </div>
  );
}

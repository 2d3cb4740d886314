import { renderToStaticMarkup } from "react-dom/server";
import { expect, it } from "vitest";
import { parseHistogram, type StepHistogram } from "../lib/histogram";
import { HistogramChart } from "./histogram-chart";

const steps: StepHistogram[] = [0, 5, 10].map((step, i) => ({
  step,
  histogram: parseHistogram({ edges: [i, i + 1, i + 2], counts: [3, 1], count: 4, nan: i === 2 ? 2 : 0, inf: 0 }),
}));

it("draws a ridge per step and counts the values not binned", () => {
  const html = renderToStaticMarkup(<HistogramChart steps={steps} mode="ridge" label="weights" />);
  expect(html).toContain('aria-label="Ridge view of weights over 3 steps"');
  expect(html.match(/class="ridge"/g)).toHaveLength(3);
  expect(html).toContain("2 NaN/∞ values not binned");
});

it("draws a band per step in the heat view, a cell per non-empty bin", () => {
  const html = renderToStaticMarkup(<HistogramChart steps={steps} mode="heat" label="weights" />);
  expect(html).toContain('aria-label="Heat view of weights over 3 steps"');
  expect(html.match(/class="heat-cell"/g)).toHaveLength(6);
});

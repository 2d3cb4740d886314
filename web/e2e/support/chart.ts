// Reading a metric chart as a user sees it: what its canvas shows.
import type { Locator } from "@playwright/test";

/** How many pixels of the chart's canvas are in the colour of its `nth` series (1 = the
 * first job): its line, or its dots where a line has nothing to join. */
export async function seriesPixels(chart: Locator, nth = 1): Promise<number> {
  return chart.evaluate((card, index) => {
    const marker = card.querySelectorAll<HTMLElement>(".u-legend .u-series")[index]?.querySelector<HTMLElement>(".u-marker");
    const canvas = card.querySelector("canvas");
    const context = canvas?.getContext("2d");
    if (!marker || !canvas || !context) throw new Error("the chart has no legend or no canvas");
    const color = (getComputedStyle(marker).borderColor.match(/\d+/g) ?? []).slice(0, 3).map(Number);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let count = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      const near = color.every((c, k) => Math.abs((pixels[i + k] ?? -99) - c) <= 3);
      if (near && (pixels[i + 3] ?? 0) > 200) count += 1;
    }
    return count;
  }, nth);
}

// The browser side of bench/gui.py: `node bench/gui_probe.mjs < CONFIG_JSON`, run in web/.
// Drives Debian's Chromium with the Playwright that web/ installs, prints one JSON object
// {"first_rows": [ms...], "scroll": [ms...], "compare": [ms...]} on stdout (one value per
// recorded repetition) and its progress on stderr.
import { DEADLINE_MS, VIEWPORT, launch, readConfig, repeat, Retry, watchCanvas } from "./probe.mjs";

const ROW = '[data-testid="job-row"]';
const TABLE = '[role="grid"][aria-label="Jobs"]';

const config = readConfig();

// Runs in the page before its scripts: records when a job row is first in the document,
// then the end of the next frame (after it was painted).
function watchFirstRow([selector, text]) {
  const found = () =>
    [...document.querySelectorAll(selector)].some((row) => row.textContent?.includes(text));
  const observer = new MutationObserver(() => {
    if (window.__atlasRowSeen !== undefined || !found()) return;
    window.__atlasRowSeen = performance.now();
    observer.disconnect();
    requestAnimationFrame(() => setTimeout(() => (window.__atlasFirstRows = performance.now())));
  });
  observer.observe(document, { childList: true, subtree: true, characterData: true });
}

async function fresh(browser) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  return { context, page: await context.newPage() };
}

async function firstRows(browser) {
  const { context, page } = await fresh(browser);
  try {
    await page.addInitScript(watchFirstRow, [ROW, config.rowText]);
    await page.goto(config.tableUrl);
    await page.waitForFunction(() => window.__atlasFirstRows !== undefined, null, {
      timeout: DEADLINE_MS,
    });
    return await page.evaluate(() => window.__atlasFirstRows);
  } finally {
    await context.close();
  }
}

const WHEEL_STEPS = 120;
const WHEEL_PX = 600;

// Frame intervals while the wheel scrolls the table down: the p99 interval (ms). A
// repetition in which the wheel did not scroll the table (it can latch onto the page when
// the table's first frame is not composited yet) measured nothing: it is refused (Retry),
// rather than recorded as a perfectly smooth scroll.
async function scroll(browser) {
  const { context, page } = await fresh(browser);
  try {
    await page.goto(config.tableUrl);
    const first = page.locator(ROW).first();
    await first.waitFor({ timeout: DEADLINE_MS });
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    // the pointer goes over the table's own middle: a row is as wide as all its columns, so
    // its middle may lie under the chart panels beside the table
    const box = await first.boundingBox();
    const table = await page.locator(TABLE).boundingBox();
    await page.mouse.move(table.x + table.width / 2, box.y + 40);
    await page.evaluate(() => {
      window.__atlasFrames = [];
      let last = performance.now();
      const tick = (now) => {
        window.__atlasFrames.push(now - last);
        last = now;
        if (window.__atlasFrames.length < 100_000) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    for (let step = 0; step < WHEEL_STEPS; step += 1) {
      await page.mouse.wheel(0, WHEEL_PX);
      await page.waitForTimeout(16);
    }
    const frames = await page.evaluate(() => window.__atlasFrames.slice(1));
    const scrolled = await page.evaluate((selector) => document.querySelector(selector)?.scrollTop ?? 0, TABLE);
    if (scrolled < (WHEEL_STEPS * WHEEL_PX) / 2) throw new Retry(`the wheel scrolled the table ${scrolled} px`);
    const ordered = [...frames].sort((a, b) => a - b);
    return ordered[Math.max(0, Math.ceil(0.99 * ordered.length) - 1)];
  } finally {
    await context.close();
  }
}

// From navigation start to the last canvas draw of the chart once it holds every job's
// series (its note counts all their points, nothing is loading) and nothing more is drawn.
async function compare(browser) {
  const { context, page } = await fresh(browser);
  try {
    await page.addInitScript(watchCanvas);
    await page.goto(config.compareUrl);
    const chart = page.getByRole("article", { name: `Chart of ${config.compareMetric}` });
    const note = chart.locator(".chart-note");
    await note.filter({ hasText: config.comparePoints }).waitFor({ timeout: DEADLINE_MS });
    await page.waitForFunction(
      ([text]) => {
        const shown = document.querySelector(".chart-note")?.textContent ?? "";
        return !shown.includes("loading") && shown.includes(text) && window.__atlasLastDraw > 0 &&
          performance.now() - window.__atlasLastDraw > 300;
      },
      [config.comparePoints],
      { timeout: DEADLINE_MS, polling: 50 },
    );
    const legend = await chart.locator(".u-legend .u-series").count();
    if (legend < config.compareSeries + 1) {
      throw new Error(`the compare chart shows ${legend - 1} series, not ${config.compareSeries}`);
    }
    return await page.evaluate((path) => {
      const asks = performance.getEntriesByType("resource").filter((entry) => entry.name.includes(path));
      if (asks.length === 0) throw new Error(`the compare page asked nothing of ${path}`);
      const firstAsk = Math.min(...asks.map((entry) => entry.startTime));
      const lastAnswer = Math.max(...asks.map((entry) => entry.responseEnd));
      const drawn = window.__atlasLastDraw;
      return { total: drawn, chart: drawn - firstAsk, fetch: lastAnswer - firstAsk, requests: asks.length };
    }, config.seriesPath);
  } finally {
    await context.close();
  }
}

const browser = await launch(config);
try {
  const figures = {
    first_rows: await repeat("first rows", () => firstRows(browser), config),
    scroll: await repeat("scroll p99 frame", () => scroll(browser), config),
    compare: await repeat("compare chart", () => compare(browser), config),
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
} finally {
  await browser.close();
}

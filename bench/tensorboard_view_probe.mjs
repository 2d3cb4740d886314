// The browser side of bench/tensorboard_view.py: `node bench/tensorboard_view_probe.mjs < CONFIG_JSON`,
// run in web/. Prints {"first_chart": [{"chart", "answering", "canvas"} ms...]} on stdout (one
// per recorded repetition) and its progress on stderr.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import { CHROMIUM_FLAGS } from "../web/e2e/chromium.mjs";

const require = createRequire(new URL("../web/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const VIEWPORT = { width: 1440, height: 900 };
const DEADLINE_MS = 60_000;
const BETWEEN_MS = 5_000;
const config = JSON.parse(readFileSync(0, "utf8"));

function note(message) {
  process.stderr.write(`${message}\n`);
}

// Whether the screenshot (PNG, base64) holds the runs' coloured lines (axes are grey).
async function coloured(page, png) {
  return page.evaluate(async (data) => {
    const image = new Image();
    image.src = `data:image/png;base64,${data}`;
    await image.decode();
    const canvas = document.createElement("canvas");
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext("2d");
    context.drawImage(image, 0, 0);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let count = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      if (Math.max(pixels[i], pixels[i + 1], pixels[i + 2]) - Math.min(pixels[i], pixels[i + 1], pixels[i + 2]) > 80) count += 1;
    }
    return count > 30;
  }, png);
}

async function firstChart(browser, project) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    await page.goto(`${config.url}/projects/${encodeURIComponent(project)}`);
    await page.waitForSelector('[data-testid="job-row"]', { timeout: DEADLINE_MS });
    await page.getByRole("checkbox", { name: "Select all loaded jobs" }).click();
    await page.getByRole("toolbar", { name: "Selected jobs" }).getByText(`${config.jobs} selected`).waitFor();
    const link = page.getByRole("toolbar", { name: "Selected jobs" }).getByRole("link", { name: "TensorBoard" });
    const clicked = Date.now();
    const [tab] = await Promise.all([context.waitForEvent("page"), link.click()]);
    await tab.waitForURL(/\/tensorboard\/[0-9a-f]{16}\//, { timeout: DEADLINE_MS });
    const answering = Date.now() - clicked;
    const chart = tab.locator("scalar-card line-chart canvas").first();
    await chart.waitFor({ state: "attached", timeout: DEADLINE_MS });
    const canvas = Date.now() - clicked;
    for (;;) {
      const png = (await chart.screenshot({ animations: "disabled" })).toString("base64");
      if (await coloured(tab, png)) break;
      if (Date.now() - clicked > DEADLINE_MS) throw new Error("TensorBoard drew no chart in time");
      await tab.waitForTimeout(50);
    }
    return { chart: Date.now() - clicked, answering, canvas };
  } finally {
    await context.close();
  }
}

const browser = await chromium.launch({ executablePath: config.chromium, args: [...CHROMIUM_FLAGS] });
try {
  const values = [];
  for (const [index, project] of config.projects.entries()) {
    await new Promise((resolve) => setTimeout(resolve, BETWEEN_MS));
    const sample = await firstChart(browser, project);
    const warm = index < config.warmup;
    note(`first chart ${warm ? "(warm-up)" : `${values.length + 1}/${config.repetitions}`}: ${sample.chart} ms (TensorBoard at ${sample.answering} ms, canvas at ${sample.canvas} ms)`);
    if (!warm) values.push(sample);
  }
  process.stdout.write(`${JSON.stringify({ first_chart: values })}\n`);
} finally {
  await browser.close();
}

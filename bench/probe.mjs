// What the GUI benchmarks' browser probes share (bench/gui_probe.mjs and
// bench/gui_workspace_probe.mjs): the config on stdin, progress on stderr, Debian's Chromium
// with the test suite's flags, repetitions after a warm-up, and the in-page watchers whose
// times the figures are (all in `performance.now()` of the page: 0 = navigation start).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import { CHROMIUM_FLAGS } from "../web/e2e/chromium.mjs";

const require = createRequire(new URL("../web/package.json", import.meta.url));
const { chromium } = require("playwright-core");

export const VIEWPORT = { width: 1440, height: 900 };
export const DEADLINE_MS = 60_000;

/** The probe's config: the JSON object on stdin (bench/browser.py's run_probe writes it). */
export function readConfig() {
  return JSON.parse(readFileSync(0, "utf8"));
}

export function note(message) {
  process.stderr.write(`${message}\n`);
}

/** Debian's Chromium at `config.chromium`, headless, with the suite's flags. */
export function launch(config) {
  return chromium.launch({ executablePath: config.chromium, args: [...CHROMIUM_FLAGS] });
}

/** Thrown by a measure whose repetition measured nothing (e.g. a wheel that did not scroll);
 * `repeat` runs it again, up to 3 times. */
export class Retry extends Error {}

async function attempt(name, measure) {
  for (let tries = 1; ; tries += 1) {
    try {
      return await measure();
    } catch (error) {
      if (!(error instanceof Retry) || tries >= 3) throw error;
      note(`${name}: ${error.message}; measuring again`);
    }
  }
}

/** A sample for the progress line: milliseconds to 0.1 ms, a compound sample's parts named. */
export function describe(sample) {
  if (typeof sample === "number") return `${sample.toFixed(1)} ms`;
  return Object.entries(sample)
    .map(([key, value]) =>
      Array.isArray(value)
        ? `${key} ${value.map((item) => item.toFixed(1)).join("/")} ms`
        : key === "requests"
          ? `${value} requests`
          : `${key} ${value.toFixed(1)} ms`,
    )
    .join(", ");
}

/** `config.warmup` unrecorded runs of `measure` (shown in the progress), then
 * `config.repetitions` recorded ones. */
export async function repeat(name, measure, config) {
  for (let index = 0; index < config.warmup; index += 1) {
    note(`${name} warm-up (not recorded): ${describe(await attempt(name, measure))}`);
  }
  const values = [];
  for (let index = 0; index < config.repetitions; index += 1) {
    values.push(await attempt(name, measure));
    note(`${name} ${index + 1}/${config.repetitions}: ${describe(values.at(-1))}`);
  }
  return values;
}

/** Runs in the page before its scripts (`page.addInitScript`): notes the time of every
 * canvas stroke or fill in `window.__atlasLastDraw`. */
export function watchCanvas() {
  window.__atlasLastDraw = 0;
  for (const name of ["stroke", "fill"]) {
    const original = CanvasRenderingContext2D.prototype[name];
    CanvasRenderingContext2D.prototype[name] = function draw(...args) {
      window.__atlasLastDraw = performance.now();
      return original.apply(this, args);
    };
  }
}

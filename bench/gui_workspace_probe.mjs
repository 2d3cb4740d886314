// The browser side of bench/gui_workspace.py: `node bench/gui_workspace_probe.mjs < CONFIG_JSON`,
// run in web/. Prints one JSON object {"panels": [{total, fetch, requests, smoothing: [ms...]}
// ...], "scatter": [{total, fetch}...]} on stdout (one item per recorded repetition) and its
// progress on stderr.
//
// Warm bundle: each measure opens a new page in one browser context whose HTTP cache already
// holds the GUI's scripts and styles (the warm-up visit put them there; the server marks them
// immutable), so a page starts with a fresh script heap and no API answer cached (the API
// is not cached), as when a user opens a second workspace link.
import { DEADLINE_MS, launch, readConfig, repeat } from "./probe.mjs";

const PANEL = '[data-testid="panel"]';
const SMOOTHING = '[data-testid="smoothing"]';
const QUIET_MS = 500;

const config = readConfig();

// Runs in the page before its scripts. Watches every panel's `data-drawn`: `__atlasPanels`
// maps each panel element to `{marked, painted}`, the time its attribute last became "1" and
// the end of the first frame after that (when the drawing was on screen); `__atlasChanged` is
// the time any panel's `data-drawn` or `data-points` last changed.
function watchPanels(selector) {
  window.__atlasPanels = new Map();
  window.__atlasChanged = 0;
  const marks = window.__atlasPanels;
  const mark = (panel, marked) => {
    marks.set(panel, { marked, painted: null });
    requestAnimationFrame(() =>
      setTimeout(() => {
        if (marks.get(panel)?.marked === marked) marks.set(panel, { marked, painted: performance.now() });
      }),
    );
  };
  const observer = new MutationObserver((records) => {
    const now = performance.now();
    for (const { target } of records) {
      if (!target.matches(selector)) continue;
      window.__atlasChanged = now;
      if (target.getAttribute("data-drawn") === "1") mark(target, now);
    }
  });
  observer.observe(document, { subtree: true, attributes: true, attributeFilter: ["data-drawn", "data-points"] });
}

// Runs in the page: once `count` panels of `kind` are in the document, every one drawn ("1",
// with `data-points` equal to `points` when given), marked since `since` and painted, and no
// panel changed for `quiet` ms: the time the last of them was painted; else null.
function settled([selector, kind, count, points, since, quiet]) {
  const panels = [...document.querySelectorAll(selector)].filter((panel) => panel.dataset.kind === kind);
  if (panels.length !== count) return null;
  let last = 0;
  for (const panel of panels) {
    const seen = window.__atlasPanels.get(panel);
    if (panel.dataset.drawn !== "1" || !seen || seen.marked < since || seen.painted === null) return null;
    if (points !== null && panel.dataset.points !== String(points)) return null;
    last = Math.max(last, seen.painted);
  }
  return performance.now() - window.__atlasChanged < quiet ? null : last;
}

// Runs in the page: what its panels show now (for the error of a wait that timed out).
function panelStates(selector) {
  return [...document.querySelectorAll(selector)]
    .map((panel) => `${panel.dataset.kind}:${panel.dataset.drawn ?? "-"}${panel.dataset.points ? `/${panel.dataset.points}` : ""}`)
    .join(" ");
}

// The time (in the page) the last of `count` `kind` panels was on screen, drawn since `since`.
async function whenDrawn(page, kind, count, points, since) {
  try {
    const handle = await page.waitForFunction(settled, [PANEL, kind, count, points, since, QUIET_MS], {
      timeout: DEADLINE_MS,
      polling: 50,
    });
    return await handle.jsonValue();
  } catch (error) {
    const shown = await page.evaluate(panelStates, PANEL).catch(() => "?");
    throw new Error(`waiting for ${count} ${kind} panels drawn since ${since.toFixed(0)} ms (shown: ${shown || "none"}): ${error.message}`);
  }
}

// Requests whose URL holds `part`: how many, and from the first one's start to the last
// one's answer (ms).
function requests(page, part) {
  return page.evaluate((fragment) => {
    const asks = performance.getEntriesByType("resource").filter((entry) => entry.name.includes(fragment));
    if (asks.length === 0) return { requests: 0, fetch: 0 };
    const first = Math.min(...asks.map((entry) => entry.startTime));
    return { requests: asks.length, fetch: Math.max(...asks.map((entry) => entry.responseEnd)) - first };
  }, part);
}

async function warmPage(context) {
  const page = await context.newPage();
  await page.addInitScript(watchPanels, PANEL);
  return page;
}

// Navigation start → every line panel drawn; then `config.smoothingChanges` changes of the
// smoothing control, each timed until every panel is drawn again.
async function panels(context) {
  const page = await warmPage(context);
  try {
    await page.goto(config.panelsUrl);
    const total = await whenDrawn(page, "line", config.panels, null, 0);
    const asked = await requests(page, config.seriesPath);
    const smoothing = [];
    for (let index = 0; index < config.smoothingChanges; index += 1) {
      smoothing.push(await smooth(page, index));
    }
    return { total, ...asked, smoothing };
  } finally {
    await page.close();
  }
}

// Moves the smoothing control to another value (as dragging it does: an `input` event with the
// new value, through the setter React watches) and times until every panel is drawn again.
async function smooth(page, index) {
  const control = page.locator(SMOOTHING);
  await control.waitFor({ timeout: DEADLINE_MS });
  const since = await control.evaluate((input, step) => {
    const low = Number(input.min || 0);
    const high = Number(input.max || 1);
    const values = [0.6, 0.9, 0.3].map((share) => low + share * (high - low));
    const value = values[step % values.length];
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
    const started = performance.now();
    setter.call(input, String(value));
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
    return started;
  }, index);
  const drawn = await whenDrawn(page, "line", config.panels, null, since);
  return drawn - since;
}

// Navigation start → the scatter panel drawn with every job's point.
async function scatter(context) {
  const page = await warmPage(context);
  try {
    await page.goto(config.scatterUrl);
    const total = await whenDrawn(page, "scatter", 1, config.scatterPoints, 0);
    const asked = await requests(page, config.valuesPath);
    return { total, fetch: asked.fetch };
  } finally {
    await page.close();
  }
}

const browser = await launch(config);
try {
  const context = await browser.newContext({ viewport: config.viewport });
  const figures = {
    panels: await repeat("panels", () => panels(context), config),
    scatter: await repeat("scatter", () => scatter(context), config),
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
} finally {
  await browser.close();
}

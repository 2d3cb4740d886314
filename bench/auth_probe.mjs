// The browser side of bench/auth.py's login figure: `node bench/auth_probe.mjs < CONFIG_JSON`,
// run in web/ (the config comes on stdin: it holds the password). Drives Debian's Chromium
// with the Playwright that web/ installs; prints {"login": [{"waiting", "total", "form",
// "submit"}...]} on stdout, one object per recorded repetition, and its progress on stderr.
// Milliseconds from the login page's navigation start: "form", to the first frame painted
// with the form; "submit", to the form's submit event; "total", to the first frame painted
// with the project's name. "waiting" is the time the user waits on Atlas: the form's
// arrival plus submit to the project, without the time the automation takes to fill the
// form (a person's typing in its place).
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

import { CHROMIUM_FLAGS } from "../web/e2e/chromium.mjs";

const require = createRequire(new URL("../web/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const VIEWPORT = { width: 1440, height: 900 };
const DEADLINE_MS = 30_000;

const config = JSON.parse(readFileSync(0, "utf8"));

function note(message) {
  process.stderr.write(`${message}\n`);
}

// Runs in every document before its scripts. Times are epoch milliseconds
// (performance.timeOrigin + now), so they hold across a full page load as well as the
// GUI's in-page navigation; they are kept in sessionStorage for the same reason.
function watch(selector) {
  const mark = (key) => sessionStorage.setItem(key, String(performance.timeOrigin + performance.now()));
  if (location.pathname === "/login" && sessionStorage.getItem("atlasStart") === null) {
    sessionStorage.setItem("atlasStart", String(performance.timeOrigin));
  }
  document.addEventListener("submit", () => mark("atlasSubmit"), true);
  // The end of the frame after `found` is first in the document: when it was painted.
  const painted = (found, key) => {
    const observer = new MutationObserver(() => {
      if (sessionStorage.getItem(`${key}Seen`) !== null || document.querySelector(found) === null) return;
      mark(`${key}Seen`);
      observer.disconnect();
      requestAnimationFrame(() => setTimeout(() => mark(key)));
    });
    observer.observe(document, { childList: true, subtree: true });
  };
  painted("#login-name", "atlasForm");
  painted(selector, "atlasShown");
}

async function login(browser) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  context.setDefaultTimeout(DEADLINE_MS);
  try {
    const page = await context.newPage();
    const name = `[data-testid="project-row"][data-project="${config.project}"] .project-name`;
    await page.addInitScript(watch, name);
    await page.goto(config.loginUrl);
    const user = page.locator("#login-name");
    await user.fill(config.user);
    await page.locator("#login-password").fill(config.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForFunction(() => sessionStorage.getItem("atlasShown") !== null, null, {
      timeout: DEADLINE_MS,
    });
    const marks = await page.evaluate(() =>
      Object.fromEntries(["atlasStart", "atlasForm", "atlasSubmit", "atlasShown"].map((key) => [key, Number(sessionStorage.getItem(key))])),
    );
    const path = new URL(page.url()).pathname;
    if (path === "/login") throw new Error("still on the login page after the project was shown");
    if (Object.values(marks).some((mark) => !(mark > 0))) throw new Error(`a mark is missing: ${JSON.stringify(marks)}`);
    const total = marks.atlasShown - marks.atlasStart;
    const form = marks.atlasForm - marks.atlasStart;
    const submit = marks.atlasSubmit - marks.atlasStart;
    return { waiting: form + (total - submit), total, form, submit };
  } finally {
    await context.close();
  }
}

const browser = await chromium.launch({ executablePath: config.chromium, args: [...CHROMIUM_FLAGS] });
try {
  for (let index = 0; index < config.warmup; index += 1) await login(browser);
  const values = [];
  for (let index = 0; index < config.repetitions; index += 1) {
    const sample = await login(browser);
    values.push(sample);
    note(
      `login ${index + 1}/${config.repetitions}: waiting ${sample.waiting.toFixed(1)} ms ` +
        `(form painted at ${sample.form.toFixed(1)} ms, submit at ${sample.submit.toFixed(1)} ms, ` +
        `project painted at ${sample.total.toFixed(1)} ms)`,
    );
  }
  process.stdout.write(`${JSON.stringify({ login: values })}\n`);
} finally {
  await browser.close();
}

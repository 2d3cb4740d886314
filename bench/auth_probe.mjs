// The browser side of bench/auth.py's login figure: `node bench/auth_probe.mjs < CONFIG_JSON`,
// run in web/ (the config comes on stdin: it holds the password). Drives Debian's Chromium
// with the Playwright that web/ installs; prints {"login": [{"total", "form", "submit"}...]}
// on stdout (milliseconds from the login page's navigation start: to the first frame painted
// with the project's name, to the form being ready, to the submit; one object per recorded
// repetition) and its progress on stderr.
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
  const observer = new MutationObserver(() => {
    if (sessionStorage.getItem("atlasSeen") !== null || document.querySelector(selector) === null) return;
    mark("atlasSeen");
    observer.disconnect();
    requestAnimationFrame(() => setTimeout(() => mark("atlasShown")));
  });
  observer.observe(document, { childList: true, subtree: true });
}

async function login(browser) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    const name = `[data-testid="project-row"][data-project="${config.project}"] .project-name`;
    await page.addInitScript(watch, name);
    await page.goto(config.loginUrl);
    const user = page.locator("#login-name");
    await user.waitFor({ timeout: DEADLINE_MS });
    const form = await page.evaluate(() => performance.timeOrigin + performance.now());
    await user.fill(config.user);
    await page.locator("#login-password").fill(config.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForFunction(() => sessionStorage.getItem("atlasShown") !== null, null, {
      timeout: DEADLINE_MS,
    });
    const marks = await page.evaluate(() =>
      Object.fromEntries(["atlasStart", "atlasSubmit", "atlasShown"].map((key) => [key, Number(sessionStorage.getItem(key))])),
    );
    const path = new URL(page.url()).pathname;
    if (path === "/login") throw new Error("still on the login page after the project was shown");
    return {
      total: marks.atlasShown - marks.atlasStart,
      form: form - marks.atlasStart,
      submit: marks.atlasSubmit - marks.atlasStart,
    };
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
      `login ${index + 1}/${config.repetitions}: ${sample.total.toFixed(1)} ms ` +
        `(form ready ${sample.form.toFixed(1)} ms, submit at ${sample.submit.toFixed(1)} ms)`,
    );
  }
  process.stdout.write(`${JSON.stringify({ login: values })}\n`);
} finally {
  await browser.close();
}

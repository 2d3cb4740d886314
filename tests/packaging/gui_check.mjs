// The browser side of tests/packaging/test_wheel.py: `node gui_check.mjs URL PROJECT`.
// Opens the GUI served at URL in Debian's Chromium (with the Playwright that web/ installs)
// and waits for the projects page to list PROJECT, which only the GUI's own code, run in the
// browser and reading the API, can show. Prints {"title", "row", "errors"} as JSON; exits 1
// with the reason when the page never shows it.
import { createRequire } from "node:module";

import { CHROMIUM_FLAGS, CHROMIUM_PATH } from "../../web/e2e/chromium.mjs";

const require = createRequire(new URL("../../web/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const DEADLINE_MS = 30_000;

const [url, project] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_FLAGS] });
try {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
  await page.goto(url);
  const heading = page.getByRole("heading", { name: "Projects" });
  const row = page.getByRole("list", { name: "Projects" }).locator(`[data-project="${project}"]`);
  try {
    await heading.waitFor({ timeout: DEADLINE_MS });
    await row.getByRole("link", { name: project }).waitFor({ timeout: DEADLINE_MS });
  } catch (error) {
    const body = await page.locator("body").innerText().catch(() => "");
    console.error(`the projects page never listed ${project}: ${error.message}`);
    console.error(`page text: ${body.slice(0, 2000)}`);
    console.error(`page errors: ${errors.join("\n")}`);
    process.exitCode = 1;
  }
  if (!process.exitCode) {
    console.log(JSON.stringify({ title: await page.title(), row: await row.innerText(), errors }));
  }
} finally {
  await browser.close();
}

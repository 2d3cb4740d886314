// The suite's `test`: every page fails its test on a console error or an uncaught exception
// (unless the test names the message in `consoleAllow`), and the server's state is at hand.
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { expect, test as base, type Locator, type Page } from "@playwright/test";
import type { JobEnv } from "./jobs";
import { screenshotsDir } from "./paths";
import { suiteState, type SuiteState } from "./state";

interface Fixtures {
  /** Console errors a test expects (e.g. the 404 of a job it deleted), as patterns. */
  consoleAllow: RegExp[];
  /** Where a test's own jobs run. */
  jobEnv: JobEnv;
  /** A project name of the test's own, deleted (with its jobs) after the test. */
  project: string;
}

interface WorkerFixtures {
  suite: SuiteState;
}

export const test = base.extend<Fixtures, WorkerFixtures>({
  suite: [async ({}, use) => use(suiteState()), { scope: "worker" }],
  baseURL: async ({ suite }, use) => use(suite.url),
  consoleAllow: [[], { option: true }],
  jobEnv: async ({ suite }, use) => use({ url: suite.url, scratch: suite.scratch }),
  project: async ({ suite }, use) => {
    const name = `e2e-${randomUUID().slice(0, 8)}`;
    await use(name);
    // leave the projects page as the seed made it (for the other tests' screenshots)
    const answer = await fetch(`${suite.url}/api/v1/projects/${encodeURIComponent(name)}`, { method: "DELETE" });
    if (!answer.ok && answer.status !== 404) throw new Error(`deleting ${name}: ${answer.status}`);
  },
  page: async ({ page, consoleAllow }, use) => {
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      const text = `console error: ${message.text()} (${message.location().url})`;
      if (!consoleAllow.some((pattern) => pattern.test(text))) problems.push(text);
    });
    page.on("pageerror", (error) => problems.push(`uncaught exception: ${error.stack ?? error}`));
    await use(page);
    expect(problems, "the page logged errors or threw").toEqual([]);
  },
});

export { expect };

/** Tick a check box whose state lives in the URL: the page re-renders it checked once the
 * URL has changed, a moment after the click (so Playwright's `check()` would give up). */
export async function tick(box: Locator): Promise<void> {
  await expect(box).not.toBeChecked();
  await box.click();
  await expect(box).toBeChecked();
}

/** Write a screenshot of the whole viewport to NAME.png in `screenshotsDir`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotsDir, { recursive: true });
  await page.screenshot({ path: join(screenshotsDir, `${name}.png`), animations: "disabled" });
}

/** Read a JSON answer of the server's API (for set-up and for ids, not for assertions). */
export async function apiGet<T>(suite: SuiteState, path: string): Promise<T> {
  const answer = await fetch(`${suite.url}/api/v1${path}`);
  if (!answer.ok) throw new Error(`GET ${path}: ${answer.status} ${await answer.text()}`);
  return (await answer.json()) as T;
}

// The end-to-end suite: Debian's Chromium (no browser download) against a real
// `atlas server` filled by real jobs (see e2e/global-setup.ts). `make test-web` runs it.
import { defineConfig } from "@playwright/test";

import { CHROMIUM_FLAGS, CHROMIUM_PATH } from "./e2e/chromium.mjs";

export default defineConfig({
  testDir: "./e2e",
  outputDir: "./e2e/.results",
  globalSetup: "./e2e/global-setup.ts",
  // One worker: the machine has two cores and the tests share one server.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    browserName: "chromium",
    headless: true,
    viewport: { width: 1440, height: 900 },
    launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_FLAGS] },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
});

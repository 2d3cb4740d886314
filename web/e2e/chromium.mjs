// Debian's Chromium and the flags of STYLE.md (Web GUI), shared by everything that drives a
// browser: the end-to-end suite (playwright.config.ts), the GUI benchmark
// (bench/gui_probe.mjs) and the installed wheel's GUI check (tests/packaging/gui_check.mjs).
// Without the background-networking flags Chromium keeps calling out to hosts a closed
// network refuses.
export const CHROMIUM_PATH = "/usr/bin/chromium";

export const CHROMIUM_FLAGS = Object.freeze([
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
]);

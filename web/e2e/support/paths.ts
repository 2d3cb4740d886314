// Where things are: the repository, its virtual environment's Python, the job scripts and
// the folder the screenshots for docs/gui.md are written to.
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** The repository root (the folder holding web/). */
export const repoRoot = resolve(here, "..", "..", "..");

/** The job scripts the harness and the tests run as real tracked jobs. */
export const jobsDir = resolve(here, "..", "jobs");

/**
 * Where the tests write a screenshot of each page: web/e2e/.results/screenshots, or
 * docs/images (the pictures in docs/gui.md) when ATLAS_UPDATE_SCREENSHOTS=1
 * (`make screenshots`), so an ordinary test run leaves the docs as they are.
 */
export const screenshotsDir =
  process.env.ATLAS_UPDATE_SCREENSHOTS === "1"
    ? resolve(repoRoot, "docs", "images")
    : resolve(here, "..", ".results", "screenshots");

/** The Python that has Atlas installed: $ATLAS_PYTHON, else the repository's .venv. */
export function atlasPython(): string {
  const fromEnv = process.env.ATLAS_PYTHON;
  if (fromEnv) return fromEnv;
  const venv = resolve(repoRoot, ".venv", "bin", "python");
  if (!existsSync(venv)) {
    throw new Error(`no Python with Atlas at ${venv}: run \`make setup\` or set ATLAS_PYTHON`);
  }
  return venv;
}

// What the global setup hands to the tests: the server's URL and ATLAS_HOME, the scratch
// folder for jobs that tests start themselves, and the seed jobs' ids by name.
import { readFileSync } from "node:fs";
import type { SeedIds } from "./seed";

export interface SuiteState {
  url: string;
  /** The server's ATLAS_HOME (a second server on it stands by). */
  home: string;
  scratch: string;
  ids: SeedIds;
}

/** The state the global setup wrote. */
export function suiteState(): SuiteState {
  const path = process.env.ATLAS_E2E_STATE;
  if (!path) throw new Error("ATLAS_E2E_STATE is unset: run the suite with `npx playwright test`");
  return JSON.parse(readFileSync(path, "utf8")) as SuiteState;
}

// Reading the job table as a user sees it.
import type { Locator, Page } from "@playwright/test";

/** The table's rows that hold a job (not the loading placeholders). */
export function jobRows(page: Page): Locator {
  return page.getByRole("grid", { name: "Jobs" }).getByTestId("job-row");
}

/** The row of the job named `name`. */
export function jobRow(page: Page, name: string): Locator {
  return jobRows(page).filter({ has: page.getByRole("link", { name, exact: true }) });
}

/** The names in the rows, top to bottom. */
export async function jobNames(page: Page): Promise<string[]> {
  return jobRows(page).getByRole("link").allTextContents();
}

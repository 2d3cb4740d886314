// Media logged through the SDK (atlas.log_image, log_audio, log_video, log_table,
// log_histogram) on the job page's Media tab, on the compare page (one row per job, one step
// slider) and as thumbnails in the job table.
import { expect, screenshot, test, tick } from "./support/fixtures";
import { runJob } from "./support/jobs";
import { jobRow } from "./support/table";

test("media on the job page, the compare page and the jobs table", async ({ page, jobEnv, project, suite }) => {
  // one job logs images at steps 0, 5 and 10, the other at 0 and 5 only
  const [first, second] = await Promise.all([
    runJob(jobEnv, { script: "rich_media.py", project, name: "media-a", params: { lr: 0.1 }, media_steps: [0, 5, 10] }),
    runJob(jobEnv, { script: "rich_media.py", project, name: "media-b", params: { lr: 0.01 }, media_steps: [0, 5], shift: 0.3 }),
  ]);

  await page.goto(`/jobs/${first}`);
  await page.getByRole("navigation", { name: "Job sections" }).getByRole("link", { name: "Media" }).click();
  await expect(page).toHaveURL(new RegExp(`/jobs/${first}/media`));
  const samples = page.getByRole("region", { name: "Media samples" });
  await expect(samples).toContainText("3 steps, 0–10");
  const latest = samples.getByRole("img", { name: "samples at step 10" });
  await expect(latest).toBeVisible();
  await expect.poll(() => latest.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(96);
  await expect(samples.getByText("epoch 2 of media-a")).toBeVisible();

  const slider = samples.getByRole("slider", { name: "Step" });
  await slider.focus();
  await slider.press("Home");
  await expect(samples.getByRole("img", { name: "samples at step 0" })).toBeVisible();
  await expect(samples.getByText("epoch 0 of media-a")).toBeVisible();
  await expect(page).toHaveURL(/step%3Asamples=0|step:samples=0/);
  await slider.press("ArrowRight");
  await expect(samples.getByRole("img", { name: "samples at step 5" })).toBeVisible();
  await samples.getByRole("button", { name: "Show samples at step 10" }).click();
  await expect(latest).toBeVisible();
  await expect(samples.getByRole("button", { name: "Show samples at step 10" })).toHaveAttribute("aria-pressed", "true");

  const audio = page.getByLabel("Audio tone at step 10");
  await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.duration)).toBeCloseTo(0.5, 2);
  await expect(page.getByRole("img", { name: "Waveform of tone at step 10" })).toBeVisible();
  const gif = page.getByRole("region", { name: "Media rollout" }).getByRole("img", { name: "rollout at step 10" });
  await expect.poll(() => gif.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(32);
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, "job-media");

  // the table: sortable and paged
  const predictions = page.getByRole("region", { name: "Media predictions" });
  const table = predictions.getByRole("table", { name: "predictions at step 10" });
  await expect(table.getByRole("columnheader")).toHaveText(["id", "label", "p"]);
  await expect(table.locator("tbody tr")).toHaveCount(50);
  await expect(predictions.getByText("rows 1–50 of 10,000")).toBeVisible();
  // sorting 10,000 rows answers at once: only the page shown is drawn
  const sortedAt = Date.now();
  await table.getByRole("button", { name: "p" }).click();
  await expect(table.getByRole("columnheader", { name: /^p/ })).toHaveAttribute("aria-sort", "descending");
  await expect(table.locator("tbody tr").first().locator("td").nth(2)).toHaveText("0.99");
  expect(Date.now() - sortedAt).toBeLessThan(1500);
  await predictions.getByRole("button", { name: "Next" }).click();
  await expect(predictions.getByText("rows 51–100 of 10,000")).toBeVisible();
  await predictions.getByRole("button", { name: "Last page" }).click();
  await expect(predictions.getByText("page 200 of 200")).toBeVisible();

  // the histogram over its steps, with the values under the pointer
  const weights = page.getByRole("region", { name: "Media weights" });
  const chart = weights.getByRole("img", { name: "Ridge view of weights over 3 steps" });
  await chart.scrollIntoViewIfNeeded();
  await expect(weights.locator("path.ridge")).toHaveCount(3);
  const box = await chart.boundingBox();
  if (!box) throw new Error("the histogram chart has no box");
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.85);
  await expect(weights.getByTestId("histogram-readout")).toContainText(/step 10 · value .* values/);
  await screenshot(page, "job-media-histogram");
  await chart.focus();
  await chart.press("ArrowUp");
  await expect(weights.getByTestId("histogram-readout")).toContainText(/step 5 · value/);
  await weights.getByLabel("Heat map").click();
  await expect(weights.getByLabel("Heat map")).toBeChecked();
  await expect(weights.getByRole("img", { name: "Heat view of weights over 3 steps" })).toBeVisible();
  await expect(page).toHaveURL(/view%3Aweights=heat|view:weights=heat/);

  // compare: one row per job, one slider; a job without the step shows its nearest before
  await page.goto(`/compare?jobs=${first},${second}`);
  const media = page.getByRole("region", { name: "Media" });
  await expect(media.getByLabel("Key")).toHaveValue("media/samples.png");
  await expect(media.getByTestId("media-row")).toHaveCount(2);
  const rowA = media.getByRole("group", { name: "samples of media-a" });
  const rowB = media.getByRole("group", { name: "samples of media-b" });
  await expect(rowA.getByRole("img", { name: "samples of media-a at step 10" })).toBeVisible();
  await expect(rowB.getByRole("img", { name: "samples of media-b at step 5" })).toBeVisible();
  await expect(rowB).toContainText("step 5 (its latest at or before 10)");
  await media.scrollIntoViewIfNeeded();
  await screenshot(page, "compare-media");
  const shared = media.getByRole("slider", { name: "Step" });
  await shared.focus();
  await shared.press("Home");
  await expect(rowA.getByRole("img", { name: "samples of media-a at step 0" })).toBeVisible();
  await expect(rowB.getByRole("img", { name: "samples of media-b at step 0" })).toBeVisible();
  await media.getByLabel("Key").selectOption({ label: "tone (audio)" });
  // the step stays: media-a logged its tone at step 10 only
  await expect(media.getByRole("group", { name: "tone of media-b" })).toContainText("step 5");
  await expect(media.getByRole("group", { name: "tone of media-a" })).toContainText("nothing at or before step 5");
  await shared.press("End");
  await expect(media.getByLabel("Audio tone of media-a at step 10")).toBeVisible();
  await expect(media.getByRole("group", { name: "tone of media-b" })).toContainText("step 5 (its latest at or before 10)");

  // the jobs table: a thumbnail column added from the column chooser
  await page.goto(`/projects/${project}`);
  await expect(jobRow(page, "media-a")).toBeVisible();
  await page.getByRole("button", { name: "Choose columns" }).click();
  await tick(page.getByRole("checkbox", { name: "samples" }));
  await expect(page).toHaveURL(/cols=.*media\.samples/);
  const thumb = jobRow(page, "media-b").getByRole("img", { name: "samples of media-b" });
  await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(96);
  await expect(thumb).toHaveAttribute("src", `/api/v1/jobs/${second}/artifacts/media/samples.png?step=5`);
  await page.keyboard.press("Escape");
  await screenshot(page, "project-jobs-media");

  // a job without media says so and how to log some
  await page.goto(`/jobs/${suite.ids["resnet-lr0.001"]}/media`);
  await expect(page.getByRole("region", { name: "No media" })).toContainText('atlas.log_image("samples", image, step=step)');
});

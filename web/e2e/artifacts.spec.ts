// The job's artifacts as the SDK saved them: an image series with a step slider, a GIF, an
// audio player, CSV, JSON and text previews, folders and downloads.
import { expect, screenshot, test } from "./support/fixtures";

test("images by step, a GIF, an audio player and previews of text files", async ({ page, suite }) => {
  const id = suite.ids["resnet-lr0.1"];
  await page.goto(`/jobs/${id}/artifacts`);
  const gallery = page.getByRole("region", { name: "Images samples" });
  await expect(gallery).toContainText("3 steps, 0–199");
  const image = gallery.getByRole("img", { name: "samples/step-199.png" });
  await expect(image).toBeVisible();
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(96);

  const slider = gallery.getByLabel("Step");
  await slider.focus();
  await slider.press("Home");
  await expect(gallery.getByRole("img", { name: "samples/step-000.png" })).toBeVisible();
  await expect(page).toHaveURL(/step%3Asamples=0|step:samples=0/);
  await slider.press("ArrowRight");
  await expect(gallery.getByRole("img", { name: "samples/step-100.png" })).toBeVisible();

  const gif = page.getByRole("img", { name: "moving.gif" });
  await expect(gif).toBeVisible();
  await expect.poll(() => gif.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(16);

  const audio = page.getByLabel("Audio audio/tone.wav");
  await expect(audio).toBeVisible();
  await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.duration)).toBeCloseTo(0.5, 2);
  await screenshot(page, "job-artifacts");

  await page.getByRole("button", { name: "Preview results.csv" }).click();
  const csv = page.getByRole("region", { name: "Preview of results.csv" });
  await expect(csv.getByRole("columnheader")).toHaveText(["epoch", "loss", "acc"]);
  await expect(csv.getByRole("row")).toHaveCount(6);
  await page.getByRole("button", { name: "Preview config.json" }).click();
  await expect(page.getByRole("region", { name: "Preview of config.json" })).toContainText('"dropout": 0.1');
  await page.getByRole("button", { name: "Preview notes.txt" }).click();
  await expect(page.getByRole("region", { name: "Preview of notes.txt" })).toContainText("Converged after warm-up.");

  const folder = page.getByRole("button", { name: /audio\// });
  await expect(folder).toHaveAttribute("aria-expanded", "false");
  await folder.click();
  const download = page.getByRole("link", { name: "Download audio/tone.wav" });
  await expect(download).toHaveAttribute("href", `/api/v1/jobs/${id}/artifacts/audio/tone.wav`);
  const answer = await page.request.get(`/api/v1/jobs/${id}/artifacts/audio/tone.wav`);
  expect(answer.headers()["content-type"]).toMatch(/^audio\//);
});

test("a job without artifacts says how to save one", async ({ page, suite }) => {
  await page.goto(`/jobs/${suite.ids["resnet-lr0.001"]}/artifacts`);
  await expect(page.getByText("No artifacts")).toBeVisible();
  await expect(page.getByText('atlas.save_artifact("samples/epoch-3.png", step=3)')).toBeVisible();
});

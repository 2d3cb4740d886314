import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { StandbyBanner } from "./standby-banner";

describe("the standby banner", () => {
  it("says that another server runs the jobs and this one takes over", () => {
    const html = renderToStaticMarkup(<StandbyBanner mode="standby" />);
    expect(html).toContain('role="note"');
    expect(html).toContain("This server is on standby: another Atlas server runs the jobs.");
    expect(html).toContain("this server takes over if that one stops");
  });

  it("shows nothing while this server runs the jobs", () => {
    expect(renderToStaticMarkup(<StandbyBanner mode="active" />)).toBe("");
  });
});

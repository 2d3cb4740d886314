import { renderToStaticMarkup } from "react-dom/server";
import { MemoryRouter } from "react-router-dom";
import { describe, expect, it } from "vitest";
import type { Schedule } from "../../lib/api/types";
import { ScheduleRow } from "./recurring-jobs";

const nightly: Schedule = {
  id: "01m93qpa3e0wefya",
  project: "vision",
  name: "nightly",
  cron: "0 3 * * *",
  timezone: "Europe/Paris",
  paused: false,
  next_run_at: "2026-12-07T02:00:00Z",
  last_slot: "2026-12-06T02:00:00Z",
  last_job_id: null,
  last_error: "its maker 'eda' is disabled",
  last_error_at: "2026-12-06T02:00:01Z",
  created_by: "eda",
  created_at: "2026-12-05T10:00:00Z",
  updated_at: "2026-12-05T10:00:00Z",
  job: {
    command: "python train.py",
    name: "",
    user: "eda",
    snapshot: null,
    params: {},
    tags: {},
    resources: {},
    priority: 0,
    timeout: null,
    image: null,
    retries: 0,
    env_mode: "none",
  },
};

function render(schedule: Schedule): string {
  return renderToStaticMarkup(
    <MemoryRouter>
      <table>
        <tbody>
          <ScheduleRow schedule={schedule} may={{ disabled: false, reason: undefined }} busy={false} onToggle={() => undefined} />
        </tbody>
      </table>
    </MemoryRouter>,
  );
}

describe("a recurring job's row", () => {
  it("says why its latest slot submitted no job, and when", () => {
    const html = render(nightly);
    expect(html).toContain('data-testid="schedule-error"');
    expect(html).toContain("its maker &#x27;eda&#x27; is disabled");
    expect(html).toContain('dateTime="2026-12-06T02:00:01Z"');
    expect(html).toContain("none yet");
  });

  it("shows no error once a run was submitted", () => {
    const html = render({ ...nightly, last_job_id: "01m93qq742rrx1ma", last_error: null, last_error_at: null });
    expect(html).not.toContain("schedule-error");
    expect(html).toContain('href="/jobs/01m93qq742rrx1ma"');
  });
});

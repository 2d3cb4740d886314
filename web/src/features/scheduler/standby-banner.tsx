import type { SchedulerState } from "../../lib/api/types";

/** What the scheduler view says about who runs the jobs: nothing while this server runs
 * them (`active`), a banner while it stands by (`standby`: another server on the same
 * database holds the scheduler's lock, see docs/jobs.md "One scheduler per database"). */
export function StandbyBanner({ mode }: { mode: SchedulerState["mode"] }) {
  if (mode !== "standby") return null;
  return (
    <div
      role="note"
      aria-labelledby="standby-title"
      data-testid="standby-banner"
      style={{
        border: "1px solid var(--cancelled)",
        borderLeftWidth: 4,
        borderRadius: 8,
        padding: "10px 14px",
        marginBottom: 12,
        background: "var(--bg-soft)",
      }}
    >
      <strong id="standby-title">This server is on standby: another Atlas server runs the jobs.</strong>
      <p style={{ margin: "4px 0 0" }}>
        That server, on the same database, holds the scheduler&apos;s lock: jobs queued here start there, and this server takes over if
        that one stops.
      </p>
      <p className="soft" style={{ margin: "4px 0 0" }}>
        The resources below are counted from the database with this server&apos;s own settings (CPU slots, memory, GPUs), which may
        differ from the other server&apos;s.
      </p>
    </div>
  );
}

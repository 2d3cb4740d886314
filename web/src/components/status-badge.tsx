const ICONS: Record<string, string> = {
  queued: "Queued",
  starting: "Starting",
  running: "Running",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
  lost: "Lost",
  // sweeps and their trials (docs/sweeps.md)
  stopped: "Stopped",
  complete: "Complete",
  pruned: "Pruned",
};

/** A job's (or a sweep's, or a trial's) status as a coloured dot and a word (never colour alone). */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`status ${status}`} data-testid="status-badge" data-status={status}>
      <span className="dot" aria-hidden="true" />
      {ICONS[status] ?? status}
    </span>
  );
}

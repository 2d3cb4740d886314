import type { ReactNode } from "react";
import { ApiError } from "../lib/api/client";

/** What a page shows while it loads. */
export function Loading({ what = "Loading" }: { what?: string }) {
  return (
    <p className="soft" role="status">
      {what}…
    </p>
  );
}

/** An error in place of the content: the server's code and message. */
export function ErrorPanel({ error, title = "Could not load this" }: { error: unknown; title?: string }) {
  const code = error instanceof ApiError ? error.code : null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="error-box" role="alert">
      <strong>{title}</strong> {code ? <code>{code}</code> : null}
      <div>{message}</div>
    </div>
  );
}

/** An empty state that teaches: what to run to get data here. */
export function EmptyState({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="empty" aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

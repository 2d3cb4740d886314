import { useEffect, useState } from "react";
import { dismissToast, subscribeToasts, type Toast } from "../lib/toast-store";

/** Where toasts appear: errors with the server's code and message. */
export function Toaster() {
  const [toasts, setToasts] = useState<readonly Toast[]>([]);
  useEffect(() => subscribeToasts(setToasts), []);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((toast) => (
        <div key={toast.id} className={`toast ${toast.kind}`} role={toast.kind === "error" ? "alert" : "status"} data-testid="toast">
          <div className="body">
            <strong>{toast.title}</strong>
            {toast.code ? <code> {toast.code}</code> : null}
            <div>{toast.message}</div>
          </div>
          <button type="button" className="link" aria-label="Dismiss" onClick={() => dismissToast(toast.id)}>
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}

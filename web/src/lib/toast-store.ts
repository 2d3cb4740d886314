// A tiny store of toasts, so that code outside React (the query cache) can raise one.
import { ApiError } from "./api/client";

export interface Toast {
  id: number;
  kind: "error" | "success" | "info";
  title: string;
  message: string;
  code?: string;
}

type Listener = (toasts: readonly Toast[]) => void;

let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<Listener>();

function emit(): void {
  for (const listener of listeners) listener(toasts);
}

export function subscribeToasts(listener: Listener): () => void {
  listeners.add(listener);
  listener(toasts);
  return () => listeners.delete(listener);
}

export function showToast(toast: Omit<Toast, "id">, timeoutMs = toast.kind === "error" ? 10_000 : 4_000): number {
  const id = nextId++;
  // The same error repeated (a poll failing every second) shows once.
  toasts = [...toasts.filter((t) => !(t.title === toast.title && t.message === toast.message)), { ...toast, id }].slice(-5);
  emit();
  if (typeof window !== "undefined") window.setTimeout(() => dismissToast(id), timeoutMs);
  return id;
}

export function dismissToast(id: number): void {
  toasts = toasts.filter((t) => t.id !== id);
  emit();
}

/** A toast for any error: an API error shows its code and the server's message. */
export function showError(error: unknown, title = "Request failed"): void {
  if (error instanceof DOMException && error.name === "AbortError") return;
  if (error instanceof ApiError) {
    showToast({ kind: "error", title, message: error.message, code: error.code });
  } else {
    showToast({ kind: "error", title, message: error instanceof Error ? error.message : String(error) });
  }
}

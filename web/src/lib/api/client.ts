// The one place that talks HTTP to the Atlas API (docs/rest-api.md).

/** An error answered by the API: its stable `code`, its `message` and `detail`. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly detail: Record<string, unknown>;

  constructor(status: number, code: string, message: string, detail: Record<string, unknown> = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

export const API = "/api/v1";

type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  signal?: AbortSignal;
}

/** A URL under /api/v1 from path segments, each percent-encoded; a segment may hold `/`
 * (param, tag, metric keys and artifact paths), which is kept as a separator. */
export function apiPath(...segments: string[]): string {
  return API + segments.map((s) => "/" + s.split("/").map(encodeURIComponent).join("/")).join("");
}

export function withQuery(path: string, query?: Record<string, QueryValue>): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** Turns a failed response into an ApiError, whatever its body. */
export async function errorFrom(response: Response): Promise<ApiError> {
  let text = "";
  try {
    text = await response.text();
    const body = JSON.parse(text) as { error?: { code?: string; message?: string; detail?: Record<string, unknown> } };
    if (body.error?.code) {
      return new ApiError(response.status, body.error.code, body.error.message ?? response.statusText, body.error.detail ?? {});
    }
  } catch {
    // not the API's error shape: fall through
  }
  const message = text.trim().slice(0, 300) || response.statusText || "request failed";
  return new ApiError(response.status, `http_${response.status}`, message);
}

/** Sends one request and answers its JSON (or undefined for 204). */
export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const init: RequestInit = { method, signal: options.signal, headers: { Accept: "application/json" } };
  if (options.body !== undefined) {
    init.body = JSON.stringify(options.body);
    init.headers = { ...init.headers, "Content-Type": "application/json" };
  }
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), init);
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, "network_error", `the server did not answer (${String(error)})`);
  }
  if (!response.ok) throw await errorFrom(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export const get = <T>(path: string, options?: RequestOptions) => request<T>("GET", path, options);

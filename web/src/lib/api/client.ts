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

// Credentials (docs/auth.md): the browser sends the session cookie by itself; every write
// must also carry the session's CSRF token in a header, which a cross-site page cannot read.

/** The header a write made with a session cookie carries. */
export const CSRF_HEADER = "X-CSRF-Token";
/** The readable cookie the server keeps the session's CSRF token in. */
export const CSRF_COOKIE = "atlas_csrf";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

let knownCsrfToken: string | null = null;
let onUnauthenticated: ((error: ApiError, url: string) => void) | null = null;

/** Remember the CSRF token the server gave (login, GET /auth/me); null forgets it. */
export function setCsrfToken(token: string | null): void {
  knownCsrfToken = token;
}

/** Call `listener` whenever the API answers 401 (the session ended or never was), with the
 * URL that answered it. */
export function setUnauthenticatedListener(listener: ((error: ApiError, url: string) => void) | null): void {
  onUnauthenticated = listener;
}

/** A cookie's value in a `document.cookie` string, or null. */
export function cookieValue(cookies: string, name: string): string | null {
  for (const part of cookies.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(value) || null;
      } catch {
        return value || null;
      }
    }
  }
  return null;
}

/** The headers that prove a write comes from this GUI: the CSRF token for every method but
 * GET/HEAD/OPTIONS, taken from the cookie (current even if another tab logged in again),
 * else from what the server last said; none when there is neither (auth off). */
export function csrfHeaders(method: string, cookies: string, known: string | null): Record<string, string> {
  if (SAFE_METHODS.has(method.toUpperCase())) return {};
  const token = cookieValue(cookies, CSRF_COOKIE) ?? known;
  return token ? { [CSRF_HEADER]: token } : {};
}

function documentCookies(): string {
  return typeof document === "undefined" ? "" : document.cookie;
}

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

/** Like {@link errorFrom}, and tells the listener of a 401 (every call of the API ends here). */
export async function failure(response: Response): Promise<ApiError> {
  const error = await errorFrom(response);
  if (error.status === 401) onUnauthenticated?.(error, response.url);
  return error;
}

/** Sends one request and answers its JSON (or undefined for 204). */
export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers = { Accept: "application/json", ...csrfHeaders(method, documentCookies(), knownCsrfToken) };
  const init: RequestInit = { method, signal: options.signal, headers };
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
  if (!response.ok) throw await failure(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export const get = <T>(path: string, options?: RequestOptions) => request<T>("GET", path, options);

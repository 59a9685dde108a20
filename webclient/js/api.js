// REST client: JSON in and out, same-origin cookies, CSRF header on every non-GET.
//
//   const { user } = await api.post("/api/auth/login", { username, password });
//   const meetings = await api.get("/api/meetings");
//
// Every failure is thrown as an ApiError with a stable `.code` (the server's
// {"error": {"code", "message", "details"}} or a client code: network_error, timeout,
// unexpected_response), `.status` and `.details`. Raw server HTML is never shown:
// show errorMessage(err) from i18n.js instead.

const DEFAULT_TIMEOUT_MS = 20000;
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

let csrfToken = null;
const unauthenticatedListeners = new Set();

export class ApiError extends Error {
  constructor(code, message, { status = 0, details = null } = {}) {
    super(message || code);
    this.name = "ApiError";
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

export function setCsrfToken(token) {
  csrfToken = token || null;
}

export function getCsrfToken() {
  return csrfToken;
}

/**
 * Called when any request (other than the login itself) answers 401 not_authenticated,
 * e.g. the session expired while a tablet slept. The app sends the user to the login page.
 */
export function onUnauthenticated(listener) {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

function statusCode(status) {
  if (status === 401) return "not_authenticated";
  if (status === 403) return "permission_denied";
  if (status === 404) return "not_found";
  if (status === 409) return "conflict";
  if (status === 413) return "too_large";
  if (status === 429) return "rate_limited";
  if (status === 502 || status === 503 || status === 504) return "unavailable";
  if (status >= 500) return "internal_error";
  return "unexpected_response";
}

async function parseResponse(response) {
  const type = response.headers.get("content-type") || "";
  let body = null;
  if (type.includes("application/json")) {
    try {
      body = await response.json();
    } catch {
      body = null;
    }
  }
  if (response.ok) {
    if (response.status === 204) return null;
    if (body === null) {
      throw new ApiError("unexpected_response", `HTTP ${response.status}: not JSON`, {
        status: response.status,
      });
    }
    return body;
  }
  const error = body && typeof body === "object" ? body.error : null;
  if (error && typeof error.code === "string") {
    throw new ApiError(error.code, error.message, {
      status: response.status,
      details: error.details || null,
    });
  }
  // Not our JSON error (a proxy's HTML page, a crash): keep only the status.
  throw new ApiError(statusCode(response.status), `HTTP ${response.status}`, {
    status: response.status,
  });
}

async function send(method, path, body, { timeout = DEFAULT_TIMEOUT_MS, signal, headers } = {}) {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeout);
  const onAbort = () => controller.abort();
  if (signal) {
    if (signal.aborted) controller.abort();
    else signal.addEventListener("abort", onAbort, { once: true });
  }
  const init = {
    method,
    credentials: "same-origin",
    headers: { Accept: "application/json", ...headers },
    signal: controller.signal,
    cache: "no-store",
  };
  if (!SAFE_METHODS.has(method)) {
    if (csrfToken) init.headers["X-CSRFToken"] = csrfToken;
    if (body !== undefined) {
      if (body instanceof FormData || body instanceof Blob) {
        init.body = body;
      } else {
        init.headers["Content-Type"] = "application/json";
        init.body = JSON.stringify(body);
      }
    }
  }
  try {
    const response = await fetch(path, init);
    return await parseResponse(response);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if (error && error.name === "AbortError") {
      if (timedOut) throw new ApiError("timeout", `${method} ${path}: timed out`);
      throw error; // Cancelled by the caller: let it propagate as AbortError.
    }
    throw new ApiError("network_error", `${method} ${path}: ${error && error.message}`);
  } finally {
    clearTimeout(timer);
    if (signal) signal.removeEventListener("abort", onAbort);
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * request(method, path, body?, options?) — options: timeout (ms), signal (AbortSignal),
 * headers, retry (GET only: extra attempts after a network error, default 1).
 */
export async function request(method, path, body, options = {}) {
  method = method.toUpperCase();
  const retries = SAFE_METHODS.has(method) ? (options.retry ?? 1) : 0;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await send(method, path, body, options);
    } catch (error) {
      if (error.code === "network_error" && attempt < retries) {
        await sleep(800 * (attempt + 1));
        continue;
      }
      if (error.code === "csrf_failed" && !options._csrfRetried) {
        // The token rotated (login, logout, expiry elsewhere): fetch a fresh one, retry once.
        await fetchSession();
        return request(method, path, body, { ...options, _csrfRetried: true });
      }
      if (error.code === "not_authenticated" && !options.allowUnauthenticated) {
        for (const listener of [...unauthenticatedListeners]) listener(error);
      }
      throw error;
    }
  }
}

/** GET /api/session; remembers the CSRF token. → {authenticated, user, csrf_token} */
export async function fetchSession() {
  const session = await send("GET", "/api/session", undefined, {});
  setCsrfToken(session && session.csrf_token);
  return session;
}

export const api = {
  get: (path, options) => request("GET", path, undefined, options),
  post: (path, body, options) => request("POST", path, body, options),
  put: (path, body, options) => request("PUT", path, body, options),
  patch: (path, body, options) => request("PATCH", path, body, options),
  delete: (path, body, options) => request("DELETE", path, body, options),
};

// The one Socket.IO connection of this page.
//
//   connectSocket()                      after login (the server refuses anonymous sockets)
//   disconnectSocket()                   on logout
//   const ack = await command("agenda.next", { meeting_id: 7 });
//       → {ok: true, data} | {ok: false, error: {code, message}}; never rejects.
//       Client-side codes: "disconnected" (nothing was sent), "timeout" (no ack in time:
//       the command may or may not have run — retry only idempotent commands).
//   const data = await commandData("poll.cast", {...})   same, but throws CommandError(code)
//   const off = on("agenda.updated", (event) => …)       survives reconnects; off() to stop
//   const off = onAny((name, event) => …)                every server event (meeting-state.js)
//   const off = onConnect(({ recovered }) => …)          every (re)connect: ask for a snapshot
//   onStatus((state) => …)   "offline" | "connecting" | "connected" | "reconnecting"
//   createStatusPill()       a small live element showing the state; put it in a header
//
// Transport: WebSocket first, long-polling if WebSockets are blocked; reconnection with
// exponential backoff (1 s … 10 s, jittered) so 30 tablets don't all return at once.

import { io } from "/vendor/socket.io-client/dist/socket.io.esm.min.js";
import { h, setI18n } from "./dom.js";

const DEFAULT_COMMAND_TIMEOUT_MS = 10000;
const REFUSED_RETRY_MS = 5000;

let socket = null;
let status = "offline";
document.documentElement.dataset.conn = status;
let everConnected = false;
let retryTimer = null;
const statusListeners = new Set();
const connectListeners = new Set();
const refusedListeners = new Set();
const eventHandlers = new Map();
const anyHandlers = new Set();

export class CommandError extends Error {
  constructor(error) {
    super((error && error.message) || (error && error.code) || "command failed");
    this.name = "CommandError";
    this.code = (error && error.code) || "generic";
    this.details = (error && error.details) || null;
  }
}

const STATUS_KEYS = {
  offline: "conn.offline",
  connecting: "conn.connecting",
  connected: "conn.connected",
  reconnecting: "conn.reconnecting",
};

function setStatus(next) {
  if (status === next) return;
  status = next;
  document.documentElement.dataset.conn = status; // for CSS and tests: html[data-conn="connected"]
  for (const pill of document.querySelectorAll(".conn-pill")) renderPill(pill);
  for (const listener of [...statusListeners]) listener(status);
}

export function getStatus() {
  return status;
}

export function isConnected() {
  return Boolean(socket && socket.connected);
}

/** "websocket" | "polling" | null — which transport carries the connection now. */
export function transportName() {
  const engine = socket && socket.io && socket.io.engine;
  return engine && engine.transport ? engine.transport.name : null;
}

export function onStatus(listener) {
  statusListeners.add(listener);
  return () => statusListeners.delete(listener);
}

/** Called on every successful (re)connect with {recovered: boolean}. */
export function onConnect(listener) {
  connectListeners.add(listener);
  return () => connectListeners.delete(listener);
}

/**
 * Called when the server refuses the connection or drops it on purpose (not logged in,
 * session revoked). The socket retries by itself after a pause unless disconnectSocket()
 * is called; the app uses this to check whether the user must sign in again.
 */
export function onRefused(listener) {
  refusedListeners.add(listener);
  return () => refusedListeners.delete(listener);
}

/** Subscribe to a server event. Returns an unsubscribe function. */
export function on(event, handler) {
  if (!eventHandlers.has(event)) eventHandlers.set(event, new Set());
  eventHandlers.get(event).add(handler);
  return () => {
    const set = eventHandlers.get(event);
    if (set) {
      set.delete(handler);
      if (!set.size) eventHandlers.delete(event);
    }
  };
}

/** Subscribe to every server event: handler(name, ...args). Returns an unsubscribe function. */
export function onAny(handler) {
  anyHandlers.add(handler);
  return () => anyHandlers.delete(handler);
}

function dispatch(event, args) {
  for (const handler of [...anyHandlers]) {
    try {
      handler(event, ...args);
    } catch (error) {
      console.error(`socket handler for any event ("${event}") failed`, error);
    }
  }
  const set = eventHandlers.get(event);
  if (!set) return;
  for (const handler of [...set]) {
    try {
      handler(...args);
    } catch (error) {
      console.error(`socket handler for "${event}" failed`, error);
    }
  }
}

function scheduleRetry(reason) {
  setStatus("reconnecting");
  for (const listener of [...refusedListeners]) {
    try {
      listener(reason);
    } catch (error) {
      console.error(error);
    }
  }
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => {
    retryTimer = null;
    if (socket && !socket.connected && !socket.active) socket.connect();
  }, REFUSED_RETRY_MS);
}

function createSocket() {
  const created = io({
    path: "/socket.io",
    transports: ["websocket", "polling"],
    tryAllTransports: true,
    reconnection: true,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 10000,
    randomizationFactor: 0.5,
    timeout: 10000,
    autoConnect: false,
    withCredentials: true,
  });
  created.on("connect", () => {
    everConnected = true;
    clearTimeout(retryTimer);
    setStatus("connected");
    const info = { recovered: Boolean(created.recovered) };
    for (const listener of [...connectListeners]) {
      try {
        listener(info);
      } catch (error) {
        console.error(error);
      }
    }
  });
  created.on("disconnect", (reason) => {
    if (reason === "io client disconnect") setStatus("offline");
    else if (reason === "io server disconnect") scheduleRetry(reason);
    else setStatus("reconnecting"); // the Manager reconnects by itself
  });
  created.on("connect_error", (error) => {
    if (created.active) {
      // Network trouble: the Manager keeps trying by itself.
      setStatus("reconnecting");
    } else {
      // Refused by the server (no session): it will not retry by itself.
      scheduleRetry(error && error.message);
    }
  });
  // Logout (in this tab or another one of the same session) ends the session's sockets:
  // the server says so just before it disconnects. Same path as a refusal: the app asks
  // whether we are still signed in and goes to the login screen if not.
  created.on("session.ended", () => scheduleRetry("session_ended"));
  created.onAny((event, ...args) => dispatch(event, args));
  return created;
}

/** Open the connection (idempotent). Call after login and at boot when signed in. */
export function connectSocket() {
  if (!socket) socket = createSocket();
  if (!socket.connected && !socket.active) {
    setStatus(everConnected ? "reconnecting" : "connecting");
    socket.connect();
  }
  return socket;
}

/** Close the connection and stop retrying (logout). Subscriptions are kept. */
export function disconnectSocket() {
  clearTimeout(retryTimer);
  retryTimer = null;
  if (socket) {
    socket.disconnect();
    socket = null;
  }
  everConnected = false;
  setStatus("offline");
}

/** Send a command; resolves with its ack. See the top of this file. */
export function command(name, payload = {}, { timeout = DEFAULT_COMMAND_TIMEOUT_MS } = {}) {
  return new Promise((resolve) => {
    if (!socket || !socket.connected) {
      resolve({ ok: false, error: { code: "disconnected", message: `${name}: not connected` } });
      return;
    }
    socket.timeout(timeout).emit(name, payload, (error, ack) => {
      if (error) {
        resolve({ ok: false, error: { code: "timeout", message: `${name}: no ack in ${timeout} ms` } });
      } else if (!ack || typeof ack !== "object" || typeof ack.ok !== "boolean") {
        resolve({ ok: false, error: { code: "unexpected_response", message: `${name}: bad ack` } });
      } else {
        resolve(ack);
      }
    });
  });
}

/** Like command(), but returns ack.data or throws CommandError (with .code). */
export async function commandData(name, payload, options) {
  const ack = await command(name, payload, options);
  if (!ack.ok) throw new CommandError(ack.error);
  return ack.data;
}

function renderPill(pill) {
  pill.dataset.state = status;
  const label = pill.querySelector(".conn-pill-text");
  if (label) setI18n(label, STATUS_KEYS[status]);
}

/** A small status element: "Đã kết nối" / "Mất kết nối, đang thử lại…". */
export function createStatusPill() {
  const pill = h(
    "div",
    { class: "conn-pill", role: "status", "aria-live": "polite", i18nAttr: { title: "conn.label" } },
    h("span", { class: "conn-pill-dot", "aria-hidden": "true" }),
    h("span", { class: "conn-pill-text" }),
  );
  renderPill(pill);
  return pill;
}

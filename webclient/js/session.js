// The signed-in user. One place that logs in and out, keeps the CSRF token fresh and
// tells the app when the user changes.
//
//   currentUser()            → User | null
//   await login(u, p)        → User (throws ApiError: invalid_credentials, account_locked, …)
//   await logout()
//   onSessionChange(fn)      → unsubscribe; fn(user | null)

import { api, fetchSession } from "./api.js";

let session = { authenticated: false, user: null };
const listeners = new Set();

function publish(next) {
  const before = session.user ? session.user.id : null;
  session = { authenticated: Boolean(next.authenticated && next.user), user: next.user || null };
  const after = session.user ? session.user.id : null;
  if (before !== after) {
    for (const listener of [...listeners]) listener(session.user);
  }
  return session;
}

/** Ask the server who we are (also refreshes the CSRF token). */
export async function refreshSession() {
  return publish(await fetchSession());
}

export function currentSession() {
  return session;
}

export function currentUser() {
  return session.user;
}

export function isAuthenticated() {
  return session.authenticated;
}

export function onSessionChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export async function login(username, password) {
  await api.post(
    "/api/auth/login",
    { username, password },
    { allowUnauthenticated: true },
  );
  // The CSRF token may rotate with the new session: fetch it before anything else.
  const next = await refreshSession();
  return next.user;
}

export async function logout() {
  try {
    await api.post("/api/auth/logout", {}, { allowUnauthenticated: true });
  } finally {
    try {
      await refreshSession();
    } catch {
      publish({ authenticated: false, user: null });
    }
  }
}

/** Forget the user locally (the server already said the session is gone). */
export function markSignedOut() {
  publish({ authenticated: false, user: null });
}

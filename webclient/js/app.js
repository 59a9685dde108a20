// Entry point: load the catalogs, learn who is signed in, open the socket, start the router.
//
// Views register themselves (see router.js). To add one, create js/views/<name>.js that
// calls registerView(...) and import it below — the order of imports is the order routes
// are matched in.

import { onUnauthenticated } from "./api.js";
import { h } from "./dom.js";
import { loadCatalogs, translateDom } from "./i18n.js";
import { navigate, parseHash, startRouter } from "./router.js";
import { isAuthenticated, markSignedOut, onSessionChange, refreshSession } from "./session.js";
import { connectSocket, disconnectSocket, onRefused } from "./socket.js";

import "./views/login.js";
import "./views/shell.js";
import "./views/meetings.js"; // the "my meetings" home section (after shell.js: replaces its placeholder)
import "./views/chair.js"; // #/meetings/:id/chair
import "./views/tablet.js"; // #/meetings/:id/tablet
import "./views/projector.js"; // #/meetings/:id/projector
import "./views/documents.js"; // documents panel + viewer in the chair/tablet/projector "presenter" slot
import "./views/bridge.js"; // #/meetings/:id/bridge, #/meetings/:id/conference
import "./views/admin-area.js"; // #/admin: the landing page and tab bar of the admin screens
import "./views/agenda-editor.js"; // #/meetings/:id/agenda: the agenda editor and its documents
import "./polls/index.js"; // voting: the "poll" slot of the chair, tablet and projector screens

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const app = document.getElementById("app");

/** Retry fn until it succeeds; onFail(error, attempt) is told about each failure. */
async function retrying(fn, onFail) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn();
    } catch (error) {
      onFail(error, attempt);
      await sleep(Math.min(1000 * 2 ** (attempt - 1), 8000));
    }
  }
}

function showOffline() {
  if (app.querySelector(".boot-offline")) return;
  app.replaceChildren(
    h(
      "main",
      { class: "bare-main" },
      h(
        "section",
        { class: "card message-card boot-offline", role: "alert" },
        h("h1", { class: "card-title", i18n: "boot.offline_title" }),
        h("p", { i18n: "boot.offline_body" }),
        h("button", {
          type: "button",
          class: "btn btn-primary",
          i18n: "common.retry",
          on: { click: () => window.location.reload() },
        }),
      ),
    ),
  );
}

function goToLogin(reason) {
  const { raw, path } = parseHash();
  if (path === "/login") return;
  const next = raw && raw !== "/" ? `&next=${encodeURIComponent(raw)}` : "";
  navigate(`/login?reason=${reason}${next}`, { replace: true });
}

async function checkStillSignedIn() {
  try {
    const session = await refreshSession();
    if (!session.authenticated) goToLogin("expired");
  } catch {
    // Server unreachable: the socket keeps retrying; nothing to decide yet.
  }
}

async function boot() {
  await retrying(loadCatalogs, () => {});
  translateDom(document);
  await retrying(refreshSession, (error) => {
    console.warn("session check failed", error);
    showOffline();
  });

  onSessionChange((user) => {
    if (user) connectSocket();
    else disconnectSocket();
  });
  onUnauthenticated(() => {
    markSignedOut();
    goToLogin("expired");
  });
  onRefused(() => checkStillSignedIn());

  if (isAuthenticated()) connectSocket();
  startRouter();
  document.documentElement.dataset.ready = "1";
}

boot();

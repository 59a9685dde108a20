// Hash router with a view registry. Views register themselves from their own module and are
// imported once in app.js:
//
//   import { registerView } from "../router.js";
//   registerView("/meetings/:id/chair", renderChair, {
//     name: "meeting-chair",           // data-view attribute on the view root (tests, CSS)
//     layout: "shell",                 // "shell" (header + main) | "bare" (full screen)
//     titleKey: "chair.title",         // document title, from the catalogs
//     public: false,                   // true: reachable without signing in
//     allow: (user) => true,           // optional client-side gate (the server still decides)
//   });
//
//   function renderChair(ctx) {
//     // ctx.root      the element to fill (emptied before each render)
//     // ctx.params    {id: "7"}  (strings; from ":id" in the pattern)
//     // ctx.query     {tab: "docs"} from "#/meetings/7/chair?tab=docs"
//     // ctx.user      the signed-in user (null on public views)
//     // ctx.signal    AbortSignal, aborted when the user leaves the view (pass to api calls)
//     // ctx.onCleanup(fn)     run fn when the view is left
//     // ctx.on(event, fn)     socket subscription removed when the view is left
//     // ctx.onLangChange(fn)  language switch subscription removed when the view is left
//     // ctx.navigate(path)    go elsewhere ("/meetings/7/tablet")
//     // May be async; may return a cleanup function.
//   }
//
// Patterns: "/" , "/login", "/meetings/:id/chair" (":name" matches one path segment).
// Routes are matched in registration order; the first match wins.

import { translateDom, t, onLangChange, errorMessage } from "./i18n.js";
import { currentUser, isAuthenticated } from "./session.js";
import { on as onSocketEvent } from "./socket.js";
import { h } from "./dom.js";

const routes = [];
const layouts = new Map();
let currentLayout = null; // {name, instance}
let currentView = null; // {route, controller, cleanups}
let navToken = 0;
let started = false;

function escapeRegex(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function compile(pattern) {
  const keys = [];
  const trimmed = pattern === "/" ? "" : pattern.replace(/\/+$/, "");
  const source = trimmed
    .split("/")
    .map((segment) => {
      if (segment.startsWith(":")) {
        keys.push(segment.slice(1));
        return "([^/]+)";
      }
      return escapeRegex(segment);
    })
    .join("/");
  return { regex: new RegExp(`^${source}/?$`), keys };
}

/** Register a view for a hash path pattern. See the top of this file. */
export function registerView(pattern, render, options = {}) {
  const { regex, keys } = compile(pattern);
  routes.push({
    pattern,
    regex,
    keys,
    render,
    options: { layout: "shell", public: false, titleKey: null, name: pattern, ...options },
  });
  if (started) renderRoute();
}

/**
 * Register a layout: mount(root) → {content: Element, update?(route), destroy?()}.
 * The layout stays mounted while consecutive views use it (the header is not rebuilt).
 */
export function registerLayout(name, mount) {
  layouts.set(name, mount);
}

registerLayout("bare", (root) => {
  const content = h("main", { id: "main", class: "bare-main", tabindex: "-1" });
  root.append(content);
  return { content };
});

export function parseHash(hash = window.location.hash) {
  const raw = hash.replace(/^#/, "") || "/";
  const [pathPart, queryPart = ""] = raw.split("?");
  const path = pathPart.startsWith("/") ? pathPart : `/${pathPart}`;
  const query = Object.fromEntries(new URLSearchParams(queryPart));
  return { path, query, raw };
}

/** Go to a hash path: navigate("/meetings/7/tablet"), navigate("/login", {replace: true}). */
export function navigate(path, { replace = false } = {}) {
  const target = `#${path.startsWith("/") ? path : `/${path}`}`;
  if (window.location.hash === target) {
    renderRoute();
  } else if (replace) {
    window.location.replace(target);
  } else {
    window.location.hash = target;
  }
}

export function currentRoute() {
  return currentView ? { ...currentView.route, params: currentView.params } : null;
}

function match(path) {
  for (const route of routes) {
    const found = route.regex.exec(path);
    if (found) {
      const params = {};
      route.keys.forEach((key, index) => {
        params[key] = decodeURIComponent(found[index + 1]);
      });
      return { route, params };
    }
  }
  return null;
}

function leaveView() {
  if (!currentView) return;
  currentView.controller.abort();
  for (const cleanup of currentView.cleanups.splice(0).reverse()) {
    try {
      cleanup();
    } catch (error) {
      console.error(error);
    }
  }
  currentView = null;
}

function useLayout(name) {
  const app = document.getElementById("app");
  if (currentLayout && currentLayout.name === name) return currentLayout.instance;
  if (currentLayout && currentLayout.instance.destroy) currentLayout.instance.destroy();
  app.replaceChildren();
  const mount = layouts.get(name) || layouts.get("bare");
  const instance = mount(app);
  currentLayout = { name, instance };
  return instance;
}

function renderMessage(root, titleKey, bodyKey) {
  root.replaceChildren(
    h(
      "section",
      { class: "card message-card" },
      h("h1", { class: "card-title", i18n: titleKey }),
      bodyKey ? h("p", { i18n: bodyKey }) : null,
      h("a", { class: "btn btn-secondary", href: "#/", i18n: "common.back_home" }),
    ),
  );
}

/** Render the view for the current hash. Called on hashchange and after sign in/out. */
export async function renderRoute() {
  const token = ++navToken;
  const { path, query, raw } = parseHash();
  const found = match(path);
  const route = found ? found.route : null;
  const options = route ? route.options : { layout: "shell", public: false };

  if (!options.public && !isAuthenticated()) {
    // Unknown paths too: signed-out users only ever see the login page.
    const next = raw === "/" ? "" : `?next=${encodeURIComponent(raw)}`;
    navigate(`/login${next}`, { replace: true });
    return;
  }
  if (route && options.guestOnly && isAuthenticated()) {
    navigate(query.next && query.next.startsWith("/") ? query.next : "/", { replace: true });
    return;
  }

  leaveView();
  const layout = useLayout(options.layout);
  const root = layout.content;
  root.replaceChildren();
  root.dataset.view = route ? options.name : "not-found";
  const controller = new AbortController();
  const view = { route: route || { pattern: null, options }, params: found ? found.params : {}, controller, cleanups: [] };
  currentView = view;
  const onCleanup = (fn) => {
    view.cleanups.push(fn);
    return fn;
  };

  const titleKey = route ? options.titleKey : "notfound.title";
  const setTitle = () => {
    document.title = titleKey ? `${t(titleKey)} · ${t("app.title_suffix")}` : t("app.title_suffix");
  };
  setTitle();
  onCleanup(onLangChange(setTitle));
  if (layout.update) layout.update(view.route);

  if (!route) {
    renderMessage(root, "notfound.title", "notfound.body");
    return;
  }
  if (options.allow && !options.allow(currentUser())) {
    renderMessage(root, "error.permission_denied", null);
    return;
  }
  const ctx = {
    root,
    params: view.params,
    query,
    path,
    user: currentUser(),
    signal: controller.signal,
    navigate,
    onCleanup,
    on: (event, handler) => onCleanup(onSocketEvent(event, handler)),
    onLangChange: (fn) => onCleanup(onLangChange(fn)),
  };
  try {
    const result = await route.render(ctx);
    if (typeof result === "function") {
      if (token === navToken) onCleanup(result);
      else result();
    }
    if (token === navToken) translateDom(root);
  } catch (error) {
    if (error && error.name === "AbortError") return;
    console.error(error);
    if (token === navToken) {
      root.replaceChildren(
        h("div", { class: "alert alert-error", role: "alert", text: errorMessage(error) }),
      );
    }
  }
}

/** Start listening to the hash. Call once, after the session is known. */
export function startRouter() {
  if (started) return;
  started = true;
  window.addEventListener("hashchange", () => renderRoute());
  renderRoute();
}

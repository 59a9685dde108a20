// The signed-in frame ("shell" layout: header + main) and the home view "#/".
//
// Extension points for other views:
//   registerHomeSection("my-meetings", { titleKey: "home.my_meetings", order: 10,
//                                        render(body, ctx) { … fill body … } })
//       Sections on the home page, sorted by order. Registering an existing id replaces it
//       (the meetings list replaces the "my-meetings" placeholder this way).
//       render may be async and may return a cleanup function; ctx is the router context.
//   registerNavItem({ id: "admin-units", href: "#/admin/units", labelKey: "nav.units",
//                     order: 50, visible: (user) => user.is_system_admin })
//       Links in the header. The link whose href matches the current path is marked
//       aria-current="page".

import { emblem, h, icon, replaceChildren } from "../dom.js";
import { errorMessage, translateDom } from "../i18n.js";
import { createLangSwitch } from "../lang-switch.js";
import { navigate, registerLayout, registerView } from "../router.js";
import { currentUser, logout, onSessionChange } from "../session.js";
import { createStatusPill } from "../socket.js";
import { toast } from "../toast.js";

const homeSections = new Map();
const navItems = new Map();

export function registerHomeSection(id, { titleKey, order = 100, render }) {
  homeSections.set(id, { id, titleKey, order, render });
}

export function registerNavItem({ id, href, labelKey, order = 100, visible }) {
  navItems.set(id, { id, href, labelKey, order, visible });
}

// ---------------------------------------------------------------- layout

function mountShell(root) {
  const nameEl = h("span", { class: "user-name" });
  const unitEl = h("span", { class: "user-unit" });
  const nav = h("nav", { class: "header-nav", i18nAttr: { "aria-label": "shell.menu_label" } });
  const langSwitch = createLangSwitch();
  const signOutLabel = h("span", { i18n: "shell.sign_out" });
  const signOut = h(
    "button",
    { type: "button", class: "btn btn-secondary btn-signout", on: { click: onSignOut } },
    signOutIcon(),
    signOutLabel,
  );
  const header = h(
    "header",
    { class: "app-header" },
    h(
      "div",
      { class: "header-inner" },
      h(
        "a",
        { class: "brand", href: "#/" },
        emblem(40),
        h("span", { class: "brand-name", i18n: "app.name" }),
      ),
      nav,
      h(
        "div",
        { class: "header-user", i18nAttr: { "aria-label": "shell.user_label" } },
        nameEl,
        unitEl,
      ),
      h("div", { class: "header-actions" }, createStatusPill(), langSwitch.element, signOut),
    ),
  );
  const content = h("main", { id: "main", class: "shell-main", tabindex: "-1" });
  root.append(h("div", { class: "shell" }, header, content));

  function renderUser() {
    const user = currentUser();
    nameEl.textContent = user ? user.full_name || user.username : "";
    if (user && user.unit) {
      unitEl.removeAttribute("data-i18n");
      unitEl.textContent = user.unit.name;
    } else {
      unitEl.setAttribute("data-i18n", user && user.is_system_admin ? "shell.system_admin" : "shell.unit_none");
      translateDom(unitEl);
    }
  }

  function renderNav(route) {
    const user = currentUser();
    const items = [...navItems.values()]
      .filter((item) => !item.visible || (user && item.visible(user)))
      .sort((a, b) => a.order - b.order);
    const here = `#${window.location.hash.replace(/^#/, "").split("?")[0] || "/"}`;
    replaceChildren(
      nav,
      items.map((item) =>
        h("a", {
          class: "nav-link",
          href: item.href,
          i18n: item.labelKey,
          "aria-current": item.href === here ? "page" : undefined,
        }),
      ),
    );
    nav.hidden = items.length === 0;
    return route;
  }

  let signingOut = false;
  async function onSignOut() {
    if (signingOut) return;
    signingOut = true;
    signOut.disabled = true;
    signOutLabel.setAttribute("data-i18n", "shell.signing_out");
    translateDom(signOut);
    try {
      await logout();
      navigate("/login?reason=signed_out", { replace: true });
    } catch (error) {
      toast(null, { text: errorMessage(error), kind: "error" });
    } finally {
      signingOut = false;
      signOut.disabled = false;
      signOutLabel.setAttribute("data-i18n", "shell.sign_out");
      translateDom(signOut);
    }
  }

  renderUser();
  const offSession = onSessionChange(renderUser);
  translateDom(header);

  return {
    content,
    update: renderNav,
    destroy() {
      offSession();
      langSwitch.destroy();
    },
  };
}

registerLayout("shell", mountShell);

// ---------------------------------------------------------------- home view

function placeholder(body) {
  body.append(
    h(
      "div",
      { class: "empty-state" },
      calendarIcon(),
      h("p", { class: "empty-title", i18n: "home.my_meetings_empty" }),
      h("p", { class: "empty-hint", i18n: "home.my_meetings_empty_hint" }),
    ),
  );
}

registerHomeSection("my-meetings", { titleKey: "home.my_meetings", order: 10, render: placeholder });

async function renderHome(ctx) {
  const user = ctx.user;
  const name = user.full_name || user.username;
  const welcome = h(
    "section",
    { class: "welcome" },
    h("h1", { class: "welcome-title", i18n: "home.welcome", i18nParams: { name } }),
    user.unit
      ? h("p", { class: "welcome-unit", i18n: "home.welcome_unit", i18nParams: { unit: user.unit.name } })
      : null,
    h("p", { class: "welcome-intro", i18n: "home.intro" }),
  );
  ctx.root.append(h("div", { class: "page" }, welcome));
  const page = ctx.root.firstChild;

  const sections = [...homeSections.values()].sort((a, b) => a.order - b.order);
  for (const section of sections) {
    const headingId = `section-${section.id}-title`;
    const body = h("div", { class: "section-body" });
    page.append(
      h(
        "section",
        { class: "card home-section", id: section.id, dataset: { section: section.id }, "aria-labelledby": headingId },
        section.titleKey ? h("h2", { class: "card-title", id: headingId, i18n: section.titleKey }) : null,
        body,
      ),
    );
    try {
      const cleanup = await section.render(body, ctx);
      if (typeof cleanup === "function") ctx.onCleanup(cleanup);
    } catch (error) {
      if (error && error.name === "AbortError") return;
      console.error(error);
      replaceChildren(body, h("div", { class: "alert alert-error", role: "alert", text: errorMessage(error) }));
    }
  }
}

registerView("/", renderHome, { name: "home", layout: "shell", titleKey: "shell.title" });

// ---------------------------------------------------------------- icons

function signOutIcon() {
  return icon("M10 3h9a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2h-9v-2h9V5h-9V3zm-.7 4.3 1.4 1.4L8.4 11H16v2H8.4l2.3 2.3-1.4 1.4L4.6 12l4.7-4.7z", 20);
}

function calendarIcon() {
  const mark = icon(
    "M7 2h2v2h6V2h2v2h2a2 2 0 0 1 2 2v13a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2h2V2zM5 9v10h14V9H5zm2 2h4v4H7v-4z",
    48,
  );
  mark.classList.add("empty-icon");
  return mark;
}

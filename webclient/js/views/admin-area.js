// The administration area "#/admin": one landing page listing the admin screens, and the
// tab bar every admin screen shows on top. Each screen registers itself:
//
//   registerAdminSection({ id: "users", href: "#/admin/users", titleKey: "admin.users.title",
//                          descKey: "admin.users.desc", order: 10, visible: (user) => true })
//   ctx.root.append(adminTabs("users"));   // at the top of the screen's page
//
// Only admins see the area (system admins, and unit admins of some unit): the server
// refuses the rest anyway, the UI just does not offer what cannot be used.

import { h } from "../dom.js";
import { registerView } from "../router.js";
import { currentUser } from "../session.js";
import { registerNavItem } from "./shell.js";

const sections = new Map();

export function isAdmin(user) {
  return Boolean(user && (user.is_system_admin || (user.admin_unit_ids || []).length));
}

export function registerAdminSection({ id, href, titleKey, descKey, order = 100, visible }) {
  sections.set(id, { id, href, titleKey, descKey, order, visible });
}

function visibleSections() {
  const user = currentUser();
  return [...sections.values()]
    .filter((s) => isAdmin(user) && (!s.visible || s.visible(user)))
    .sort((a, b) => a.order - b.order);
}

/** The tab bar at the top of every admin screen; `active` is the section id shown. */
export function adminTabs(active) {
  return h(
    "nav",
    { class: "tabs admin-tabs", i18nAttr: { "aria-label": "admin.tabs_label" } },
    visibleSections().map((s) =>
      h("a", {
        class: "tab",
        href: s.href,
        i18n: s.titleKey,
        "aria-current": s.id === active ? "page" : undefined,
      }),
    ),
  );
}

function renderAdminHome(ctx) {
  const cards = visibleSections().map((s) =>
    h(
      "a",
      { class: "card admin-card", href: s.href, dataset: { section: s.id } },
      h("h2", { class: "card-title", i18n: s.titleKey }),
      s.descKey ? h("p", { i18n: s.descKey }) : null,
    ),
  );
  ctx.root.append(
    h(
      "div",
      { class: "page admin-page" },
      h("h1", { i18n: "admin.title" }),
      cards.length
        ? h("div", { class: "admin-cards" }, cards)
        : h("p", { class: "empty-hint", i18n: "admin.nothing" }),
    ),
  );
}

registerView("/admin", renderAdminHome, { name: "admin", layout: "shell", titleKey: "admin.title" });
registerNavItem({ id: "admin", href: "#/admin", labelKey: "nav.admin", order: 50, visible: isAdmin });

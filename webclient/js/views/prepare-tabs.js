// The tab bar on top of the screens that prepare one meeting. Each screen is its own view:
//   #/meetings/new, #/meetings/:id/edit   the meeting form (views/meeting-form.js)
//   #/meetings/:id/agenda                 agenda and documents (views/agenda-editor.js)
//   #/meetings/:id/invitations            publishing, invitations and replies (views/invitations.js)
// `prepareTabs(meetingId, "agenda")` returns the bar with that tab marked current; a new
// meeting (no id yet) shows only the first tab.

import { h } from "../dom.js";

const TABS = [
  { id: "edit", labelKey: "prepare.tab_info", path: (id) => `#/meetings/${id}/edit` },
  { id: "agenda", labelKey: "prepare.tab_agenda", path: (id) => `#/meetings/${id}/agenda` },
  { id: "invitations", labelKey: "prepare.tab_invitations", path: (id) => `#/meetings/${id}/invitations` },
];

export function prepareTabs(meetingId, active) {
  const tabs = meetingId ? TABS : TABS.slice(0, 1);
  return h(
    "nav",
    { class: "tabs prepare-tabs", i18nAttr: { "aria-label": "prepare.tabs_label" } },
    tabs.map((tab) =>
      h("a", {
        class: "tab",
        href: meetingId ? tab.path(meetingId) : "#/meetings/new",
        i18n: tab.labelKey,
        "aria-current": tab.id === active ? "page" : undefined,
      }),
    ),
    meetingId
      ? h("a", { class: "btn btn-secondary tab-room", href: `#/meetings/${meetingId}/chair`, i18n: "prepare.open_room" })
      : null,
  );
}

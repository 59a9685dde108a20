// "Cuộc họp của tôi" on the home page: in progress, upcoming and past meetings, each with
// the screens my role uses (chair console, tablet, projector, bridge) and an iCalendar file.

import { api } from "../api.js";
import { h, icon, replaceChildren } from "../dom.js";
import { errorMessage, formatDate, formatTime } from "../i18n.js";
import { parseTime } from "../meeting-timers.js";
import { onConnect } from "../socket.js";
import { registerHomeSection } from "./shell.js";
import { ICONS, statusBadge } from "./room-common.js";

const GROUPS = [
  { scope: "in_progress", titleKey: "meetings.in_progress" },
  { scope: "upcoming", titleKey: "meetings.upcoming" },
  { scope: "past", titleKey: "meetings.past", limit: 10 },
];

const RUNS_MEETING = new Set(["chair", "secretary"]);
const CLOSED = new Set(["ended", "cancelled"]);

/** The screens offered for a role: [{key, href, primary}] */
export function screensFor(meeting) {
  const base = `#/meetings/${meeting.id}`;
  const role = meeting.my_role;
  // Chair, secretary, and organisers (unit admins) without a role: the console + projector.
  if (!role || RUNS_MEETING.has(role)) {
    return [
      { key: "meetings.open_console", href: `${base}/chair`, primary: true, icon: ICONS.people, action: "console" },
      { key: "meetings.open_projector", href: `${base}/projector`, icon: ICONS.screen, action: "projector", newTab: true },
    ];
  }
  const tablet = { key: "meetings.open_tablet", href: `${base}/tablet`, icon: ICONS.tablet, action: "tablet" };
  // A bridge operator's screen is the bridge page while the meeting can still be joined;
  // afterwards only the record (the tablet view) is left.
  if (role === "bridge_operator" && !CLOSED.has(meeting.status)) {
    return [{ key: "meetings.open_bridge", href: `${base}/bridge`, primary: true, icon: ICONS.screen, action: "bridge" }, tablet];
  }
  return [{ ...tablet, primary: true }];
}

function when(meeting) {
  const start = parseTime(meeting.starts_at);
  const end = parseTime(meeting.ends_at);
  if (Number.isNaN(start)) return "";
  return `${formatTime(new Date(start))}${Number.isNaN(end) ? "" : `–${formatTime(new Date(end))}`} · ${formatDate(new Date(start))}`;
}

function meetingCard(meeting, scope) {
  const past = scope === "past";
  const buttons = screensFor(meeting).map((screen) =>
    h(
      "a",
      {
        class: ["btn", screen.primary && !past ? "btn-primary" : "btn-secondary"],
        href: screen.href,
        target: screen.newTab ? "_blank" : undefined,
        rel: screen.newTab ? "noopener" : undefined,
        dataset: { action: screen.action },
      },
      icon(screen.icon, 20),
      h("span", { i18n: past && screen.primary ? "meetings.open_record" : screen.key }),
    ),
  );
  if (!past && meeting.status !== "cancelled") {
    buttons.push(
      h(
        "a",
        {
          class: "btn btn-ghost",
          href: `/api/meetings/${meeting.id}/calendar.ics`,
          download: `cuoc-hop-${meeting.id}.ics`,
          dataset: { action: "ical" },
        },
        icon(ICONS.calendar, 20),
        h("span", { i18n: "meetings.ical" }),
      ),
    );
  }
  return h(
    "li",
    { class: ["meeting-card", `is-${meeting.status}`], dataset: { meetingId: meeting.id } },
    h(
      "div",
      { class: "meeting-info" },
      h(
        "div",
        { class: "meeting-badges" },
        statusBadge(meeting.status),
        h("span", { class: "badge badge-role", i18n: `room.role.${meeting.my_role || "manager"}` }),
      ),
      h("h3", { class: "meeting-title", text: meeting.title }),
      h("p", { class: "meeting-when", text: when(meeting) }),
      h("p", {
        class: "meeting-where",
        text: [meeting.room, meeting.host_unit && meeting.host_unit.name].filter(Boolean).join(" · "),
      }),
    ),
    h("div", { class: "meeting-actions" }, buttons),
  );
}

async function renderMyMeetings(body, ctx) {
  let loading = false;
  async function load() {
    if (loading) return;
    loading = true;
    try {
      const results = await Promise.all(
        GROUPS.map((group) => api.get(`/api/meetings?scope=${group.scope}`, { signal: ctx.signal })),
      );
      const groups = GROUPS.map((group, index) => ({ ...group, meetings: results[index].meetings }));
      const total = groups.reduce((sum, g) => sum + g.meetings.length, 0);
      if (!total) {
        replaceChildren(
          body,
          h(
            "div",
            { class: "empty-state" },
            icon(ICONS.calendar, 48),
            h("p", { class: "empty-title", i18n: "home.my_meetings_empty" }),
            h("p", { class: "empty-hint", i18n: "home.my_meetings_empty_hint" }),
          ),
        );
        return;
      }
      replaceChildren(
        body,
        groups
          .filter((group) => group.meetings.length)
          .map((group) => {
            const shown = group.limit ? group.meetings.slice(0, group.limit) : group.meetings;
            const list = h("ul", { class: "meeting-list" }, shown.map((m) => meetingCard(m, group.scope)));
            const heading = h("h3", { class: "group-title", i18n: group.titleKey, i18nParams: { n: group.meetings.length } });
            if (group.scope === "past") {
              return h("details", { class: "meeting-group", dataset: { scope: group.scope } }, h("summary", {}, heading), list);
            }
            return h("div", { class: "meeting-group", dataset: { scope: group.scope } }, heading, list);
          }),
      );
    } catch (error) {
      if (error && error.name === "AbortError") return;
      replaceChildren(
        body,
        h("div", { class: "alert alert-error", role: "alert", text: errorMessage(error) }),
        h("button", { type: "button", class: "btn btn-secondary", i18n: "common.retry", on: { click: load } }),
      );
    } finally {
      loading = false;
    }
  }
  await load();
  // A meeting starting elsewhere moves to "in progress": refresh on reconnect and now and
  // then (the list is not a room, so it gets no events).
  const timer = setInterval(load, 60000);
  const off = onConnect(load);
  return () => {
    clearInterval(timer);
    off();
  };
}

registerHomeSection("my-meetings", { titleKey: "home.my_meetings", order: 10, render: renderMyMeetings });

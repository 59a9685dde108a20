// The chair console's attendance card: present / total, quorum, bridge sites, and the
// secretary's present / absent / excused marks for each person.

import { h, icon } from "../dom.js";
import { t } from "../i18n.js";
import { ICONS, replaceKeepingFocus, runCommand } from "./room-common.js";

/** "Đủ túc số / Chưa đủ túc số" with present/total and what is required, as the server
 * says (attendance.quorum: reached, required, voting_present, voting_total, rule). The
 * chair console and the tablets show the same box. */
export function quorumBox(quorum) {
  return h(
    "div",
    { class: ["quorum", quorum.reached ? "is-reached" : "is-missing"], dataset: { reached: quorum.reached ? "1" : "0" } },
    icon(quorum.reached ? ICONS.check : ICONS.close, 26),
    h(
      "div",
      {},
      h("strong", { i18n: quorum.reached ? "room.quorum_reached" : "room.quorum_missing" }),
      h("span", {
        class: "quorum-detail",
        i18n: "room.quorum_detail",
        i18nParams: { present: quorum.voting_present, total: quorum.voting_total, required: quorum.required, rule: t(`room.quorum_rule.${quorum.rule}`) },
      }),
    ),
  );
}

/** Fill `attendanceCard` from state.attendance; marks need the attendance.mark permission. */
export function renderAttendanceCard(attendanceCard, state, { store, meetingId }) {
  const { attendance, meeting } = state;
  const mark = store.can("attendance.mark") && ["scheduled", "in_progress"].includes(meeting.status);
  const { counts, quorum, bridges } = attendance;
  const stat = (key, value, cls) =>
    h("div", { class: ["att-stat", cls] }, h("span", { class: "att-value", text: String(value) }), h("span", { class: "att-label", i18n: key }));
  const people = attendance.people.map((person) => {
    const isBridge = person.role === "bridge_operator";
    const statusKey = person.status ? `room.att.${person.status}` : "room.att.unknown";
    const choice = (value) =>
      h("button", {
        type: "button",
        class: ["seg-btn", `seg-${value}`],
        "aria-pressed": person.status === value ? "true" : "false",
        i18n: `room.mark.${value}`,
        dataset: { focusKey: `att-${person.user_id}-${value}`, status: value },
        on: {
          click: (e) =>
            person.status !== value &&
            runCommand("attendance.mark", { meeting_id: meetingId, user_id: person.user_id, status: value }, { button: e.currentTarget, store }),
        },
      });
    return h(
      "li",
      { class: "person-row", dataset: { userId: person.user_id, status: person.status || "unknown" } },
      h("span", { class: ["status-dot", `dot-${person.status || "unknown"}`], "aria-hidden": "true" }),
      h(
        "div",
        { class: "person-text" },
        h("span", { class: "person-name", text: person.full_name }),
        h("span", { class: "person-role", i18n: `room.role.${person.role}` }),
      ),
      mark && !isBridge
        ? h("div", { class: "seg", role: "group", "aria-label": t("room.att.mark_label", { name: person.full_name }) }, choice("present"), choice("absent"), choice("excused"))
        : h("span", { class: ["person-status", `st-${person.status || "unknown"}`], i18n: isBridge ? (person.status === "present" ? "room.bridge_connected" : "room.bridge_offline") : statusKey }),
    );
  });
  replaceKeepingFocus(
    attendanceCard,
    h("h2", { class: "card-title", id: "chair-att-title", i18n: "room.attendance" }),
    h(
      "div",
      { class: "att-summary" },
      h(
        "div",
        { class: "att-main" },
        h("span", { class: "att-present", dataset: { present: counts.present, total: counts.total } }, `${counts.present}/${counts.total}`),
        h("span", { class: "att-label", i18n: "room.att.present_of_total" }),
      ),
      h("div", { class: "att-stats" }, stat("room.att.absent", counts.absent), stat("room.att.excused", counts.excused), stat("room.att.unknown", counts.unknown)),
    ),
    quorumBox(quorum),
    bridges.total
      ? h("p", { class: "bridges-line", i18n: "room.bridges_count", i18nParams: { connected: bridges.connected, total: bridges.total } })
      : null,
    h("ul", { class: "people-list" }, people),
  );
}

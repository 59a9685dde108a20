// Parts the chair console and the delegate tablet build alike from the meeting state: the
// head with the meeting clock, "now discussing" with the item's timer, the agenda rows.

import { h } from "../dom.js";
import { currentItem, itemNumbers } from "../meeting-lookups.js";
import { meetingElapsed, meetingOverrun } from "../meeting-timers.js";
import { itemTimerBox, replaceKeepingFocus, scheduleText, setState, statusBadge, timerText } from "./room-common.js";

/** Title, badges (status first, then `badges`) and the schedule line (+ `sub` parts). */
export function headTitle(meeting, { badges = [], sub = [] } = {}) {
  return h(
    "div",
    { class: "head-title" },
    h("div", { class: "head-badges" }, statusBadge(meeting.status), ...badges),
    h("h1", { class: "room-title", text: meeting.title }),
    h("p", { class: "room-sub", text: [scheduleText(meeting), ...sub].filter(Boolean).join(" · ") }),
  );
}

/** The meeting's running clock (red once past the planned end); `below`: an extra line. */
export function meetingClock(state, tickers, below = null) {
  const clock = timerText("timer-meeting");
  const box = h("div", { class: "meeting-clock" }, h("span", { class: "clock-label", i18n: "room.meeting_time" }), clock, below);
  tickers.push((now) => {
    clock.update(meetingElapsed(state, now));
    setState(box, { overrun: meetingOverrun(state, now) });
  });
  return box;
}

/**
 * What the "current" card says: not started, closed, a break, or the item being discussed
 * with its timer. startHintKey: the line under "not started"; extended: show the minutes
 * the chair added.
 */
export function currentItemContent(state, tickers, { startHintKey = "room.waiting_for_chair", extended = false } = {}) {
  const { meeting, agenda } = state;
  const item = currentItem(state);
  if (meeting.status === "scheduled") {
    return [h("p", { class: "current-label", i18n: "room.not_started" }), h("p", { class: "current-hint", i18n: startHintKey })];
  }
  if (meeting.status !== "in_progress") return [h("p", { class: "current-label", i18n: `room.closed_${meeting.status}` })];
  if (!item) {
    return [h("p", { class: "current-label", i18n: "room.break" }), h("p", { class: "current-hint", i18n: "room.break_hint" })];
  }
  const numbers = itemNumbers(agenda.items);
  const box = itemTimerBox(item, tickers);
  return [
    h("p", { class: "current-label", i18n: "room.now_discussing" }),
    h(
      "h2",
      { class: "current-title", dataset: { itemId: item.id } },
      h("span", { class: "item-no", text: `${numbers.get(item.id)}.` }),
      " ",
      h("span", { class: "current-title-text", text: item.title }),
    ),
    item.presenter ? h("p", { class: "current-presenter", text: item.presenter }) : null,
    extended && item.extra_minutes
      ? h("p", { class: "current-extended", i18n: "room.extended_by", i18nParams: { n: item.extra_minutes } })
      : null,
    box,
  ];
}

/** Is the item the current one, or done (spoken on before and not current)? */
export function rowStatus(agenda, item) {
  const isCurrent = item.id === agenda.current_item_id;
  return { isCurrent, done: !isCurrent && item.elapsed_seconds > 0 };
}

/**
 * One agenda row: number, title, presenter, the "current" badge. attrs: more <li>
 * attributes (dataset merged); handle: before the number; tail: after the text.
 */
export function agendaRow(item, numbers, { isCurrent, done }, { attrs = {}, handle = null, tail = [] } = {}) {
  const { dataset = {}, ...rest } = attrs;
  return h(
    "li",
    {
      class: ["agenda-row", item.parent_id ? "is-child" : "", isCurrent ? "is-current" : "", done ? "is-done" : ""],
      ...rest,
      dataset: { id: item.id, ...dataset },
      "aria-current": isCurrent ? "step" : undefined,
    },
    handle,
    h("span", { class: "item-no", text: numbers.get(item.id) }),
    h(
      "div",
      { class: "agenda-text" },
      h("span", { class: "agenda-title", text: item.title }),
      item.presenter ? h("span", { class: "agenda-presenter", text: item.presenter }) : null,
      isCurrent ? h("span", { class: "badge badge-current", i18n: "room.current_badge" }) : null,
    ),
    ...tail,
  );
}

/** Put the rows in the agenda list, or "no items" when there are none. */
export function fillAgenda(list, rows) {
  replaceKeepingFocus(list, rows.length ? rows : h("li", { class: "empty-row", i18n: "room.agenda_empty" }));
}

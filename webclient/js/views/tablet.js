// Delegate tablet: what is being discussed, the clocks, check-in and the big
// request-to-speak button. Works in portrait and landscape; every control ≥ 44 px, the
// primary ones much bigger. Follows the room by itself after a Wi-Fi drop.

import { h } from "../dom.js";
import { t } from "../i18n.js";
import { currentItem, itemNumbers, myRequest } from "../meeting-lookups.js";
import { formatDuration, meetingElapsed, meetingOverrun, speakerTimer } from "../meeting-timers.js";
import { createSlot, mountPanels } from "../room-panels.js";
import { quorumBox } from "./chair-attendance.js";
import { registerView } from "../router.js";
import {
  icon,
  ICONS,
  itemTimerBox,
  openRoom,
  replaceKeepingFocus,
  runCommand,
  scheduleText,
  setState,
  statusBadge,
  timerText,
} from "./room-common.js";

registerView("/meetings/:id/tablet", renderTablet, {
  name: "meeting-tablet",
  layout: "shell",
  titleKey: "tablet.title",
});

async function renderTablet(ctx) {
  const meetingId = Number(ctx.params.id);
  const me = ctx.user.id;
  let store = null;
  let tickers = [];

  const page = h("div", { class: "room room-tablet" });
  ctx.root.append(page);
  const status = h("div", { class: "room-status" });
  const head = h("section", { class: "tablet-head" });
  const current = h("section", { class: "card tablet-current", "aria-live": "polite" });
  const speaking = h("section", { class: "tablet-speaking" });
  const actions = h("section", { class: "card tablet-actions", "aria-live": "polite" });
  const attendanceCard = h("section", { class: "card tablet-attendance", "aria-labelledby": "tablet-att-title" });
  const agendaList = h("ol", { class: "agenda-list agenda-list-tablet" });
  const agendaCard = h(
    "section",
    { class: "card tablet-agenda", "aria-labelledby": "tablet-agenda-title" },
    h("h2", { class: "card-title", id: "tablet-agenda-title", i18n: "room.agenda" }),
    agendaList,
  );
  const pollSlot = createSlot("poll");
  const presenterSlot = createSlot("presenter");
  const body = h(
    "div",
    { class: "room-body tablet-grid" },
    head,
    // An open poll goes first; a shown document under the item; the agenda below.
    h("div", { class: "tablet-main" }, pollSlot, current, presenterSlot, agendaCard),
    h("div", { class: "tablet-side" }, actions, speaking, attendanceCard),
  );
  body.hidden = true;
  page.append(status, body);

  let panels = null;

  function render(state) {
    status.replaceChildren();
    body.hidden = false;
    tickers = [];
    renderHead(state);
    renderCurrent(state);
    renderSpeaking(state);
    renderActions(state);
    renderAttendance(state);
    renderAgenda(state);
    if (panels) panels.update(state);
  }

  function tick(now) {
    for (const ticker of tickers) ticker(now);
  }

  function renderHead(state) {
    const { meeting } = state;
    const clock = timerText("timer-meeting");
    const clockBox = h("div", { class: "meeting-clock" }, h("span", { class: "clock-label", i18n: "room.meeting_time" }), clock);
    tickers.push((now) => {
      clock.update(meetingElapsed(state, now));
      setState(clockBox, { overrun: meetingOverrun(state, now) });
    });
    replaceKeepingFocus(
      head,
      h(
        "div",
        { class: "head-title" },
        h("div", { class: "head-badges" }, statusBadge(meeting.status)),
        h("h1", { class: "room-title", text: meeting.title }),
        h("p", { class: "room-sub", text: [scheduleText(meeting), meeting.room].filter(Boolean).join(" · ") }),
      ),
      meeting.status === "scheduled" ? null : clockBox,
    );
  }

  function renderCurrent(state) {
    const { meeting, agenda } = state;
    const item = currentItem(state);
    const numbers = itemNumbers(agenda.items);
    let content;
    if (meeting.status === "scheduled") {
      content = [
        h("p", { class: "current-label", i18n: "room.not_started" }),
        h("p", { class: "current-hint", i18n: "room.waiting_for_chair" }),
      ];
    } else if (meeting.status !== "in_progress") {
      content = [h("p", { class: "current-label", i18n: `room.closed_${meeting.status}` })];
    } else if (!item) {
      content = [h("p", { class: "current-label", i18n: "room.break" }), h("p", { class: "current-hint", i18n: "room.break_hint" })];
    } else {
      const box = itemTimerBox(item, tickers);
      content = [
        h("p", { class: "current-label", i18n: "room.now_discussing" }),
        h(
          "h2",
          { class: "current-title", dataset: { itemId: item.id } },
          h("span", { class: "item-no", text: `${numbers.get(item.id)}.` }),
          " ",
          h("span", { class: "current-title-text", text: item.title }),
        ),
        item.presenter ? h("p", { class: "current-presenter", text: item.presenter }) : null,
        box,
      ];
    }
    replaceKeepingFocus(current, ...content);
  }

  function renderSpeaking(state) {
    const { speakers } = state;
    const cur = speakers.current;
    if (!cur || cur.user_id === me) {
      speaking.replaceChildren();
      speaking.hidden = true;
      return;
    }
    speaking.hidden = false;
    const timer = timerText("timer-speaker");
    const box = h("div", { class: "speaker-timer" }, timer);
    tickers.push((now) => {
      const st = speakerTimer(speakers, now);
      if (!st) return;
      timer.update(st.spoken);
      setState(box, st);
    });
    replaceKeepingFocus(
      speaking,
      icon(ICONS.mic, 28),
      h(
        "div",
        { class: "tablet-speaking-text" },
        h("span", { class: "current-label", i18n: "room.speaking_now" }),
        h("span", { class: "speaker-name", text: cur.full_name }),
        cur.bridge_unit ? h("span", { class: "speaker-unit", text: cur.bridge_unit.name }) : null,
      ),
      box,
    );
  }

  function renderActions(state) {
    const { meeting, attendance, speakers } = state;
    const open = ["scheduled", "in_progress"].includes(meeting.status);
    const parts = [];

    // Check-in
    if (store.can("attendance.checkin")) {
      const mine = attendance.people.find((p) => p.user_id === me);
      const present = mine && mine.status === "present";
      if (present) {
        parts.push(
          h(
            "p",
            { class: "checked-in", dataset: { checkedIn: "1" } },
            icon(ICONS.check, 26),
            h("span", { i18n: "tablet.checked_in" }),
          ),
        );
      } else if (open) {
        parts.push(
          h(
            "button",
            {
              type: "button",
              class: "btn btn-secondary btn-xl btn-checkin",
              dataset: { focusKey: "checkin", action: "checkin" },
              on: { click: (e) => runCommand("attendance.checkin", { meeting_id: meetingId }, { button: e.currentTarget, store }) },
            },
            icon(ICONS.check, 28),
            h("span", { i18n: "tablet.checkin" }),
          ),
        );
      }
    }

    // The floor
    if (store.can("speaker.request")) {
      const mine = myRequest(speakers, me);
      if (mine && mine.speaking) {
        const timer = timerText("timer-speaker timer-mine");
        const remain = h("span", { class: "timer-remain" });
        const box = h("div", { class: "my-turn" }, h("p", { class: "my-turn-label", i18n: "tablet.you_are_speaking" }), h("div", { class: "speaker-timer" }, timer, remain));
        tickers.push((now) => {
          const st = speakerTimer(speakers, now);
          if (!st) return;
          timer.update(st.spoken);
          remain.textContent = st.overrun
            ? t("room.overrun_by", { time: formatDuration(-st.remaining) })
            : t("room.remaining", { time: formatDuration(st.remaining) });
          setState(box, st);
        });
        parts.push(box);
      } else if (mine) {
        parts.push(
          h(
            "div",
            { class: "my-request", dataset: { position: mine.position } },
            h("p", { class: "my-request-label", i18n: "tablet.waiting" }),
            h(
              "p",
              { class: "my-position" },
              h("span", { class: "my-position-no", text: String(mine.position) }),
              h("span", { i18n: "tablet.position_of", i18nParams: { total: speakers.queue.length } }),
            ),
            h("button", {
              type: "button",
              class: "btn btn-secondary btn-lg btn-block",
              i18n: "tablet.withdraw",
              dataset: { focusKey: "withdraw", action: "withdraw" },
              on: {
                click: (e) =>
                  runCommand("speaker.withdraw", { meeting_id: meetingId, request_id: mine.request.id }, { button: e.currentTarget, store, quiet: ["conflict"] }),
              },
            }),
          ),
        );
      } else if (open) {
        parts.push(
          h(
            "button",
            {
              type: "button",
              class: "btn btn-primary btn-xxl btn-request",
              dataset: { focusKey: "request", action: "request" },
              on: {
                click: (e) =>
                  // conflict: already asked (a retried tap after a lost ack); the state shows it.
                  runCommand("speaker.request", { meeting_id: meetingId }, { button: e.currentTarget, store, quiet: ["conflict"] }),
              },
            },
            icon(ICONS.mic, 40),
            h("span", { i18n: "tablet.request" }),
          ),
        );
        if (speakers.queue.length) {
          parts.push(h("p", { class: "queue-note", i18n: "tablet.queue_length", i18nParams: { n: speakers.queue.length } }));
        }
      }
    }
    if (!parts.length) parts.push(h("p", { class: "muted", i18n: "tablet.nothing_to_do" }));
    replaceKeepingFocus(actions, ...parts);
  }

  // Who is here and whether the meeting has its quorum: the snapshot's attendance part,
  // replaced by each attendance.updated event.
  function renderAttendance(state) {
    const { attendance } = state;
    attendanceCard.hidden = !attendance;
    if (!attendance) return;
    const { counts, quorum } = attendance;
    replaceKeepingFocus(
      attendanceCard,
      h("h2", { class: "card-title", id: "tablet-att-title", i18n: "room.attendance" }),
      h(
        "p",
        { class: "att-main" },
        h("span", { class: "att-present", dataset: { present: counts.present, total: counts.total } }, `${counts.present}/${counts.total}`),
        h("span", { class: "att-label", i18n: "room.att.present_of_total" }),
      ),
      quorumBox(quorum),
    );
  }

  function renderAgenda(state) {
    const { agenda } = state;
    const numbers = itemNumbers(agenda.items);
    const rows = agenda.items.map((item) => {
      const isCurrent = item.id === agenda.current_item_id;
      const done = !isCurrent && item.elapsed_seconds > 0;
      return h(
        "li",
        {
          class: ["agenda-row", item.parent_id ? "is-child" : "", isCurrent ? "is-current" : "", done ? "is-done" : ""],
          dataset: { id: item.id },
          "aria-current": isCurrent ? "step" : undefined,
        },
        h("span", { class: "item-no", text: numbers.get(item.id) }),
        h(
          "div",
          { class: "agenda-text" },
          h("span", { class: "agenda-title", text: item.title }),
          item.presenter ? h("span", { class: "agenda-presenter", text: item.presenter }) : null,
          isCurrent ? h("span", { class: "badge badge-current", i18n: "room.current_badge" }) : null,
        ),
        h("span", { class: "agenda-time", text: t("room.minutes", { n: item.planned_minutes + item.extra_minutes }) }),
      );
    });
    replaceKeepingFocus(agendaList, rows.length ? rows : h("li", { class: "empty-row", i18n: "room.agenda_empty" }));
    const currentRow = agendaList.querySelector(".is-current");
    if (currentRow && agendaList.scrollHeight > agendaList.clientHeight) {
      currentRow.scrollIntoView({ block: "nearest" });
    }
  }

  await openRoom(ctx, { container: status, render, tick, onStore: (s) => { store = s; } });
  panels = mountPanels("tablet", { poll: pollSlot, presenter: presenterSlot }, { store, ctx });
  ctx.onCleanup(() => panels.destroy());
  if (store.state) panels.update(store.state);
}

// Delegate tablet: what is being discussed, the clocks, check-in and the big
// request-to-speak button. Works in portrait and landscape; every control ≥ 44 px, the
// primary ones much bigger. Follows the room by itself after a Wi-Fi drop.

import { h, icon } from "../dom.js";
import { t } from "../i18n.js";
import { itemNumbers, myRequest } from "../meeting-lookups.js";
import { createSlot } from "../room-panels.js";
import { registerView } from "../router.js";
import { quorumBox } from "./chair-attendance.js";
import { ICONS, replaceKeepingFocus, runCommand, speakingNow, tickSpeaker, timerText } from "./room-common.js";
import { agendaRow, currentItemContent, fillAgenda, headTitle, meetingClock, rowStatus } from "./room-parts.js";
import { openRoomScreen } from "./room-screen.js";

registerView("/meetings/:id/tablet", renderTablet, {
  name: "meeting-tablet",
  layout: "shell",
  titleKey: "tablet.title",
});

async function renderTablet(ctx) {
  const meetingId = Number(ctx.params.id);
  const me = ctx.user.id;
  let store = null;

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

  function render(state, tickers) {
    renderHead(state, tickers);
    replaceKeepingFocus(current, ...currentItemContent(state, tickers));
    renderSpeaking(state, tickers);
    renderActions(state, tickers);
    renderAttendance(state);
    renderAgenda(state);
  }

  function renderHead(state, tickers) {
    const { meeting } = state;
    const clockBox = meetingClock(state, tickers);
    replaceKeepingFocus(head, headTitle(meeting, { sub: [meeting.room] }), meeting.status === "scheduled" ? null : clockBox);
  }

  function renderSpeaking(state, tickers) {
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
    tickSpeaker(tickers, speakers, { timer, boxes: [box] });
    replaceKeepingFocus(
      speaking,
      icon(ICONS.mic, 28),
      speakingNow(cur.full_name, cur.bridge_unit && cur.bridge_unit.name, {
        tag: "span",
        wrap: "tablet-speaking-text",
        label: "current-label",
        name: "speaker-name",
        sub: "speaker-unit",
      }),
      box,
    );
  }

  /** A big button with an icon that sends one command about this meeting. */
  function bigButton(name, { className, action, iconPath, iconSize, labelKey, quiet = [] }) {
    return h(
      "button",
      {
        type: "button",
        class: className,
        dataset: { focusKey: action, action },
        on: { click: (e) => runCommand(name, { meeting_id: meetingId }, { button: e.currentTarget, store, quiet }) },
      },
      icon(iconPath, iconSize),
      h("span", { i18n: labelKey }),
    );
  }

  function renderActions(state, tickers) {
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
        parts.push(bigButton("attendance.checkin", { className: "btn btn-secondary btn-xl btn-checkin", action: "checkin", iconPath: ICONS.check, iconSize: 28, labelKey: "tablet.checkin" }));
      }
    }

    // The floor
    if (store.can("speaker.request")) {
      const mine = myRequest(speakers, me);
      if (mine && mine.speaking) {
        const timer = timerText("timer-speaker timer-mine");
        const remain = h("span", { class: "timer-remain" });
        const box = h("div", { class: "my-turn" }, h("p", { class: "my-turn-label", i18n: "tablet.you_are_speaking" }), h("div", { class: "speaker-timer" }, timer, remain));
        tickSpeaker(tickers, speakers, { timer, remain, boxes: [box] });
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
        // conflict: already asked (a retried tap after a lost ack); the state shows it.
        parts.push(bigButton("speaker.request", { className: "btn btn-primary btn-xxl btn-request", action: "request", iconPath: ICONS.mic, iconSize: 40, labelKey: "tablet.request", quiet: ["conflict"] }));
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
    const rows = agenda.items.map((item) =>
      agendaRow(item, numbers, rowStatus(agenda, item), {
        tail: [h("span", { class: "agenda-time", text: t("room.minutes", { n: item.planned_minutes + item.extra_minutes }) })],
      }),
    );
    fillAgenda(agendaList, rows);
    const currentRow = agendaList.querySelector(".is-current");
    if (currentRow && agendaList.scrollHeight > agendaList.clientHeight) {
      currentRow.scrollIntoView({ block: "nearest" });
    }
  }

  await openRoomScreen(ctx, {
    screen: "tablet",
    status,
    body,
    slots: { poll: pollSlot, presenter: presenterSlot },
    render,
    onStore: (s) => {
      store = s;
    },
  });
}

// Projector: a read-only wall screen readable from 3 m. Meeting title, what is being
// discussed with its clock, and who has the floor with theirs. Bare layout, no scrolling
// at 1920×1080 or 1280×720: every size is in viewport units and long text is clamped.

import { emblem, h, icon } from "../dom.js";
import { formatTime } from "../i18n.js";
import { currentItem, itemNumbers } from "../meeting-lookups.js";
import { formatDuration, meetingElapsed, meetingOverrun } from "../meeting-timers.js";
import { createSlot } from "../room-panels.js";
import { registerView } from "../router.js";
import { createStatusPill } from "../socket.js";
import { ICONS, itemTimerBox, replaceKeepingFocus, scheduleText, setState, speakingNow, tickSpeaker, timerText } from "./room-common.js";
import { openRoomScreen } from "./room-screen.js";

registerView("/meetings/:id/projector", renderProjector, {
  name: "meeting-projector",
  layout: "bare",
  titleKey: "projector.title",
});

async function renderProjector(ctx) {
  document.documentElement.classList.add("is-projector");
  ctx.onCleanup(() => document.documentElement.classList.remove("is-projector"));

  const status = h("div", { class: "room-status" });
  const top = h("header", { class: "pj-top" });
  const main = h("section", { class: "pj-main", "aria-live": "polite" });
  const floor = h("section", { class: "pj-floor", "aria-live": "polite" });
  const pollSlot = createSlot("poll", "pj-slot");
  const presenterSlot = createSlot("presenter", "pj-slot");
  const pill = createStatusPill();
  pill.classList.add("pj-conn");
  const screen = h("div", { class: "projector", hidden: true }, top, main, pollSlot, presenterSlot, floor, pill);
  ctx.root.append(status, screen);

  function render(state, tickers) {
    renderTop(state, tickers);
    renderMain(state, tickers);
    renderFloor(state, tickers);
  }

  function renderTop(state, tickers) {
    const { meeting } = state;
    const clock = h("span", { class: "pj-clock" });
    const elapsed = timerText("pj-elapsed");
    const elapsedBox = h("span", { class: "pj-elapsed-box" }, icon(ICONS.clock, 0), elapsed);
    elapsedBox.querySelector("svg").setAttribute("class", "icon pj-icon");
    tickers.push((now) => {
      clock.textContent = formatTime(new Date(now));
      const seconds = meetingElapsed(state, now);
      elapsedBox.hidden = seconds == null;
      elapsed.update(seconds);
      setState(elapsedBox, { overrun: meetingOverrun(state, now) });
    });
    const mark = emblem(64);
    mark.setAttribute("class", "emblem pj-emblem");
    replaceKeepingFocus(
      top,
      mark,
      h(
        "div",
        { class: "pj-heading" },
        h("h1", { class: "pj-meeting", text: meeting.title }),
        h("p", { class: "pj-meeting-sub", text: [meeting.host_unit && meeting.host_unit.name, meeting.room].filter(Boolean).join(" · ") }),
      ),
      h("div", { class: "pj-clocks" }, clock, elapsedBox),
    );
  }

  function renderMain(state, tickers) {
    const { meeting, agenda } = state;
    const item = currentItem(state);
    const numbers = itemNumbers(agenda.items);
    if (meeting.status === "scheduled") {
      replaceKeepingFocus(
        main,
        h("p", { class: "pj-label", i18n: "projector.welcome" }),
        h("h2", { class: "pj-item", i18n: "room.not_started" }),
        h("p", { class: "pj-presenter", text: scheduleText(meeting) }),
      );
      main.dataset.state = "scheduled";
      return;
    }
    if (meeting.status !== "in_progress") {
      replaceKeepingFocus(main, h("h2", { class: "pj-item", i18n: `room.closed_${meeting.status}` }));
      main.dataset.state = "closed";
      return;
    }
    if (!item) {
      replaceKeepingFocus(main, h("h2", { class: "pj-item", i18n: "room.break" }), h("p", { class: "pj-presenter", i18n: "room.break_hint" }));
      main.dataset.state = "break";
      return;
    }
    main.dataset.state = "item";
    const box = itemTimerBox(item, tickers, { timer: "pj-timer", remain: "pj-remain", box: "pj-timer-box", of: "pj-of" });
    const index = agenda.items.findIndex((i) => i.id === item.id);
    const next = agenda.items[index + 1];
    replaceKeepingFocus(
      main,
      h("p", { class: "pj-label", i18n: "room.now_discussing" }),
      h(
        "h2",
        { class: "pj-item", dataset: { itemId: item.id } },
        h("span", { class: "pj-item-no", text: `${numbers.get(item.id)}. ` }),
        h("span", { class: "pj-item-title", text: item.title }),
      ),
      item.presenter ? h("p", { class: "pj-presenter", text: item.presenter }) : null,
      box,
      next ? h("p", { class: "pj-next", i18n: "projector.next_item", i18nParams: { title: `${numbers.get(next.id)}. ${next.title}` } }) : null,
    );
  }

  function renderFloor(state, tickers) {
    const { speakers } = state;
    const cur = speakers.current;
    if (!cur) {
      const waiting = speakers.queue.slice(0, 3);
      floor.dataset.state = waiting.length ? "queue" : "empty";
      replaceKeepingFocus(
        floor,
        waiting.length
          ? [
              h("p", { class: "pj-label", i18n: "projector.queue", i18nParams: { n: speakers.queue.length } }),
              h("ol", { class: "pj-queue" }, waiting.map((r) => h("li", { text: r.full_name }))),
            ]
          : [],
      );
      return;
    }
    floor.dataset.state = "speaking";
    const timer = timerText("pj-speaker-timer");
    const bar = h("div", { class: "progress-fill" });
    const box = h(
      "div",
      { class: "pj-speaker-clock" },
      timer,
      h("span", { class: "pj-of", text: `/ ${formatDuration(cur.limit_seconds || speakers.limit_seconds)}` }),
      h("div", { class: "progress pj-progress", "aria-hidden": "true" }, bar),
    );
    tickSpeaker(tickers, speakers, { timer, bar, boxes: [box, floor] });
    replaceKeepingFocus(
      floor,
      icon(ICONS.mic, 0),
      speakingNow(cur.full_name, [cur.bridge_unit && cur.bridge_unit.name, cur.topic].filter(Boolean).join(" · "), {
        tag: "p",
        wrap: "pj-speaker",
        label: "pj-label",
        name: "pj-speaker-name",
        sub: "pj-speaker-sub",
      }),
      box,
    );
    floor.querySelector("svg").setAttribute("class", "icon pj-mic");
  }

  await openRoomScreen(ctx, {
    screen: "projector",
    status,
    body: screen,
    slots: { poll: pollSlot, presenter: presenterSlot },
    render,
    // An open poll or a shown document takes the centre; the item shrinks to one line.
    afterPanels: () => screen.classList.toggle("has-panel", !pollSlot.hidden || !presenterSlot.hidden),
  });
}

// Chair console (laptop): drive the agenda, watch the clocks, attendance and quorum, and
// give the floor. The secretary opens the same console; controls follow the permissions
// in the snapshot (my_permissions), the server decides anyway.

import { h } from "../dom.js";
import { formatTime, t } from "../i18n.js";
import { currentItem, itemNumbers } from "../meeting-lookups.js";
import { formatDuration, itemTimer, meetingElapsed, meetingOverrun, parseTime } from "../meeting-timers.js";
import { createSlot, mountPanels } from "../room-panels.js";
import { registerView } from "../router.js";
import { makeSortable, moved } from "../sortable.js";
import { toast } from "../toast.js";
import { renderAttendanceCard } from "./chair-attendance.js";
import { createFloorCard } from "./chair-floor.js";
import {
  confirmButton,
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

registerView("/meetings/:id/chair", renderChair, {
  name: "meeting-chair",
  layout: "shell",
  titleKey: "chair.title",
});

/** What "Bế mạc" closed (the meeting.end result), for the chair's toast. */
function endedSummary(closed) {
  const parts = [t("chair.ended_toast")];
  if (closed.speaker_requests_closed) parts.push(t("chair.ended_floor", { count: closed.speaker_requests_closed }));
  if (closed.polls_closed.length) parts.push(t("chair.ended_polls", { count: closed.polls_closed.length }));
  if (closed.presenter_stopped) parts.push(t("chair.ended_presenter"));
  return parts.join(" ");
}

async function renderChair(ctx) {
  const meetingId = Number(ctx.params.id);
  const page = h("div", { class: "room room-chair" });
  ctx.root.append(page);

  const head = h("section", { class: "card room-head" });
  const currentCard = h("section", { class: "card room-current", "aria-live": "polite" });
  const agendaList = h("ol", { class: "agenda-list", dataset: { list: "agenda" } });
  const agendaCard = h(
    "section",
    { class: "card room-agenda", "aria-labelledby": "chair-agenda-title" },
    h("h2", { class: "card-title", id: "chair-agenda-title", i18n: "room.agenda" }),
    agendaList,
  );
  const floor = createFloorCard({ meetingId, getStore: () => store, onDragState: setDragging, onCleanup: ctx.onCleanup });
  const speakerCard = floor.element;
  const attendanceCard = h("section", { class: "card room-attendance", "aria-labelledby": "chair-att-title" });
  const pollSlot = createSlot("poll");
  const presenterSlot = createSlot("presenter");
  const conferenceSlot = createSlot("conference"); // the video bridge (conference/panel.js)

  const grid = h(
    "div",
    { class: "chair-grid" },
    // Documents sit with the agenda they belong to; the poll next to the floor.
    h("div", { class: "chair-col chair-col-agenda" }, currentCard, agendaCard, presenterSlot),
    h("div", { class: "chair-col chair-col-floor" }, pollSlot, speakerCard),
    h("div", { class: "chair-col chair-col-people" }, conferenceSlot, attendanceCard),
  );
  const body = h("div", { class: "room-body" }, head, grid);
  page.append(body);
  body.hidden = true;
  const status = h("div", { class: "room-status" });
  page.prepend(status);

  // Timers updated every second: [{update(now)}]
  let tickers = [];
  let dragging = false;
  let pending = false;
  let store = null;

  ctx.onCleanup(
    makeSortable(agendaList, {
      rowSelector: ".agenda-row[data-id]",
      group: (row) => row.dataset.parent || "",
      onDragState: setDragging,
      onReorder: (ids, parent) =>
        runCommand("agenda.reorder", {
          meeting_id: meetingId,
          parent_id: parent ? Number(parent) : null,
          item_ids: ids,
        }, { store }),
    }),
  );
  function setDragging(value) {
    dragging = value;
    if (!value && pending && store && store.state) {
      pending = false;
      render(store.state);
    }
  }

  let panels = null;

  function render(state) {
    if (dragging) {
      pending = true;
      return;
    }
    status.replaceChildren();
    body.hidden = false;
    tickers = [];
    renderHead(state);
    renderCurrent(state);
    renderAgenda(state);
    renderSpeakers(state);
    renderAttendance(state);
    if (panels) panels.update(state);
  }

  function tick(now) {
    for (const ticker of tickers) ticker(now);
  }

  // ------------------------------------------------------------ header

  function renderHead(state) {
    const { meeting } = state;
    const drive = store.can("agenda.drive");
    const clock = timerText("timer-meeting");
    const clockBox = h(
      "div",
      { class: "meeting-clock" },
      h("span", { class: "clock-label", i18n: "room.meeting_time" }),
      clock,
      h("span", {
        class: "clock-sub",
        i18n: "room.planned_end",
        i18nParams: { time: formatTime(new Date(parseTime(meeting.ends_at))) },
      }),
    );
    tickers.push((now) => {
      clock.update(meetingElapsed(state, now));
      setState(clockBox, { overrun: meetingOverrun(state, now) });
    });
    const actions = h("div", { class: "head-actions" });
    if (drive && meeting.status === "scheduled") {
      actions.append(
        h("button", {
          type: "button",
          class: "btn btn-primary btn-lg",
          i18n: "chair.start_meeting",
          dataset: { focusKey: "start", action: "start" },
          on: { click: (e) => runCommand("meeting.start", { meeting_id: meetingId }, { button: e.currentTarget, store }) },
        }),
      );
    }
    if (drive && meeting.status === "in_progress") {
      actions.append(
        confirmButton({
          className: "btn btn-secondary btn-danger-outline",
          labelKey: "chair.end_meeting",
          confirmKey: "chair.end_meeting_confirm",
          focusKey: "end",
          onConfirm: async (button) => {
            const ack = await runCommand("meeting.end", { meeting_id: meetingId }, { button, store });
            if (ack && ack.ok) toast(null, { text: endedSummary(ack.data), timeout: 12000 });
          },
        }),
      );
    }
    actions.append(
      h(
        "a",
        {
          class: "btn btn-secondary",
          href: `#/meetings/${meetingId}/projector`,
          target: "_blank",
          rel: "noopener",
          dataset: { action: "open-projector" },
        },
        icon(ICONS.screen, 20),
        h("span", { i18n: "room.open_projector" }),
      ),
    );
    replaceKeepingFocus(
      head,
      h(
        "div",
        { class: "head-title" },
        h("div", { class: "head-badges" }, statusBadge(meeting.status),
          meeting.my_role ? h("span", { class: "badge badge-role", i18n: `room.role.${meeting.my_role}` }) : null),
        h("h1", { class: "room-title", text: meeting.title }),
        h("p", { class: "room-sub", text: [scheduleText(meeting), meeting.room, meeting.host_unit && meeting.host_unit.name].filter(Boolean).join(" · ") }),
      ),
      meeting.status === "scheduled" ? null : clockBox,
      actions,
    );
  }

  // ------------------------------------------------------------ current item + driving

  function renderCurrent(state) {
    const { meeting, agenda } = state;
    const drive = store.can("agenda.drive");
    const running = meeting.status === "in_progress";
    const item = currentItem(state);
    const numbers = itemNumbers(agenda.items);
    const ids = agenda.items.map((i) => i.id);
    const index = item ? ids.indexOf(item.id) : -1;
    const children = [];

    if (meeting.status === "scheduled") {
      children.push(
        h("p", { class: "current-label", i18n: "room.not_started" }),
        h("p", { class: "current-hint", i18n: drive ? "chair.start_hint" : "room.waiting_for_chair" }),
      );
    } else if (!running) {
      children.push(h("p", { class: "current-label", i18n: `room.closed_${meeting.status}` }));
    } else if (!item) {
      children.push(
        h("p", { class: "current-label", i18n: "room.break" }),
        h("p", { class: "current-hint", i18n: "room.break_hint" }),
      );
    } else {
      const box = itemTimerBox(item, tickers);
      children.push(
        h("p", { class: "current-label", i18n: "room.now_discussing" }),
        h(
          "h2",
          { class: "current-title", dataset: { itemId: item.id } },
          h("span", { class: "item-no", text: `${numbers.get(item.id)}.` }),
          " ",
          h("span", { class: "current-title-text", text: item.title }),
        ),
        item.presenter ? h("p", { class: "current-presenter", text: item.presenter }) : null,
        item.extra_minutes
          ? h("p", { class: "current-extended", i18n: "room.extended_by", i18nParams: { n: item.extra_minutes } })
          : null,
        box,
      );
    }

    if (drive && running) {
      // On a break "Tiếp tục" returns to the interrupted item (agenda.resume); with no
      // interrupted item (it was deleted meanwhile) it starts the first item never started.
      const resumable = !item && agenda.paused_item_id != null;
      const nextTarget = item || resumable ? null : agenda.items.find((i) => !i.elapsed_seconds && !i.started_at);
      const prev = h(
        "button",
        {
          type: "button",
          class: "btn btn-secondary",
          disabled: !item || index <= 0,
          dataset: { focusKey: "prev", action: "previous" },
          on: { click: (e) => runCommand("agenda.previous", { meeting_id: meetingId }, { button: e.currentTarget, store }) },
        },
        icon(ICONS.prev, 20),
        h("span", { i18n: "chair.previous" }),
      );
      const next = h(
        "button",
        {
          type: "button",
          class: "btn btn-primary",
          disabled: item ? index >= ids.length - 1 : !resumable && !nextTarget,
          dataset: { focusKey: "next", action: "next" },
          on: {
            click: (e) =>
              item
                ? runCommand("agenda.next", { meeting_id: meetingId }, { button: e.currentTarget, store })
                : resumable
                  ? runCommand("agenda.resume", { meeting_id: meetingId }, { button: e.currentTarget, store })
                  : runCommand("agenda.jump", { meeting_id: meetingId, item_id: nextTarget.id }, { button: e.currentTarget, store }),
          },
        },
        h("span", { i18n: item ? "chair.next" : "chair.resume" }),
        icon(ICONS.next, 20),
      );
      const extend = (minutes) =>
        h("button", {
          type: "button",
          class: "btn btn-secondary",
          disabled: !item,
          i18n: "chair.extend",
          i18nParams: { n: minutes },
          dataset: { focusKey: `extend-${minutes}`, action: `extend-${minutes}` },
          on: { click: (e) => runCommand("agenda.extend", { meeting_id: meetingId, minutes }, { button: e.currentTarget, store }) },
        });
      const pause = h(
        "button",
        {
          type: "button",
          class: "btn btn-ghost",
          disabled: !item,
          dataset: { focusKey: "break", action: "break" },
          on: { click: (e) => runCommand("agenda.set_current", { meeting_id: meetingId, item_id: null }, { button: e.currentTarget, store }) },
        },
        icon(ICONS.pause, 20),
        h("span", { i18n: "chair.break" }),
      );
      children.push(
        h(
          "div",
          { class: "drive-bar", role: "group", "aria-label": t("chair.drive_label") },
          prev,
          next,
          extend(1),
          extend(5),
          pause,
        ),
      );
    }
    replaceKeepingFocus(currentCard, ...children);
    currentCard.classList.toggle("is-break", running && !item);
  }

  // ------------------------------------------------------------ agenda list

  function renderAgenda(state) {
    const { agenda, meeting } = state;
    const drive = store.can("agenda.drive") && meeting.status === "in_progress";
    const edit = store.can("meeting.edit") && ["scheduled", "in_progress"].includes(meeting.status);
    const numbers = itemNumbers(agenda.items);
    const siblingsOf = (parentId) => agenda.items.filter((i) => (i.parent_id ?? null) === parentId).map((i) => i.id);
    const rows = agenda.items.map((item) => {
      const isCurrent = item.id === agenda.current_item_id;
      const done = !isCurrent && (item.elapsed_seconds > 0);
      const siblings = siblingsOf(item.parent_id ?? null);
      const move = (delta) => {
        const order = moved(siblings, item.id, delta);
        return h(
          "button",
          {
            type: "button",
            class: "btn btn-ghost btn-icon",
            disabled: !order,
            "aria-label": t(delta < 0 ? "room.move_up" : "room.move_down", { title: item.title }),
            title: t(delta < 0 ? "room.move_up_short" : "room.move_down_short"),
            dataset: { focusKey: `agenda-${item.id}-${delta}` },
            on: {
              click: (e) =>
                order &&
                runCommand("agenda.reorder", {
                  meeting_id: meetingId,
                  parent_id: item.parent_id ?? null,
                  item_ids: order,
                }, { button: e.currentTarget, store }),
            },
          },
          icon(delta < 0 ? ICONS.up : ICONS.down, 22),
        );
      };
      const time = h("span", { class: "agenda-time" });
      const planned = (item.planned_minutes + item.extra_minutes) * 60;
      if (isCurrent || done) {
        tickers.push((now) => {
          const tm = itemTimer(item, now);
          time.textContent = `${formatDuration(tm.elapsed)} / ${formatDuration(planned)}`;
          setState(time, { overrun: tm.overrun, warning: isCurrent && tm.warning });
        });
      } else {
        time.textContent = t("room.minutes", { n: item.planned_minutes + item.extra_minutes });
      }
      return h(
        "li",
        {
          class: ["agenda-row", item.parent_id ? "is-child" : "", isCurrent ? "is-current" : "", done ? "is-done" : ""],
          draggable: edit ? "true" : undefined,
          dataset: { id: item.id, parent: item.parent_id ?? "" },
          "aria-current": isCurrent ? "step" : undefined,
        },
        edit ? h("span", { class: "drag-handle", title: t("room.drag_hint"), "aria-hidden": "true" }, icon(ICONS.grip, 20)) : null,
        h("span", { class: "item-no", text: numbers.get(item.id) }),
        h(
          "div",
          { class: "agenda-text" },
          h("span", { class: "agenda-title", text: item.title }),
          item.presenter ? h("span", { class: "agenda-presenter", text: item.presenter }) : null,
          isCurrent ? h("span", { class: "badge badge-current", i18n: "room.current_badge" }) : null,
        ),
        time,
        h(
          "div",
          { class: "agenda-actions" },
          drive && !isCurrent
            ? h("button", {
                type: "button",
                class: "btn btn-secondary btn-sm",
                i18n: "chair.jump",
                "aria-label": t("chair.jump_to", { title: item.title }),
                dataset: { focusKey: `jump-${item.id}`, action: "jump" },
                on: { click: (e) => runCommand("agenda.jump", { meeting_id: meetingId, item_id: item.id }, { button: e.currentTarget, store }) },
              })
            : null,
          edit ? move(-1) : null,
          edit ? move(1) : null,
        ),
      );
    });
    replaceKeepingFocus(
      agendaList,
      rows.length ? rows : h("li", { class: "empty-row", i18n: "room.agenda_empty" }),
    );
  }

  function renderSpeakers(state) {
    floor.render(state, tickers);
  }

  function renderAttendance(state) {
    renderAttendanceCard(attendanceCard, state, { store, meetingId });
  }

  // ------------------------------------------------------------ start

  await openRoom(ctx, { container: status, render, tick, onStore: (s) => { store = s; } });
  panels = mountPanels("chair", { poll: pollSlot, presenter: presenterSlot, conference: conferenceSlot }, { store, ctx });
  ctx.onCleanup(() => panels.destroy());
  if (store.state) panels.update(store.state);
}

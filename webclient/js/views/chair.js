// Chair console (laptop): drive the agenda, watch the clocks, attendance and quorum, and
// give the floor. The secretary opens the same console; controls follow the permissions
// in the snapshot (my_permissions), the server decides anyway.

import { h, icon } from "../dom.js";
import { formatTime, t } from "../i18n.js";
import { currentItem, itemNumbers } from "../meeting-lookups.js";
import { formatDuration, itemTimer, parseTime } from "../meeting-timers.js";
import { createSlot } from "../room-panels.js";
import { registerView } from "../router.js";
import { makeSortable, moved } from "../sortable.js";
import { toast } from "../toast.js";
import { renderAttendanceCard } from "./chair-attendance.js";
import { createFloorCard } from "./chair-floor.js";
import { confirmButton, ICONS, moveButton, replaceKeepingFocus, runCommand, setState } from "./room-common.js";
import { agendaRow, currentItemContent, fillAgenda, headTitle, meetingClock, rowStatus } from "./room-parts.js";
import { openRoomScreen } from "./room-screen.js";

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

  let dragging = false;
  let pending = false; // a change came in while dragging: render once the drag ends
  let store = null;
  let room = null;

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
    if (!value && pending && room) {
      pending = false;
      room.render();
    }
  }

  function holdWhileDragging() {
    if (dragging) pending = true;
    return dragging;
  }

  function render(state, tickers) {
    renderHead(state, tickers);
    renderCurrent(state, tickers);
    renderAgenda(state, tickers);
    floor.render(state, tickers);
    renderAttendanceCard(attendanceCard, state, { store, meetingId });
  }

  // ------------------------------------------------------------ header

  function renderHead(state, tickers) {
    const { meeting } = state;
    const drive = store.can("agenda.drive");
    const clockBox = meetingClock(
      state,
      tickers,
      h("span", {
        class: "clock-sub",
        i18n: "room.planned_end",
        i18nParams: { time: formatTime(new Date(parseTime(meeting.ends_at))) },
      }),
    );
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
      headTitle(meeting, {
        badges: [meeting.my_role ? h("span", { class: "badge badge-role", i18n: `room.role.${meeting.my_role}` }) : null],
        sub: [meeting.room, meeting.host_unit && meeting.host_unit.name],
      }),
      meeting.status === "scheduled" ? null : clockBox,
      actions,
    );
  }

  // ------------------------------------------------------------ current item + driving

  function renderCurrent(state, tickers) {
    const { meeting, agenda } = state;
    const drive = store.can("agenda.drive");
    const running = meeting.status === "in_progress";
    const item = currentItem(state);
    const ids = agenda.items.map((i) => i.id);
    const index = item ? ids.indexOf(item.id) : -1;
    const startHintKey = drive ? "chair.start_hint" : "room.waiting_for_chair";
    const children = currentItemContent(state, tickers, { startHintKey, extended: true });

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

  function renderAgenda(state, tickers) {
    const { agenda, meeting } = state;
    const drive = store.can("agenda.drive") && meeting.status === "in_progress";
    const edit = store.can("meeting.edit") && ["scheduled", "in_progress"].includes(meeting.status);
    const numbers = itemNumbers(agenda.items);
    const siblingsOf = (parentId) => agenda.items.filter((i) => (i.parent_id ?? null) === parentId).map((i) => i.id);
    const rows = agenda.items.map((item) => {
      const status = rowStatus(agenda, item);
      const { isCurrent, done } = status;
      const siblings = siblingsOf(item.parent_id ?? null);
      const move = (delta) =>
        moveButton(delta, {
          order: moved(siblings, item.id, delta),
          name: item.title,
          focusKey: `agenda-${item.id}-${delta}`,
          onMove: (order, button) =>
            runCommand("agenda.reorder", { meeting_id: meetingId, parent_id: item.parent_id ?? null, item_ids: order }, { button, store }),
        });
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
      const jump =
        drive && !isCurrent
          ? h("button", {
              type: "button",
              class: "btn btn-secondary btn-sm",
              i18n: "chair.jump",
              "aria-label": t("chair.jump_to", { title: item.title }),
              dataset: { focusKey: `jump-${item.id}`, action: "jump" },
              on: { click: (e) => runCommand("agenda.jump", { meeting_id: meetingId, item_id: item.id }, { button: e.currentTarget, store }) },
            })
          : null;
      return agendaRow(item, numbers, status, {
        attrs: { draggable: edit ? "true" : undefined, dataset: { parent: item.parent_id ?? "" } },
        handle: edit ? h("span", { class: "drag-handle", title: t("room.drag_hint"), "aria-hidden": "true" }, icon(ICONS.grip, 20)) : null,
        tail: [time, h("div", { class: "agenda-actions" }, jump, edit ? move(-1) : null, edit ? move(1) : null)],
      });
    });
    fillAgenda(agendaList, rows);
  }

  // ------------------------------------------------------------ start

  room = await openRoomScreen(ctx, {
    screen: "chair",
    status,
    body,
    slots: { poll: pollSlot, presenter: presenterSlot, conference: conferenceSlot },
    render,
    hold: holdWhileDragging,
    onStore: (s) => {
      store = s;
    },
  });
}

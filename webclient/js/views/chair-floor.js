// The chair console's floor card: who speaks (with the clock against the limit), the
// queue (give the floor, reorder by drag or up/down, remove) and the speakers so far.

import { h, icon } from "../dom.js";
import { formatTime, t } from "../i18n.js";
import { formatDuration, parseTime } from "../meeting-timers.js";
import { makeSortable, moved } from "../sortable.js";
import { toast } from "../toast.js";
import { ICONS, moveButton, replaceKeepingFocus, runCommand, tickSpeaker, timerText } from "./room-common.js";

const LIMIT_CHOICES = [0, 60, 120, 180, 300, 600, 900]; // 0: the meeting's default

/**
 * → {element, render(state, tickers)}; tickers is the console's list of per-second
 * updaters. getStore() returns the meeting store (set once the room is open).
 */
export function createFloorCard({ meetingId, getStore, onDragState, onCleanup }) {
  const speakerCard = h("section", { class: "card room-speakers", "aria-labelledby": "chair-speakers-title" });
  const queueList = h("ol", { class: "queue-list", dataset: { list: "queue" } });
  const historyBody = h("div", { class: "history-body" });
  let limitSeconds = 0; // chosen grant limit; 0: the meeting's default
  const speakerTitle = h("h2", { class: "card-title", id: "chair-speakers-title", i18n: "room.speakers" });
  const speakerNow = h("div", { class: "speaker-now" });
  const limitSelect = h("select", {
    class: "input input-sm",
    id: "chair-limit",
    on: { change: () => { limitSeconds = Number(limitSelect.value); } },
  });
  const queueHead = h("div", { class: "queue-head" });
  const historyDetails = h(
    "details",
    { class: "history" },
    h("summary", { class: "history-summary" }),
    historyBody,
  );
  speakerCard.append(
    speakerTitle,
    speakerNow,
    queueHead,
    queueList,
    h(
      "div",
      { class: "limit-row" },
      h("label", { for: "chair-limit", class: "label-inline", i18n: "chair.grant_limit" }),
      limitSelect,
    ),
    historyDetails,
  );

  onCleanup(
    makeSortable(queueList, {
      rowSelector: ".queue-row[data-id]",
      onDragState,
      onReorder: (ids) =>
        runCommand("speaker.reorder", { meeting_id: meetingId, request_ids: ids }, { store: getStore() }),
    }),
  );

  // A new request is announced (a toast stays above a document being presented), so the
  // chair notices it whatever covers the queue.
  let seen = null;
  function announceNew(queue, manage) {
    const ids = new Set(queue.map((r) => r.id));
    if (seen && manage) {
      for (const req of queue) {
        if (!seen.has(req.id)) toast("chair.new_request", { params: { name: req.full_name } });
      }
    }
    seen = ids;
  }

  function render(state, tickers) {
    const store = getStore();
    const { speakers, meeting } = state;
    const manage = store.can("speaker.manage") && meeting.status === "in_progress";
    const current = speakers.current;
    announceNew(speakers.queue, manage);

    // Grant limit choices (minutes), the meeting's default first. Rebuilt only when they
    // change, so an event does not close the list while the chair is choosing.
    const optionsKey = `${speakers.limit_seconds}|${t("room.minutes", { n: 1 })}`;
    const options = limitSelect.dataset.key === optionsKey ? null : LIMIT_CHOICES.map((seconds) =>
      h("option", {
        value: String(seconds),
        selected: seconds === limitSeconds ? true : undefined,
        text: seconds
          ? t("room.minutes", { n: seconds / 60 })
          : t("chair.limit_default", { n: Math.round(speakers.limit_seconds / 60) }),
      }),
    );
    if (options) {
      limitSelect.replaceChildren(...options);
      limitSelect.dataset.key = optionsKey;
    }
    limitSelect.disabled = !manage;
    limitSelect.closest(".limit-row").hidden = !manage;

    if (current) {
      const timer = timerText("timer-speaker");
      const bar = h("div", { class: "progress-fill" });
      const remain = h("span", { class: "timer-remain" });
      const box = h(
        "div",
        { class: "speaker-timer" },
        h("div", { class: "speaker-timer-row" }, timer, h("span", { class: "timer-of", text: `/ ${formatDuration(current.limit_seconds || speakers.limit_seconds)}` }), remain),
        h("div", { class: "progress", "aria-hidden": "true" }, bar),
      );
      tickSpeaker(tickers, speakers, { timer, bar, remain, boxes: [box] });
      replaceKeepingFocus(
        speakerNow,
        h("p", { class: "current-label", i18n: "room.speaking_now" }),
        h("p", { class: "speaker-name", text: current.full_name }),
        current.bridge_unit ? h("p", { class: "speaker-unit", text: current.bridge_unit.name }) : null,
        current.topic ? h("p", { class: "speaker-topic", text: current.topic }) : null,
        box,
        manage
          ? h("button", {
              type: "button",
              class: "btn btn-secondary",
              i18n: "chair.end_turn",
              dataset: { focusKey: "end-turn", action: "end-turn" },
              on: { click: (e) => runCommand("speaker.end", { meeting_id: meetingId }, { button: e.currentTarget, store }) },
            })
          : null,
      );
      speakerNow.classList.remove("is-empty");
    } else {
      replaceKeepingFocus(speakerNow, h("p", { class: "muted", i18n: "room.nobody_speaking" }));
      speakerNow.classList.add("is-empty");
    }

    replaceKeepingFocus(
      queueHead,
      h("h3", { class: "sub-title", i18n: "room.queue_count", i18nParams: { n: speakers.queue.length } }),
    );
    const ids = speakers.queue.map((r) => r.id);
    const rows = speakers.queue.map((req, index) => {
      const move = (delta) =>
        moveButton(delta, {
          order: moved(ids, req.id, delta),
          name: req.full_name,
          focusKey: `queue-${req.id}-${delta}`,
          onMove: (order, button) => runCommand("speaker.reorder", { meeting_id: meetingId, request_ids: order }, { button, store }),
        });
      return h(
        "li",
        { class: "queue-row", draggable: manage ? "true" : undefined, dataset: { id: req.id, userId: req.user_id } },
        manage ? h("span", { class: "drag-handle", "aria-hidden": "true" }, icon(ICONS.grip, 20)) : null,
        h("span", { class: "queue-pos", text: String(index + 1) }),
        h(
          "div",
          { class: "queue-text" },
          h("span", { class: "queue-name", text: req.full_name }),
          h("span", {
            class: "queue-meta",
            text: [req.bridge_unit && req.bridge_unit.name, req.topic, req.requested_at ? formatTime(new Date(parseTime(req.requested_at))) : ""]
              .filter(Boolean)
              .join(" · "),
          }),
        ),
        manage
          ? h(
              "div",
              { class: "queue-actions" },
              h("button", {
                type: "button",
                class: "btn btn-primary btn-sm",
                i18n: "chair.grant",
                "aria-label": t("chair.grant_to", { name: req.full_name }),
                dataset: { focusKey: `grant-${req.id}`, action: "grant" },
                on: {
                  click: (e) =>
                    runCommand("speaker.grant", {
                      meeting_id: meetingId,
                      request_id: req.id,
                      limit_seconds: limitSeconds || null,
                    }, { button: e.currentTarget, store }),
                },
              }),
              move(-1),
              move(1),
              h(
                "button",
                {
                  type: "button",
                  class: "btn btn-ghost btn-icon",
                  "aria-label": t("chair.remove_request", { name: req.full_name }),
                  title: t("chair.remove"),
                  dataset: { focusKey: `remove-${req.id}`, action: "remove" },
                  on: { click: (e) => runCommand("speaker.remove", { meeting_id: meetingId, request_id: req.id }, { button: e.currentTarget, store }) },
                },
                icon(ICONS.close, 20),
              ),
            )
          : null,
      );
    });
    replaceKeepingFocus(queueList, rows.length ? rows : h("li", { class: "empty-row", i18n: "room.queue_empty" }));

    const summary = historyDetails.querySelector("summary");
    summary.textContent = t("room.history_count", { n: speakers.history.length });
    const agendaTitles = new Map(state.agenda.items.map((i) => [i.id, i.title]));
    historyBody.replaceChildren(
      speakers.history.length
        ? h(
            "ol",
            { class: "history-list" },
            [...speakers.history].reverse().map((req) =>
              h(
                "li",
                { class: "history-row" },
                h("span", { class: "history-name", text: req.full_name }),
                h("span", {
                  class: "history-meta",
                  text: [
                    req.started_at ? formatTime(new Date(parseTime(req.started_at))) : "",
                    req.agenda_item_id ? agendaTitles.get(req.agenda_item_id) : "",
                  ].filter(Boolean).join(" · "),
                }),
                h("span", {
                  class: ["history-duration", req.limit_seconds && req.duration_seconds > req.limit_seconds ? "is-overrun" : ""],
                  text: req.duration_seconds != null ? formatDuration(req.duration_seconds) : "",
                }),
              ),
            ),
          )
        : h("p", { class: "muted", i18n: "room.history_empty" }),
    );
  }

  return { element: speakerCard, render };
}

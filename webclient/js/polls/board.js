// The projector's poll board (also shown on bridge sites' screens, which open the
// projector view): during the vote a big "Đang biểu quyết — N/M đã biểu quyết" with the
// countdown; once closed "Đã kết thúc, chờ công bố"; once published the result chart, the
// outcome, the base and the rule, and for named polls who chose what.

import { h, replaceChildren } from "../dom.js";
import { itemNumbers } from "../meeting-lookups.js";
import { formatDuration } from "../meeting-timers.js";
import { command } from "../socket.js";
import { namedList, resultBars, resultBlock } from "./chart.js";
import { formatNumber, secondsLeft, stillRelevant } from "./model.js";

/** Progress: "N/M đã biểu quyết" with a bar. */
export function progressBlock(poll, className = "") {
  const voted = poll.voted_count || 0;
  const eligible = poll.eligible_count || 0;
  const pct = eligible ? Math.min(100, (voted / eligible) * 100) : 0;
  return h(
    "div",
    { class: ["pb-progress", className], dataset: { voted, eligible } },
    h(
      "p",
      { class: "pb-count" },
      h("span", { class: "pb-count-n", text: `${formatNumber(voted)}/${formatNumber(eligible)}` }),
      " ",
      h("span", { class: "pb-count-label", i18n: "poll.voted_label" }),
    ),
    h("div", { class: "pb-track", "aria-hidden": "true" }, h("div", { class: "pb-fill", style: `width: ${pct}%` })),
  );
}

/** A countdown element; update(now) rewrites it. Hidden without a timer. */
export function countdown(poll, store, className = "") {
  const text = h("span", { class: "pb-timer-text" });
  const box = h("div", { class: ["pb-timer", className], role: "timer" }, h("span", { class: "pb-timer-label", i18n: "poll.time_left" }), text);
  box.update = () => {
    const left = secondsLeft(poll, store.serverNow());
    box.hidden = left == null || poll.status !== "open";
    if (left == null) return;
    const value = formatDuration(left);
    if (text.textContent !== value) text.textContent = value;
    box.classList.toggle("is-warning", left <= 10);
  };
  box.update();
  return box;
}

/** Kind and secrecy badges: "Công khai · Tán thành/Không tán thành/Không biểu quyết". */
export function pollBadges(poll) {
  return h(
    "p",
    { class: "pb-badges" },
    h("span", { class: ["pb-badge", poll.secret ? "is-secret" : "is-named"], i18n: poll.secret ? "poll.secret" : "poll.named" }),
    h("span", { class: "pb-badge", i18n: `poll.kind.${poll.kind}` }),
    poll.kind === "multiple"
      ? h("span", { class: "pb-badge", i18n: "poll.choose_range", i18nParams: { min: poll.min_choices, max: poll.max_choices } })
      : null,
  );
}

/** "BIỂU QUYẾT · 2. <item>" — the wall hides its item line while a poll is up. */
function kicker(state, poll) {
  const items = (state.agenda && state.agenda.items) || [];
  const item = items.find((i) => i.id === poll.agenda_item_id);
  const label = h("span", { i18n: "poll.title" });
  if (!item) return h("p", { class: "pb-kicker" }, label);
  const number = itemNumbers(items).get(item.id);
  return h("p", { class: "pb-kicker" }, label, h("span", { class: "pb-kicker-item", text: ` · ${number}. ${item.title}` }));
}

/** Something to show on the wall: an open or closed poll, or a published result still current. */
export function boardVisible(state) {
  const poll = state && state.poll && state.poll.current;
  if (!poll || !stillRelevant(state, poll)) return false;
  return poll.status === "open" || poll.status === "closed" || (poll.status === "published" && Boolean(poll.result));
}

export function mountBoard(host, { store, ctx }) {
  const root = h("section", { class: "poll-board", "aria-live": "polite" });
  host.append(root);
  let key = null;
  let timer = null;
  let fetchingNamed = null;

  function render(state, force = false) {
    const poll = state && state.poll && state.poll.current;
    const next = JSON.stringify([poll, poll && stillRelevant(state, poll)]);
    if (!force && next === key) return;
    key = next;
    timer = null;
    if (!poll || !stillRelevant(state, poll)) {
      root.replaceChildren();
      root.dataset.state = "none";
      return;
    }
    root.dataset.state = poll.status;
    root.dataset.pollId = poll.id;
    const head = h("header", { class: "pb-head" }, kicker(state, poll), h("h2", { class: "pb-title", text: poll.title }), pollBadges(poll));
    if (poll.status === "open") {
      timer = countdown(poll, store, "pb-timer-big");
      // dom.js replaceChildren skips null; the native one would print "null".
      replaceChildren(
        root,
        head,
        h(
          "div",
          { class: "pb-live" },
          h("p", { class: "pb-state", i18n: "poll.voting_now" }),
          progressBlock(poll, "pb-progress-big"),
          timer,
        ),
        poll.running_tally ? resultBars(poll, poll.running_tally) : null,
      );
    } else if (poll.status === "closed") {
      replaceChildren(
        root,
        head,
        h("div", { class: "pb-live" }, h("p", { class: "pb-state", i18n: "poll.closed_waiting" }), progressBlock(poll, "pb-progress-big")),
      );
    } else if (poll.status === "published" && poll.result) {
      const named = !poll.secret && poll.named_list && poll.named_list.length;
      replaceChildren(
        root,
        head,
        h(
          "div",
          { class: ["pb-published", named ? "has-named" : ""] },
          resultBlock(poll, poll.result),
          named ? h("div", { class: "pb-named" }, h("p", { class: "pb-named-title", i18n: "poll.named_list" }), namedList(poll, poll.named_list)) : null,
        ),
      );
      if (!poll.secret && !poll.named_list) loadNamed(poll);
    } else {
      root.replaceChildren();
    }
  }

  // Events do not carry the named list: ask once for it when a named poll is published.
  function loadNamed(poll) {
    if (fetchingNamed === poll.id) return;
    fetchingNamed = poll.id;
    command("poll.get", { meeting_id: store.meetingId, poll_id: poll.id }).then((ack) => {
      const current = store.state && store.state.poll && store.state.poll.current;
      if (!ack.ok || !current || current.id !== poll.id) return;
      current.named_list = ack.data.poll.named_list || [];
      render(store.state, true);
    });
  }

  const off = store.subscribe((state) => render(state));
  ctx.onLangChange(() => store.state && render(store.state, true));
  const interval = setInterval(() => timer && timer.update(), 500);
  if (store.state) render(store.state);
  return {
    active: boardVisible,
    destroy() {
      off();
      clearInterval(interval);
    },
  };
}

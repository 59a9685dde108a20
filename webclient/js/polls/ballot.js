// The tablet ballot. When a poll opens it comes first on the tablet: huge buttons in
// colour AND text (and a mark), then a confirmation step ("Xác nhận"). Afterwards: a named
// poll shows my own choice, a secret one the receipt code with how to check it. A tablet
// that reloads or reconnects learns from the snapshot (poll.current.me) whether it voted.
//
// Sending the ballot, and making sure it counts exactly once: cast.js.

import { api } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { currentUser } from "../session.js";
import { onConnect } from "../socket.js";
import { boardVisible, countdown, mountBoard, pollBadges, progressBlock } from "./board.js";
import { optionTone, resultBlock } from "./chart.js";
import { cast, learnMe, resend, settleLate } from "./cast.js";
import { loadBallot, optionLabel, pollError, pruneBallots, sha256Hex, stillRelevant } from "./model.js";

const MARKS = { yes: "✔", no: "✘", abstain: "–" };

export function ballotVisible(state) {
  const poll = state && state.poll && state.poll.current;
  if (!poll || !stillRelevant(state, poll)) return false;
  if (poll.status === "open" || poll.status === "closed") return true;
  return poll.status === "published" && Boolean(poll.result);
}

/** The tablet's poll slot: the ballot for voters; observers, guests and bridge operators
 * (no poll.vote) see what the wall shows. */
export function mountTabletPoll(host, args) {
  return mountByRole(host, args, (store) =>
    store.can("poll.vote") ? { mount: mountBallot, active: ballotVisible } : { mount: mountBoard, active: boardVisible },
  );
}

/**
 * Mount what suits my permissions, once they are known: after a reload the panel is often
 * mounted before the first snapshot (the socket is still connecting). `active` is computed
 * from the state alone, so the slot shows as soon as the snapshot arrives.
 */
export function mountByRole(host, args, choose) {
  const { store } = args;
  let inner = null;
  let chosen = null;
  const pick = () => {
    if (inner || !store.state) return;
    chosen = choose(store);
    inner = chosen.mount(host, args);
  };
  pick();
  const off = inner ? () => {} : store.subscribe(pick);
  return {
    active: (state) => {
      if (!state) return false;
      return (chosen || choose(store)).active(state, store);
    },
    destroy() {
      off();
      if (inner) inner.destroy();
    },
  };
}

export function mountBallot(host, { store, ctx }) {
  pruneBallots();
  const user = currentUser();
  const userId = user ? user.id : 0;
  const root = h("section", { class: "poll-ballot card", "aria-live": "polite" });
  host.append(root);

  // What this tablet is doing with the current poll (cast.js updates it too).
  const tab = {
    store,
    userId,
    ui: { pollId: null, stage: "choose", selection: [], error: null, sending: false, check: null },
    askedMe: new Set(),
    current,
    render,
  };
  let key = null;
  let timer = null;

  function reset(pollId) {
    tab.ui = { pollId, stage: "choose", selection: [], error: null, sending: false, check: null };
  }

  function current() {
    return store.state && store.state.poll && store.state.poll.current;
  }

  function render(force = false) {
    const state = store.state;
    const poll = current();
    if (poll && poll.id !== tab.ui.pollId) reset(poll.id);
    const next = JSON.stringify([poll, tab.ui, poll && stillRelevant(state, poll)]);
    if (!force && next === key) return;
    key = next;
    timer = null;
    if (!poll || !ballotVisible(state)) {
      root.replaceChildren();
      root.dataset.state = "none";
      return;
    }
    root.dataset.state = poll.status;
    root.dataset.pollId = poll.id;
    if (poll.status === "open" && poll.me == null) learnMe(tab, poll);
    const record = loadBallot(userId, poll.id);
    if (poll.status === "open" && record && record.pending && !tab.ui.sending) resend(tab, poll, record);
    if (poll.status !== "open" && record && record.pending) settleLate(tab, poll, record);

    const head = h(
      "header",
      { class: "pt-head" },
      h("p", { class: "pt-kicker", i18n: poll.status === "open" ? "poll.voting_now" : "poll.title" }),
      h("h2", { class: "pt-title", text: poll.title }),
      poll.description ? h("p", { class: "pt-desc", text: poll.description }) : null,
      pollBadges(poll),
    );
    const parts = [head];
    if (poll.status === "open") {
      timer = countdown(poll, store, "pt-timer");
      parts.push(h("div", { class: "pt-status" }, progressBlock(poll, "pt-progress"), timer));
      parts.push(openBody(poll, record));
    } else {
      parts.push(finishedBody(poll, record));
    }
    root.replaceChildren(...parts.filter(Boolean));
  }

  // ------------------------------------------------------------ open poll

  function voted(poll, record) {
    return Boolean((poll.me && poll.me.voted) || (record && record.confirmed));
  }

  function openBody(poll, record) {
    const me = poll.me;
    if (me && me.eligible === false) {
      return h("div", { class: "pt-note is-info", dataset: { note: "not-eligible" } }, h("p", { i18n: "poll.not_eligible_note" }));
    }
    if (tab.ui.sending || (record && record.pending)) {
      return h(
        "div",
        { class: "pt-sending", dataset: { stage: "sending" } },
        h("span", { class: "spinner", "aria-hidden": "true" }),
        h("p", { class: "pt-sending-text", i18n: "poll.sending" }),
        tab.ui.error ? errorBox(tab.ui.error) : null,
        tab.ui.error
          ? h("button", {
              type: "button",
              class: "btn btn-primary btn-xl",
              i18n: "poll.retry",
              dataset: { action: "retry" },
              on: { click: () => resend(tab, poll, loadBallot(userId, poll.id), true) },
            })
          : null,
      );
    }
    if (voted(poll, record) && tab.ui.stage !== "change" && tab.ui.stage !== "confirm") {
      return h(
        "div",
        { class: "pt-done" },
        myVote(poll, record),
        poll.allow_change && record && record.ballot_id
          ? h("button", {
              type: "button",
              class: "btn btn-secondary btn-xl pt-change",
              i18n: "poll.change_vote",
              dataset: { action: "change" },
              on: { click: () => { tab.ui = { ...tab.ui, stage: "change", selection: [], error: null }; render(); } },
            })
          : null,
      );
    }
    if (tab.ui.stage === "confirm") return confirmStep(poll);
    return choiceStep(poll);
  }

  function choiceStep(poll) {
    const multiple = poll.kind === "multiple";
    const buttons = poll.options.map((option, index) => {
      const tone = optionTone(option);
      const selected = tab.ui.selection.includes(option.id);
      return h(
        "button",
        {
          type: "button",
          class: ["pt-choice", `tone-${tone}`, selected ? "is-selected" : ""],
          "aria-pressed": multiple ? String(selected) : undefined,
          dataset: { optionId: option.id, code: option.code || "", focusKey: `opt-${option.id}` },
          on: { click: () => choose(poll, option.id) },
        },
        h("span", { class: "pt-choice-mark", "aria-hidden": "true", text: MARKS[option.code] || (multiple ? (selected ? "☑" : "☐") : String.fromCharCode(65 + index)) }),
        h("span", { class: "pt-choice-label", text: optionLabel(option) }),
      );
    });
    const n = tab.ui.selection.length;
    const okCount = n >= poll.min_choices && n <= poll.max_choices;
    // "Bỏ phiếu trắng" only where a blank ballot is allowed; a button that cannot be used
    // says why next to it, never just greys out.
    const blankAllowed = poll.min_choices === 0;
    return h(
      "div",
      { class: "pt-choose", dataset: { stage: "choose" } },
      h("p", { class: "pt-instruction", i18n: multiple ? "poll.instruction_multiple" : "poll.instruction_single", i18nParams: { min: poll.min_choices, max: poll.max_choices } }),
      tab.ui.error ? errorBox(tab.ui.error) : null,
      h("div", { class: ["pt-choices", `n-${poll.options.length}`, poll.kind === "yes_no" ? "is-yes-no" : ""] }, buttons),
      multiple
        ? h(
            "div",
            { class: "pt-multi-bar" },
            h("span", { class: "pt-multi-count", i18n: "poll.selected_count", i18nParams: { n, max: poll.max_choices } }),
            h("button", {
              type: "button",
              class: "btn btn-primary btn-xl pt-next",
              disabled: !okCount,
              "aria-describedby": okCount ? undefined : `pt-hint-${poll.id}`,
              i18n: n === 0 && blankAllowed ? "poll.next_blank" : "poll.next",
              dataset: { action: "next" },
              on: { click: () => { tab.ui = { ...tab.ui, stage: "confirm", error: null, changing: tab.ui.stage === "change" }; render(); } },
            }),
            okCount
              ? null
              : h("span", { class: "pt-multi-hint", id: `pt-hint-${poll.id}`, i18n: "poll.choose_at_least", i18nParams: { min: poll.min_choices } }),
          )
        : blankAllowed
          ? h("button", {
              type: "button",
              class: "btn btn-secondary btn-xl",
              i18n: "poll.next_blank",
              dataset: { action: "blank" },
              on: { click: () => { tab.ui = { ...tab.ui, selection: [], stage: "confirm", error: null }; render(); } },
            })
          : null,
      tab.ui.stage === "change" ? h("button", { type: "button", class: "btn btn-ghost btn-lg", i18n: "poll.keep_vote", on: { click: () => { tab.ui = { ...tab.ui, stage: "choose" }; render(); } } }) : null,
    );
  }

  function choose(poll, optionId) {
    if (poll.kind === "multiple") {
      const has = tab.ui.selection.includes(optionId);
      if (!has && tab.ui.selection.length >= poll.max_choices) {
        tab.ui = { ...tab.ui, error: { code: "too_many", max: poll.max_choices } };
      } else {
        tab.ui = { ...tab.ui, error: null, selection: has ? tab.ui.selection.filter((id) => id !== optionId) : [...tab.ui.selection, optionId] };
      }
      render();
      return;
    }
    tab.ui = { ...tab.ui, selection: [optionId], stage: "confirm", error: null, changing: tab.ui.stage === "change" };
    render();
  }

  function chosenList(poll, ids) {
    const chosen = poll.options.filter((o) => ids.includes(o.id));
    if (!chosen.length) return h("p", { class: "pt-chosen is-blank", i18n: "poll.blank_ballot" });
    return h(
      "ul",
      { class: "pt-chosen" },
      chosen.map((o) => h("li", { class: `tone-${optionTone(o)}`, dataset: { code: o.code || "" } }, h("span", { class: "pt-chosen-mark", "aria-hidden": "true", text: MARKS[o.code] || "☑" }), h("span", { text: optionLabel(o) }))),
    );
  }

  function confirmStep(poll) {
    return h(
      "div",
      { class: "pt-confirm", dataset: { stage: "confirm" } },
      h("p", { class: "pt-instruction", i18n: "poll.you_chose" }),
      chosenList(poll, tab.ui.selection),
      tab.ui.error ? errorBox(tab.ui.error) : null,
      h(
        "div",
        { class: "pt-confirm-actions" },
        h("button", {
          type: "button",
          class: "btn btn-secondary btn-xl pt-back",
          i18n: "poll.choose_again",
          dataset: { action: "back", focusKey: "back" },
          on: { click: () => { tab.ui = { ...tab.ui, stage: tab.ui.changing ? "change" : "choose", error: null }; render(); } },
        }),
        h("button", {
          type: "button",
          class: "btn btn-xl pt-confirm-btn",
          i18n: "poll.confirm",
          dataset: { action: "confirm", focusKey: "confirm" },
          on: { click: () => cast(tab, poll) },
        }),
      ),
      h("p", { class: "pt-hint", i18n: poll.allow_change ? "poll.confirm_hint_change" : "poll.confirm_hint_final" }),
    );
  }

  // ------------------------------------------------------------ my vote, receipts

  function myVote(poll, record) {
    const choices = (poll.me && poll.me.choices) || (record && record.choices) || null;
    const parts = [
      h("p", { class: "pt-voted", dataset: { voted: "1" } }, h("span", { class: "pt-voted-mark", "aria-hidden": "true", text: "✔" }), h("span", { i18n: "poll.you_voted" })),
    ];
    if (!poll.secret) {
      if (choices) parts.push(h("p", { class: "pt-mine-label", i18n: "poll.your_choice" }), chosenList(poll, choices));
    } else if (record && record.receipt) {
      parts.push(receiptBox(poll, record.receipt));
    } else {
      parts.push(h("p", { class: "pt-hint", i18n: "poll.secret_no_receipt" }));
    }
    return h("div", { class: "pt-mine" }, parts);
  }

  function receiptBox(poll, receipt) {
    const published = poll.status === "published";
    let checkRow = null;
    if (published) {
      const result = tab.ui.check;
      checkRow = h(
        "div",
        { class: "pt-receipt-check" },
        h("button", {
          type: "button",
          class: "btn btn-secondary btn-lg",
          i18n: "poll.receipt_check",
          dataset: { action: "check-receipt" },
          on: { click: (e) => checkReceipt(poll, receipt, e.currentTarget) },
        }),
        result
          ? h("p", { class: ["pt-receipt-result", `is-${result}`], dataset: { check: result }, role: "status", i18n: `poll.receipt_${result}` })
          : null,
      );
    }
    return h(
      "div",
      { class: "pt-receipt" },
      h("p", { class: "pt-receipt-label", i18n: "poll.receipt_label" }),
      h("p", { class: "pt-receipt-code", dataset: { receipt }, text: receipt }),
      h("p", { class: "pt-receipt-help", i18n: published ? "poll.receipt_help_published" : "poll.receipt_help" }),
      checkRow,
    );
  }

  async function checkReceipt(poll, receipt, button) {
    button.disabled = true;
    try {
      const [data, digest] = await Promise.all([
        api.get(`/api/meetings/${store.meetingId}/polls/${poll.id}/receipts`),
        sha256Hex(receipt),
      ]);
      tab.ui = { ...tab.ui, check: data.receipt_hashes.includes(digest) ? "found" : "missing" };
    } catch {
      tab.ui = { ...tab.ui, check: "failed" };
    }
    render();
  }

  function errorBox(error) {
    const text = error.code === "too_many" ? t("poll.error.too_many", { max: error.max }) : pollError(error);
    return h("p", { class: "alert alert-error pt-error", role: "alert", dataset: { code: error.code }, text });
  }

  // ------------------------------------------------------------ closed / published

  function finishedBody(poll, record) {
    const mine = voted(poll, record) ? myVote(poll, record) : poll.me && poll.me.eligible ? h("p", { class: "pt-note", i18n: "poll.you_did_not_vote" }) : null;
    if (poll.status === "closed") {
      return h("div", { class: "pt-finished" }, h("p", { class: "pt-state", i18n: "poll.closed_waiting" }), mine);
    }
    return h("div", { class: "pt-finished" }, resultBlock(poll, poll.result), mine);
  }

  const off = store.subscribe(() => render());
  ctx.onLangChange(() => render(true));
  // Back online: a ballot sent into a dead socket goes out again with the same id.
  const offConnect = onConnect(() => {
    const poll = current();
    const record = poll && loadBallot(userId, poll.id);
    if (poll && poll.status === "open" && record && record.pending) {
      tab.ui = { ...tab.ui, error: null };
      resend(tab, poll, record);
    }
  });
  const interval = setInterval(() => timer && timer.update(), 500);
  render();
  return {
    active: ballotVisible,
    destroy() {
      off();
      offConnect();
      clearInterval(interval);
    },
  };
}

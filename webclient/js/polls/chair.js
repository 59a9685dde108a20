// The poll panel of the chair console (chair and secretary, poll.manage): create a poll on
// the current agenda item or ad hoc, keep drafts, open, watch "đã biểu quyết N/M" live
// (and the running tally of a named poll if chosen), close, publish, export CSV and PDF.
// The settings form (form.js) lives in a <dialog> so the console's columns stay as they are.

import { appendChildren, h } from "../dom.js";
import { t } from "../i18n.js";
import { command } from "../socket.js";
import { confirmButton, runCommand } from "../views/room-common.js";
import { boardVisible, countdown, mountBoard, pollBadges, progressBlock } from "./board.js";
import { namedList, resultBars, resultBlock } from "./chart.js";
import { mountByRole } from "./ballot.js";
import { durationText, openPollForm } from "./form.js";

/** The chair's slot: the full panel for poll.manage, the wall view for anyone else. */
export function mountChairPoll(host, args) {
  return mountByRole(host, args, (store) =>
    store.can("poll.manage") ? { mount: mountChairPanel, active: () => true } : { mount: mountBoard, active: boardVisible },
  );
}

function mountChairPanel(host, { store, ctx }) {
  const meetingId = store.meetingId;
  const root = h("section", { class: "card poll-chair", "aria-labelledby": "poll-chair-title" });
  const body = h("div", { class: "pc-body" });
  const newButton = h(
    "button",
    { type: "button", class: "btn btn-primary pc-new", dataset: { action: "poll-new" }, on: { click: () => openPollForm(dialog, store, null) } },
    h("span", { "aria-hidden": "true", text: "+" }),
    h("span", { i18n: "poll.new" }),
  );
  root.append(
    h("div", { class: "pc-titlebar" }, h("h2", { class: "card-title", id: "poll-chair-title", i18n: "poll.panel_title" }), newButton),
    body,
  );
  host.append(root);
  const dialog = h("dialog", { class: "pc-dialog", "aria-labelledby": "poll-form-title" });
  document.body.append(dialog);

  let key = null;
  let timer = null;

  function render(force = false) {
    const state = store.state;
    if (!state) return;
    const part = state.poll || { current: null, drafts: [] };
    const next = JSON.stringify(part);
    if (!force && next === key) return;
    key = next;
    timer = null;
    const poll = part.current;
    const blocks = [];
    if (poll && poll.status !== "cancelled") blocks.push(currentBlock(poll));
    else if (poll && poll.status === "cancelled") {
      blocks.push(h("p", { class: "pc-note", i18n: "poll.cancelled_note", i18nParams: { title: poll.title } }));
    }
    if (part.drafts && part.drafts.length) blocks.push(draftList(part.drafts, poll));
    const earlier = earlierPolls.filter((p) => p.status !== "draft" && (!poll || p.id !== poll.id));
    if (earlier.length) blocks.push(earlierList(earlier));
    if (!blocks.length) blocks.push(h("p", { class: "muted pc-empty", i18n: "poll.none_yet" }));
    body.replaceChildren(...blocks);
    newButton.disabled = false;
    if (pollsKey !== listKey(part)) loadEarlier();
  }

  // ------------------------------------------------------------ earlier polls
  // The snapshot has only the current poll: the others of the meeting come from poll.list,
  // asked again whenever a poll changes (a new one must not make the last one vanish).

  let earlierPolls = [];
  let pollsKey = null;
  let loading = null;
  const listKey = (part) => JSON.stringify([part.current && [part.current.id, part.current.status], (part.drafts || []).map((p) => p.id)]);

  function loadEarlier() {
    const part = (store.state && store.state.poll) || { current: null, drafts: [] };
    pollsKey = listKey(part);
    const asked = pollsKey;
    loading = command("poll.list", { meeting_id: meetingId }).then((ack) => {
      if (!ack.ok || asked !== pollsKey) return;
      earlierPolls = ack.data.polls;
      render(true);
    });
    return loading;
  }

  function earlierList(list) {
    const base = `/api/meetings/${meetingId}/polls`;
    return h(
      "details",
      { class: "pc-earlier" },
      h("summary", { i18n: "poll.earlier", i18nParams: { n: list.length } }),
      h(
        "ul",
        { class: "pc-earlier-list" },
        [...list].reverse().map((p) =>
          h(
            "li",
            { class: "pc-earlier-row", dataset: { pollId: p.id, status: p.status } },
            h("div", { class: "pc-draft-text" }, h("span", { class: "pc-draft-title", text: p.title }), h("span", { class: ["pc-status", `is-${p.status}`], i18n: `poll.status.${p.status}` })),
            p.status === "closed" || p.status === "published"
              ? h(
                  "div",
                  { class: "pc-draft-actions" },
                  h("a", { class: "btn btn-secondary", href: `${base}/${p.id}/result.csv`, download: `bieu-quyet-${p.id}.csv`, i18n: "poll.export_csv" }),
                  h("a", { class: "btn btn-secondary", href: `${base}/${p.id}/result.pdf`, target: "_blank", rel: "noopener", i18n: "poll.export_pdf" }),
                )
              : null,
          ),
        ),
      ),
    );
  }

  // ------------------------------------------------------------ the current poll

  /** A button that sends command `name` about `poll`; attrs as for h(). */
  function pollButton(name, poll, attrs) {
    const send = (e) => runCommand(name, { meeting_id: meetingId, poll_id: poll.id }, { button: e.currentTarget, store });
    return h("button", { type: "button", ...attrs, on: { click: send } });
  }

  function currentBlock(poll) {
    const wrap = h("div", { class: ["pc-current", `is-${poll.status}`], dataset: { pollId: poll.id, status: poll.status } });
    wrap.append(
      h(
        "div",
        { class: "pc-current-head" },
        h("span", { class: ["pc-status", `is-${poll.status}`], i18n: `poll.status.${poll.status}` }),
        h("h3", { class: "pc-poll-title", text: poll.title }),
        pollBadges(poll),
      ),
    );
    if (poll.status === "open") {
      timer = countdown(poll, store, "pc-timer");
      appendChildren(
        wrap,
        h("div", { class: "pc-live" }, progressBlock(poll, "pc-progress"), timer),
        poll.running_tally ? h("div", { class: "pc-tally" }, h("p", { class: "pc-sub", i18n: "poll.running_tally" }), resultBars(poll, poll.running_tally)) : null,
        h(
          "div",
          { class: "pc-actions" },
          confirmButton({
            className: "btn btn-primary btn-lg pc-close",
            labelKey: "poll.close",
            confirmKey: "poll.close_confirm",
            focusKey: "poll-close",
            onConfirm: (button) => runCommand("poll.close", { meeting_id: meetingId, poll_id: poll.id }, { button, store }),
          }),
          confirmButton({
            className: "btn btn-ghost pc-cancel",
            labelKey: "poll.cancel",
            confirmKey: "poll.cancel_confirm",
            focusKey: "poll-cancel",
            onConfirm: (button) => runCommand("poll.cancel", { meeting_id: meetingId, poll_id: poll.id }, { button, store }),
          }),
        ),
      );
      wrap.querySelector(".pc-close").dataset.action = "poll-close";
      wrap.querySelector(".pc-cancel").dataset.action = "poll-cancel";
      return wrap;
    }
    if (poll.result) wrap.append(resultBlock(poll, poll.result));
    else wrap.append(progressBlock(poll, "pc-progress"));
    const actions = h("div", { class: "pc-actions" });
    if (poll.status === "closed") {
      actions.append(
        pollButton("poll.publish", poll, { class: "btn btn-primary btn-lg pc-publish", i18n: "poll.publish", dataset: { action: "poll-publish" } }),
      );
    } else if (poll.status === "published") {
      actions.append(h("span", { class: "pc-published", dataset: { published: "1" }, i18n: "poll.published_note" }));
    }
    // The wall and the tablets show a finished poll until the chair takes it off.
    if (poll.hidden_at) {
      actions.append(h("span", { class: "pc-hidden", i18n: "poll.hidden_note" }));
      if (poll.status === "published") {
        actions.append(
          pollButton("poll.publish", poll, { class: "btn btn-secondary pc-show", i18n: "poll.show_again", dataset: { action: "poll-show" } }),
        );
      }
    } else {
      actions.append(
        pollButton("poll.hide", poll, { class: "btn btn-secondary pc-hide", i18n: "poll.hide", dataset: { action: "poll-hide" } }),
      );
    }
    const base = `/api/meetings/${meetingId}/polls/${poll.id}`;
    actions.append(
      h("a", { class: "btn btn-secondary pc-export", href: `${base}/result.csv`, download: `bieu-quyet-${poll.id}.csv`, dataset: { action: "export-csv" }, i18n: "poll.export_csv" }),
      h("a", { class: "btn btn-secondary pc-export", href: `${base}/result.pdf`, target: "_blank", rel: "noopener", dataset: { action: "export-pdf" }, i18n: "poll.export_pdf" }),
    );
    wrap.append(actions);
    if (!poll.secret && poll.named_list && poll.named_list.length) {
      wrap.append(
        h(
          "details",
          { class: "pc-named" },
          h("summary", { i18n: "poll.named_list_count", i18nParams: { n: poll.named_list.length } }),
          namedList(poll, poll.named_list),
        ),
      );
    }
    return wrap;
  }

  // ------------------------------------------------------------ drafts

  function draftList(drafts, current) {
    const busy = current && current.status === "open";
    return h(
      "div",
      { class: "pc-drafts" },
      h("h3", { class: "pc-sub", i18n: "poll.drafts" }),
      h(
        "ul",
        { class: "pc-draft-list" },
        drafts.map((poll) =>
          h(
            "li",
            { class: "pc-draft", dataset: { pollId: poll.id } },
            h("div", { class: "pc-draft-text" }, h("span", { class: "pc-draft-title", text: poll.title }), pollBadges(poll), settingsLine(poll)),
            h(
              "div",
              { class: "pc-draft-actions" },
              pollButton("poll.open", poll, {
                class: "btn btn-primary pc-open",
                i18n: "poll.open",
                disabled: busy,
                title: busy ? t("poll.one_open_at_a_time") : undefined,
                dataset: { action: "poll-open" },
              }),
              h("button", { type: "button", class: "btn btn-secondary", i18n: "poll.edit", dataset: { action: "poll-edit" }, on: { click: () => openPollForm(dialog, store, poll) } }),
              confirmButton({
                className: "btn btn-ghost pc-delete",
                labelKey: "poll.delete",
                confirmKey: "poll.delete_confirm",
                focusKey: `poll-delete-${poll.id}`,
                onConfirm: (button) => runCommand("poll.delete", { meeting_id: meetingId, poll_id: poll.id }, { button, store }),
              }),
            ),
          ),
        ),
      ),
    );
  }

  function settingsLine(poll) {
    const parts = [
      t(`poll.eligibility.${poll.eligibility}`),
      t(`poll.rule.${poll.rule}`),
      poll.duration_seconds ? t("poll.duration_n", { n: durationText(poll.duration_seconds) }) : t("poll.no_timer"),
    ];
    if (poll.allow_change) parts.push(t("poll.allow_change_short"));
    return h("span", { class: "pc-settings", text: parts.join(" · ") });
  }

  const off = store.subscribe(() => render());
  ctx.onLangChange(() => render(true));
  const interval = setInterval(() => timer && timer.update(), 500);
  render();
  return {
    active: () => true,
    destroy() {
      off();
      clearInterval(interval);
      dialog.remove();
    },
  };
}

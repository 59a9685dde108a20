// The poll panel of the chair console (chair and secretary, poll.manage): create a poll on
// the current agenda item or ad hoc, keep drafts, open, watch "đã biểu quyết N/M" live
// (and the running tally of a named poll if chosen), close, publish, export CSV and PDF.
// The settings form lives in a <dialog> so the console's columns stay as they are.

import { appendChildren, h } from "../dom.js";
import { t } from "../i18n.js";
import { currentItem, itemNumbers } from "../meeting-lookups.js";
import { command } from "../socket.js";
import { toast } from "../toast.js";
import { confirmButton, runCommand } from "../views/room-common.js";
import { boardVisible, countdown, mountBoard, pollBadges, progressBlock } from "./board.js";
import { namedList, resultBars, resultBlock } from "./chart.js";
import { mountByRole, pollError } from "./ballot.js";

const DURATIONS = [0, 30, 60, 120, 180, 300, 600];
const RULES = ["absolute", "two_thirds", "cast", "simple"];
const BASES = ["entitled", "present", "cast"];
const KINDS = ["yes_no", "single", "multiple"];

/** The chair's slot: the full panel for poll.manage, the wall view for anyone else. */
export function mountChairPoll(host, args) {
  return mountByRole(host, args, (store) =>
    store.can("poll.manage") ? { mount: mountChairPanel, active: () => true } : { mount: mountBoard, active: boardVisible },
  );
}

const run = (name, payload, options) => runCommand(name, payload, options);

function mountChairPanel(host, { store, ctx }) {
  const meetingId = store.meetingId;
  const root = h("section", { class: "card poll-chair", "aria-labelledby": "poll-chair-title" });
  const body = h("div", { class: "pc-body" });
  const newButton = h(
    "button",
    { type: "button", class: "btn btn-primary pc-new", dataset: { action: "poll-new" }, on: { click: () => openForm(null) } },
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
            onConfirm: (button) => run("poll.close", { meeting_id: meetingId, poll_id: poll.id }, { button, store }),
          }),
          confirmButton({
            className: "btn btn-ghost pc-cancel",
            labelKey: "poll.cancel",
            confirmKey: "poll.cancel_confirm",
            focusKey: "poll-cancel",
            onConfirm: (button) => run("poll.cancel", { meeting_id: meetingId, poll_id: poll.id }, { button, store }),
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
        h("button", {
          type: "button",
          class: "btn btn-primary btn-lg pc-publish",
          i18n: "poll.publish",
          dataset: { action: "poll-publish" },
          on: { click: (e) => run("poll.publish", { meeting_id: meetingId, poll_id: poll.id }, { button: e.currentTarget, store }) },
        }),
      );
    } else if (poll.status === "published") {
      actions.append(h("span", { class: "pc-published", dataset: { published: "1" }, i18n: "poll.published_note" }));
    }
    // The wall and the tablets show a finished poll until the chair takes it off.
    if (poll.hidden_at) {
      actions.append(h("span", { class: "pc-hidden", i18n: "poll.hidden_note" }));
      if (poll.status === "published") {
        actions.append(
          h("button", {
            type: "button",
            class: "btn btn-secondary pc-show",
            i18n: "poll.show_again",
            dataset: { action: "poll-show" },
            on: { click: (e) => run("poll.publish", { meeting_id: meetingId, poll_id: poll.id }, { button: e.currentTarget, store }) },
          }),
        );
      }
    } else {
      actions.append(
        h("button", {
          type: "button",
          class: "btn btn-secondary pc-hide",
          i18n: "poll.hide",
          dataset: { action: "poll-hide" },
          on: { click: (e) => run("poll.hide", { meeting_id: meetingId, poll_id: poll.id }, { button: e.currentTarget, store }) },
        }),
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
              h("button", {
                type: "button",
                class: "btn btn-primary pc-open",
                i18n: "poll.open",
                disabled: busy,
                title: busy ? t("poll.one_open_at_a_time") : undefined,
                dataset: { action: "poll-open" },
                on: { click: (e) => run("poll.open", { meeting_id: meetingId, poll_id: poll.id }, { button: e.currentTarget, store }) },
              }),
              h("button", { type: "button", class: "btn btn-secondary", i18n: "poll.edit", dataset: { action: "poll-edit" }, on: { click: () => openForm(poll) } }),
              confirmButton({
                className: "btn btn-ghost pc-delete",
                labelKey: "poll.delete",
                confirmKey: "poll.delete_confirm",
                focusKey: `poll-delete-${poll.id}`,
                onConfirm: (button) => run("poll.delete", { meeting_id: meetingId, poll_id: poll.id }, { button, store }),
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

  // ------------------------------------------------------------ the form

  function durationText(seconds) {
    return seconds < 60 ? t("poll.seconds", { n: seconds }) : t("poll.minutes", { n: Math.round(seconds / 60) });
  }

  function radios(name, values, selected, labelPrefix, onChange) {
    return h(
      "div",
      { class: "pc-seg", role: "radiogroup" },
      values.map((value) =>
        h(
          "label",
          { class: "pc-seg-item" },
          h("input", { type: "radio", name, value, checked: value === selected, on: { change: () => onChange && onChange(value) } }),
          h("span", { i18n: `${labelPrefix}.${value}` }),
        ),
      ),
    );
  }

  function field(labelKey, control, hintKey) {
    return h("div", { class: "field pc-field" }, h("span", { class: "label", i18n: labelKey }), control, hintKey ? h("span", { class: "pc-hint", i18n: hintKey }) : null);
  }

  function checkbox(name, checked, labelKey, hintKey) {
    return h(
      "label",
      { class: "pc-check" },
      h("input", { type: "checkbox", name, checked }),
      h("span", {}, h("span", { class: "pc-check-label", i18n: labelKey }), hintKey ? h("span", { class: "pc-hint", i18n: hintKey }) : null),
    );
  }

  function openForm(poll) {
    const state = store.state;
    const items = (state && state.agenda && state.agenda.items) || [];
    const numbers = itemNumbers(items);
    const item = currentItem(state);
    const values = poll || {
      title: item ? item.title : "",
      description: "",
      agenda_item_id: item ? item.id : null,
      kind: "yes_no",
      secret: false,
      options: [],
      min_choices: 1,
      max_choices: 1,
      eligibility: "delegates",
      rule: "absolute",
      percent_base: "entitled",
      duration_seconds: null,
      allow_change: false,
      show_running_tally: false,
    };
    const optionTexts = poll && poll.kind !== "yes_no" ? poll.options.map((o) => o.label) : [];

    const form = h("form", { class: "pc-form", novalidate: true });
    const error = h("p", { class: "alert alert-error pc-form-error", role: "alert", hidden: true });
    const title = h("input", { class: "input", name: "title", value: values.title, maxlength: 300, required: true, autocomplete: "off" });
    const description = h("textarea", { class: "input pc-textarea", name: "description", maxlength: 5000, rows: 2 });
    description.value = values.description || "";
    const itemSelect = h(
      "select",
      { class: "input", name: "agenda_item_id" },
      h("option", { value: "", i18n: "poll.ad_hoc" }),
      items.map((i) => h("option", { value: String(i.id), selected: i.id === values.agenda_item_id }, `${numbers.get(i.id)}. ${i.title}${item && i.id === item.id ? ` (${t("poll.current_item")})` : ""}`)),
    );
    const options = h("textarea", { class: "input pc-textarea pc-options", name: "options", rows: 4, i18nAttr: { placeholder: "poll.options_placeholder" } });
    options.value = optionTexts.join("\n");
    const minInput = h("input", { class: "input input-sm", type: "number", name: "min_choices", min: 0, max: 100, value: values.min_choices });
    const maxInput = h("input", { class: "input input-sm", type: "number", name: "max_choices", min: 1, max: 100, value: values.max_choices });
    const choiceFields = h(
      "div",
      { class: "pc-choice-fields" },
      field("poll.options", options, "poll.options_hint"),
      h("div", { class: "pc-minmax" }, field("poll.min_choices", minInput), field("poll.max_choices", maxInput)),
    );
    const duration = h(
      "select",
      { class: "input", name: "duration_seconds" },
      DURATIONS.map((s) => h("option", { value: String(s), selected: (values.duration_seconds || 0) === s }, s ? durationText(s) : t("poll.no_timer"))),
    );
    if (values.duration_seconds && !DURATIONS.includes(values.duration_seconds)) {
      duration.append(h("option", { value: String(values.duration_seconds), selected: true }, durationText(values.duration_seconds)));
    }
    const rule = h("select", { class: "input", name: "rule" }, RULES.map((r) => h("option", { value: r, selected: r === values.rule, i18n: `poll.rule.${r}` })));
    const base = h("select", { class: "input", name: "percent_base" }, BASES.map((b) => h("option", { value: b, selected: b === values.percent_base, i18n: `poll.base_option.${b}` })));
    const running = checkbox("show_running_tally", values.show_running_tally, "poll.show_running_tally", "poll.show_running_tally_hint");

    const syncKind = () => {
      const kind = form.querySelector("input[name=kind]:checked").value;
      choiceFields.hidden = kind === "yes_no";
      minInput.closest(".pc-minmax").hidden = kind !== "multiple";
    };
    const syncSecret = () => {
      const secret = form.querySelector("input[name=secret]:checked").value === "secret";
      const box = running.querySelector("input");
      box.disabled = secret;
      if (secret) box.checked = false;
      running.classList.toggle("is-disabled", secret);
    };

    form.append(
      error,
      field("poll.field_title", title),
      field("poll.field_item", itemSelect),
      field("poll.field_kind", radios("kind", KINDS, values.kind, "poll.kind", syncKind)),
      choiceFields,
      field("poll.field_secret", radios("secret", ["named", "secret"], values.secret ? "secret" : "named", "poll.secrecy", syncSecret)),
      field("poll.field_eligibility", radios("eligibility", ["delegates", "present"], values.eligibility, "poll.eligibility")),
      h("div", { class: "pc-row" }, field("poll.field_rule", rule), field("poll.field_base", base)),
      field("poll.field_duration", duration),
      checkbox("allow_change", values.allow_change, "poll.allow_change", "poll.allow_change_hint"),
      running,
      h("details", { class: "pc-more" }, h("summary", { i18n: "poll.field_description" }), description),
    );

    const saveDraft = h("button", { type: "submit", class: "btn btn-secondary btn-lg", i18n: "poll.save_draft", dataset: { action: "poll-save" }, value: "draft" });
    const saveOpen = h("button", { type: "submit", class: "btn btn-primary btn-lg", i18n: poll ? "poll.save_open" : "poll.create_open", dataset: { action: "poll-create-open" }, value: "open" });
    const busy = store.state && store.state.poll && store.state.poll.current && store.state.poll.current.status === "open";
    if (busy) {
      saveOpen.disabled = true;
      saveOpen.title = t("poll.one_open_at_a_time");
    }
    dialog.replaceChildren(
      h(
        "div",
        { class: "pc-dialog-inner" },
        h(
          "header",
          { class: "pc-dialog-head" },
          h("h2", { id: "poll-form-title", i18n: poll ? "poll.edit_title" : "poll.new_title" }),
          h("button", { type: "button", class: "btn btn-ghost", i18n: "poll.form_close", dataset: { action: "poll-form-close" }, on: { click: () => dialog.close() } }),
        ),
        form,
        h("footer", { class: "pc-dialog-foot" }, saveDraft, saveOpen),
      ),
    );
    syncKind();
    syncSecret();

    function collect() {
      const data = new FormData(form);
      const kind = data.get("kind");
      const payload = {
        title: String(data.get("title") || "").trim(),
        description: String(description.value || "").trim(),
        agenda_item_id: data.get("agenda_item_id") ? Number(data.get("agenda_item_id")) : null,
        kind,
        secret: data.get("secret") === "secret",
        eligibility: data.get("eligibility"),
        rule: data.get("rule"),
        percent_base: data.get("percent_base"),
        duration_seconds: Number(data.get("duration_seconds")) || null,
        allow_change: data.get("allow_change") === "on",
        show_running_tally: data.get("show_running_tally") === "on",
        options: [],
        min_choices: 1,
        max_choices: 1,
      };
      if (kind !== "yes_no") {
        payload.options = String(options.value || "").split("\n").map((s) => s.trim()).filter(Boolean);
        if (kind === "multiple") {
          payload.min_choices = Number(minInput.value) || 0;
          payload.max_choices = Number(maxInput.value) || 1;
        }
      }
      if (!payload.title) return { problem: "poll.problem_title" };
      if (kind !== "yes_no" && payload.options.length < 2) return { problem: "poll.problem_options" };
      if (new Set(payload.options).size !== payload.options.length) return { problem: "poll.problem_duplicates" };
      if (kind === "multiple" && (payload.max_choices > payload.options.length || payload.min_choices > payload.max_choices)) {
        return { problem: "poll.problem_minmax" };
      }
      return { payload };
    }

    form.id = "poll-form";
    saveDraft.setAttribute("form", "poll-form");
    saveOpen.setAttribute("form", "poll-form");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = event.submitter || saveDraft;
      const { payload, problem } = collect();
      if (problem) {
        error.textContent = t(problem);
        error.hidden = false;
        return;
      }
      error.hidden = true;
      const ack = poll
        ? await runCommand("poll.update", { meeting_id: meetingId, poll_id: poll.id, ...payload }, { button, store, quiet: ["invalid_payload", "conflict"] })
        : await runCommand("poll.create", { meeting_id: meetingId, ...payload }, { button, store, quiet: ["invalid_payload"] });
      if (!ack || !ack.ok) {
        if (ack && ack.error) {
          error.textContent = pollError(ack.error);
          error.hidden = false;
        }
        return;
      }
      if (button.value === "open") {
        const opened = await runCommand("poll.open", { meeting_id: meetingId, poll_id: ack.data.poll.id }, { button, store });
        if (!opened || !opened.ok) return; // the toast said why; the draft is kept
      } else {
        toast("poll.saved");
      }
      dialog.close();
    });
    dialog.showModal();
    title.focus();
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

// The chair's poll settings form (create or edit a draft, optionally open it at once), in
// the <dialog> of the poll panel (chair.js) so the console's columns stay as they are.

import { h } from "../dom.js";
import { t } from "../i18n.js";
import { currentItem, itemNumbers } from "../meeting-lookups.js";
import { toast } from "../toast.js";
import { runCommand } from "../views/room-common.js";
import { pollError } from "./model.js";

const DURATIONS = [0, 30, 60, 120, 180, 300, 600];
const RULES = ["absolute", "two_thirds", "cast", "simple"];
const BASES = ["entitled", "present", "cast"];
const KINDS = ["yes_no", "single", "multiple"];

export function durationText(seconds) {
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

export function openPollForm(dialog, store, poll) {
  const meetingId = store.meetingId;
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

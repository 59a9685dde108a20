// #/meetings/:id/agenda — the secretary's agenda editor and document management.
//
// Items and sub-items (numbered 1, 1.1 …) with planned minutes, a presenter picked from
// the meeting's participants or typed (an outside presenter), notes; add, edit in place,
// delete with a second tap; reorder by drag (sortable.js, by the grip) or with up/down.
// Documents per item: drop PDF files onto an item (or its file button on tablets), with
// upload progress; then rename, replace with a new version, withdraw, sensitivity, and
// move between items (drag, or the "item" selector). Documents without an item are listed
// apart. A bar shows the planned total against the meeting's planned duration and warns
// (never refuses) when the agenda runs past the planned end.
//
// The agenda comes from the meeting store (snapshot + agenda.updated), documents from REST
// (reloaded on document.changed). Rows are kept by id and updated in place: typing never
// re-renders anything, and a field being edited is never overwritten by an event.

import { plannedFit, presenterChoices, totalMinutes } from "../agenda-time.js";
import { api } from "../api.js";
import { h, icon, setI18n } from "../dom.js";
import { errorMessage, formatTime, t } from "../i18n.js";
import { createMeetingStore } from "../meeting-state.js";
import { itemNumbers } from "../meeting-lookups.js";
import { registerView } from "../router.js";
import { makeSortable, moved } from "../sortable.js";
import { toast } from "../toast.js";
import { progressRow, uploadDocument } from "../viewer/upload.js";
import { prepareTabs } from "./prepare-tabs.js";
import { ICONS, confirmButton, roleLabelKey, runCommand, scheduleText } from "./room-common.js";

const css = document.createElement("link");
css.rel = "stylesheet";
css.href = "/static/css/agenda-editor.css";
document.head.append(css);
// The viewer's stylesheet styles the progress rows of uploads.
const docsCss = document.createElement("link");
docsCss.rel = "stylesheet";
docsCss.href = "/static/css/documents.css";
if (!document.querySelector('link[href="/static/css/documents.css"]')) document.head.append(docsCss);

const DOC_TYPE = "application/x-meeting-document";
const FILE_ACCEPT = ".pdf,application/pdf,.doc,.docx,.odt,.rtf,.xls,.xlsx,.ods,.ppt,.pptx,.odp";
const SENSITIVITIES = ["public", "internal", "confidential"];
let serial = 0;

/** The drag handle of a row: only the grip starts a drag (inputs stay selectable); the
 *  row is marked draggable for the length of the drag, and is what the pointer carries. */
function grip(row, labelKey, params) {
  const handle = h(
    "span",
    { class: "ae-grip", role: "img", draggable: "true", "aria-label": t(labelKey, params), title: t(labelKey, params) },
    icon(ICONS.grip, 22),
  );
  handle.addEventListener("dragstart", () => {
    row.setAttribute("draggable", "true");
  });
  row.addEventListener("dragend", () => row.setAttribute("draggable", "false"));
  return handle;
}

/** Does this drag carry files or one of our documents? */
function dragKind(event) {
  const types = [...(event.dataTransfer ? event.dataTransfer.types : [])];
  if (types.includes(DOC_TYPE)) return "document";
  if (types.includes("Files")) return "files";
  return null;
}

function render(ctx) {
  const meetingId = Number(ctx.params.id);
  const store = createMeetingStore(meetingId);
  ctx.onCleanup(() => store.stop());

  let meeting = null;
  let items = [];
  let people = presenterChoices([]);
  let docs = [];
  let canManageDocs = false;
  let dragging = false;
  let pendingRender = false;

  const rows = new Map(); // item id -> row controller
  const docRows = new Map(); // document id -> doc row controller

  // ------------------------------------------------------------------ frame
  const heading = h("h1", { class: "ae-heading", i18n: "agenda_editor.title" });
  const schedule = h("p", { class: "ae-schedule" });
  const notice = h("div", { class: "ae-notice", hidden: true });
  const timeText = h("span", { class: "ae-time-text" });
  const barFill = h("span", { class: "ae-bar-fill" });
  const bar = h("span", { class: "ae-bar", "aria-hidden": "true" }, barFill);
  const timeWarn = h("p", { class: "ae-time-warn", role: "alert", hidden: true });
  const timeBox = h(
    "section",
    { class: "ae-time", "aria-live": "polite", dataset: { testid: "agenda-time" } },
    h("span", { class: "ae-time-icon" }, icon(ICONS.clock, 26)),
    h("div", { class: "ae-time-body" }, timeText, bar, timeWarn),
  );
  const list = h("ol", { class: "ae-list", i18nAttr: { "aria-label": "agenda_editor.items" } });
  const empty = h("p", { class: "ae-empty", i18n: "agenda_editor.empty" });
  const datalist = h("datalist", { id: `ae-people-${meetingId}-${++serial}` });

  const addTitle = h("input", {
    class: "input ae-add-title",
    name: "title",
    maxlength: "300",
    required: true,
    i18nAttr: { placeholder: "agenda_editor.new_item_placeholder", "aria-label": "agenda_editor.new_item_title" },
  });
  const addMinutes = h("input", {
    class: "input ae-minutes",
    type: "number",
    min: "1",
    max: "600",
    value: "10",
    inputmode: "numeric",
    i18nAttr: { "aria-label": "agenda_editor.minutes_label" },
  });
  const addForm = h(
    "form",
    { class: "ae-add", on: { submit: (e) => { e.preventDefault(); addItem(e.submitter || addButton); } } },
    addTitle,
    h("label", { class: "ae-minutes-field" }, addMinutes, h("span", { i18n: "agenda_editor.minutes_unit" })),
    null,
  );
  const addButton = h("button", { type: "submit", class: "btn btn-primary ae-add-btn" }, icon(ICONS.plus, 22), h("span", { i18n: "agenda_editor.add_item" }));
  addForm.append(addButton);

  const looseList = h("ul", { class: "ae-doclist" });
  const looseUploads = h("ul", { class: "dv-uploads ae-uploads" });
  const looseZone = docZone(null, looseList, looseUploads);
  const looseCard = h(
    "section",
    { class: "card ae-loose", dataset: { testid: "unattached-documents" } },
    h("h2", { class: "card-title", i18n: "agenda_editor.unattached_title" }),
    h("p", { class: "ae-hint", i18n: "agenda_editor.unattached_hint" }),
    looseZone,
  );

  const agendaCard = h(
    "section",
    { class: "card ae-agenda" },
    h("h2", { class: "card-title", i18n: "agenda_editor.items" }),
    h("p", { class: "ae-hint", i18n: "agenda_editor.items_hint" }),
    list,
    empty,
    addForm,
    datalist,
  );
  const body = h("div", { class: "ae-layout", hidden: true }, agendaCard, looseCard);
  const loading = h("p", { class: "ae-loading", i18n: "agenda_editor.loading" });
  ctx.root.append(prepareTabs(meetingId, "agenda"), h("div", { class: "ae-head" }, heading, schedule), notice, timeBox, loading, body);
  timeBox.hidden = true;

  ctx.onCleanup(
    makeSortable(list, {
      rowSelector: "li.ae-item",
      group: (row) => row.dataset.parent || "",
      onReorder: (ids, group) => reorder(ids, group ? Number(group) : null),
      onDragState: (on) => {
        dragging = on;
        if (!on && pendingRender) renderAgenda();
      },
    }),
  );

  // ------------------------------------------------------------------ commands
  async function send(name, payload, button) {
    const ack = await runCommand(name, { meeting_id: meetingId, ...payload }, { button, store });
    return ack && ack.ok ? ack : null;
  }

  async function addItem(button) {
    const title = addTitle.value.trim();
    if (!title) {
      addTitle.focus();
      toast("agenda_editor.title_required", { kind: "error" });
      return;
    }
    const minutes = clampMinutes(addMinutes.value);
    const ack = await send("agenda.create", { title, planned_minutes: minutes }, button);
    if (ack) {
      addTitle.value = "";
      addMinutes.value = "10";
      addTitle.focus();
    }
  }

  function reorder(ids, parentId) {
    send("agenda.reorder", { parent_id: parentId, item_ids: ids });
  }

  function clampMinutes(value) {
    const n = Math.round(Number(value));
    return Number.isFinite(n) ? Math.min(600, Math.max(1, n)) : 10;
  }

  // ------------------------------------------------------------------ one agenda row
  function makeRow(item) {
    const row = h("li", { class: ["ae-item", item.parent_id != null && "ae-sub"], dataset: { id: String(item.id), parent: item.parent_id != null ? String(item.parent_id) : "" } });
    row.setAttribute("draggable", "false");
    const num = h("span", { class: "ae-num" });
    const title = h("input", { class: "input ae-title", maxlength: "300", i18nAttr: { "aria-label": "agenda_editor.item_title" } });
    const minutes = h("input", { class: "input ae-minutes", type: "number", min: "1", max: "600", inputmode: "numeric", i18nAttr: { "aria-label": "agenda_editor.minutes_label" } });
    const presenter = h("input", {
      class: "input ae-presenter",
      list: datalist.id,
      maxlength: "200",
      autocomplete: "off",
      i18nAttr: { placeholder: "agenda_editor.presenter_placeholder", "aria-label": "agenda_editor.presenter" },
    });
    const kind = h("span", { class: "ae-presenter-kind" });
    const notes = h("textarea", { class: "input ae-notes-text", rows: "3", maxlength: "4000", i18nAttr: { "aria-label": "agenda_editor.notes" } });
    const notesBox = h("details", { class: "ae-notes" }, h("summary", { i18n: "agenda_editor.notes" }), notes);
    const up = h("button", { type: "button", class: "btn btn-ghost btn-icon ae-up" }, icon(ICONS.up, 22));
    const down = h("button", { type: "button", class: "btn btn-ghost btn-icon ae-down" }, icon(ICONS.down, 22));
    const remove = confirmButton({
      className: "btn btn-ghost ae-delete",
      labelKey: "agenda_editor.delete",
      confirmKey: "agenda_editor.delete_confirm",
      focusKey: `delete-${item.id}`,
      onConfirm: (button) => send("agenda.delete", { item_id: item.id }, button),
    });
    const subButton = item.parent_id == null
      ? h("button", { type: "button", class: "btn btn-secondary ae-add-sub", on: { click: () => toggleSubForm(true) } }, icon(ICONS.plus, 20), h("span", { i18n: "agenda_editor.add_sub_item" }))
      : null;
    const subTitle = h("input", { class: "input ae-sub-title", maxlength: "300", i18nAttr: { placeholder: "agenda_editor.new_sub_item_placeholder", "aria-label": "agenda_editor.new_sub_item_title" } });
    const subForm = item.parent_id == null
      ? h(
          "form",
          {
            class: "ae-subform",
            hidden: true,
            on: {
              submit: async (e) => {
                e.preventDefault();
                const text = subTitle.value.trim();
                if (!text) return subTitle.focus();
                const ack = await send("agenda.create", { title: text, parent_id: item.id, planned_minutes: 5 }, e.submitter);
                if (ack) {
                  subTitle.value = "";
                  subTitle.focus();
                }
              },
              keydown: (e) => { if (e.key === "Escape") toggleSubForm(false); },
            },
          },
          subTitle,
          h("button", { type: "submit", class: "btn btn-primary", i18n: "agenda_editor.add" }),
          h("button", { type: "button", class: "btn btn-ghost", i18n: "agenda_editor.done", on: { click: () => toggleSubForm(false) } }),
        )
      : null;
    function toggleSubForm(open) {
      subForm.hidden = !open;
      if (open) subTitle.focus();
    }

    const docList = h("ul", { class: "ae-doclist" });
    const uploads = h("ul", { class: "dv-uploads ae-uploads" });
    const zone = docZone(item.id, docList, uploads);
    const dragGrip = grip(row, "agenda_editor.drag_item");

    row.append(
      h(
        "div",
        { class: "ae-row" },
        dragGrip,
        num,
        h(
          "div",
          { class: "ae-fields" },
          title,
          h(
            "div",
            { class: "ae-meta" },
            h("label", { class: "ae-minutes-field" }, minutes, h("span", { i18n: "agenda_editor.minutes_unit" })),
            h("div", { class: "ae-presenter-field" }, presenter, kind),
          ),
        ),
        h("div", { class: "ae-actions" }, up, down, subButton, remove),
      ),
      notesBox,
      zone,
      ...(subForm ? [subForm] : []),
    );

    const state = { item, siblings: [] };
    // Edits are sent when a field is left (change), never per keystroke; a field being
    // edited keeps what the person typed even when an event arrives meanwhile.
    for (const input of [title, minutes, presenter, notes]) {
      input.addEventListener("input", () => { input.dataset.dirty = "1"; });
    }
    title.addEventListener("keydown", (e) => { if (e.key === "Enter") title.blur(); });
    minutes.addEventListener("keydown", (e) => { if (e.key === "Enter") minutes.blur(); });
    presenter.addEventListener("keydown", (e) => { if (e.key === "Enter") presenter.blur(); });
    title.addEventListener("change", async () => {
      const text = title.value.trim();
      if (!text) {
        toast("agenda_editor.title_required", { kind: "error" });
        title.dataset.dirty = "";
        title.value = state.item.title;
        return;
      }
      await save({ title: text }, title);
    });
    minutes.addEventListener("change", () => {
      const value = clampMinutes(minutes.value);
      minutes.value = String(value);
      save({ planned_minutes: value }, minutes);
    });
    presenter.addEventListener("change", () => {
      const text = presenter.value.trim();
      const person = people.match(text);
      save(person ? { presenter_user_id: person.userId } : { presenter_user_id: null, presenter: text }, presenter);
    });
    notes.addEventListener("change", () => save({ notes: notes.value }, notes));
    up.addEventListener("click", (e) => {
      const order = moved(state.siblings, state.item.id, -1);
      if (order) send("agenda.reorder", { parent_id: state.item.parent_id, item_ids: order }, e.currentTarget);
    });
    down.addEventListener("click", (e) => {
      const order = moved(state.siblings, state.item.id, +1);
      if (order) send("agenda.reorder", { parent_id: state.item.parent_id, item_ids: order }, e.currentTarget);
    });

    async function save(fields, input) {
      input.classList.add("is-saving");
      const ack = await send("agenda.update", { item_id: state.item.id, ...fields });
      input.classList.remove("is-saving");
      input.dataset.dirty = "";
      if (ack) {
        input.classList.add("is-saved");
        setTimeout(() => input.classList.remove("is-saved"), 1200);
      } else {
        fill(true); // refused: show what the server has
      }
    }

    function setValue(input, value, force) {
      if (!force && (input.dataset.dirty === "1" || document.activeElement === input)) return;
      if (input.value !== value) input.value = value;
    }

    function fill(force = false) {
      const it = state.item;
      setValue(title, it.title, force);
      setValue(minutes, String(it.planned_minutes), force);
      const choice = it.presenter_user_id != null ? people.choices.find((c) => c.userId === it.presenter_user_id) : null;
      setValue(presenter, choice ? choice.label : it.presenter, force);
      setValue(notes, it.notes || "", force);
      const key = it.presenter_user_id != null ? "agenda_editor.presenter_person" : it.presenter ? "agenda_editor.presenter_outside" : "";
      kind.dataset.kind = it.presenter_user_id != null ? "person" : it.presenter ? "outside" : "";
      if (key) setI18n(kind, key);
      else kind.textContent = "";
      if (it.notes && !notesBox.open && !notesBox.dataset.touched) notesBox.open = true;
    }
    notesBox.addEventListener("toggle", () => { notesBox.dataset.touched = "1"; });

    return {
      row,
      docList,
      uploads,
      update(item, number, siblings) {
        state.item = item;
        state.siblings = siblings;
        num.textContent = number;
        row.dataset.title = item.title;
        row.dataset.parent = item.parent_id != null ? String(item.parent_id) : "";
        const index = siblings.indexOf(item.id);
        up.disabled = index <= 0;
        down.disabled = index < 0 || index >= siblings.length - 1;
        up.setAttribute("aria-label", t("room.move_up", { title: item.title }));
        down.setAttribute("aria-label", t("room.move_down", { title: item.title }));
        up.title = t("room.move_up_short");
        down.title = t("room.move_down_short");
        dragGrip.setAttribute("aria-label", t("agenda_editor.drag_item_named", { title: item.title }));
        fill();
      },
    };
  }

  // ------------------------------------------------------------------ document zones
  /** A drop zone for files and documents; itemId null: the unattached documents. */
  function docZone(itemId, docList, uploads) {
    const input = h("input", { type: "file", class: "visually-hidden", accept: FILE_ACCEPT, multiple: true, id: `ae-file-${meetingId}-${itemId || "loose"}-${++serial}` });
    input.addEventListener("change", () => {
      const files = [...input.files];
      input.value = "";
      uploadFiles(files, { agenda_item_id: itemId }, uploads);
    });
    const zone = h(
      "div",
      { class: "ae-docs", dataset: { zone: itemId == null ? "loose" : String(itemId) } },
      docList,
      uploads,
      h(
        "div",
        { class: "ae-drop" },
        h("span", { class: "ae-drop-hint", i18n: "agenda_editor.drop_hint" }),
        h("label", { class: "btn btn-secondary ae-file-btn", for: input.id, dataset: { manage: "1" } }, h("span", { i18n: "agenda_editor.choose_files" })),
        input,
      ),
    );
    let depth = 0;
    zone.addEventListener("dragenter", (e) => {
      if (!dragKind(e) || !canManageDocs) return;
      depth += 1;
      zone.classList.add("is-drop-target");
    });
    zone.addEventListener("dragleave", () => {
      depth = Math.max(0, depth - 1);
      if (!depth) zone.classList.remove("is-drop-target");
    });
    zone.addEventListener("dragover", (e) => {
      const kind = dragKind(e);
      if (!kind || !canManageDocs) return;
      e.preventDefault();
      e.stopPropagation();
      e.dataTransfer.dropEffect = kind === "files" ? "copy" : "move";
    });
    zone.addEventListener("drop", (e) => {
      const kind = dragKind(e);
      depth = 0;
      zone.classList.remove("is-drop-target");
      if (!kind || !canManageDocs) return;
      e.preventDefault();
      e.stopPropagation();
      if (kind === "document") {
        const docId = Number(e.dataTransfer.getData(DOC_TYPE));
        const doc = docs.find((d) => d.id === docId);
        if (doc && doc.agenda_item_id !== itemId) patchDoc(doc, { agenda_item_id: itemId });
      } else {
        uploadFiles([...e.dataTransfer.files], { agenda_item_id: itemId }, uploads);
      }
    });
    return zone;
  }

  async function uploadFiles(files, fields, uploads) {
    for (const file of files) {
      const progress = progressRow(file.name);
      uploads.append(progress.element);
      try {
        await uploadDocument(meetingId, file, fields, progress);
        setTimeout(() => progress.element.remove(), 2500);
        await reloadDocs();
      } catch {
        // the row shows the translated error; a tap removes it
        progress.element.addEventListener("click", () => progress.element.remove(), { once: true });
      }
    }
  }

  async function patchDoc(doc, body, input) {
    try {
      const data = await api.patch(`/api/documents/${doc.id}`, body);
      Object.assign(doc, data.document);
      if (input) {
        input.classList.add("is-saved");
        setTimeout(() => input.classList.remove("is-saved"), 1200);
      }
      renderDocs();
      return true;
    } catch (error) {
      toast(null, { text: errorMessage(error), kind: "error" });
      await reloadDocs();
      return false;
    }
  }

  function makeDocRow(doc) {
    const row = h("li", { class: "ae-doc", dataset: { docId: String(doc.id) } });
    row.setAttribute("draggable", "false");
    const state = { doc };
    const title = h("input", { class: "input ae-doc-title", maxlength: "300", i18nAttr: { "aria-label": "agenda_editor.doc_title" } });
    const meta = h("span", { class: "ae-doc-meta" });
    const sensitivity = h(
      "select",
      { class: "input ae-sensitivity", i18nAttr: { "aria-label": "agenda_editor.sensitivity" } },
      ...SENSITIVITIES.map((s) => h("option", { value: s, i18n: `agenda_editor.sensitivity_${s}` })),
    );
    const place = h("select", { class: "input ae-place", i18nAttr: { "aria-label": "agenda_editor.doc_item" } });
    const replaceInput = h("input", { type: "file", class: "visually-hidden", accept: ".pdf,application/pdf", id: `ae-replace-${doc.id}-${++serial}` });
    const replaceBtn = h("label", { class: "btn btn-secondary ae-replace", for: replaceInput.id, i18n: "agenda_editor.replace" });
    const withdraw = confirmButton({
      className: "btn btn-ghost ae-withdraw",
      labelKey: "agenda_editor.withdraw",
      confirmKey: "agenda_editor.withdraw_confirm",
      focusKey: `withdraw-${doc.id}`,
      onConfirm: async (button) => {
        button.disabled = true;
        try {
          await api.delete(`/api/documents/${state.doc.id}`);
          toast("agenda_editor.withdrawn", { params: { title: state.doc.title } });
          await reloadDocs();
        } catch (error) {
          toast(null, { text: errorMessage(error), kind: "error" });
        } finally {
          button.disabled = false;
        }
      },
    });
    row.append(
      grip(row, "agenda_editor.drag_doc"),
      h("div", { class: "ae-doc-main" }, title, meta),
      h("div", { class: "ae-doc-actions" }, sensitivity, place, replaceBtn, replaceInput, withdraw),
    );
    row.addEventListener("dragstart", (e) => {
      if (row.getAttribute("draggable") !== "true") return;
      e.stopPropagation(); // not an agenda reorder
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData(DOC_TYPE, String(state.doc.id));
      row.classList.add("is-dragging");
    });
    row.addEventListener("dragend", () => row.classList.remove("is-dragging"));
    title.addEventListener("input", () => { title.dataset.dirty = "1"; });
    title.addEventListener("keydown", (e) => { if (e.key === "Enter") title.blur(); });
    title.addEventListener("change", async () => {
      const text = title.value.trim();
      title.dataset.dirty = "";
      if (!text) {
        title.value = state.doc.title;
        toast("agenda_editor.title_required", { kind: "error" });
        return;
      }
      await patchDoc(state.doc, { title: text }, title);
    });
    sensitivity.addEventListener("change", () => patchDoc(state.doc, { sensitivity: sensitivity.value }, sensitivity));
    place.addEventListener("change", () => patchDoc(state.doc, { agenda_item_id: place.value ? Number(place.value) : null }, place));
    replaceInput.addEventListener("change", () => {
      const [file] = replaceInput.files;
      replaceInput.value = "";
      if (!file) return;
      const zone = state.doc.agenda_item_id != null && rows.get(state.doc.agenda_item_id);
      uploadFiles([file], { replaces_id: state.doc.id }, zone ? zone.uploads : looseUploads);
    });
    let placeKey = "";
    return {
      row,
      update(d, placeOptions) {
        state.doc = d;
        if (title.dataset.dirty !== "1" && document.activeElement !== title && title.value !== d.title) title.value = d.title;
        meta.replaceChildren(
          ...[
            h("span", { i18n: "agenda_editor.doc_pages", i18nParams: { n: d.page_count } }),
            d.version > 1 ? h("span", { class: "ae-version", i18n: "agenda_editor.doc_version", i18nParams: { n: d.version } }) : null,
            d.sensitivity === "confidential" ? h("span", { class: "ae-no-download", i18n: "agenda_editor.no_download" }) : null,
          ].filter(Boolean),
        );
        sensitivity.value = d.sensitivity;
        sensitivity.dataset.level = d.sensitivity;
        if (placeOptions.key !== placeKey) {
          placeKey = placeOptions.key;
          place.replaceChildren(...placeOptions.build());
        }
        place.value = d.agenda_item_id != null ? String(d.agenda_item_id) : "";
      },
    };
  }

  function placeOptionsFor(numbers) {
    const key = `${document.documentElement.lang}|${items.map((i) => `${i.id}:${numbers.get(i.id)}:${i.title}`).join("|")}`;
    return {
      key,
      build: () => [
        h("option", { value: "", text: t("agenda_editor.no_item") }),
        ...items.map((i) => h("option", { value: String(i.id), text: `${numbers.get(i.id)}. ${i.title}` })),
      ],
    };
  }

  function renderDocs() {
    const numbers = itemNumbers(items);
    const options = placeOptionsFor(numbers);
    const byZone = new Map();
    const known = new Set(items.map((i) => i.id));
    for (const doc of docs) {
      const zone = doc.agenda_item_id != null && known.has(doc.agenda_item_id) ? doc.agenda_item_id : null;
      if (!byZone.has(zone)) byZone.set(zone, []);
      byZone.get(zone).push(doc);
    }
    const alive = new Set();
    const place = (listEl, zoneDocs) => {
      const wanted = zoneDocs.map((doc) => {
        let ctl = docRows.get(doc.id);
        if (!ctl) {
          ctl = makeDocRow(doc);
          docRows.set(doc.id, ctl);
        }
        ctl.update(doc, options);
        alive.add(doc.id);
        return ctl.row;
      });
      const current = [...listEl.children];
      if (current.length !== wanted.length || current.some((el, i) => el !== wanted[i])) listEl.replaceChildren(...wanted);
    };
    for (const [id, ctl] of rows) place(ctl.docList, byZone.get(id) || []);
    place(looseList, byZone.get(null) || []);
    looseList.dataset.count = String((byZone.get(null) || []).length);
    for (const [id, ctl] of docRows) {
      if (!alive.has(id)) {
        ctl.row.remove();
        docRows.delete(id);
      }
    }
    for (const el of body.querySelectorAll("[data-manage]")) el.hidden = !canManageDocs;
  }

  // ------------------------------------------------------------------ agenda rendering
  function renderAgenda() {
    if (dragging) {
      pendingRender = true;
      return;
    }
    pendingRender = false;
    const numbers = itemNumbers(items);
    const siblings = new Map();
    for (const item of items) {
      const key = item.parent_id ?? null;
      if (!siblings.has(key)) siblings.set(key, []);
      siblings.get(key).push(item.id);
    }
    const wanted = [];
    const alive = new Set();
    for (const item of items) {
      let ctl = rows.get(item.id);
      if (!ctl) {
        ctl = makeRow(item);
        rows.set(item.id, ctl);
      }
      ctl.update(item, numbers.get(item.id), siblings.get(item.parent_id ?? null));
      alive.add(item.id);
      wanted.push(ctl.row);
    }
    for (const [id, ctl] of rows) {
      if (!alive.has(id)) {
        ctl.row.remove();
        rows.delete(id);
      }
    }
    const current = [...list.children];
    if (current.length !== wanted.length || current.some((el, i) => el !== wanted[i])) {
      // Move only what is out of place: a focused field that stays put keeps its focus.
      wanted.forEach((row, i) => {
        if (list.children[i] !== row) list.insertBefore(row, list.children[i] || null);
      });
    }
    empty.hidden = items.length > 0;
    renderTime();
    renderDocs();
  }

  function renderTime() {
    if (!meeting) return;
    const total = (store.state.agenda && store.state.agenda.planned_minutes_total) ?? totalMinutes(items);
    const fit = plannedFit(total, meeting.starts_at, meeting.ends_at);
    timeBox.hidden = false;
    timeBox.dataset.over = fit.over > 0 ? "1" : "0";
    if (fit.available == null) {
      setI18n(timeText, "agenda_editor.total_only", { total: fit.total });
      barFill.style.width = "0";
    } else {
      setI18n(timeText, "agenda_editor.total_of", { total: fit.total, available: fit.available, end: formatTime(meeting.ends_at) });
      barFill.style.width = `${Math.round(fit.ratio * 100)}%`;
    }
    timeWarn.hidden = fit.over <= 0;
    if (fit.over > 0) {
      setI18n(timeWarn, "agenda_editor.over_end", { over: fit.over, end: formatTime(meeting.ends_at), planned: formatTime(fit.plannedEndAt) });
    }
  }

  function renderHead() {
    if (!meeting) return;
    heading.removeAttribute("data-i18n");
    heading.textContent = t("agenda_editor.heading", { title: meeting.title });
    schedule.textContent = scheduleText(meeting);
    const closed = meeting.status === "ended" || meeting.status === "cancelled";
    notice.hidden = !closed;
    notice.className = "alert alert-info ae-notice";
    if (closed) setI18n(notice, "agenda_editor.closed");
  }

  function applyState(state) {
    if (!state) return;
    meeting = state.meeting;
    if (!store.can("meeting.edit")) {
      loading.hidden = true;
      body.hidden = true;
      timeBox.hidden = true;
      notice.hidden = false;
      notice.className = "alert alert-error ae-notice";
      setI18n(notice, "agenda_editor.no_permission");
      return;
    }
    items = (state.agenda && state.agenda.items) || [];
    loading.hidden = true;
    body.hidden = false;
    renderHead();
    renderAgenda();
  }

  // ------------------------------------------------------------------ loading
  let docsTimer = null;
  let docsRun = null;
  async function reloadDocs() {
    if (docsRun) return docsRun;
    docsRun = (async () => {
      try {
        const data = await api.get(`/api/meetings/${meetingId}/documents`);
        docs = data.documents;
        canManageDocs = data.can_manage;
        renderDocs();
      } catch (error) {
        toast(null, { text: errorMessage(error), kind: "error" });
      }
    })();
    try {
      await docsRun;
    } finally {
      docsRun = null;
    }
  }

  async function loadPeople() {
    try {
      const detail = await api.get(`/api/meetings/${meetingId}`);
      people = presenterChoices(detail.participants);
      datalist.replaceChildren(
        ...people.choices.map((c) => h("option", { value: c.label, text: t(roleLabelKey(c.role)) })),
      );
      if (store.state) renderAgenda();
    } catch (error) {
      toast(null, { text: errorMessage(error), kind: "error" });
    }
  }

  ctx.onCleanup(store.subscribe((state) => applyState(state)));
  ctx.onCleanup(
    store.onEvent((name) => {
      if (name !== "document.changed") return;
      clearTimeout(docsTimer);
      docsTimer = setTimeout(reloadDocs, 150); // several uploads finishing: one reload
    }),
  );
  ctx.onCleanup(() => clearTimeout(docsTimer));
  ctx.onLangChange(() => {
    renderHead();
    renderAgenda();
    for (const [i, option] of [...datalist.children].entries()) option.textContent = t(roleLabelKey(people.choices[i].role));
  });

  return (async () => {
    await Promise.all([store.start(), loadPeople(), reloadDocs()]);
    if (store.error) {
      loading.hidden = true;
      notice.hidden = false;
      notice.className = "alert alert-error ae-notice";
      notice.textContent = errorMessage(store.error);
    }
  })();
}

registerView("/meetings/:id/agenda", render, { name: "agenda-editor", layout: "shell", titleKey: "agenda_editor.title" });

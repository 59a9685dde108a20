// The sticky-note editor and the list of my annotations (tap one to go to its page).

import { h } from "../dom.js";
import { t } from "../i18n.js";

const MAX_NOTE = 2000;

/**
 * Open the note editor over `host`. note: an existing note or null (a new one).
 * readOnly: a shared note of someone else. Resolves {action: "save"|"delete"|"share"|null, text}.
 */
export function noteDialog(host, { note = null, readOnly = false, canShare = false }) {
  return new Promise((resolve) => {
    const area = h("textarea", {
      class: "input an-note-text",
      maxlength: String(MAX_NOTE),
      rows: "5",
      readonly: readOnly,
      i18nAttr: { placeholder: "annot.note_placeholder", "aria-label": "annot.note" },
    });
    area.value = note ? note.text : "";
    const close = (action) => {
      box.remove();
      resolve({ action, text: area.value.trim() });
    };
    const buttons = [
      h("button", { type: "button", class: "btn btn-ghost", i18n: "common.cancel", on: { click: () => close(null) } }),
    ];
    if (note && !readOnly) {
      buttons.unshift(h("button", { type: "button", class: "btn btn-ghost an-danger", i18n: "annot.delete", dataset: { action: "delete" }, on: { click: () => close("delete") } }));
      if (canShare) buttons.push(h("button", { type: "button", class: "btn btn-secondary", i18n: "annot.share", dataset: { action: "share" }, on: { click: () => close("share") } }));
    }
    if (!readOnly) {
      buttons.push(h("button", { type: "button", class: "btn btn-primary", i18n: "annot.save", dataset: { action: "save" }, on: { click: () => { if (area.value.trim()) close("save"); else area.focus(); } } }));
    }
    // A tap outside closes the box only if the press also began outside: the box opens on
    // the pointerup of the very tap that asked for it, and that tap's click then lands on
    // the backdrop (touch hit-tests the click after pointerup; a mouse does not).
    let pressedOutside = false;
    const box = h(
      "div",
      {
        class: "an-dialog-backdrop",
        on: {
          pointerdown: (e) => { pressedOutside = e.target === box; },
          click: (e) => {
            if (e.target === box && pressedOutside) close(null);
            pressedOutside = false;
          },
        },
      },
      h(
        "div",
        { class: "an-dialog card", role: "dialog", "aria-modal": "true", i18nAttr: { "aria-label": "annot.note" } },
        h("h3", { class: "an-dialog-title", i18n: readOnly ? "annot.note_shared" : note ? "annot.note_edit" : "annot.note_new" }),
        note && note.owner_name && note.scope === "shared" ? h("p", { class: "an-note-by", text: note.owner_name }) : null,
        area,
        h("div", { class: "an-dialog-actions" }, ...buttons),
      ),
    );
    box.addEventListener("keydown", (e) => { if (e.key === "Escape") close(null); });
    host.append(box);
    area.focus();
  });
}

const KIND_KEYS = { ink: "annot.kind_ink", highlighter: "annot.kind_highlighter", text_highlight: "annot.kind_text", note: "annot.kind_note" };

/** The side drawer listing annotations by page. */
export function createList(host, { onPick, onClose }) {
  const body = h("ol", { class: "an-list-items" });
  const element = h(
    "aside",
    { class: "an-list", hidden: true, i18nAttr: { "aria-label": "annot.list" } },
    h("div", { class: "an-list-head" },
      h("h3", { i18n: "annot.list" }),
      h("button", { type: "button", class: "btn btn-ghost an-btn", "aria-label": t("common.close"), text: "✕", on: { click: onClose } })),
    body,
  );
  host.append(element);

  function render(mine, shared) {
    const rows = [...mine.map((a) => ({ a, shared: false })), ...shared.map((a) => ({ a, shared: true }))];
    rows.sort((x, y) => x.a.page - y.a.page || String(x.a.created_at || "").localeCompare(String(y.a.created_at || "")));
    body.replaceChildren(
      ...(rows.length ? [] : [h("li", { class: "an-list-empty", i18n: "annot.list_empty" })]),
      ...rows.map(({ a, shared }) =>
        h("li", {},
          h("button", { type: "button", class: "an-list-item", dataset: { page: String(a.page), id: a.id }, on: { click: () => onPick(a.page) } },
            h("span", { class: "an-list-page", i18n: "docs.page_n", i18nParams: { n: a.page + 1 } }),
            h("span", { class: "an-list-swatch", style: `--swatch:${a.color}` }),
            h("span", { class: "an-list-kind", i18n: KIND_KEYS[a.kind] || "annot.kind_ink" }),
            shared ? h("span", { class: "an-list-shared", i18n: "annot.shared_badge" }) : null,
            a.text ? h("span", { class: "an-list-text", text: a.text.slice(0, 120) }) : null,
          ),
        ),
      ),
    );
  }

  return {
    element,
    render,
    toggle(on) { element.hidden = on === undefined ? !element.hidden : !on; },
    isOpen: () => !element.hidden,
  };
}

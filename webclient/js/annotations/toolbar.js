// The annotation toolbar under the page: tools, colours, widths, undo/redo, the list,
// and for the presenter "draw for the whole room", the laser and "clear this page".
// Every control is at least 48 px; labels come from the catalogs (annot.*).

import { h, svg } from "../dom.js";
import { t } from "../i18n.js";

const PATHS = {
  none: "M9 11V6a1.5 1.5 0 013 0v5m0-1V4.5a1.5 1.5 0 013 0V10m0 0V6a1.5 1.5 0 013 0v8a6 6 0 01-6 6h-1a6 6 0 01-5-2.7L3.5 13a1.5 1.5 0 012.4-1.8L9 14",
  pen: "M4 20l4-1L19 8l-3-3L5 16l-1 4zM14 7l3 3",
  highlighter: "M5 19h6M9 15l-3 4h5l2-3M9 15l7-10 4 3-7 10z",
  text: "M4 6h16M4 12h10M4 18h13",
  note: "M5 4h14v11l-5 5H5zM14 20v-5h5",
  eraser: "M8 20h12M4.5 14.5l9-9a2 2 0 012.8 0l2.2 2.2a2 2 0 010 2.8L11 18H7.5z",
  laser: "M12 12m-3 0a3 3 0 106 0 3 3 0 10-6 0M12 2v4M12 18v4M2 12h4M18 12h4",
  undo: "M9 14L4 9l5-5M4 9h10a6 6 0 010 12h-3",
  redo: "M15 14l5-5-5-5M20 9H10a6 6 0 000 12h3",
  list: "M8 6h12M8 12h12M8 18h12M4 6h.01M4 12h.01M4 18h.01",
  room: "M3 18v-1a4 4 0 014-4h4a4 4 0 014 4v1M9 9m-3 0a3 3 0 106 0 3 3 0 10-6 0M17 11a3 3 0 000-6M21 18v-1a4 4 0 00-3-3.9",
  clear: "M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3",
  download: "M12 4v11m0 0l-4-4m4 4l4-4M5 20h14",
};

export const COLORS = ["#d32f2f", "#1565c0", "#2e7d32", "#212121"];
export const HIGHLIGHTS = ["#ffeb3b", "#80deea", "#a5d6a7", "#f48fb1"];
export const WIDTHS = { pen: [1.5, 3, 6], highlighter: [8, 14, 22] };

function icon(name) {
  return svg("svg", { viewBox: "0 0 24 24", class: "an-icon", "aria-hidden": "true" }, svg("path", { d: PATHS[name] }));
}

function button(name, labelKey, onClick, extra = {}) {
  return h(
    "button",
    {
      type: "button",
      class: ["an-btn", extra.class],
      dataset: { action: name },
      i18nAttr: { "aria-label": labelKey, title: labelKey },
      on: { click: onClick },
    },
    icon(name),
  );
}

/**
 * state: {tool, color, highlight, width: {pen, highlighter}, shared}
 * caps(): {present, clear, download} what this person may do now
 */
export function createToolbar({ state, caps, onTool, onUndo, onRedo, onList, onClear, onChange, downloadHref }) {
  const tools = ["none", "pen", "highlighter", "text", "note", "eraser", "laser"].map((name) =>
    button(name, `annot.tool_${name}`, () => { state.tool = name; onTool(name); render(); }, { class: "an-tool" }),
  );
  const swatches = h("div", { class: "an-group an-swatches", role: "group" });
  const widths = h("div", { class: "an-group an-widths", role: "group" });
  const undo = button("undo", "annot.undo", onUndo);
  const redo = button("redo", "annot.redo", onRedo);
  const list = button("list", "annot.list", onList);
  const room = button("room", "annot.for_room", () => { state.shared = !state.shared; onChange(); render(); }, { class: "an-room" });
  const clear = button("clear", "annot.clear_page", onClear);
  const download = h(
    "a",
    { class: "an-btn", i18nAttr: { "aria-label": "annot.download_mine", title: "annot.download_mine" }, dataset: { action: "download" } },
    icon("download"),
  );
  const pending = h("span", { class: "an-pending", role: "status", hidden: true });
  const element = h(
    "div",
    { class: "an-bar", role: "toolbar", i18nAttr: { "aria-label": "annot.toolbar" } },
    h("div", { class: "an-group", role: "group" }, ...tools),
    swatches,
    widths,
    h("div", { class: "an-group", role: "group" }, undo, redo),
    h("div", { class: "an-group", role: "group" }, room, clear, list, download),
    pending,
  );

  let last = {};
  function render(extra = last) {
    last = extra;
    const c = caps();
    const drawing = state.tool === "pen" || state.tool === "highlighter" || state.tool === "text";
    for (const b of tools) {
      const name = b.dataset.action;
      b.setAttribute("aria-pressed", String(state.tool === name));
      b.hidden = name === "laser" && !c.present;
    }
    room.hidden = !c.present;
    room.setAttribute("aria-pressed", String(Boolean(state.shared)));
    clear.hidden = !c.clear;
    download.hidden = !c.download;
    if (c.download) download.href = downloadHref();
    const highlight = state.tool === "highlighter" || state.tool === "text" || state.tool === "note";
    const palette = highlight ? HIGHLIGHTS : COLORS;
    const chosen = highlight ? state.highlight : state.color;
    swatches.hidden = !(drawing || state.tool === "note");
    swatches.replaceChildren(
      ...palette.map((color) =>
        h("button", {
          type: "button",
          class: "an-btn an-swatch",
          style: `--swatch:${color}`,
          "aria-pressed": String(color === chosen),
          "aria-label": t("annot.color"),
          dataset: { color },
          on: { click: () => { if (highlight) state.highlight = color; else state.color = color; onChange(); render(); } },
        }),
      ),
    );
    const kind = state.tool === "highlighter" ? "highlighter" : "pen";
    widths.hidden = !(state.tool === "pen" || state.tool === "highlighter");
    widths.replaceChildren(
      ...WIDTHS[kind].map((w, i) =>
        h(
          "button",
          {
            type: "button",
            class: "an-btn an-width",
            "aria-pressed": String(state.width[kind] === w),
            i18nAttr: { "aria-label": `annot.width_${i}` },
            dataset: { width: String(w) },
            on: { click: () => { state.width[kind] = w; onChange(); render(); } },
          },
          h("span", { class: "an-dot", style: `--d:${6 + i * 5}px` }),
        ),
      ),
    );
    undo.disabled = !extra.canUndo;
    redo.disabled = !extra.canRedo;
  }

  function setPending(n) {
    pending.hidden = n === 0;
    pending.textContent = n ? t("annot.pending", { n }) : "";
  }

  render();
  return { element, render, setPending };
}

// Annotations on the document viewer: mount once per viewer.
//
//   import { mountAnnotations } from "../annotations/index.js";
//   const notes = mountAnnotations(viewer, { store, screen, meetingId });   // after createViewer
//   notes.destroy();                                                         // with the viewer
//
// Works from the viewer's public surface only: viewer.element, viewer.current(),
// viewer.goTo(); it watches the element's data-doc / data-page and the page element's
// zoom transform, so the viewer needs no hooks. screen "projector" is read-only: the
// meeting's shared marks and the laser, never anyone's private marks.
//
// Shared marks live in the meeting store (`shared_marks` snapshot part); the reducers
// below keep it current from annotation.created / deleted / cleared events.

import { registerReducer } from "../meeting-reducers.js";
import { currentUser } from "../session.js";
import { command, onConnect } from "../socket.js";
import { createLayer } from "./layer.js";
import { createModel } from "./model.js";
import { createList, noteDialog } from "./panels.js";
import { COLORS, HIGHLIGHTS, WIDTHS, createToolbar } from "./toolbar.js";
import { r5, toStored } from "./geometry.js";
import { uuid } from "../uuid.js";

const css = document.createElement("link");
css.rel = "stylesheet";
css.href = "/static/css/annotations.css";
document.head.append(css);

registerReducer("annotation.created", (state, data) => {
  if (!data.annotation) return false; // restricted document: the snapshot says what I may see
  const list = state.shared_marks || (state.shared_marks = []);
  if (!list.some((a) => a.id === data.id)) list.push(data.annotation);
  return undefined;
});
registerReducer("annotation.deleted", (state, data) => {
  state.shared_marks = (state.shared_marks || []).filter((a) => a.id !== data.id);
});
registerReducer("annotation.cleared", (state, data) => {
  const gone = new Set(data.ids);
  state.shared_marks = (state.shared_marks || []).filter((a) => !gone.has(a.id));
});

const SETTINGS_KEY = "phs.annot.tools";

function loadSettings() {
  const base = { tool: "none", color: COLORS[0], highlight: HIGHLIGHTS[0], width: { pen: WIDTHS.pen[1], highlighter: WIDTHS.highlighter[1] }, shared: false };
  try {
    const saved = JSON.parse(localStorage.getItem(SETTINGS_KEY) || "{}");
    return { ...base, ...saved, tool: "none", shared: false, width: { ...base.width, ...(saved.width || {}) } };
  } catch {
    return base;
  }
}

export function mountAnnotations(viewer, { store, screen, meetingId }) {
  const me = currentUser() || {};
  const readOnly = screen === "projector";
  const sheet = viewer.element.querySelector(".dv-page");
  const stage = viewer.element.querySelector(".dv-stage");
  const settings = loadSettings();
  let openDoc = null;

  const caps = () => {
    const { doc } = viewer.current();
    return {
      present: !readOnly && store.can("present"),
      clear: !readOnly && store.can("shared_marks.clear"),
      download: Boolean(doc && doc.downloadable),
    };
  };

  const model = readOnly
    ? createReadOnlyModel(store, () => layer.redraw())
    : createModel({ meetingId, userId: me.id, store, onChange: () => { layer.redraw(); refreshUi(); } });

  function tool() {
    const kind = settings.tool === "highlighter" ? "highlighter" : "pen";
    const highlight = settings.tool === "highlighter" || settings.tool === "text" || settings.tool === "note";
    return {
      name: settings.tool,
      color: highlight ? settings.highlight : settings.color,
      width: settings.width[kind],
      shared: Boolean(settings.shared && caps().present),
      canEraseShared: caps().clear,
    };
  }

  const layer = createLayer(sheet, {
    model,
    getPage: () => viewer.current().page,
    getPageSize: () => {
      const { doc, page } = viewer.current();
      const p = doc && doc.pages && doc.pages[page];
      return p ? { w: p.width, h: p.height } : { w: 595, h: 842 };
    },
    tool,
    onNote: (note, at) => editNote(note, at),
    onLaser: (at) => {
      const { doc, page } = viewer.current();
      if (doc) command("annotation.laser", { meeting_id: meetingId, document_id: doc.id, page, at });
    },
  });

  // ---------------------------------------------------------------- notes

  async function editNote(note, at) {
    if (readOnly) return;
    const mine = note && note.scope !== "shared" && note.owner_id === me.id;
    const host = viewer.element;
    const result = await noteDialog(host, { note, readOnly: Boolean(note && !mine), canShare: mine });
    if (!result.action) return;
    if (!note && result.action === "save") {
      const { doc, page } = viewer.current();
      const [u, v] = toStored(at[0], at[1], model.rotation(page) || 0);
      const t = tool();
      model.create({ id: uuid(), document_id: doc.id, page, kind: "note", color: t.color, at: [r5(u), r5(v)], text: result.text }, { shared: t.shared });
    } else if (result.action === "save" && result.text !== note.text) {
      model.updateNote(note, { text: result.text });
    } else if (result.action === "delete") {
      model.remove(note);
    } else if (result.action === "share") {
      model.share(note);
    }
  }

  // ---------------------------------------------------------------- UI

  const list = readOnly ? null : createList(viewer.element, {
    onPick: (page) => viewer.goTo(page),
    onClose: () => list.toggle(false),
  });
  const bar = readOnly ? null : createToolbar({
    state: settings,
    caps,
    onTool: (name) => { layer.setTool(name); save(); },
    onUndo: () => model.undo(),
    onRedo: () => model.redo(),
    onList: () => { list.toggle(); refreshUi(); },
    onClear: () => model.clearShared(viewer.current().page),
    onChange: save,
    downloadHref: () => {
      const { doc } = viewer.current();
      return doc ? `/api/meetings/${meetingId}/documents/${doc.id}/annotated.pdf?marks=${settings.shared ? "all" : "mine"}` : "#";
    },
  });
  if (bar) {
    viewer.element.insertBefore(bar.element, stage.nextSibling);
    model.queue.onChange((n) => bar.setPending(n));
  }

  function save() {
    const { tool: _t, shared: _s, ...keep } = settings;
    localStorage.setItem(SETTINGS_KEY, JSON.stringify(keep));
    viewer.element.dataset.annotTool = settings.tool;
  }

  function refreshUi() {
    if (bar) bar.render({ canUndo: model.canUndo(), canRedo: model.canRedo() });
    if (list && list.isOpen()) list.render(model.mine(), model.shared());
  }

  // ---------------------------------------------------------------- following the viewer

  function sync() {
    const { doc } = viewer.current();
    if (!doc) return;
    if (doc.id !== openDoc) {
      openDoc = doc.id;
      model.open(doc.id);
    }
    layer.pageChanged();
    layer.redraw();
    refreshUi();
  }

  const watch = new MutationObserver(sync);
  watch.observe(viewer.element, { attributes: true, attributeFilter: ["data-doc", "data-page"] });
  const zoomWatch = new MutationObserver(() => {
    const m = /scale\(([\d.]+)\)/.exec(sheet.style.transform || "");
    if (m) layer.setZoom(Number(m[1]));
  });
  zoomWatch.observe(sheet, { attributes: true, attributeFilter: ["style"] });
  const sizeWatch = new ResizeObserver(() => layer.redraw());
  sizeWatch.observe(sheet);

  const offState = store.subscribe(() => { layer.redraw(); refreshUi(); });
  const offEvents = store.onEvent((name, envelope) => {
    if (name !== "annotation.laser") return;
    const { doc, page } = viewer.current();
    const d = envelope.data || {};
    if (doc && d.document_id === doc.id && d.page === page) layer.showLaser(d.at);
    else if (!d.at) layer.showLaser(null);
  });
  const offConnect = model.refresh ? onReconnect(() => model.refresh()) : () => {};
  sync();
  save();

  return {
    model,
    layer,
    destroy() {
      watch.disconnect();
      zoomWatch.disconnect();
      sizeWatch.disconnect();
      offState();
      offEvents();
      offConnect();
      layer.destroy();
      if (bar) bar.element.remove();
      if (list) list.element.remove();
      if (model.close) model.close();
    },
  };
}

/** After a reconnect, another device of mine may have drawn: ask again. */
function onReconnect(fn) {
  let first = true;
  return onConnect(() => {
    if (first) { first = false; return; }
    fn();
  });
}

/** The projector's model: shared marks only, page rotations from annotation.list. */
function createReadOnlyModel(store, onChange) {
  let docId = null;
  let rotations = null;
  const shared = () => ((store.state && store.state.shared_marks) || []).filter((a) => a.document_id === docId);
  return {
    async open(id) {
      docId = id;
      rotations = null;
      const ack = await command("annotation.list", { meeting_id: store.meetingId, document_id: id });
      if (ack.ok && docId === id) {
        rotations = ack.data.rotations;
        onChange();
      }
    },
    marks: (page) => shared().filter((a) => a.page === page),
    rotation: (page) => (rotations ? rotations[page] || 0 : 0),
    ready: () => false,
    documentId: () => docId,
    mine: () => [],
    shared,
  };
}

// The page viewer: one page at a time on a stage (fit width, or fit page on the projector),
// pinch-zoom / pan / swipe, a virtualised thumbnail strip, search-hit highlights.
//
//   const v = createViewer({ fit: "width", thumbs: true, onNavigate, onViewChange, onFitChange });
//   await v.show(documentId, pageIndex, { zoom, query });
//   v.element; v.current() → {doc, page}; v.visibleRect(); v.destroy()
//
// Images are requested at the page element's CSS width × devicePixelRatio, rounded up to
// the server's 100 px step (so tablets of one model share the server's cached render),
// for the visible page first; the neighbours are fetched after it has loaded.

import { api } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { attachGestures } from "./gestures.js";
import { createThumbStrip } from "./thumbs.js";

const STEP = 100;
const MIN_W = 200;
const MAX_W = 3000;
const docs = new Map(); // id → promise of the document with its page sizes

export function loadDocument(id) {
  if (!docs.has(id)) {
    const p = api.get(`/api/documents/${id}`).then((r) => r.document);
    p.catch(() => docs.delete(id));
    docs.set(id, p);
  }
  return docs.get(id);
}

export function forgetDocument(id) {
  docs.delete(id);
}

export function snapWidth(cssWidth, dpr = window.devicePixelRatio || 1) {
  const w = Math.ceil((cssWidth * dpr) / STEP) * STEP;
  return Math.min(MAX_W, Math.max(MIN_W, w));
}

// screen "projector": the room's wall screen, marked with the room and meeting.
export function pageUrl(docId, index, width, screen = null) {
  return `/api/documents/${docId}/pages/${index}.png?w=${width}${screen ? `&screen=${screen}` : ""}`;
}

export function createViewer({ fit = "auto", thumbs = true, screen = null, onNavigate = () => {}, onViewChange = () => {}, onFitChange = () => {} } = {}) {
  const img = h("img", { class: "dv-img", alt: "", draggable: "false", decoding: "async" });
  const marks = h("div", { class: "dv-hits", "aria-hidden": "true" });
  const sheet = h("div", { class: "dv-page" }, img, marks);
  const stage = h("div", { class: "dv-stage", tabindex: "0", "aria-roledescription": "page" }, sheet);
  const status = h("div", { class: "dv-status", role: "status" });
  const strip = thumbs ? createThumbStrip({ onPick: (i) => navigate(i, "thumb") }) : null;
  const element = h("div", { class: ["dv", `dv-fit-${fit}`] }, stage, status, strip && strip.element);

  let doc = null;
  let page = 0;
  let query = "";
  let view = { scale: 1, x: 0, y: 0 };
  let base = { w: 0, h: 0 }; // the page's CSS size at scale 1
  let requested = 0;
  let pendingZoom = null;
  let seq = 0;
  let fitMode = fit; // "auto": whole page on a landscape stage, full width on a portrait one

  function effectiveFit() {
    if (fitMode !== "auto") return fitMode;
    return stage.clientWidth > stage.clientHeight ? "page" : "width";
  }

  function size(i = page) {
    const p = doc && doc.pages && doc.pages[i];
    return p ? { w: p.width, h: p.height } : { w: 595, h: 842 };
  }

  function layout() {
    if (!doc) return;
    const sw = stage.clientWidth || 1;
    const sh = stage.clientHeight || 1;
    const s = size();
    const w = effectiveFit() === "page" ? Math.min(sw, (sh * s.w) / s.h) : sw;
    base = { w, h: (w * s.h) / s.w };
    const shown = effectiveFit();
    if (element.dataset.fit !== shown) {
      element.dataset.fit = shown; // "auto" follows the stage's shape: say which fit it is now
      onFitChange(shown);
    }
    sheet.style.width = `${base.w}px`;
    sheet.style.height = `${base.h}px`;
    if (pendingZoom) applyRect(pendingZoom);
    else apply();
  }

  function clampView(v) {
    const sw = stage.clientWidth;
    const sh = stage.clientHeight;
    const w = base.w * v.scale;
    const hgt = base.h * v.scale;
    const page = effectiveFit() === "page";
    const cx = page && v.scale <= 1.01 ? (sw - w) / 2 : 0;
    const x = w <= sw ? (sw - w) / 2 : Math.min(0, Math.max(sw - w, v.x));
    const y = hgt <= sh ? (page ? (sh - hgt) / 2 : 0) : Math.min(0, Math.max(sh - hgt, v.y));
    return { scale: v.scale, x: v.scale <= 1.01 ? cx || x : x, y };
  }

  function apply() {
    view = clampView(view);
    sheet.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.scale})`;
    element.dataset.zoomed = view.scale > 1.01 ? "1" : "0";
    const want = snapWidth(base.w * Math.min(view.scale, 2.5));
    if (doc && want > requested) setImage(want);
  }

  function setView(v) {
    view = v;
    pendingZoom = null;
    apply();
  }

  function applyRect(rect) {
    pendingZoom = rect;
    if (!base.w) return;
    if (rect.w >= 0.999 && rect.h >= 0.999) {
      view = { scale: 1, x: 0, y: 0 };
    } else {
      const sw = stage.clientWidth;
      const sh = stage.clientHeight;
      const scale = Math.max(1, Math.min(sw / (rect.w * base.w), sh / (rect.h * base.h)));
      const x = -rect.x * base.w * scale + (sw - rect.w * base.w * scale) / 2;
      const y = -rect.y * base.h * scale + (sh - rect.h * base.h * scale) / 2;
      view = { scale, x, y };
    }
    apply();
  }

  /** The part of the page now visible, as fractions (what presenter.zoom sends). */
  function visibleRect() {
    const sw = stage.clientWidth;
    const sh = stage.clientHeight;
    const w = base.w * view.scale;
    const hgt = base.h * view.scale;
    const clamp = (v) => Math.min(1, Math.max(0, v));
    const x = clamp(-view.x / w);
    const y = clamp(-view.y / hgt);
    return { x, y, w: clamp(Math.min(1 - x, sw / w)), h: clamp(Math.min(1 - y, sh / hgt)) };
  }

  function setImage(width) {
    requested = width;
    const mine = ++seq;
    const docId = doc.id;
    const index = page;
    element.dataset.loading = "1";
    const next = new Image();
    next.decoding = "async";
    next.onload = () => {
      if (mine !== seq) return;
      img.src = next.src;
      img.dataset.page = String(index);
      element.dataset.loading = "0";
      element.dataset.loadedPage = String(index);
      element.dataset.loadedDoc = String(docId);
      status.textContent = "";
      prefetch(docId, index, width);
    };
    next.onerror = () => {
      if (mine !== seq) return;
      element.dataset.loading = "0";
      status.textContent = t("docs.page_failed");
    };
    next.src = pageUrl(docId, index, width, screen);
  }

  function prefetch(docId, index, width) {
    for (const i of [index + 1, index - 1, index + 2]) {
      if (i >= 0 && doc && i < doc.page_count) new Image().src = pageUrl(docId, i, width, screen);
    }
  }

  async function highlight() {
    marks.replaceChildren();
    if (!query || !doc) return;
    const docId = doc.id;
    const index = page;
    try {
      const data = await api.get(`/api/documents/${docId}/pages/${index}/words?q=${encodeURIComponent(query)}`);
      if (!doc || doc.id !== docId || page !== index) return;
      for (const hit of data.hits) {
        for (const i of hit) {
          const [x0, y0, x1, y1] = data.words[i];
          const box = h("div", { class: "dv-hit" });
          Object.assign(box.style, {
            left: `${x0 * 100}%`,
            top: `${y0 * 100}%`,
            width: `${(x1 - x0) * 100}%`,
            height: `${(y1 - y0) * 100}%`,
          });
          marks.append(box);
        }
      }
    } catch {
      // Highlights are a help, not the content: the page still shows.
    }
  }

  function setPage(index) {
    page = Math.max(0, Math.min(doc.page_count - 1, index));
    requested = 0;
    element.dataset.page = String(page);
    view = { scale: 1, x: 0, y: 0 };
    layout();
    if (strip) strip.setCurrent(page);
    highlight();
  }

  function navigate(index, how) {
    if (!doc) return;
    const target = Math.max(0, Math.min(doc.page_count - 1, index));
    if (target === page) return;
    pendingZoom = null;
    setPage(target);
    onNavigate(page, how);
  }

  async function show(documentId, index = 0, { zoom = null, q = null } = {}) {
    const changed = !doc || doc.id !== documentId;
    const next = await loadDocument(documentId);
    if (changed) {
      doc = next;
      element.dataset.doc = String(doc.id);
      if (strip) strip.setDocument(doc);
      img.removeAttribute("src");
    }
    if (q !== null) query = q;
    if (changed || index !== page) setPage(index);
    else if (q !== null) highlight();
    if (zoom) applyRect(zoom);
    return doc;
  }

  const offGestures = attachGestures(stage, {
    getView: () => view,
    setView,
    onSwipe: (dir) => navigate(page + dir, "swipe"),
    onUser: (kind) => onViewChange(kind),
  });
  stage.addEventListener("keydown", (e) => {
    if (e.key === "ArrowRight" || e.key === "PageDown") navigate(page + 1, "key");
    if (e.key === "ArrowLeft" || e.key === "PageUp") navigate(page - 1, "key");
  });
  const resize = new ResizeObserver(() => layout());
  resize.observe(stage);

  return {
    element,
    show,
    next: () => navigate(page + 1, "button"),
    previous: () => navigate(page - 1, "button"),
    goTo: (i) => navigate(i, "button"),
    /** Switch between the whole page and the full width (from what is shown now). */
    toggleFit: () => {
      fitMode = effectiveFit() === "width" ? "page" : "width";
      layout();
      setView({ scale: 1, x: 0, y: 0 });
      onViewChange("fit");
    },
    setZoom: (rect) => applyRect(rect),
    visibleRect,
    current: () => ({ doc, page }),
    fit: effectiveFit,
    clear() {
      doc = null;
      seq += 1;
      img.removeAttribute("src");
      marks.replaceChildren();
      if (strip) strip.setDocument(null);
      delete element.dataset.doc;
    },
    destroy() {
      offGestures();
      resize.disconnect();
      if (strip) strip.destroy();
    },
  };
}

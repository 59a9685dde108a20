// The layer over one viewer page: a canvas with the finished marks, a canvas with the
// stroke being drawn, note buttons and the laser dot. It sits inside the viewer's page
// element, so the viewer's zoom transform moves and scales it with the image; the canvas
// resolution follows the zoom (re-rendered when a pinch ends).
//
// Input: with a drawing tool chosen the layer takes the pointer (pen, finger or mouse;
// stylus pressure when reported) and the viewer's pan/swipe gestures pause; with the hand
// tool the pointer goes to the viewer as before.

import { h } from "../dom.js";
import { api } from "../api.js";
import { clamp01, mapRect, r5, thin, toDisplayed, toStored } from "./geometry.js";
import { uuid } from "../uuid.js";
import { drawLive, drawMarks, hits } from "./render.js";

const MAX_POINTS = 5000; // the server's cap per stroke; longer strokes are split
const MAX_CANVAS_PX = 4096;
const LASER_MS = 33; // ~30 messages a second while the pointer moves
const LASER_HIDE_MS = 4000;

export function createLayer(sheet, { model, getPage, getPageSize, tool, onNote, onLaser }) {
  const base = h("canvas", { class: "an-canvas an-base", "aria-hidden": "true" });
  const live = h("canvas", { class: "an-canvas an-live", "aria-hidden": "true" });
  const notes = h("div", { class: "an-notes" });
  const laserDot = h("div", { class: "an-laser", hidden: true, "aria-hidden": "true" });
  const layer = h("div", { class: "an-layer", dataset: { tool: "none" } }, base, live, notes, laserDot);
  sheet.append(layer);
  const bctx = base.getContext("2d");
  const lctx = live.getContext("2d");

  let zoom = 1;
  let current = null; // the stroke / selection in progress
  let drawn = { count: 0, ms: 0 };
  let laserSent = 0;
  let laserTimer = null;
  let words = null; // {key, list} of the page's word boxes for text highlight

  function pageGeom() {
    const { w, h: ph } = getPageSize();
    const cssW = layer.clientWidth || sheet.clientWidth || 1;
    const dpr = window.devicePixelRatio || 1;
    const px = Math.min(MAX_CANVAS_PX, Math.round(cssW * dpr * Math.min(zoom, 3)));
    return { pw: w, ph, scale: px / w, px, py: Math.round((px * ph) / w) };
  }

  function resize() {
    const g = pageGeom();
    for (const c of [base, live]) {
      if (c.width !== g.px || c.height !== g.py) {
        c.width = g.px;
        c.height = g.py;
      }
    }
    return g;
  }

  /** Redraw finished marks and note buttons of the current page. */
  function redraw() {
    const page = getPage();
    const rotation = model.rotation(page) || 0;
    const g = resize();
    const marks = page == null ? [] : model.marks(page);
    const ms = drawMarks(bctx, marks, { rotation, ...g });
    drawn = { count: marks.length, ms };
    layer.dataset.count = String(marks.length);
    layer.dataset.drawMs = ms.toFixed(1);
    renderNotes(marks.filter((a) => a.kind === "note"), rotation);
    drawLive(lctx, current && current.shown, g);
  }

  function renderNotes(list, rotation) {
    notes.replaceChildren(
      ...list.map((a) => {
        const [x, y] = toDisplayed(a.at[0], a.at[1], rotation);
        return h("button", {
          type: "button",
          class: ["an-note", a.scope === "shared" && "an-note-shared"],
          style: `left:${x * 100}%;top:${y * 100}%;--note:${a.color}`,
          dataset: { id: a.id },
          "aria-label": a.text,
          title: a.text,
          on: { click: (e) => { e.stopPropagation(); onNote(a); }, pointerdown: (e) => e.stopPropagation() },
        });
      }),
    );
  }

  // ---------------------------------------------------------------- pointer input

  function frac(e) {
    const r = layer.getBoundingClientRect();
    return [clamp01((e.clientX - r.left) / r.width), clamp01((e.clientY - r.top) / r.height)];
  }

  function down(e) {
    const t = tool();
    if (t.name === "none" || !model.ready() || getPage() == null) return;
    if (e.pointerType === "mouse" && e.button !== 0) return;
    e.stopPropagation(); // the viewer's pan/swipe must not see it
    e.preventDefault();
    if (current) return; // one stroke at a time (a palm or second finger is ignored)
    layer.setPointerCapture(e.pointerId);
    const [x, y] = frac(e);
    if (t.name === "pen" || t.name === "highlighter") {
      const pressure = e.pointerType === "pen" ? [] : null;
      current = {
        id: e.pointerId,
        kind: t.name === "pen" ? "ink" : "highlighter",
        points: [x, y],
        pressures: pressure && [e.pressure || 0.5],
      };
      current.shown = { kind: current.kind, color: t.color, width: t.width, points: current.points, pressures: current.pressures };
    } else if (t.name === "text") {
      current = { id: e.pointerId, kind: "text", from: wordAt(x, y), to: null };
      current.to = current.from;
      showSelection(t);
    } else if (t.name === "eraser") {
      current = { id: e.pointerId, kind: "eraser" };
      eraseAt(x, y, t);
    } else if (t.name === "laser") {
      current = { id: e.pointerId, kind: "laser" };
      laserAt(x, y, true);
    } else if (t.name === "note") {
      current = { id: e.pointerId, kind: "note", at: [x, y] };
    }
    scheduleLive();
  }

  function move(e) {
    if (!current || e.pointerId !== current.id) {
      if (tool().name === "laser" && e.pointerType === "mouse" && !current) laserAt(...frac(e), false);
      return;
    }
    e.stopPropagation();
    e.preventDefault();
    const events = typeof e.getCoalescedEvents === "function" ? e.getCoalescedEvents() : [e];
    const t = tool();
    for (const ev of events.length ? events : [e]) {
      const [x, y] = frac(ev);
      if (current.points) {
        if (current.points.length >= MAX_POINTS * 2) finishStroke(t, true);
        current.points.push(x, y);
        if (current.pressures) current.pressures.push(ev.pressure || 0.5);
      } else if (current.kind === "text") {
        current.to = wordAt(x, y) ?? current.to;
      } else if (current.kind === "eraser") {
        eraseAt(x, y, t);
      } else if (current.kind === "laser") {
        laserAt(x, y, false);
      } else if (current.kind === "note") {
        current.at = [x, y];
      }
    }
    if (current && current.kind === "text") showSelection(t);
    scheduleLive();
  }

  function up(e) {
    if (!current || e.pointerId !== current.id) return;
    e.stopPropagation();
    const t = tool();
    if (current.points) finishStroke(t, false);
    else if (current.kind === "text") finishText(t, e.type === "pointercancel");
    else if (current.kind === "laser") laserAt(0, 0, true, true);
    else if (current.kind === "note" && e.type !== "pointercancel") onNote(null, current.at);
    current = null;
    scheduleLive();
  }

  /** Store a finished stroke (or a full one mid-way, continuing from its last point). */
  function finishStroke(t, continuing) {
    const page = getPage();
    const rotation = model.rotation(page) || 0;
    const { pw } = pageGeom();
    // Drop points under ~1/3 pt apart: invisible, and they add up on a 120 Hz stylus.
    const { points, pressures } = thin(current.points, current.pressures, 0.33 / pw);
    const stored = [];
    for (let i = 0; i < points.length; i += 2) {
      const [u, v] = toStored(points[i], points[i + 1], rotation);
      stored.push(r5(u), r5(v));
    }
    const annotation = {
      id: uuid(),
      document_id: model.documentId(),
      page,
      kind: current.kind,
      color: t.color,
      width: t.width,
      points: stored,
    };
    const varied = pressures && pressures.some((p) => Math.abs(p - pressures[0]) > 0.02);
    if (varied) annotation.pressures = pressures.map(r5);
    model.create(annotation, { shared: t.shared });
    if (continuing) {
      const lx = current.points[current.points.length - 2];
      const ly = current.points[current.points.length - 1];
      current.points = [lx, ly];
      current.shown.points = current.points;
      if (current.pressures) {
        current.pressures = [current.pressures[current.pressures.length - 1]];
        current.shown.pressures = current.pressures;
      }
    }
  }

  // ---------------------------------------------------------------- text highlight

  async function loadWords() {
    const doc = model.documentId();
    const page = getPage();
    const key = `${doc}/${page}`;
    if (words && words.key === key) return words.list;
    words = { key, list: [] };
    try {
      const data = await api.get(`/api/documents/${doc}/pages/${page}/words`);
      if (words.key === key) words.list = data.words;
    } catch {
      // no text layer (a scan): the text tool finds nothing to select
    }
    return words.list;
  }

  function wordAt(x, y) {
    const list = (words && words.list) || [];
    let best = null;
    let bestD = 0.03; // within 3% of the page from a word
    list.forEach(([x0, y0, x1, y1], i) => {
      const dx = x < x0 ? x0 - x : x > x1 ? x - x1 : 0;
      const dy = y < y0 ? y0 - y : y > y1 ? y - y1 : 0;
      const d = Math.hypot(dx, dy * 2);
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    });
    return best;
  }

  /** Words from..to merged into one rect per line (displayed fractions). */
  function selection() {
    if (!current || current.from == null || current.to == null) return null;
    const [a, b] = [Math.min(current.from, current.to), Math.max(current.from, current.to)];
    const chosen = words.list.slice(a, b + 1);
    const rects = [];
    for (const [x0, y0, x1, y1] of chosen) {
      const last = rects[rects.length - 1];
      const sameLine = last && Math.abs((y0 + y1) / 2 - (last[1] + last[3]) / 2) < (y1 - y0) / 2;
      if (sameLine) {
        last[0] = Math.min(last[0], x0);
        last[1] = Math.min(last[1], y0);
        last[2] = Math.max(last[2], x1);
        last[3] = Math.max(last[3], y1);
      } else {
        rects.push([x0, y0, x1, y1]);
      }
    }
    return { rects, text: chosen.map((w) => w[4]).join(" ") };
  }

  function showSelection(t) {
    const sel = selection();
    current.shown = sel ? { kind: "text_highlight", color: t.color, rects: sel.rects } : null;
  }

  function finishText(t, cancelled) {
    const sel = selection();
    if (cancelled || !sel || !sel.rects.length) return;
    const rotation = model.rotation(getPage()) || 0;
    model.create(
      {
        id: uuid(),
        document_id: model.documentId(),
        page: getPage(),
        kind: "text_highlight",
        color: t.color,
        rects: sel.rects.slice(0, 500).map((r) => mapRect(r, rotation, toStored).map(r5)),
        text: sel.text.slice(0, 2000),
      },
      { shared: t.shared },
    );
  }

  // ---------------------------------------------------------------- eraser, laser

  function eraseAt(x, y, t) {
    const page = getPage();
    const rotation = model.rotation(page) || 0;
    const g = pageGeom();
    const px = x * g.pw;
    const py = y * g.ph;
    for (const a of model.marks(page)) {
      const mineOrAllowed = a.scope !== "shared" || t.canEraseShared;
      if (mineOrAllowed && hits(bctx, a, rotation, g.pw, g.ph, px, py, 6)) model.remove(a);
    }
  }

  function laserAt(x, y, force, hide = false) {
    const now = performance.now();
    if (!force && now - laserSent < LASER_MS) return;
    laserSent = now;
    const rotation = model.rotation(getPage()) || 0;
    onLaser(hide ? null : toStored(x, y, rotation).map((v) => Math.round(v * 1e4) / 1e4));
  }

  /** Someone else's pointer (stored coordinates), or null to hide it. */
  function showLaser(at) {
    clearTimeout(laserTimer);
    if (!at) {
      laserDot.hidden = true;
      return;
    }
    const [x, y] = toDisplayed(at[0], at[1], model.rotation(getPage()) || 0);
    laserDot.style.left = `${x * 100}%`;
    laserDot.style.top = `${y * 100}%`;
    laserDot.hidden = false;
    laserTimer = setTimeout(() => { laserDot.hidden = true; }, LASER_HIDE_MS);
  }

  // ---------------------------------------------------------------- frames, zoom

  let frame = 0;
  function scheduleLive() {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      drawLive(lctx, current && current.shown, pageGeom());
    });
  }

  let zoomTimer = null;
  function setZoom(scale) {
    if (Math.abs(scale - zoom) < 0.05) return;
    clearTimeout(zoomTimer);
    // Re-render sharper once the pinch settles, not on every frame of it.
    zoomTimer = setTimeout(() => { zoom = scale; redraw(); }, 150);
  }

  function setTool(name) {
    layer.dataset.tool = name;
    if (name === "text") loadWords();
  }

  layer.addEventListener("pointerdown", down);
  layer.addEventListener("pointermove", move);
  layer.addEventListener("pointerup", up);
  layer.addEventListener("pointercancel", up);
  layer.addEventListener("pointerleave", (e) => {
    if (!current && tool().name === "laser" && e.pointerType === "mouse") laserAt(0, 0, true, true);
  });

  return {
    element: layer,
    redraw,
    setZoom,
    setTool,
    showLaser,
    pageChanged() {
      words = null;
      laserDot.hidden = true;
      if (layer.dataset.tool === "text") loadWords();
    },
    stats: () => drawn,
    destroy() {
      clearTimeout(laserTimer);
      clearTimeout(zoomTimer);
      layer.remove();
    },
  };
}

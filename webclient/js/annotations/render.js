// Drawing annotations on a canvas. One canvas per page for all finished marks (1,000 marks
// are 1,000 Path2D strokes: a few ms, measured in tests/e2e/test_annotations.py), and a
// second one on top for the stroke being drawn, so a pointer move repaints one stroke.
//
// Paths are built once per mark (and page rotation) in *displayed page points* and cached;
// a redraw only sets the transform for the current pixel size.

import { toDisplayed, mapPoints, mapRect } from "./geometry.js";

export const HIGHLIGHTER_ALPHA = 0.35;
const cache = new Map(); // key → {path, segments}

function key(a, rotation) {
  return `${a.id}|${a.version || 0}|${rotation}`;
}

/** Displayed geometry of a stored mark: points / rects as displayed fractions. */
export function displayed(a, rotation) {
  return {
    points: a.points ? mapPoints(a.points, rotation, toDisplayed) : null,
    rects: a.rects ? a.rects.map((r) => mapRect(r, rotation, toDisplayed)) : null,
    at: a.at ? toDisplayed(a.at[0], a.at[1], rotation) : null,
  };
}

/** Pen width for a pressure 0..1: half to one and a half times the nominal width. */
export const pressureWidth = (width, p) => width * (0.5 + (p ?? 0.5));

function build(a, rotation, pw, ph) {
  const k = key(a, rotation);
  let hit = cache.get(k);
  if (hit) return hit;
  const g = displayed(a, rotation);
  const path = new Path2D();
  let segments = null;
  if (g.points) {
    const pts = g.points;
    path.moveTo(pts[0] * pw, pts[1] * ph);
    if (pts.length === 2) path.lineTo(pts[0] * pw + 0.01, pts[1] * ph);
    for (let i = 2; i < pts.length; i += 2) path.lineTo(pts[i] * pw, pts[i + 1] * ph);
    if (a.pressures && a.pressures.length > 1) {
      // Variable width: short segments grouped by width (8 steps), one path per group.
      const groups = new Map();
      for (let i = 1; i < a.pressures.length; i += 1) {
        const w = Math.round(pressureWidth(a.width, (a.pressures[i - 1] + a.pressures[i]) / 2) * 4) / 4;
        if (!groups.has(w)) groups.set(w, new Path2D());
        const p = groups.get(w);
        p.moveTo(pts[2 * i - 2] * pw, pts[2 * i - 1] * ph);
        p.lineTo(pts[2 * i] * pw, pts[2 * i + 1] * ph);
      }
      segments = [...groups.entries()];
    }
  } else if (g.rects) {
    for (const [x0, y0, x1, y1] of g.rects) path.rect(x0 * pw, y0 * ph, (x1 - x0) * pw, (y1 - y0) * ph);
  }
  hit = { path, segments, g };
  if (cache.size > 20000) cache.clear();
  cache.set(k, hit);
  return hit;
}

/** Hit-test a displayed point (page points) against a mark; `slop` in page points. */
export function hits(ctx, a, rotation, pw, ph, x, y, slop) {
  if (a.kind === "note") return false; // notes are buttons of their own
  const { path } = build(a, rotation, pw, ph);
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  let hit;
  if (a.kind === "text_highlight") {
    hit = ctx.isPointInPath(path, x, y);
  } else {
    ctx.lineWidth = Math.max(a.width, slop * 2);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    hit = ctx.isPointInStroke(path, x, y);
  }
  ctx.restore();
  return hit;
}

function strokeStyle(ctx, a) {
  ctx.strokeStyle = a.color;
  ctx.fillStyle = a.color;
  ctx.lineCap = a.kind === "highlighter" ? "square" : "round";
  ctx.lineJoin = "round";
  const translucent = a.kind === "highlighter" || a.kind === "text_highlight";
  ctx.globalAlpha = translucent ? HIGHLIGHTER_ALPHA : 1;
  ctx.globalCompositeOperation = translucent ? "multiply" : "source-over";
}

/**
 * Draw marks of one page. `scale` = canvas px per page point. Notes are skipped (DOM).
 * Returns the time it took (ms), for the speed test.
 */
export function drawMarks(ctx, marks, { rotation, pw, ph, scale }) {
  const t0 = performance.now();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  for (const a of marks) {
    if (a.kind === "note" || a.deleted) continue;
    const { path, segments } = build(a, rotation, pw, ph);
    strokeStyle(ctx, a);
    if (a.kind === "text_highlight") {
      ctx.fill(path);
    } else if (segments) {
      for (const [w, p] of segments) {
        ctx.lineWidth = w;
        ctx.stroke(p);
      }
    } else {
      ctx.lineWidth = a.width;
      ctx.stroke(path);
    }
  }
  ctx.globalAlpha = 1;
  ctx.globalCompositeOperation = "source-over";
  return performance.now() - t0;
}

/** The stroke being drawn (displayed fractions), on the live canvas. */
export function drawLive(ctx, live, { pw, ph, scale }) {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  if (!live) return;
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  strokeStyle(ctx, live);
  if (live.kind === "text_highlight") {
    for (const [x0, y0, x1, y1] of live.rects || []) ctx.fillRect(x0 * pw, y0 * ph, (x1 - x0) * pw, (y1 - y0) * ph);
  } else if (live.points && live.points.length >= 2) {
    const pts = live.points;
    if (live.pressures) {
      for (let i = 2; i < pts.length; i += 2) {
        ctx.lineWidth = pressureWidth(live.width, live.pressures[i / 2]);
        ctx.beginPath();
        ctx.moveTo(pts[i - 2] * pw, pts[i - 1] * ph);
        ctx.lineTo(pts[i] * pw, pts[i + 1] * ph);
        ctx.stroke();
      }
    } else {
      ctx.lineWidth = live.width;
      ctx.beginPath();
      ctx.moveTo(pts[0] * pw, pts[1] * ph);
      for (let i = 2; i < pts.length; i += 2) ctx.lineTo(pts[i] * pw, pts[i + 1] * ph);
      if (pts.length === 2) ctx.lineTo(pts[0] * pw + 0.01, pts[1] * ph);
      ctx.stroke();
    }
  }
  ctx.globalAlpha = 1;
  ctx.globalCompositeOperation = "source-over";
}

// Pointer gestures on the page stage: pinch-zoom, pan when zoomed, swipe to turn pages,
// double-tap to toggle 2x / fit. Pointer events cover touch, pen and mouse alike.
//
//   const g = attachGestures(stage, { getView, setView, onSwipe, onUser });
//   view = {scale, x, y}  (scale 1 = fit width; x, y in CSS px of the stage)

const SWIPE_PX = 60;
const MAX_SCALE = 6;

export function attachGestures(stage, { getView, setView, onSwipe, onUser }) {
  const pointers = new Map();
  let start = null; // {view, points: [{x,y}], dist, mid}
  let lastTap = 0;

  const points = () => [...pointers.values()];
  const dist = (a, b) => Math.hypot(a.x - b.x, a.y - b.y);
  const mid = (a, b) => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
  const local = (e) => {
    const r = stage.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };

  function begin() {
    const p = points();
    start = { view: { ...getView() }, points: p.map((q) => ({ ...q })), moved: false };
    if (p.length >= 2) {
      start.dist = dist(p[0], p[1]) || 1;
      start.mid = mid(p[0], p[1]);
    }
  }

  function down(e) {
    if (e.pointerType === "mouse" && e.button !== 0) return;
    stage.setPointerCapture(e.pointerId);
    pointers.set(e.pointerId, local(e));
    begin();
  }

  function move(e) {
    if (!pointers.has(e.pointerId) || !start) return;
    pointers.set(e.pointerId, local(e));
    const p = points();
    const v0 = start.view;
    if (p.length >= 2 && start.dist) {
      // Zoom about the pinch midpoint: the content point under it stays under it.
      const scale = Math.min(MAX_SCALE, Math.max(1, (v0.scale * dist(p[0], p[1])) / start.dist));
      const m = mid(p[0], p[1]);
      const k = scale / v0.scale;
      setView({ scale, x: m.x - (start.mid.x - v0.x) * k, y: m.y - (start.mid.y - v0.y) * k });
      start.moved = true;
      onUser("zoom");
    } else if (p.length === 1) {
      const dx = p[0].x - start.points[0].x;
      const dy = p[0].y - start.points[0].y;
      if (Math.abs(dx) > 6 || Math.abs(dy) > 6) start.moved = true;
      if (v0.scale > 1.01) {
        setView({ scale: v0.scale, x: v0.x + dx, y: v0.y + dy });
        onUser("pan");
      } else if (Math.abs(dy) > Math.abs(dx)) {
        setView({ scale: 1, x: 0, y: v0.y + dy }); // fit width: scroll a tall page
      }
    }
    e.preventDefault();
  }

  function up(e) {
    if (!pointers.has(e.pointerId)) return;
    const p = local(e);
    pointers.delete(e.pointerId);
    if (start && pointers.size === 0) {
      const dx = p.x - start.points[0].x;
      const dy = p.y - start.points[0].y;
      const single = start.points.length === 1;
      if (single && start.view.scale <= 1.01 && Math.abs(dx) > SWIPE_PX && Math.abs(dx) > 2 * Math.abs(dy)) {
        onSwipe(dx < 0 ? 1 : -1);
      } else if (single && !start.moved) {
        const now = Date.now();
        if (now - lastTap < 300) {
          const v = getView();
          if (v.scale > 1.01) setView({ scale: 1, x: 0, y: 0 });
          else setView({ scale: 2, x: -p.x, y: -p.y });
          onUser("zoom");
        }
        lastTap = now;
      }
      start = null;
    } else if (pointers.size > 0) {
      begin(); // one finger lifted from a pinch: continue as a pan from here
    }
  }

  stage.addEventListener("pointerdown", down);
  stage.addEventListener("pointermove", move);
  stage.addEventListener("pointerup", up);
  stage.addEventListener("pointercancel", up);
  stage.style.touchAction = "none";
  return () => {
    stage.removeEventListener("pointerdown", down);
    stage.removeEventListener("pointermove", move);
    stage.removeEventListener("pointerup", up);
    stage.removeEventListener("pointercancel", up);
  };
}

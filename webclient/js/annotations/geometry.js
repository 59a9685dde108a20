// Coordinates of annotations.
//
// Stored: fractions 0..1 of the *unrotated* page (the PDF page before its /Rotate), x
// across, y down from the top-left corner — the space PyMuPDF writes PDF annotations in,
// so the server's export needs no maths and a mark holds at any size, zoom or rotation.
// Displayed: fractions 0..1 of the page image the viewer shows (already rotated).
// `rotation` is the page's /Rotate in degrees clockwise (0, 90, 180, 270), from
// `annotation.list`. Widths are PDF points; px per point = shown width / page width (pt).

/** Displayed fraction → stored fraction. */
export function toStored(x, y, rotation) {
  switch (rotation) {
    case 90:
      return [y, 1 - x];
    case 180:
      return [1 - x, 1 - y];
    case 270:
      return [1 - y, x];
    default:
      return [x, y];
  }
}

/** Stored fraction → displayed fraction. */
export function toDisplayed(u, v, rotation) {
  switch (rotation) {
    case 90:
      return [1 - v, u];
    case 180:
      return [1 - u, 1 - v];
    case 270:
      return [v, 1 - u];
    default:
      return [u, v];
  }
}

/** A flat [x0, y0, x1, y1, …] list mapped point by point. */
export function mapPoints(points, rotation, fn) {
  if (!rotation) return points.slice();
  const out = new Array(points.length);
  for (let i = 0; i < points.length; i += 2) {
    const [a, b] = fn(points[i], points[i + 1], rotation);
    out[i] = a;
    out[i + 1] = b;
  }
  return out;
}

/** An axis-aligned rect [x0, y0, x1, y1] mapped (rotations by 90° keep it a rect). */
export function mapRect(rect, rotation, fn) {
  const [a, b] = fn(rect[0], rect[1], rotation);
  const [c, d] = fn(rect[2], rect[3], rotation);
  return [Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d)];
}

export const clamp01 = (v) => (v < 0 ? 0 : v > 1 ? 1 : v);

/** Round to 5 decimals (what the server keeps): shorter messages, same picture. */
export const r5 = (v) => Math.round(v * 1e5) / 1e5;

/**
 * Drop points closer than `minDist` (displayed fraction) to the last kept one; keeps the
 * last point. A finger at 120 Hz sends many near-duplicates; fewer points, same stroke.
 */
export function thin(points, pressures, minDist) {
  if (points.length <= 4) return { points, pressures };
  const outP = [points[0], points[1]];
  const outR = pressures ? [pressures[0]] : null;
  let lx = points[0];
  let ly = points[1];
  const n = points.length / 2;
  for (let i = 1; i < n; i += 1) {
    const x = points[2 * i];
    const y = points[2 * i + 1];
    const last = i === n - 1;
    if (!last && Math.hypot(x - lx, y - ly) < minDist) continue;
    outP.push(x, y);
    if (outR) outR.push(pressures[i]);
    lx = x;
    ly = y;
  }
  return { points: outP, pressures: outR };
}

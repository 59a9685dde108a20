// Annotation coordinates (js/annotations/geometry.js) and client ids (js/uuid.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { clamp01, mapPoints, mapRect, r5, thin, toDisplayed, toStored } from "../js/annotations/geometry.js";
import { uuid } from "../js/uuid.js";

test("a tap near the top-left of a page turned 90° is stored near its bottom-left", () => {
  assert.deepEqual(toStored(0.1, 0.2, 90), [0.2, 0.9]);
  assert.deepEqual(toStored(0.1, 0.2, 180), [0.9, 0.8]);
  assert.deepEqual(toStored(0.1, 0.2, 270), [0.8, 0.1]);
  assert.deepEqual(toStored(0.1, 0.2, 0), [0.1, 0.2]);
});

test("displayed → stored → displayed is the identity for every rotation", () => {
  for (const rotation of [0, 90, 180, 270]) {
    for (const [x, y] of [[0, 0], [0.25, 0.75], [1, 0.5]]) {
      const [u, v] = toStored(x, y, rotation);
      assert.deepEqual(toDisplayed(u, v, rotation), [x, y], `rotation ${rotation}`);
    }
  }
});

test("point lists map pairwise; rotation 0 returns a copy", () => {
  const points = [0.1, 0.2, 0.3, 0.4];
  assert.deepEqual(mapPoints(points, 180, toStored), [0.9, 0.8, 0.7, 0.6]);
  const same = mapPoints(points, 0, toStored);
  assert.deepEqual(same, points);
  assert.notEqual(same, points);
});

test("a rect stays a rect with its corners in order after a quarter turn", () => {
  assert.deepEqual(mapRect([0.1, 0.2, 0.3, 0.6], 90, toStored), [0.2, 0.7, 0.6, 0.9]);
});

test("clamp01 and r5 bound and round like the server", () => {
  assert.deepEqual([-0.5, 0.25, 1.5].map(clamp01), [0, 0.25, 1]);
  assert.equal(r5(0.1234567), 0.12346);
});

test("thin drops near-duplicate points but keeps the first and the last", () => {
  const points = [0, 0, 0.001, 0, 0.05, 0, 0.051, 0, 0.052, 0];
  const pressures = [0.1, 0.2, 0.3, 0.4, 0.5];
  assert.deepEqual(thin(points, pressures, 0.01), { points: [0, 0, 0.05, 0, 0.052, 0], pressures: [0.1, 0.3, 0.5] });
  assert.deepEqual(thin(points, null, 0.01).pressures, null);
  const short = [0, 0, 0.001, 0];
  assert.equal(thin(short, null, 0.01).points, short);
});

test("uuid gives distinct RFC 4122 version-4 ids", () => {
  const ids = new Set(Array.from({ length: 200 }, uuid));
  assert.equal(ids.size, 200);
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

// The meeting store's event rules (js/meeting-reducers.js): versions, gaps, resyncs and the
// core reducers.
import assert from "node:assert/strict";
import { test } from "node:test";

import { applyUnversioned, applyVersioned, registerReducer } from "../js/meeting-reducers.js";

const snapshot = () => ({
  version: 7,
  meeting: { id: 3, title: "Kỳ họp", status: "scheduled", my_permissions: ["agenda.drive"] },
  agenda: { status: "scheduled", items: [] },
  speakers: { queue: [], current: null },
});

test("the next version is applied and moves the version", () => {
  const state = snapshot();
  const agenda = { status: "in_progress", started_at: "2026-12-02T08:00:00", closed_at: null, items: [{ id: 1 }] };
  const { outcome, result } = applyVersioned(state, "agenda.updated", 8, { op: "start", ...agenda });
  assert.equal(outcome, "applied");
  assert.deepEqual(result, { op: "start" });
  assert.equal(state.version, 8);
  assert.deepEqual(state.agenda, agenda);
  assert.equal(state.meeting.status, "in_progress");
  assert.equal(state.meeting.started_at, "2026-12-02T08:00:00");
});

test("meeting.updated keeps my role and permissions", () => {
  const state = snapshot();
  applyVersioned(state, "meeting.updated", 8, { id: 3, title: "Kỳ họp thứ hai" });
  assert.equal(state.meeting.title, "Kỳ họp thứ hai");
  assert.deepEqual(state.meeting.my_permissions, ["agenda.drive"]);
});

test("an old version is stale and changes nothing", () => {
  const state = snapshot();
  const before = structuredClone(state);
  assert.equal(applyVersioned(state, "speaker.updated", 7, { queue: [{ id: 1 }] }).outcome, "stale");
  assert.equal(applyVersioned(state, "speaker.updated", 3, { queue: [{ id: 1 }] }).outcome, "stale");
  assert.deepEqual(state, before);
});

test("a skipped version is a gap: nothing applied, a snapshot is needed", () => {
  const state = snapshot();
  assert.equal(applyVersioned(state, "speaker.updated", 9, { queue: [{ id: 1 }] }).outcome, "gap");
  assert.equal(state.version, 7);
  assert.deepEqual(state.speakers.queue, []);
});

test("an event without a reducer only advances the version", () => {
  const state = snapshot();
  assert.equal(applyVersioned(state, "document.nobody-reads-this", 8, { x: 1 }).outcome, "advanced");
  assert.equal(state.version, 8);
  assert.equal("x" in state, false);
});

test("a reducer returning false asks for a resync and keeps the version", () => {
  registerReducer("test.cannot-apply", () => false);
  const state = snapshot();
  assert.equal(applyVersioned(state, "test.cannot-apply", 8, {}).outcome, "resync");
  assert.equal(state.version, 7);
});

test("presenter, attendance and floor parts are replaced by their events", () => {
  const state = snapshot();
  applyVersioned(state, "presenter.changed", 8, { presenter: { id: 5 } });
  applyVersioned(state, "attendance.updated", 9, { counts: { present: 2, total: 4 } });
  applyVersioned(state, "speaker.updated", 10, { queue: [{ id: 9 }], current: null });
  applyVersioned(state, "presenter.changed", 11, {});
  assert.equal(state.version, 11);
  assert.equal(state.presenter, null);
  assert.deepEqual(state.attendance, { counts: { present: 2, total: 4 } });
  assert.deepEqual(state.speakers.queue, [{ id: 9 }]);
});

test("unversioned events change state only through a reducer that accepts them", () => {
  registerReducer("test.laser", (state, data) => {
    state.laser = data;
  });
  registerReducer("test.refused", () => false);
  const state = snapshot();
  assert.equal(applyUnversioned(state, "test.laser", { at: [0.5, 0.5] }), true);
  assert.deepEqual(state.laser, { at: [0.5, 0.5] });
  assert.equal(applyUnversioned(state, "test.refused", {}), false);
  assert.equal(applyUnversioned(state, "test.no-reducer", {}), false);
  assert.equal(applyUnversioned(null, "test.laser", {}), false);
  assert.equal(state.version, 7);
});

// Clocks and lookups of the room screens (js/meeting-timers.js, js/meeting-lookups.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { currentItem, itemNumbers, myRequest } from "../js/meeting-lookups.js";
import {
  formatDuration,
  itemTimer,
  meetingElapsed,
  meetingOverrun,
  parseTime,
  speakerTimer,
} from "../js/meeting-timers.js";

const T0 = Date.parse("2026-12-02T08:00:00Z");

test("server stamps without a zone are UTC; bad ones are NaN", () => {
  assert.equal(parseTime("2026-12-02T08:00:00"), T0);
  assert.equal(parseTime("2026-12-02T15:00:00+07:00"), T0);
  assert.equal(parseTime("2026-12-02T08:00:00Z"), T0);
  assert.ok(Number.isNaN(parseTime(null)));
  assert.ok(Number.isNaN(parseTime("")));
});

test("durations read as mm:ss, h:mm:ss, and a minus sign when negative", () => {
  assert.equal(formatDuration(0), "00:00");
  assert.equal(formatDuration(725), "12:05");
  assert.equal(formatDuration(3723), "1:02:03");
  assert.equal(formatDuration(-42), "−00:42");
});

test("an item's timer adds earlier turns to the running one; the last minute warns", () => {
  const item = { planned_minutes: 5, extra_minutes: 1, elapsed_seconds: 120, started_at: "2026-12-02T08:00:00" };
  const early = itemTimer(item, T0 + 60_000);
  assert.deepEqual(early, { elapsed: 180, planned: 360, remaining: 180, overrun: false, warning: false });
  assert.equal(itemTimer(item, T0 + 200_000).warning, true);
  const over = itemTimer(item, T0 + 300_000);
  assert.equal(over.overrun, true);
  assert.equal(over.warning, false);
  assert.equal(over.remaining, -60);
  const paused = itemTimer({ ...item, started_at: null }, T0 + 999_000);
  assert.equal(paused.elapsed, 120);
});

test("the meeting clock starts at the opening and stops at the closing", () => {
  const open = { agenda: { started_at: "2026-12-02T08:00:00", closed_at: null } };
  assert.equal(meetingElapsed(open, T0 + 90_500), 90);
  const closed = { agenda: { started_at: "2026-12-02T08:00:00", closed_at: "2026-12-02T09:00:00" } };
  assert.equal(meetingElapsed(closed, T0 + 7_200_000), 3600);
  assert.equal(meetingElapsed({ agenda: { started_at: null } }, T0), null);
});

test("a running meeting past its planned end is overrun; a closed one never", () => {
  const meeting = { status: "in_progress", ends_at: "2026-12-02T10:00:00" };
  assert.equal(meetingOverrun({ meeting }, T0 + 2 * 3600_000 + 1000), true);
  assert.equal(meetingOverrun({ meeting }, T0 + 3600_000), false);
  assert.equal(meetingOverrun({ meeting: { ...meeting, status: "closed" } }, T0 + 5 * 3600_000), false);
});

test("the speaker's warning covers at most the last half of a short turn", () => {
  const speakers = { limit_seconds: 180, warning_seconds: 60, current: { started_at: "2026-12-02T08:00:00", limit_seconds: 60 } };
  assert.equal(speakerTimer(speakers, T0 + 20_000).warning, false);
  assert.equal(speakerTimer(speakers, T0 + 31_000).warning, true);
  const over = speakerTimer(speakers, T0 + 61_000);
  assert.deepEqual(over, { spoken: 61, limit: 60, remaining: -1, overrun: true, warning: false });
  assert.equal(speakerTimer({ ...speakers, current: null }, T0), null);
});

test("items are numbered 1, 2, 2.1 in depth-first order", () => {
  const items = [{ id: 10 }, { id: 20 }, { id: 21, parent_id: 20 }, { id: 22, parent_id: 20 }, { id: 30 }];
  assert.deepEqual([...itemNumbers(items)], [[10, "1"], [20, "2"], [21, "2.1"], [22, "2.2"], [30, "3"]]);
  const state = { agenda: { items, current_item_id: 21 } };
  assert.equal(currentItem(state).id, 21);
  assert.equal(currentItem({ agenda: { items, current_item_id: null } }), null);
});

test("my place on the floor: speaking, waiting with a position, or nothing", () => {
  const speakers = { current: { id: 1, user_id: 5 }, queue: [{ id: 2, user_id: 6 }, { id: 3, user_id: 7 }] };
  assert.deepEqual(myRequest(speakers, 5), { request: speakers.current, position: null, speaking: true });
  assert.deepEqual(myRequest(speakers, 7), { request: speakers.queue[1], position: 2, speaking: false });
  assert.equal(myRequest(speakers, 8), null);
  assert.equal(myRequest(speakers, null), null);
});

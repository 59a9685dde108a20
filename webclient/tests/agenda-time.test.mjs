// The agenda editor's pure figures (js/agenda-time.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { plannedFit, presenterChoices, totalMinutes } from "../js/agenda-time.js";

const START = "2026-12-03T01:00:00+00:00";
const END = "2026-12-03T03:00:00+00:00"; // two hours

test("a total within the planned duration fits", () => {
  const fit = plannedFit(95, START, END);
  assert.equal(fit.available, 120);
  assert.equal(fit.over, 0);
  assert.equal(fit.ratio, 95 / 120);
  assert.equal(fit.plannedEndAt.toISOString(), "2026-12-03T02:35:00.000Z");
});

test("past the planned end: minutes over, bar full", () => {
  const fit = plannedFit(150, START, END);
  assert.equal(fit.over, 30);
  assert.equal(fit.ratio, 1);
});

test("no planned end: no duration, no warning", () => {
  for (const end of [null, "", "nonsense", START]) {
    const fit = plannedFit(40, START, end);
    assert.equal(fit.available, null);
    assert.equal(fit.over, 0);
    assert.equal(fit.ratio, null);
  }
});

test("every item counts, sub-items too", () => {
  assert.equal(totalMinutes([{ planned_minutes: 10 }, { planned_minutes: 5, parent_id: 1 }, {}]), 15);
  assert.equal(totalMinutes(null), 0);
});

test("presenter text matches a participant, shared names carry the username", () => {
  const { choices, match } = presenterChoices([
    { user_id: 1, username: "chair", full_name: "Trần Văn Chủ Tọa", role: "chair" },
    { user_id: 2, username: "an1", full_name: "Lê Văn An", role: "delegate" },
    { user_id: 3, username: "an2", full_name: "Lê Văn An", role: "guest" },
    { user_id: 4, username: "bridge", full_name: "Điểm cầu", role: "bridge_operator" },
  ]);
  assert.deepEqual(choices.map((c) => c.label), ["Trần Văn Chủ Tọa", "Lê Văn An (an1)", "Lê Văn An (an2)"]);
  assert.equal(match("  trần văn chủ  tọa ").userId, 1);
  assert.equal(match("Lê Văn An (an2)").userId, 3);
  assert.equal(match("Lê Văn An"), null); // ambiguous: free text
  assert.equal(match("GS. Khách mời"), null);
  assert.equal(match("Điểm cầu"), null); // bridges do not present
});

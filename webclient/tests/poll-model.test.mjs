// Voting on the client (js/polls/model.js): how poll events change state.poll, which
// finished poll stays on the wall, and the receipt a tablet computes by itself.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";

import { applyVersioned } from "../js/meeting-reducers.js";
import { outcomeTone, receiptFor, secondsLeft, sha256Fallback, sha256Hex, stillRelevant } from "../js/polls/model.js";

const chair = ["poll.manage", "agenda.drive"];
const delegate = ["poll.vote"];

function state(permissions, poll = { current: null, drafts: [] }) {
  return { version: 1, meeting: { my_permissions: permissions }, agenda: { items: [], current_item_id: null }, poll };
}

const draft = { id: 4, status: "draft", title: "Thông qua biên bản" };

test("drafts are kept for those who run the poll only", () => {
  const forChair = state(chair);
  applyVersioned(forChair, "poll.created", 2, { poll: draft });
  applyVersioned(forChair, "poll.updated", 3, { poll: { ...draft, title: "Biên bản" } });
  assert.deepEqual(forChair.poll.drafts, [{ ...draft, title: "Biên bản" }]);
  applyVersioned(forChair, "poll.deleted", 4, { poll_id: 4 });
  assert.deepEqual(forChair.poll.drafts, []);

  const forDelegate = state(delegate, null);
  assert.equal(applyVersioned(forDelegate, "poll.created", 2, { poll: draft }).outcome, "applied");
  assert.deepEqual(forDelegate.poll, { current: null, drafts: [] });
});

test("opening moves the draft to current with `me` unknown until poll.get", () => {
  const s = state(chair, { current: null, drafts: [draft] });
  const open = { ...draft, status: "open", opened_at: "2026-12-02T08:00:00" };
  const { result } = applyVersioned(s, "poll.opened", 2, { poll: open });
  assert.deepEqual(result, { pollId: 4 });
  assert.deepEqual(s.poll, { current: { ...open, me: null }, drafts: [] });
});

test("closing: a delegate merges and keeps `me`; the chair fetches the result", () => {
  const open = { id: 4, status: "open", opened_at: "2026-12-02T08:00:00", me: { voted: true } };
  const closed = { id: 4, status: "closed", opened_at: "2026-12-02T08:00:00" };
  const d = state(delegate, { current: { ...open }, drafts: [] });
  assert.equal(applyVersioned(d, "poll.closed", 2, { poll: closed }).outcome, "applied");
  assert.deepEqual(d.poll.current, { ...closed, me: { voted: true }, named_list: undefined, result: null });

  const c = state(chair, { current: { ...open }, drafts: [] });
  assert.equal(applyVersioned(c, "poll.closed", 2, { poll: closed }).outcome, "resync");
  assert.equal(c.poll.current.status, "open");
  assert.equal(c.version, 1);
});

test("publishing: the chair resyncs a named poll, merges a secret one", () => {
  const closed = { id: 4, status: "closed", secret: false, result: { outcome: "adopted" } };
  const c = state(chair, { current: { ...closed, named_list: [{ user_id: 1 }] }, drafts: [] });
  assert.equal(applyVersioned(c, "poll.published", 2, { poll: { ...closed, status: "published" } }).outcome, "resync");
  const secret = { ...closed, secret: true, status: "published" };
  assert.equal(applyVersioned(c, "poll.published", 2, { poll: secret }).outcome, "applied");
  assert.deepEqual(c.poll.current.named_list, [{ user_id: 1 }]);
  assert.equal(c.poll.current.status, "published");
});

test("an open poll is not replaced by another poll's older result", () => {
  const open = { id: 5, status: "open", opened_at: "2026-12-02T09:00:00" };
  const s = state(delegate, { current: { ...open, me: null }, drafts: [] });
  applyVersioned(s, "poll.cancelled", 2, { poll: { id: 3, status: "cancelled", opened_at: "2026-12-02T08:00:00" } });
  assert.equal(s.poll.current.id, 5);
  const later = { id: 6, status: "closed", opened_at: "2026-12-02T10:00:00" };
  const done = state(delegate, { current: { id: 5, status: "closed", opened_at: "2026-12-02T09:00:00" }, drafts: [] });
  applyVersioned(done, "poll.hidden", 2, { poll: later });
  assert.equal(done.poll.current.id, 6);
});

test("progress counts apply in place; progress of another poll resyncs", () => {
  const s = state(delegate, { current: { id: 5, status: "open", voted_count: 0 }, drafts: [] });
  applyVersioned(s, "poll.progress", 2, { poll_id: 5, voted_count: 3, eligible_count: 9, running_tally: null });
  assert.deepEqual(s.poll.current, { id: 5, status: "open", voted_count: 3, eligible_count: 9, running_tally: null });
  assert.equal(applyVersioned(s, "poll.progress", 3, { poll_id: 6, voted_count: 1 }).outcome, "resync");
});

test("a finished poll stays on the wall while the agenda stays where it was", () => {
  const s = state(delegate);
  s.agenda = { items: [{ id: 1 }, { id: 2 }], current_item_id: 1 };
  const onItem = { id: 7, status: "closed", agenda_item_id: 1 };
  const adHoc = { id: 8, status: "published", agenda_item_id: null };
  assert.equal(stillRelevant(s, onItem), true);
  assert.equal(stillRelevant(s, adHoc), true);
  assert.equal(stillRelevant(s, { ...onItem, hidden_at: "2026-12-02T08:00:00" }), false);
  assert.equal(stillRelevant(s, { id: 9, status: "open", agenda_item_id: 2 }), true);
  s.agenda.current_item_id = 2;
  assert.equal(stillRelevant(s, onItem), false);
  assert.equal(stillRelevant(s, adHoc), false);
});

test("outcome colours and the countdown", () => {
  assert.deepEqual(["adopted", "elected", "rejected", "no_winner", "tie"].map(outcomeTone), ["ok", "ok", "no", "no", "neutral"]);
  const deadline = { deadline_at: "2026-12-02T08:01:00" };
  assert.equal(secondsLeft(deadline, Date.parse("2026-12-02T08:00:00.500Z")), 60);
  assert.equal(secondsLeft(deadline, Date.parse("2026-12-02T08:05:00Z")), 0);
  assert.equal(secondsLeft({}, 0), null);
});

test("the pure-JS sha256 matches node:crypto at the padding boundaries and on UTF-8", () => {
  for (const text of ["", "abc", "a".repeat(55), "a".repeat(56), "a".repeat(64), "a".repeat(119), "Biểu quyết ✓"]) {
    const expected = createHash("sha256").update(text, "utf8").digest("hex");
    assert.equal(sha256Fallback(new TextEncoder().encode(text)), expected, `length ${text.length}`);
  }
});

test("a tablet's receipt is the server's (services/voting/ballots.py receipt_for)", async () => {
  // Computed by the server's receipt_for for this ballot id.
  assert.equal(await receiptFor("3f2b8c1e-9a4d-4e5f-8b6a-1c2d3e4f5a6b"), "YPKH-FLLT-2F6H-NAW4");
  assert.equal(await sha256Hex("abc"), createHash("sha256").update("abc").digest("hex"));
});

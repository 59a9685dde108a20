// The offline annotation queue (js/annotations/queue.js), on its in-memory store (Node
// has no IndexedDB) with a fake link to the server.
import assert from "node:assert/strict";
import { test } from "node:test";

import { cacheDelete, cachePut, cachedAnnotations, openQueue } from "../js/annotations/queue.js";

/** Let the queue's promise chains run to the end (no real I/O: one macrotask is enough). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A fake server link: answer(payload) decides each ack; offline until told otherwise. */
function fakeLink(answer = () => ({ ok: false, error: { code: "disconnected" } })) {
  const link = {
    sent: [],
    pending: [],
    ready: null,
    answer,
    sync: async (payload, options) => {
      link.sent.push({ payload, options });
      return link.answer(payload);
    },
    onReady(fn) {
      link.ready = fn;
      return () => {
        link.ready = null;
      };
    },
    showPending: (count) => link.pending.push(count),
  };
  return link;
}

const allOk = (payload) => ({
  ok: true,
  data: { results: payload.ops.map((op) => ({ ok: true, annotation: { id: op.annotation ? op.annotation.id : op.id } })) },
});

const mark = (id) => ({ id, document_id: 1, page: 0, kind: "ink", points: [0.1, 0.1, 0.2, 0.2] });

async function openOffline(meetingId) {
  const link = fakeLink();
  const results = [];
  const q = openQueue(meetingId, 1, { link, onResult: (op, error, annotation) => results.push({ op, error, annotation }) });
  await settle();
  return { q, link, results };
}

test("every op gets an op_id and waits while the server is unreachable", async (t) => {
  const { q, link } = await openOffline(101);
  t.after(() => q.close());
  const op = await q.push({ op: "create", annotation: mark("a") });
  await settle();
  assert.match(op.op_id, /^[0-9a-f-]{36}$/);
  assert.equal(q.pending(), 1);
  assert.deepEqual(await q.unsent(), [op]);
  assert.equal(link.sent.length, 1);
  assert.equal(link.sent[0].options.timeout, 15000);
  assert.equal(link.pending.at(-1), 1);
});

test("a create deleted before it was sent vanishes with its edits", async (t) => {
  const { q } = await openOffline(102);
  t.after(() => q.close());
  await q.push({ op: "create", annotation: mark("b") });
  await q.push({ op: "create", annotation: mark("keep") });
  await settle();
  await q.push({ op: "delete", id: "b" });
  await settle();
  assert.deepEqual((await q.unsent()).map((op) => op.annotation.id), ["keep"]);
  assert.equal(q.pending(), 1);
});

test("an edit of an unsent mark is folded into its create", async (t) => {
  const { q } = await openOffline(103);
  t.after(() => q.close());
  await q.push({ op: "create", annotation: mark("c") });
  await settle();
  await q.push({ op: "update", id: "c", changes: { color: "#d00", points: [0, 0, 1, 1] } });
  await settle();
  const unsent = await q.unsent();
  assert.equal(unsent.length, 1);
  assert.equal(unsent[0].op, "create");
  assert.deepEqual(unsent[0].annotation, { ...mark("c"), color: "#d00", points: [0, 0, 1, 1] });
});

test("on reconnect the queue is sent in one batch; answered ops leave it", async (t) => {
  const { q, link, results } = await openOffline(104);
  t.after(() => q.close());
  for (const id of ["d1", "d2", "d3"]) await q.push({ op: "create", annotation: mark(id) });
  await settle();
  const offlineTries = link.sent.length;
  link.answer = (payload) => ({
    ok: true,
    data: {
      results: [
        { ok: true, annotation: { id: "d1", version: 1 } },
        { ok: false, error: { code: "not_found" } }, // final: dropped and reported
        { ok: false, error: { code: "rate_limited" } }, // may succeed later: kept
      ].slice(0, payload.ops.length),
    },
  });
  link.ready();
  await settle();
  const batch = link.sent[offlineTries].payload;
  assert.equal(batch.meeting_id, 104);
  assert.deepEqual(batch.ops.map((op) => op.annotation.id), ["d1", "d2", "d3"]);
  assert.deepEqual((await q.unsent()).map((op) => op.annotation.id), ["d3"]);
  assert.deepEqual(results.map((r) => [r.op.annotation.id, r.error && r.error.code]), [["d1", null], ["d2", "not_found"], ["d3", "rate_limited"]]);
  assert.deepEqual(results[0].annotation, { id: "d1", version: 1 });
});

test("a batch the server cannot read is resent op by op; the unreadable op is dropped", async (t) => {
  const { q, link, results } = await openOffline(105);
  t.after(() => q.close());
  for (const id of ["e1", "bad", "e2"]) await q.push({ op: "create", annotation: mark(id) });
  await settle();
  link.answer = (payload) =>
    payload.ops.some((op) => op.annotation.id === "bad") ? { ok: false, error: { code: "invalid_payload" } } : allOk(payload);
  link.sent.length = 0;
  await q.flush();
  await settle();
  assert.deepEqual(link.sent.map((s) => s.payload.ops.length), [3, 1, 1, 1]);
  assert.equal(q.pending(), 0);
  assert.deepEqual(results.filter((r) => r.error).map((r) => [r.op.annotation.id, r.error.code]), [["bad", "invalid_payload"]]);
});

test("more than 50 ops go in several batches", async (t) => {
  const { q, link } = await openOffline(106);
  t.after(() => q.close());
  for (let i = 0; i < 120; i += 1) await q.push({ op: "create", annotation: mark(`f${i}`) });
  await settle();
  link.answer = allOk;
  link.sent.length = 0;
  await q.flush();
  await settle();
  assert.deepEqual(link.sent.map((s) => s.payload.ops.length), [50, 50, 20]);
  assert.equal(q.pending(), 0);
  assert.equal(link.pending.at(-1), 0);
});

test("a closed queue sends nothing and stops listening", async () => {
  const { q, link } = await openOffline(107);
  await q.push({ op: "create", annotation: mark("g") });
  await settle();
  q.close();
  const tries = link.sent.length;
  link.answer = allOk;
  await q.flush();
  assert.equal(link.sent.length, tries);
  assert.equal(link.ready, null);
});

test("the local cache keeps my marks by document", async () => {
  await cachePut(1, [{ ...mark("h1"), document_id: 9 }, { ...mark("h2"), document_id: 9 }]);
  await cachePut(2, [{ ...mark("h3"), document_id: 9 }]);
  await cachePut(1, [{ ...mark("h1"), document_id: 9, color: "#00f" }]);
  const mine = await cachedAnnotations(1, 9);
  assert.deepEqual(mine.map((a) => [a.id, a.color]), [["h1", "#00f"], ["h2", undefined]]);
  await cacheDelete(["h1"]);
  assert.deepEqual((await cachedAnnotations(1, 9)).map((a) => a.id), ["h2"]);
});

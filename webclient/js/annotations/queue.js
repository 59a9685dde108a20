// The offline queue: every annotation change is written to IndexedDB first, drawn at
// once, and sent with `annotation.sync` when the socket is up. Nothing is lost when
// Wi-Fi drops or the tablet reloads, and nothing is duplicated when an ack is lost:
//
//   - every op carries client ids (the mark's UUID, the op's UUID), so the server
//     recognises a replay and changes nothing;
//   - one batch is in flight at a time (single flight): a reconnect, the `online` event
//     and a new stroke arriving together still send it once;
//   - an op leaves the queue only when the server answered for it; a dropped connection
//     leaves it for the next connect;
//   - ops not yet sent are coalesced: create + delete of the same mark cancel out,
//     an edit of an unsent mark is folded into its create.
//
//   const q = openQueue(meetingId, userId, { onResult, link: socketLink });  // queue-link.js
//   await q.push({ op: "create", annotation });        // op_id added here
//   q.pending()  → number of unsent ops;  q.onChange(fn);  q.flush();  q.close()
//
// IndexedDB "phs-annotations": store "ops" (key: auto seq) holds {meeting_id, user_id, op};
// store "cache" (key: id) holds my annotations as last known, for drawing before the
// server answers (or while it can't). Falls back to memory if IndexedDB is unavailable.
//
// `link` is the way to the server ({sync, onReady, showPending}, see queue-link.js): the
// queue itself touches neither the socket nor the page, so `node --test` can run it.

import { uuid } from "../uuid.js";

const DB_NAME = "phs-annotations";
const BATCH_OPS = 50;
const BATCH_BYTES = 900_000; // under the server's 2 MB message limit, with room to spare
const RETRY_MS = 5000;
// Errors after which resending can never succeed: the op is dropped and reported.
const FINAL = new Set(["invalid_payload", "not_found", "permission_denied", "conflict", "too_large", "version_conflict"]);

let dbPromise = null;

function openDb() {
  if (dbPromise) return dbPromise;
  dbPromise = new Promise((resolve) => {
    if (!globalThis.indexedDB) return resolve(null);
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      const db = req.result;
      const ops = db.createObjectStore("ops", { keyPath: "seq", autoIncrement: true });
      ops.createIndex("meeting", "meeting_id");
      const cache = db.createObjectStore("cache", { keyPath: "id" });
      cache.createIndex("doc", ["user_id", "document_id"]);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => resolve(null); // private mode, quota: work from memory
  });
  return dbPromise;
}

function tx(db, store, mode, fn) {
  return new Promise((resolve, reject) => {
    const t = db.transaction(store, mode);
    const result = fn(t.objectStore(store));
    t.oncomplete = () => resolve(result && "result" in result ? result.result : result);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
}

// ---------------------------------------------------------------- the local cache

/** My annotations of a document as last known on this device. */
export async function cachedAnnotations(userId, documentId) {
  const db = await openDb();
  if (!db) return memoryCache.filter((a) => a.user_id === userId && a.document_id === documentId);
  return tx(db, "cache", "readonly", (s) => s.index("doc").getAll([userId, documentId]));
}

const memoryCache = [];

export async function cachePut(userId, annotations) {
  const rows = annotations.map((a) => ({ ...a, user_id: userId }));
  const db = await openDb();
  if (!db) {
    for (const row of rows) {
      const i = memoryCache.findIndex((a) => a.id === row.id);
      if (i >= 0) memoryCache[i] = row;
      else memoryCache.push(row);
    }
    return;
  }
  await tx(db, "cache", "readwrite", (s) => rows.forEach((r) => s.put(r)));
}

export async function cacheDelete(ids) {
  const db = await openDb();
  if (!db) {
    for (const id of ids) {
      const i = memoryCache.findIndex((a) => a.id === id);
      if (i >= 0) memoryCache.splice(i, 1);
    }
    return;
  }
  await tx(db, "cache", "readwrite", (s) => ids.forEach((id) => s.delete(id)));
}

/** Replace a document's cache with the server's list (pending local changes are
 * re-applied by the caller). */
export async function cacheReplace(userId, documentId, annotations) {
  const old = await cachedAnnotations(userId, documentId);
  await cacheDelete(old.map((a) => a.id));
  await cachePut(userId, annotations);
}

// ---------------------------------------------------------------- the queue

export function openQueue(meetingId, userId, { onResult = () => {}, link }) {
  const memory = []; // fallback when there is no IndexedDB: [{seq, meeting_id, op}]
  let memSeq = 0;
  let inFlight = null; // Set of seqs being sent
  let again = false;
  let closed = false;
  let retryTimer = null;
  let count = 0;
  const listeners = new Set();
  const stats = { batches: 0, ops_sent: 0 };

  async function all() {
    const db = await openDb();
    if (!db) return memory.filter((r) => r.meeting_id === meetingId && r.user_id === userId);
    const rows = await tx(db, "ops", "readonly", (s) => s.index("meeting").getAll(meetingId));
    return rows.filter((r) => r.user_id === userId).sort((a, b) => a.seq - b.seq);
  }

  async function remove(seqs) {
    if (!seqs.length) return;
    const db = await openDb();
    if (!db) {
      for (const seq of seqs) {
        const i = memory.findIndex((r) => r.seq === seq);
        if (i >= 0) memory.splice(i, 1);
      }
    } else {
      await tx(db, "ops", "readwrite", (s) => seqs.forEach((seq) => s.delete(seq)));
    }
  }

  async function replace(row) {
    const db = await openDb();
    if (!db) {
      const i = memory.findIndex((r) => r.seq === row.seq);
      if (i >= 0) memory[i] = row;
    } else {
      await tx(db, "ops", "readwrite", (s) => s.put(row));
    }
  }

  async function add(row) {
    const db = await openDb();
    if (!db) {
      memSeq += 1;
      memory.push({ ...row, seq: memSeq });
    } else {
      await tx(db, "ops", "readwrite", (s) => s.add(row));
    }
  }

  async function refreshCount() {
    count = (await all()).length;
    link.showPending(count);
    for (const fn of [...listeners]) fn(count);
  }

  /** Queue one op; returns once it is safely stored. Coalesces with unsent ops. */
  async function push(op) {
    const full = { ...op, op_id: op.op_id || uuid() };
    const rows = await all();
    const sending = inFlight || new Set();
    const target = full.id || (full.annotation && full.annotation.id);
    const unsentCreate = rows.find(
      (r) => !sending.has(r.seq) && r.op.op === "create" && r.op.annotation.id === target,
    );
    if (full.op === "delete" && unsentCreate) {
      // Never sent, never will be: drop both, plus unsent edits of it.
      const drop = rows.filter((r) => !sending.has(r.seq) && (r.op.id === target || r === unsentCreate));
      await remove(drop.map((r) => r.seq));
    } else if (full.op === "update" && unsentCreate) {
      const a = unsentCreate.op.annotation;
      await replace({ ...unsentCreate, op: { ...unsentCreate.op, annotation: { ...a, ...full.changes } } });
    } else {
      await add({ meeting_id: meetingId, user_id: userId, op: full });
    }
    await refreshCount();
    flush();
    return full;
  }

  function batch(rows) {
    const out = [];
    let bytes = 0;
    for (const row of rows) {
      const size = JSON.stringify(row.op).length;
      if (out.length && (out.length >= BATCH_OPS || bytes + size > BATCH_BYTES)) break;
      out.push(row);
      bytes += size;
    }
    return out;
  }

  /** Send what is queued, one batch at a time; safe to call any number of times. */
  async function flush() {
    if (closed) return;
    if (inFlight) {
      again = true; // the running flush picks it up when it is done
      return;
    }
    inFlight = new Set();
    try {
      for (;;) {
        again = false;
        const rows = batch(await all());
        if (!rows.length) break;
        rows.forEach((r) => inFlight.add(r.seq));
        stats.batches += 1;
        stats.ops_sent += rows.length;
        const ack = await link.sync({ meeting_id: meetingId, ops: rows.map((r) => r.op) }, { timeout: 15000 });
        if (!ack.ok) {
          const code = ack.error && ack.error.code;
          if (code === "invalid_payload" && rows.length > 1) {
            // One op the server cannot even read as a list item: send them singly.
            for (const row of rows) await sendOne(row);
            inFlight.clear();
            continue;
          }
          if (code === "invalid_payload") {
            await remove([rows[0].seq]);
            onResult(rows[0].op, ack.error);
            inFlight.clear();
            continue;
          }
          scheduleRetry(); // disconnected, timeout: the ops stay queued
          break;
        }
        const done = [];
        ack.data.results.forEach((res, i) => {
          const row = rows[i];
          if (!row) return;
          if (res.ok || FINAL.has(res.error && res.error.code)) done.push(row.seq);
          onResult(row.op, res.ok ? null : res.error, res.annotation || null);
        });
        await remove(done);
        inFlight.clear();
        await refreshCount();
        if (done.length < rows.length) {
          scheduleRetry();
          break;
        }
      }
    } finally {
      inFlight = null;
      await refreshCount();
    }
    if (again && !closed) flush();
  }

  async function sendOne(row) {
    const ack = await link.sync({ meeting_id: meetingId, ops: [row.op] });
    if (ack.ok) {
      const res = ack.data.results[0];
      await remove([row.seq]);
      onResult(row.op, res.ok ? null : res.error, res.annotation || null);
    } else if (ack.error && ack.error.code === "invalid_payload") {
      await remove([row.seq]);
      onResult(row.op, ack.error);
    }
  }

  function scheduleRetry() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, RETRY_MS);
  }

  const offReady = link.onReady(() => flush());
  refreshCount().then(() => flush());

  return {
    push,
    flush,
    stats,
    pending: () => count,
    /** Unsent ops (for drawing what the server does not know yet). */
    unsent: async () => (await all()).map((r) => r.op),
    onChange(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    close() {
      closed = true;
      clearTimeout(retryTimer);
      offReady();
    },
  };
}

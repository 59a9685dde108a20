// What one person's viewer knows about annotations of the open document: their own marks
// (from this device's cache, the offline queue and the server), the meeting's shared marks
// (from the meeting store's `shared_marks` snapshot part and events), undo/redo.
//
//   const m = createModel({ meetingId, userId, store, onChange });
//   await m.open(documentId)   m.marks(page) → [private…, shared…]   m.rotation(page)
//   m.add(annotation, { shared })   m.remove(annotation)   m.updateNote(a, changes)
//   m.share(a)   m.undo()   m.redo()   m.clearShared(page)

import { command } from "../socket.js";
import { toast } from "../toast.js";
import { uuid } from "../uuid.js";
import { cacheDelete, cachePut, cacheReplace, cachedAnnotations, openQueue } from "./queue.js";
import { socketLink } from "./queue-link.js";

const ROT_KEY = (docId) => `phs.annot.rot.${docId}`;

export function createModel({ meetingId, userId, store, onChange }) {
  let docId = null;
  let rotations = null; // null until known: tools wait, or a rotated page would be wrong
  const mine = new Map(); // id → annotation (private, mine)
  const outgoing = new Map(); // id → shared mark sent, not yet seen in the meeting state
  const undoStack = [];
  const redoStack = [];
  const changed = () => onChange();

  const queue = openQueue(meetingId, userId, { onResult, link: socketLink });

  function onResult(op, error, annotation) {
    const target = op.id || (op.annotation && op.annotation.id);
    if (op.op === "mark") {
      outgoing.delete(target);
      if (error) toast("annot.not_shared", { kind: "error" });
      changed();
      return;
    }
    if (!error && annotation) {
      if (annotation.scope === "private") {
        if (annotation.deleted) {
          mine.delete(annotation.id);
          cacheDelete([annotation.id]);
        } else {
          if (annotation.document_id === docId && mine.has(annotation.id)) mine.set(annotation.id, annotation);
          cachePut(userId, [annotation]);
        }
      }
      changed();
      return;
    }
    if (!error) return;
    if (error.code === "version_conflict" && error.details && error.details.annotation) {
      const current = error.details.annotation;
      if (current.document_id === docId) mine.set(current.id, current);
      cachePut(userId, [current]);
      toast("annot.changed_elsewhere");
    } else if (op.op === "create" || error.code === "not_found") {
      mine.delete(target);
      cacheDelete([target]);
      if (op.op === "create") toast("annot.not_saved", { kind: "error" });
    } else if (op.op === "share") {
      toast("annot.not_shared", { kind: "error" });
    }
    changed();
  }

  function sharedMarks() {
    const list = (store.state && store.state.shared_marks) || [];
    return list;
  }

  async function applyUnsent() {
    for (const op of await queue.unsent()) {
      if (op.op === "create" && op.annotation.document_id === docId) {
        mine.set(op.annotation.id, { version: 0, scope: "private", ...op.annotation });
      } else if (op.op === "delete") {
        mine.delete(op.id);
      } else if (op.op === "update" && mine.has(op.id)) {
        mine.set(op.id, { ...mine.get(op.id), ...op.changes });
      } else if (op.op === "mark" && op.annotation.document_id === docId) {
        outgoing.set(op.annotation.id, { scope: "shared", version: 0, ...op.annotation });
      }
    }
  }

  /** Load a document: this device's copy first (works offline), then the server's. */
  async function open(documentId) {
    docId = documentId;
    mine.clear();
    outgoing.clear();
    undoStack.length = 0;
    redoStack.length = 0;
    const saved = localStorage.getItem(ROT_KEY(documentId));
    rotations = saved ? JSON.parse(saved) : null;
    for (const a of await cachedAnnotations(userId, documentId)) if (!a.deleted) mine.set(a.id, a);
    await applyUnsent();
    changed();
    await refresh();
  }

  /** Ask the server for my marks on this document (another device may have drawn). */
  async function refresh() {
    const asked = docId;
    if (asked == null) return;
    const ack = await command("annotation.list", { meeting_id: meetingId, document_id: asked });
    if (!ack.ok || docId !== asked) return;
    rotations = ack.data.rotations;
    localStorage.setItem(ROT_KEY(asked), JSON.stringify(rotations));
    await cacheReplace(userId, asked, ack.data.mine);
    mine.clear();
    for (const a of ack.data.mine) mine.set(a.id, a);
    await applyUnsent();
    changed();
  }

  function marks(page) {
    const out = [];
    const seen = new Set();
    for (const a of sharedMarks()) {
      if (a.document_id === docId && a.page === page) {
        out.push(a);
        seen.add(a.id);
      }
    }
    for (const a of outgoing.values()) if (a.page === page && !seen.has(a.id)) out.push(a);
    for (const a of mine.values()) if (a.page === page && !a.deleted) out.push(a);
    return out;
  }

  // ---------------------------------------------------------------- changes

  async function create(annotation, { shared = false, record = true } = {}) {
    if (shared) {
      outgoing.set(annotation.id, { ...annotation, scope: "shared", version: 0, owner_id: userId });
      changed();
      await queue.push({ op: "mark", annotation });
    } else {
      const local = { ...annotation, scope: "private", version: 0, owner_id: userId };
      mine.set(annotation.id, local);
      changed();
      await cachePut(userId, [local]);
      await queue.push({ op: "create", annotation });
    }
    if (record) {
      undoStack.push({ type: "create", a: annotation, shared });
      redoStack.length = 0;
      changed();
    }
  }

  async function remove(a, { record = true } = {}) {
    if (a.scope === "shared") {
      outgoing.delete(a.id);
      if (store.state && store.state.shared_marks) {
        store.state.shared_marks = store.state.shared_marks.filter((m) => m.id !== a.id);
      }
    } else {
      mine.delete(a.id);
      await cacheDelete([a.id]);
    }
    changed();
    await queue.push({ op: "delete", id: a.id });
    if (record) {
      undoStack.push({ type: "delete", a, shared: a.scope === "shared" });
      redoStack.length = 0;
      changed();
    }
  }

  /** A fresh copy (new id): a deleted id stays deleted on the server, by design. */
  function copyOf(a) {
    const { id: _id, version: _v, scope: _s, owner_id: _o, owner_name: _n, created_at: _c, updated_at: _u, deleted: _d, source_id: _src, ...rest } = a;
    const body = { id: uuid(), ...rest };
    for (const k of Object.keys(body)) if (body[k] === null) delete body[k];
    return body;
  }

  async function undo() {
    const step = undoStack.pop();
    if (!step) return;
    if (step.type === "create") {
      const current = mine.get(step.a.id) || outgoing.get(step.a.id) || { ...step.a, scope: step.shared ? "shared" : "private" };
      await remove(current, { record: false });
      redoStack.push(step);
      changed();
    } else {
      const again = copyOf(step.a);
      await create(again, { shared: step.shared, record: false });
      redoStack.push({ type: "delete", a: { ...again, scope: step.shared ? "shared" : "private" }, shared: step.shared });
      changed();
    }
  }

  async function redo() {
    const step = redoStack.pop();
    if (!step) return;
    if (step.type === "create") {
      const again = copyOf(step.a);
      await create(again, { shared: step.shared, record: false });
      undoStack.push({ type: "create", a: again, shared: step.shared });
      changed();
    } else {
      await remove(step.a, { record: false });
      undoStack.push(step);
      changed();
    }
  }

  async function updateNote(a, changes) {
    const next = { ...a, ...changes };
    mine.set(a.id, next);
    await cachePut(userId, [next]);
    changed();
    await queue.push({ op: "update", id: a.id, base_version: Math.max(1, a.version || 1), changes });
  }

  async function share(a) {
    await queue.push({ op: "share", id: a.id, shared_id: uuid() });
  }

  async function clearShared(page) {
    const ack = await command("annotation.clear", { meeting_id: meetingId, document_id: docId, page });
    if (!ack.ok) toast(null, { text: ack.error.message, kind: "error" });
  }

  return {
    open,
    refresh,
    marks,
    mine: () => [...mine.values()].filter((a) => !a.deleted),
    shared: () => sharedMarks().filter((a) => a.document_id === docId),
    rotation: (page) => (rotations ? rotations[page] || 0 : null),
    ready: () => rotations !== null,
    documentId: () => docId,
    create,
    remove,
    undo,
    redo,
    canUndo: () => undoStack.length > 0,
    canRedo: () => redoStack.length > 0,
    updateNote,
    share,
    clearShared,
    queue,
    close: () => queue.close(),
  };
}

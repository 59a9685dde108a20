// Voting (biểu quyết) on the client: how poll events change the shared meeting store, and
// small helpers shared by the chair panel, the tablet ballot and the projector board.
//
// state.poll = {current: poll | null, drafts: [poll]} (snapshot part "poll", see
// docs/protocol.md). `current` is the open poll, else the latest closed one, as this user
// may see it: `me` = {eligible, voted, choices?}; managers also get `result` once closed
// and `named_list` for named polls.
//
// Events carry the poll as everybody may see it (no `me`, no `named_list`, the result only
// once published). The reducers below merge them into `current` and keep what only the
// snapshot knows; where they cannot (the chair needs the closed result), they ask for a
// snapshot. Tablets learn `me` for a newly opened poll with one poll.get (ballot.js).

import { errorMessage, getLocale, hasKey, t } from "../i18n.js";
import { currentItem } from "../meeting-lookups.js";
import { registerReducer } from "../meeting-reducers.js";
import { parseTime } from "../meeting-timers.js";

export const YES_NO_CODES = ["yes", "no", "abstain"];

function canManage(state) {
  const perms = state.meeting && state.meeting.my_permissions;
  return Boolean(perms && perms.includes("poll.manage"));
}

function ensurePart(state) {
  if (!state.poll) state.poll = { current: null, drafts: [] };
  if (!state.poll.drafts) state.poll.drafts = [];
  return state.poll;
}

/** Put a poll from an event into state.poll.current, keeping what only the snapshot has. */
function mergeCurrent(state, poll) {
  const part = ensurePart(state);
  const old = part.current;
  if (old && old.id === poll.id) {
    part.current = {
      ...poll,
      me: old.me,
      named_list: poll.named_list || old.named_list,
      result: poll.result || old.result || null,
    };
    return;
  }
  if (old && old.status === "open" && poll.status !== "open") return; // the open one stays
  if (old && poll.status !== "open" && parseTime(poll.opened_at) < parseTime(old.opened_at)) return;
  part.current = { ...poll, me: null }; // me unknown: ballot.js asks poll.get
}

function upsertDraft(state, poll) {
  const part = ensurePart(state);
  if (!canManage(state)) return; // drafts are for those who run the poll
  const index = part.drafts.findIndex((p) => p.id === poll.id);
  if (index >= 0) part.drafts[index] = poll;
  else part.drafts.push(poll);
}

function dropDraft(state, pollId) {
  const part = ensurePart(state);
  part.drafts = part.drafts.filter((p) => p.id !== pollId);
}

registerReducer("poll.created", (state, data) => upsertDraft(state, data.poll));
registerReducer("poll.updated", (state, data) => upsertDraft(state, data.poll));
registerReducer("poll.deleted", (state, data) => dropDraft(state, data.poll_id));
registerReducer("poll.opened", (state, data) => {
  dropDraft(state, data.poll.id);
  mergeCurrent(state, data.poll);
  return { pollId: data.poll.id };
});
registerReducer("poll.closed", (state, data) => {
  // The chair and secretary see the result (and the named list) before it is published:
  // only the snapshot has them.
  if (canManage(state)) return false;
  mergeCurrent(state, data.poll);
  return undefined;
});
registerReducer("poll.published", (state, data) => {
  if (canManage(state) && !data.poll.secret) return false; // their named list stays right
  mergeCurrent(state, data.poll);
  return undefined;
});
registerReducer("poll.hidden", (state, data) => {
  mergeCurrent(state, data.poll);
  return undefined;
});
registerReducer("poll.cancelled", (state, data) => {
  mergeCurrent(state, data.poll);
  return undefined;
});
registerReducer("poll.progress", (state, data) => {
  const current = state.poll && state.poll.current;
  if (!current || current.id !== data.poll_id) return false;
  current.voted_count = data.voted_count;
  current.eligible_count = data.eligible_count;
  current.running_tally = data.running_tally;
  return undefined;
});

// ---------------------------------------------------------------- labels and numbers

/** The text of an option: the three fixed answers are translated, others are user data. */
export function optionLabel(option) {
  if (option && option.code && YES_NO_CODES.includes(option.code)) return t(`poll.choice.${option.code}`);
  return option ? option.label : "";
}

/** A poll command's error: the poll.error.<code> text where there is one. */
export function pollError(error) {
  const code = error && error.code;
  if (code && hasKey(`poll.error.${code}`)) return t(`poll.error.${code}`);
  return errorMessage(error);
}

export function formatPercent(value) {
  const n = Number(value) || 0;
  return `${new Intl.NumberFormat(getLocale(), { maximumFractionDigits: 2 }).format(n)}%`;
}

export function formatNumber(value) {
  return new Intl.NumberFormat(getLocale()).format(Number(value) || 0);
}

/** Seconds left before the deadline (never negative); null without a timer. */
export function secondsLeft(poll, nowMs) {
  const deadline = parseTime(poll && poll.deadline_at);
  if (Number.isNaN(deadline)) return null;
  return Math.max(0, Math.ceil((deadline - nowMs) / 1000));
}

/**
 * Should a finished poll still be on the wall (projector, tablets)? While the meeting stays
 * on the item the poll belongs to; an ad hoc poll until the agenda moves on from where it
 * was when this screen first saw the result.
 */
const seenOnItem = new Map(); // poll id → current item id when first seen finished

export function stillRelevant(state, poll) {
  if (!poll) return false;
  if (poll.status === "open") return true;
  if (poll.status === "cancelled" || poll.hidden_at) return false; // hidden: poll.hide
  const item = currentItem(state);
  const itemId = item ? item.id : null;
  if (poll.agenda_item_id != null) return itemId === poll.agenda_item_id;
  if (!seenOnItem.has(poll.id)) seenOnItem.set(poll.id, itemId);
  return seenOnItem.get(poll.id) === itemId;
}

/** "Thông qua" colours: adopted/elected → ok, rejected/no_winner → no, other → neutral. */
export function outcomeTone(status) {
  if (status === "adopted" || status === "elected") return "ok";
  if (status === "rejected" || status === "no_winner") return "no";
  return "neutral";
}

// ---------------------------------------------------------------- my ballot, kept locally

// The tablet keeps its ballot id (and the secret receipt) until the poll is over: a retry
// after a lost ack must reuse it, changing a vote needs it, and the receipt is computed
// from it and stored nowhere on the server.
const KEY = (userId, pollId) => `phs.ballot.${userId}.${pollId}`;

export function loadBallot(userId, pollId) {
  try {
    return JSON.parse(localStorage.getItem(KEY(userId, pollId)) || "null");
  } catch {
    return null;
  }
}

export function saveBallot(userId, pollId, record) {
  try {
    localStorage.setItem(KEY(userId, pollId), JSON.stringify({ ...record, saved_at: Date.now() }));
  } catch {
    // private mode: this page keeps it in memory only
  }
}

/** Forget the ballot of a poll (it was refused, or never counted). */
export function forgetBallot(userId, pollId) {
  try {
    localStorage.removeItem(KEY(userId, pollId));
  } catch {
    // storage unavailable: nothing kept
  }
}

/** Forget ballots older than two weeks (receipts are checked the same day). */
export function pruneBallots(maxAgeMs = 14 * 24 * 3600 * 1000) {
  try {
    for (let i = localStorage.length - 1; i >= 0; i -= 1) {
      const key = localStorage.key(i);
      if (!key || !key.startsWith("phs.ballot.")) continue;
      const record = JSON.parse(localStorage.getItem(key) || "null");
      if (!record || !record.saved_at || Date.now() - record.saved_at > maxAgeMs) localStorage.removeItem(key);
    }
  } catch {
    // nothing to prune
  }
}

// ---------------------------------------------------------------- sha256 for receipts

/**
 * The receipt of a secret ballot, computed on the tablet from its own ballot id exactly as
 * the server does (services/voting/ballots.py receipt_for): base32 of the first 10 bytes of
 * sha256("receipt:" + ballot_id), in groups of four. Used when the ack was lost and the
 * poll closed before the tablet could resend.
 */
export async function receiptFor(ballotId) {
  const hex = await sha256Hex(`receipt:${ballotId}`);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (let i = 0; i < 20; i += 2) bits += parseInt(hex.slice(i, i + 2), 16).toString(2).padStart(8, "0");
  let code = "";
  for (let i = 0; i < 80; i += 5) code += alphabet[parseInt(bits.slice(i, i + 5), 2)];
  return code.match(/.{4}/g).join("-");
}

/** sha256 hex of a UTF-8 string; WebCrypto when available (HTTPS), else a small fallback. */
export async function sha256Hex(text) {
  const data = new TextEncoder().encode(text);
  if (globalThis.crypto && globalThis.crypto.subtle) {
    try {
      const digest = await globalThis.crypto.subtle.digest("SHA-256", data);
      return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    } catch {
      // fall through
    }
  }
  return sha256Fallback(data);
}

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

export function sha256Fallback(bytes) {
  const length = bytes.length;
  const blocks = Math.ceil((length + 9) / 64);
  const padded = new Uint8Array(blocks * 64);
  padded.set(bytes);
  padded[length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor((length * 8) / 2 ** 32));
  view.setUint32(padded.length - 4, (length * 8) >>> 0);
  const hash = new Uint32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
  const w = new Uint32Array(64);
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));
  for (let offset = 0; offset < padded.length; offset += 64) {
    for (let i = 0; i < 16; i += 1) w[i] = view.getUint32(offset + i * 4);
    for (let i = 16; i < 64; i += 1) {
      const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
      const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, hh] = hash;
    for (let i = 0; i < 64; i += 1) {
      const S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + S1 + ch + K[i] + w[i]) >>> 0;
      const S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) >>> 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    hash[0] += a;
    hash[1] += b;
    hash[2] += c;
    hash[3] += d;
    hash[4] += e;
    hash[5] += f;
    hash[6] += g;
    hash[7] += hh;
  }
  return [...hash].map((x) => x.toString(16).padStart(8, "0")).join("");
}

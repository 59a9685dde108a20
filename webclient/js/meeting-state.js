// The live state of one meeting, shared by the chair console, the tablet and the projector.
//
//   const store = createMeetingStore(meetingId);
//   store.subscribe((state) => render(state));      // called after every applied change
//   await store.start();                             // meeting.join → snapshot
//   store.state   {meeting, agenda, attendance, speakers, poll, presenter, version}
//   store.can("agenda.drive")                        // from snapshot.meeting.my_permissions
//   store.serverNow()                                // ms, the server's clock
//   store.stop()                                     // meeting.leave, unsubscribe
//
// Rules (docs/protocol.md "Events, versions and snapshots"): the snapshot carries the
// meeting's state version; every event carries the version after its change. An event at
// version + 1 is applied; an older one is ignored; a newer one means we missed something
// (Wi-Fi drop) and we fetch `meeting.snapshot`. After every reconnect we send `meeting.join`
// again (room membership does not survive a reconnect) and replace the state with its
// snapshot. Nothing depends on having seen every event, and nothing needs a tap.
//
// Timers are computed from server timestamps and corrected by the `server_now` each state
// carries, so a tablet whose clock is wrong still counts right.
//
// Every versioned event of the meeting counts, whoever emits it (annotations, documents,
// the conference bump the version too). An event with a reducer is applied to the state;
// registerReducer(name, (state, data) => ...) adds one, and a reducer returning false
// means "cannot apply locally": the store fetches a snapshot instead. An event without a
// reducer only advances the version (its snapshot part is left as it was; the domain
// that owns it registers a reducer if it reads that part from here). Raw events reach
// store.onEvent(fn) listeners, e.g. a panel following annotations.

import { command, getStatus, onAny, onConnect } from "./socket.js";

const BEACON_GRACE_MS = 1000; // see checkBeacon()
const reducers = new Map();

/** Teach every store an event: reducer(state, data) mutates state; false → resync. */
export function registerReducer(eventName, reducer) {
  reducers.set(eventName, reducer);
}

registerReducer("meeting.updated", (state, data) => {
  // The event has no my_role / my_permissions: keep ours.
  state.meeting = { ...state.meeting, ...data };
});
registerReducer("agenda.updated", (state, data) => {
  const { op, ...agenda } = data;
  state.agenda = agenda;
  if (state.meeting) {
    state.meeting = {
      ...state.meeting,
      status: agenda.status,
      started_at: agenda.started_at,
      closed_at: agenda.closed_at,
    };
  }
  return { op };
});
registerReducer("presenter.changed", (state, data) => {
  state.presenter = data.presenter ?? null;
});
registerReducer("attendance.updated", (state, data) => {
  state.attendance = data;
});
registerReducer("speaker.updated", (state, data) => {
  state.speakers = data;
});
// Polls belong to the voting screens; until they register their own reducers, any poll
// change is fetched with the snapshot (progress counts are applied in place).
for (const name of ["poll.created", "poll.updated", "poll.deleted", "poll.opened", "poll.closed",
  "poll.published", "poll.cancelled"]) {
  registerReducer(name, () => false);
}
registerReducer("poll.progress", (state, data) => {
  const current = state.poll && state.poll.current;
  if (!current || current.id !== data.poll_id) return false;
  Object.assign(current, {
    voted_count: data.voted_count,
    eligible_count: data.eligible_count,
    running_tally: data.running_tally,
  });
  return undefined;
});

/** ISO text → ms. Server times are UTC; a stamp without an offset is read as UTC too. */
export function parseTime(value) {
  if (!value) return NaN;
  const text = String(value);
  const hasZone = /(Z|[+-]\d\d:?\d\d)$/.test(text);
  return Date.parse(hasZone ? text : `${text}Z`);
}

export function createMeetingStore(meetingId) {
  const id = Number(meetingId);
  const listeners = new Set();
  const eventListeners = new Set();
  const offs = [];
  let offset = 0; // server clock − local clock, ms
  let started = false;
  let syncing = null; // the running join/snapshot request
  let syncAgain = false;
  let lastEvent = null;
  let beaconTimer = null;

  const store = {
    meetingId: id,
    state: null, // null until the first snapshot
    error: null, // the last join error (CommandError-like {code})
    stats: { joins: 0, snapshots: 0, events: 0, gaps: 0, beaconGaps: 0 },

    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },

    /** Raw meeting events after they were handled: fn(name, envelope). */
    onEvent(fn) {
      eventListeners.add(fn);
      return () => eventListeners.delete(fn);
    },

    can(perm) {
      const perms = store.state && store.state.meeting && store.state.meeting.my_permissions;
      return Boolean(perms && perms.includes(perm));
    },

    serverNow() {
      return Date.now() + offset;
    },

    /** The last event applied: {name, op} (op for agenda.updated), for small animations. */
    lastEvent() {
      return lastEvent;
    },

    async start() {
      if (started) return;
      started = true;
      offs.push(onAny((name, envelope) => handleEvent(name, envelope)));
      offs.push(onConnect(() => sync("meeting.join")));
      if (getStatus() === "connected") await sync("meeting.join");
    },

    stop() {
      started = false;
      clearTimeout(beaconTimer);
      beaconTimer = null;
      for (const off of offs.splice(0)) off();
      listeners.clear();
      eventListeners.clear();
      command("meeting.leave", { meeting_id: id }).catch(() => {});
    },

    /** Ask for a fresh snapshot now (e.g. the page became visible again). */
    refresh() {
      return sync("meeting.snapshot");
    },
  };

  function notify() {
    for (const fn of [...listeners]) {
      try {
        fn(store.state, store);
      } catch (error) {
        console.error("meeting state listener failed", error);
      }
    }
  }

  function learnClock(serverNow, sentAt) {
    const server = parseTime(serverNow);
    if (Number.isNaN(server)) return;
    const local = sentAt ? (sentAt + Date.now()) / 2 : Date.now();
    offset = server - local;
  }

  function applySnapshot(snapshot, sentAt) {
    if (!snapshot || snapshot.meeting_id !== id) return;
    if (store.state && snapshot.version < store.state.version) return; // events overtook it
    // Every part the server sends: meeting, agenda, attendance, speakers, poll, presenter…
    const { meeting_id: _id, ...parts } = snapshot;
    store.state = parts;
    const clock = (snapshot.agenda && snapshot.agenda.server_now) ||
      (snapshot.speakers && snapshot.speakers.server_now);
    learnClock(clock, sentAt);
    store.error = null;
    lastEvent = { name: "snapshot" };
    notify();
  }

  async function sync(name) {
    if (!started) return;
    if (syncing) {
      // A join replaces a snapshot request; either way ask once more when this one ends.
      syncAgain = syncAgain || name;
      return syncing;
    }
    syncing = (async () => {
      const sentAt = Date.now();
      const ack = await command(name, { meeting_id: id });
      if (name === "meeting.join") store.stats.joins += 1;
      else store.stats.snapshots += 1;
      if (ack.ok) {
        applySnapshot(ack.data, sentAt);
      } else if (ack.error && !["disconnected", "timeout"].includes(ack.error.code)) {
        store.error = ack.error;
        notify();
      }
      // disconnected / timeout: the next connect sends meeting.join again.
    })();
    try {
      await syncing;
    } finally {
      syncing = null;
    }
    if (syncAgain && started) {
      const again = syncAgain === true ? "meeting.snapshot" : syncAgain;
      syncAgain = false;
      await sync(again);
    }
  }

  function emitRaw(name, envelope) {
    for (const fn of [...eventListeners]) {
      try {
        fn(name, envelope);
      } catch (error) {
        console.error("meeting event listener failed", error);
      }
    }
  }

  // The server's version beacon (meeting.beacon): a quiet meeting whose last event was
  // lost (message queue down) is noticed within one beacon. Wait a moment before asking:
  // the event of that version may still be on its way.
  function checkBeacon(data) {
    const behind = () =>
      store.state && data && typeof data.version === "number" && data.version > store.state.version;
    if (!behind() || beaconTimer) return;
    beaconTimer = setTimeout(() => {
      beaconTimer = null;
      if (!started || !behind()) return;
      store.stats.gaps += 1;
      store.stats.beaconGaps += 1;
      sync("meeting.snapshot");
    }, BEACON_GRACE_MS);
  }

  function handleEvent(name, envelope) {
    if (!started || !envelope || typeof envelope !== "object" || envelope.meeting_id !== id) return;
    if (name === "meeting.beacon") {
      checkBeacon(envelope.data);
      return;
    }
    const version = envelope.version;
    if (typeof version !== "number") {
      // Unversioned: a laser pointer, statistics, or an event only some people get (poll
      // drafts for the chair). Nothing to track; a missed one comes back with the next join.
      const reducer = reducers.get(name);
      if (reducer && store.state && reducer(store.state, envelope.data) !== false) notify();
      emitRaw(name, envelope);
      return;
    }
    store.stats.events += 1;
    const state = store.state;
    if (!state) return; // the join in flight brings everything
    if (version <= state.version) return; // stale
    if (version > state.version + 1) {
      store.stats.gaps += 1;
      sync("meeting.snapshot");
      return;
    }
    const reducer = reducers.get(name);
    if (!reducer) {
      state.version = version;
      emitRaw(name, envelope);
      return;
    }
    const result = reducer(state, envelope.data);
    if (result === false) {
      sync("meeting.snapshot");
      return;
    }
    state.version = version;
    const data = envelope.data || {};
    if (data.server_now) learnClock(data.server_now);
    lastEvent = { name, ...(result && typeof result === "object" ? result : {}) };
    notify();
    emitRaw(name, envelope);
  }

  return store;
}

// ---------------------------------------------------------------- timers and lookups

/** Seconds spent on an agenda item so far (earlier turns + the running one). */
export function itemElapsed(item, nowMs) {
  if (!item) return 0;
  let seconds = item.elapsed_seconds || 0;
  const started = parseTime(item.started_at);
  if (!Number.isNaN(started)) seconds += Math.max(0, (nowMs - started) / 1000);
  return Math.floor(seconds);
}

/** Planned seconds of an item, extensions included. */
export function itemPlanned(item) {
  return item ? (item.planned_minutes + (item.extra_minutes || 0)) * 60 : 0;
}

/** {elapsed, planned, remaining, overrun, warning} for an item (warning: last minute). */
export function itemTimer(item, nowMs) {
  const elapsed = itemElapsed(item, nowMs);
  const planned = itemPlanned(item);
  return {
    elapsed,
    planned,
    remaining: planned - elapsed,
    overrun: elapsed > planned,
    warning: elapsed <= planned && planned - elapsed <= 60,
  };
}

/** Seconds since the meeting opened (frozen once it closed); null before it starts. */
export function meetingElapsed(state, nowMs) {
  const agenda = state && state.agenda;
  const startedAt = parseTime(agenda && agenda.started_at);
  if (Number.isNaN(startedAt)) return null;
  const closedAt = parseTime(agenda.closed_at);
  const end = Number.isNaN(closedAt) ? nowMs : closedAt;
  return Math.max(0, Math.floor((end - startedAt) / 1000));
}

/** Past the scheduled end while still running? */
export function meetingOverrun(state, nowMs) {
  const meeting = state && state.meeting;
  if (!meeting || meeting.status !== "in_progress") return false;
  const endsAt = parseTime(meeting.ends_at);
  return !Number.isNaN(endsAt) && nowMs > endsAt;
}

/** {spoken, limit, remaining, warning, overrun} for the current speaker, or null. */
export function speakerTimer(speakers, nowMs) {
  const current = speakers && speakers.current;
  if (!current) return null;
  const startedAt = parseTime(current.started_at);
  const spoken = Number.isNaN(startedAt) ? 0 : Math.max(0, Math.floor((nowMs - startedAt) / 1000));
  const limit = current.limit_seconds || speakers.limit_seconds || 0;
  // The warning never covers more than the last half of a short turn (a 1-minute turn
  // with the meeting's 60-second warning would be "warning" from its first second).
  const warnAt = limit - Math.min(speakers.warning_seconds || 0, limit / 2);
  return {
    spoken,
    limit,
    remaining: limit - spoken,
    overrun: limit > 0 && spoken > limit,
    warning: limit > 0 && spoken > warnAt && spoken <= limit,
  };
}

/** "12:05", "1:02:03", "-0:42" for negative values. */
export function formatDuration(totalSeconds) {
  const negative = totalSeconds < 0;
  let s = Math.abs(Math.floor(totalSeconds));
  const hours = Math.floor(s / 3600);
  s -= hours * 3600;
  const minutes = Math.floor(s / 60);
  const seconds = s - minutes * 60;
  const pad = (n) => String(n).padStart(2, "0");
  const text = hours ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${pad(minutes)}:${pad(seconds)}`;
  return negative ? `−${text}` : text;
}

export function currentItem(state) {
  const agenda = state && state.agenda;
  if (!agenda || agenda.current_item_id == null) return null;
  return agenda.items.find((item) => item.id === agenda.current_item_id) || null;
}

/** Numbers like "1", "2", "2.1" for items in depth-first order. */
export function itemNumbers(items) {
  const numbers = new Map();
  let top = 0;
  const childCount = new Map();
  for (const item of items || []) {
    if (item.parent_id == null) {
      top += 1;
      numbers.set(item.id, String(top));
    } else {
      const n = (childCount.get(item.parent_id) || 0) + 1;
      childCount.set(item.parent_id, n);
      numbers.set(item.id, `${numbers.get(item.parent_id) || "?"}.${n}`);
    }
  }
  return numbers;
}

/** My open speaker request: {request, position (1-based) | null, speaking}. */
export function myRequest(speakers, userId) {
  if (!speakers || userId == null) return null;
  if (speakers.current && speakers.current.user_id === userId) {
    return { request: speakers.current, position: null, speaking: true };
  }
  const index = speakers.queue.findIndex((r) => r.user_id === userId);
  if (index < 0) return null;
  return { request: speakers.queue[index], position: index + 1, speaking: false };
}

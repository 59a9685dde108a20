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
// the conference bump the version too). An event with a reducer (meeting-reducers.js) is
// applied to the state; a reducer returning false means "cannot apply locally": the store
// fetches a snapshot instead. An event without a reducer only advances the version (its
// snapshot part is left as it was; the domain that owns it registers a reducer if it
// reads that part from here). Raw events reach store.onEvent(fn) listeners, e.g. a panel
// following annotations. Timers: meeting-timers.js; lookups: meeting-lookups.js.

import { applyUnversioned, applyVersioned } from "./meeting-reducers.js";
import { parseTime } from "./meeting-timers.js";
import { command, getStatus, onAny, onConnect } from "./socket.js";

const BEACON_GRACE_MS = 1000; // see checkBeacon()

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
      if (applyUnversioned(store.state, name, envelope.data)) notify();
      emitRaw(name, envelope);
      return;
    }
    store.stats.events += 1;
    const state = store.state;
    if (!state) return; // the join in flight brings everything
    const { outcome, result } = applyVersioned(state, name, version, envelope.data);
    if (outcome === "stale") return;
    if (outcome === "gap" || outcome === "resync") {
      if (outcome === "gap") store.stats.gaps += 1;
      sync("meeting.snapshot");
      return;
    }
    if (outcome === "advanced") {
      emitRaw(name, envelope);
      return;
    }
    const data = envelope.data || {};
    if (data.server_now) learnClock(data.server_now);
    lastEvent = { name, ...(result && typeof result === "object" ? result : {}) };
    notify();
    emitRaw(name, envelope);
  }

  return store;
}

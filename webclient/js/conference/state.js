// The conference state of one meeting, for the bridge page and the chair's panel.
//
//   const conf = createConferenceClient(meetingId);
//   conf.subscribe(({ state, stats }) => render(state, stats));
//   conf.start();   // conference.state now and after every reconnect; events after that
//   conf.stop();
//
// state: {node, on_air, chair_unit_id, recording, ended, sites: [...]} (docs/protocol.md,
// conference.updated); stats: Map unit_id → {bitrate_kbps, fps, rtt_ms, loss_pct, …}
// from conference.stats (sent only to people who run the conference).
//
// conference.updated goes only to those who may join the conference (bridge operators,
// the chair) and carries no version; the meeting store applies it to its `conference`
// part (null in the snapshots of everyone else).

import { registerReducer } from "../meeting-reducers.js";
import { command, on, onConnect, getStatus } from "../socket.js";

registerReducer("conference.updated", (state, data) => {
  state.conference = data;
});

export function createConferenceClient(meetingId) {
  const id = Number(meetingId);
  const listeners = new Set();
  const offs = [];
  let version = -1;
  const client = {
    state: null,
    stats: new Map(),
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    async refresh() {
      const ack = await command("conference.state", { meeting_id: id });
      if (ack.ok) {
        client.state = ack.data;
        notify();
      }
      return ack;
    },
    start() {
      offs.push(
        on("conference.updated", (envelope) => {
          if (!envelope || envelope.meeting_id !== id) return;
          if (envelope.version != null && envelope.version < version) return;
          version = envelope.version ?? version;
          client.state = envelope.data;
          notify();
        }),
      );
      offs.push(
        on("conference.stats", (envelope) => {
          if (!envelope || envelope.meeting_id !== id) return;
          for (const site of (envelope.data && envelope.data.sites) || []) {
            client.stats.set(site.unit_id, site);
          }
          notify();
        }),
      );
      offs.push(onConnect(() => client.refresh()));
      if (getStatus() === "connected") client.refresh();
    },
    stop() {
      for (const off of offs.splice(0)) off();
      listeners.clear();
    },
    site(unitId) {
      return client.state ? client.state.sites.find((s) => s.unit_id === unitId) || null : null;
    },
  };
  function notify() {
    for (const fn of [...listeners]) {
      try {
        fn(client);
      } catch (error) {
        console.error("conference listener failed", error);
      }
    }
  }
  return client;
}

// How meeting events change the shared meeting state (the store in meeting-state.js runs
// them; nothing here touches the network or the DOM, so `node --test` can load it).
//
// registerReducer(name, (state, data) => ...) teaches every store an event: the reducer
// mutates state; returning false means "cannot apply locally" and the store fetches a
// snapshot instead; returning an object adds it to store.lastEvent() (e.g. {op}). The
// domains register their own: polls/model.js, conference/state.js, annotations/index.js.

const reducers = new Map();

/** Teach every store an event: reducer(state, data) mutates state; false → resync. */
export function registerReducer(eventName, reducer) {
  reducers.set(eventName, reducer);
}

/**
 * Apply a versioned event to state (docs/protocol.md "Events, versions and snapshots").
 * Returns {outcome, result}: "stale" (an older version, ignored), "gap" (we missed one),
 * "resync" (its reducer cannot apply it), "advanced" (no reducer: only the version moves)
 * or "applied" with the reducer's result.
 */
export function applyVersioned(state, name, version, data) {
  if (version <= state.version) return { outcome: "stale" };
  if (version > state.version + 1) return { outcome: "gap" };
  const reducer = reducers.get(name);
  if (!reducer) {
    state.version = version;
    return { outcome: "advanced" };
  }
  const result = reducer(state, data);
  if (result === false) return { outcome: "resync" };
  state.version = version;
  return { outcome: "applied", result };
}

/** Apply an unversioned event (laser, statistics, drafts); true when state changed. */
export function applyUnversioned(state, name, data) {
  const reducer = reducers.get(name);
  return Boolean(reducer && state && reducer(state, data) !== false);
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

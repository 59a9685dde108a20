// Clocks of a meeting, computed from the server's timestamps (the store corrects for a
// tablet whose own clock is wrong: pass it store.serverNow()). No DOM, no network.

/** ISO text → ms. Server times are UTC; a stamp without an offset is read as UTC too. */
export function parseTime(value) {
  if (!value) return NaN;
  const text = String(value);
  const hasZone = /(Z|[+-]\d\d:?\d\d)$/.test(text);
  return Date.parse(hasZone ? text : `${text}Z`);
}
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

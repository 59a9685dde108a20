// The agenda editor's time figures: the planned total against the meeting's planned
// duration, and the presenter text ↔ participant match. Pure (no DOM, no network).

import { parseTime } from "./meeting-timers.js";

/**
 * plannedFit(totalMinutes, startsAt, endsAt) → {total, available, over, ratio, endsAt}
 *   available: minutes between the planned start and end (null when either is missing);
 *   over: minutes past the planned end (0 when it fits); ratio: total / available, for
 *   the bar (capped at 1; null without a planned duration).
 * Past the end is a warning for the secretary, never a refusal.
 */
export function plannedFit(totalMinutes, startsAt, endsAt) {
  const total = Math.max(0, Number(totalMinutes) || 0);
  const start = parseTime(startsAt);
  const end = parseTime(endsAt);
  if (Number.isNaN(start) || Number.isNaN(end) || end <= start) {
    return { total, available: null, over: 0, ratio: null, plannedEndAt: null };
  }
  const available = Math.round((end - start) / 60000);
  const over = Math.max(0, total - available);
  const ratio = available > 0 ? Math.min(1, total / available) : 1;
  return { total, available, over, ratio, plannedEndAt: new Date(start + total * 60000) };
}

/** Sum of every item's planned minutes (sub-items count: they are discussed in turn). */
export function totalMinutes(items) {
  return (items || []).reduce((sum, item) => sum + (Number(item.planned_minutes) || 0), 0);
}

/**
 * The choices of the presenter field: one label per participant (a name shared by two
 * people gets the username added), and match(text) → the participant the text names, or
 * null (free text: an outside presenter).
 */
export function presenterChoices(participants) {
  const people = (participants || []).filter((p) => p.role !== "bridge_operator");
  const counts = new Map();
  for (const p of people) counts.set(p.full_name, (counts.get(p.full_name) || 0) + 1);
  const choices = people.map((p) => ({
    userId: p.user_id,
    label: counts.get(p.full_name) > 1 ? `${p.full_name} (${p.username})` : p.full_name,
    name: p.full_name,
    role: p.role,
  }));
  const fold = (s) => String(s || "").normalize("NFC").trim().replace(/\s+/g, " ").toLocaleLowerCase("vi");
  const byLabel = new Map(choices.map((c) => [fold(c.label), c]));
  return {
    choices,
    match(text) {
      return byLabel.get(fold(text)) || null;
    },
  };
}

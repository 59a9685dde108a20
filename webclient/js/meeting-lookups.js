// Questions the room screens ask of a meeting's state: the current item, item numbers,
// my place on the floor. No DOM, no network.

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

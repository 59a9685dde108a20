// Places in the meeting-room screens that other features fill: the poll panel (voting),
// the presenter/document panel and (chair console) the video conference. Each screen has
// one slot per kind; a slot stays hidden until a panel registered for it says it has
// something to show. Slots: chair — poll, presenter, conference; tablet — poll,
// presenter; projector — poll, presenter (an active one takes the centre).
//
//   import { registerRoomPanel } from "../room-panels.js";
//   registerRoomPanel("poll", {
//     screens: ["chair", "tablet", "projector"],   // where it appears
//     order: 10,
//     mount(element, { store, screen, ctx }) {     // fill element; store is meeting-state.js
//       const off = store.subscribe((state) => { … });
//       return { active: (state) => Boolean(state.poll && state.poll.current), destroy: off };
//     },
//   });
//
// `active(state)` decides whether the slot is shown (e.g. the projector gives the whole
// centre to an open poll); without it the slot is shown while the panel is mounted.

import { h } from "./dom.js";

const panels = new Map(); // slot → [{id, screens, order, mount}]

export const SLOTS = ["poll", "presenter", "conference"];

export function registerRoomPanel(slot, { id = slot, screens, order = 100, mount }) {
  if (!panels.has(slot)) panels.set(slot, []);
  const list = panels.get(slot).filter((p) => p.id !== id);
  list.push({ id, screens: screens || ["chair", "tablet", "projector"], order, mount });
  list.sort((a, b) => a.order - b.order);
  panels.set(slot, list);
}

/** An empty slot element for `slot` (hidden until filled). */
export function createSlot(slot, className = "") {
  return h("section", {
    class: ["room-slot", `room-slot-${slot}`, className].filter(Boolean).join(" "),
    dataset: { slot },
    hidden: true,
  });
}

/**
 * Mount the panels registered for `screen` into the given slots; returns a cleanup.
 * Call update(state) after each state change to show/hide slots.
 */
export function mountPanels(screen, slots, { store, ctx }) {
  const mounted = [];
  for (const [slot, element] of Object.entries(slots)) {
    for (const panel of panels.get(slot) || []) {
      if (!panel.screens.includes(screen)) continue;
      const host = h("div", { class: "room-panel", dataset: { panel: panel.id } });
      element.append(host);
      try {
        const handle = panel.mount(host, { store, screen, ctx }) || {};
        mounted.push({ element, handle });
      } catch (error) {
        console.error(`room panel ${panel.id} failed`, error);
      }
    }
  }
  const update = (state) => {
    for (const element of Object.values(slots)) {
      const mine = mounted.filter((m) => m.element === element);
      element.hidden = !mine.some(({ handle }) => (handle.active ? handle.active(state) : true));
    }
  };
  const destroy = () => {
    for (const { handle } of mounted) {
      if (handle.destroy) handle.destroy();
    }
  };
  return { update, destroy };
}

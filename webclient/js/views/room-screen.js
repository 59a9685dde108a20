// The skeleton every meeting-room screen (chair console, tablet, projector) shares: a
// status line for loading and errors, a body shown from the first snapshot on, its parts
// rebuilt on every change, their timers ticked every second on the server's clock, and
// the screen's panel slots (room-panels.js).
//
//   const room = await openRoomScreen(ctx, {
//     screen: "tablet", status, body, slots: { poll, presenter },
//     onStore: (s) => { store = s; },     // the store, before its first snapshot
//     render(state, tickers) { … },        // rebuild the parts; tickers.push((now) => …)
//     hold: () => dragging,                // optional: not now (the chair is dragging)
//     afterPanels() { … },                 // optional: after slots were shown or hidden
//   });
//   room.render();                         // the current state again (after a hold)

import { h } from "../dom.js";
import { errorMessage, translateDom } from "../i18n.js";
import { createMeetingStore } from "../meeting-state.js";
import { mountPanels } from "../room-panels.js";

export function loadingBlock() {
  return h(
    "div",
    { class: "room-loading", role: "status" },
    h("span", { class: "spinner", "aria-hidden": "true" }),
    h("p", { i18n: "room.loading" }),
  );
}

export function errorBlock(error) {
  return h(
    "section",
    { class: "card message-card", role: "alert" },
    h("h1", { class: "card-title", i18n: "room.error_title" }),
    h("p", { text: errorMessage(error) }),
    h("a", { class: "btn btn-secondary", href: "#/", i18n: "common.back_home" }),
  );
}

export async function openRoomScreen(ctx, { screen, status, body, slots, render, onStore, hold, afterPanels }) {
  const store = createMeetingStore(ctx.params.id);
  if (onStore) onStore(store);
  ctx.onCleanup(() => store.stop());
  let tickers = [];
  let panels = null;

  function showPanels(state) {
    if (!panels) return;
    panels.update(state);
    if (afterPanels) afterPanels();
  }

  function renderState(state) {
    if (hold && hold()) return;
    status.replaceChildren();
    body.hidden = false;
    tickers = [];
    render(state, tickers);
    showPanels(state);
  }

  function tick(now) {
    for (const ticker of tickers) ticker(now);
  }

  status.replaceChildren(loadingBlock());
  translateDom(status);
  let timer = null;
  const startTicking = () => {
    if (timer) return;
    const loop = () => {
      try {
        tick(store.serverNow());
      } catch (error) {
        console.error(error);
      }
      timer = setTimeout(loop, 1000 - (store.serverNow() % 1000) + 10);
    };
    loop();
  };
  ctx.onCleanup(() => clearTimeout(timer));
  const renderNow = (state) => {
    renderState(state);
    tick(store.serverNow()); // new timer elements get their text at once
  };
  store.subscribe((state) => {
    if (!state) {
      if (store.error) status.replaceChildren(errorBlock(store.error));
      return;
    }
    renderNow(state);
    startTicking();
  });
  // A tablet waking up: ask for the truth at once rather than at the next event.
  const onVisible = () => {
    if (document.visibilityState === "visible" && store.state) store.refresh();
  };
  document.addEventListener("visibilitychange", onVisible);
  ctx.onCleanup(() => document.removeEventListener("visibilitychange", onVisible));
  ctx.onLangChange(() => {
    if (store.state) renderNow(store.state);
  });
  // For tests and support: the store of the open room.
  window.__meetingStore = store;
  ctx.onCleanup(() => {
    if (window.__meetingStore === store) window.__meetingStore = null;
  });
  await store.start();

  panels = mountPanels(screen, slots, { store, ctx });
  ctx.onCleanup(() => panels.destroy());
  if (store.state) showPanels(store.state);
  return {
    store,
    render() {
      if (store.state) renderState(store.state);
    },
  };
}

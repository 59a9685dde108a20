// The chair console's conference panel: every invited bridge with its link status and
// quality, a put-on-air button and a mute button per site, automatic mode, recording.
//
//   const panel = mountConferencePanel(element, { meetingId });   // or the router ctx
//   panel.destroy();
//
// Rows are built once per site and updated in place, so a button keeps focus while the
// stats tick (conference.stats, every ~2 s).

import { h, setI18n } from "../dom.js";
import { errorMessage } from "../i18n.js";
import { registerRoomPanel } from "../room-panels.js";
import { command } from "../socket.js";
import { toast } from "../toast.js";
import { createConferenceClient } from "./state.js";

function meetingIdOf(ctx) {
  if (ctx && ctx.meetingId != null) return Number(ctx.meetingId);
  if (ctx && ctx.params && ctx.params.id != null) return Number(ctx.params.id);
  if (ctx && ctx.store && ctx.store.meetingId != null) return Number(ctx.store.meetingId);
  throw new Error("mountConferencePanel: no meeting id");
}

const fmt = (value, digits = 0) => (value == null || Number.isNaN(value) ? "–" : Number(value).toFixed(digits));

async function run(name, payload) {
  const ack = await command(name, payload);
  if (!ack.ok) toast(null, { text: errorMessage(ack.error), kind: "error" });
  return ack;
}

export function mountConferencePanel(el, ctx) {
  const meetingId = meetingIdOf(ctx);
  const conf = createConferenceClient(meetingId);
  const rows = new Map(); // unit_id → {row, parts}
  let wasRunning = null; // sites connected or recording, before the meeting ended

  const nodeBadge = h("span", { class: "conf-node-badge" });
  const onAirLine = h("p", { class: "conf-onair-line", "aria-live": "polite" });
  const autoBtn = h("button", {
    type: "button",
    class: "btn btn-secondary conf-auto",
    i18n: "conference.auto",
    on: { click: () => run("conference.on_air", { meeting_id: meetingId, unit_id: null }) },
  });
  const recBtn = h("button", {
    type: "button",
    class: "btn btn-secondary conf-rec",
    on: {
      click: () =>
        run(conf.state && conf.state.recording ? "conference.recording_stop" : "conference.recording_start", {
          meeting_id: meetingId,
        }),
    },
  });
  const list = h("ul", { class: "conf-sites", "aria-label": "" });
  const root = h(
    "section",
    { class: "conf-panel", dataset: { testid: "conference-panel" } },
    h(
      "header",
      { class: "conf-panel-head" },
      h("h2", { class: "card-title", i18n: "conference.title" }),
      nodeBadge,
      h("div", { class: "conf-panel-actions" }, autoBtn, recBtn),
    ),
    onAirLine,
    list,
  );
  el.append(root);

  function rowFor(site) {
    let entry = rows.get(site.unit_id);
    if (entry) return entry;
    const parts = {
      name: h("span", { class: "conf-site-name", text: site.name }),
      status: h("span", { class: "conf-status" }),
      stats: h("span", { class: "conf-stats" }),
      onair: h("button", {
        type: "button",
        class: "btn btn-primary conf-onair-btn",
        i18n: "conference.put_on_air",
        on: { click: () => run("conference.on_air", { meeting_id: meetingId, unit_id: site.unit_id }) },
      }),
      mute: h("button", {
        type: "button",
        class: "btn btn-secondary conf-mute-btn",
        on: {
          click: () => {
            const current = conf.site(site.unit_id);
            run("conference.mute", { meeting_id: meetingId, unit_id: site.unit_id, muted: !(current && current.muted) });
          },
        },
      }),
    };
    const row = h(
      "li",
      { class: "conf-site", dataset: { unitId: site.unit_id, depth: site.depth } },
      h("div", { class: "conf-site-main" }, parts.name, parts.status),
      parts.stats,
      h("div", { class: "conf-site-actions" }, parts.onair, parts.mute),
    );
    entry = { row, parts };
    rows.set(site.unit_id, entry);
    return entry;
  }

  function render() {
    const state = conf.state;
    if (!state) return;
    setI18n(nodeBadge, state.node.available ? "conference.node_ok" : "conference.node_missing");
    nodeBadge.dataset.ok = state.node.available ? "1" : "0";
    root.classList.toggle("is-ended", state.ended);
    // "Bế mạc" ended the conference while it ran here: say so once.
    if (state.ended && wasRunning) toast("conference.ended_toast", { timeout: 12000 });
    wasRunning = !state.ended && (Boolean(state.recording) || state.sites.some((s) => s.state !== "offline"));
    if (state.ended) {
      setI18n(onAirLine, "conference.ended");
    } else if (state.on_air) {
      setI18n(onAirLine, `conference.on_air_${state.on_air.why}`, { name: state.on_air.name });
    } else {
      setI18n(onAirLine, "conference.on_air_none");
    }
    autoBtn.disabled = state.ended || !state.on_air || state.on_air.why !== "manual";
    recBtn.disabled = state.ended && !state.recording;
    setI18n(recBtn, state.recording ? "conference.recording_stop" : "conference.recording_start");
    recBtn.dataset.recording = state.recording ? "1" : "0";
    const ordered = [];
    for (const site of state.sites) {
      const { row, parts } = rowFor(site);
      row.dataset.state = site.state;
      row.dataset.onAir = site.on_air ? "1" : "0";
      row.classList.toggle("is-on-air", site.on_air);
      row.classList.toggle("is-chair-room", site.chair_room);
      setI18n(parts.status, site.on_air ? "conference.status_on_air" : `conference.status_${site.state}`);
      parts.status.dataset.state = site.on_air ? "on_air" : site.state;
      const stats = site.state !== "offline" ? conf.stats.get(site.unit_id) : null;
      if (stats) {
        setI18n(parts.stats, "conference.stats_line", {
          kbps: fmt(stats.bitrate_kbps ?? stats.send_kbps),
          loss: fmt(stats.loss_pct, 1),
          rtt: fmt(stats.rtt_ms),
        });
        parts.stats.dataset.quality = stats.quality || "";
      } else {
        parts.stats.textContent = "";
      }
      parts.onair.disabled = state.ended || site.state === "offline" || site.on_air;
      parts.mute.disabled = state.ended || (site.state === "offline" && !site.muted);
      setI18n(parts.mute, site.muted ? "conference.unmute" : "conference.mute");
      parts.mute.setAttribute("aria-pressed", site.muted ? "true" : "false");
      ordered.push(row);
    }
    // Keep the DOM order without rebuilding (focus stays where it is).
    ordered.forEach((row, index) => {
      if (list.children[index] !== row) list.insertBefore(row, list.children[index] || null);
    });
    while (list.children.length > ordered.length) list.lastChild.remove();
  }

  const off = conf.subscribe(render);
  conf.start();
  return {
    client: conf,
    destroy() {
      off();
      conf.stop();
      root.remove();
    },
  };
}

// The chair console shows it in its "conference" slot (webclient/js/views/chair.js).
registerRoomPanel("conference", {
  screens: ["chair"],
  order: 10,
  mount(element, { ctx, store }) {
    const panel = mountConferencePanel(element, { meetingId: store ? store.meetingId : undefined, params: ctx && ctx.params });
    return { destroy: panel.destroy };
  },
});

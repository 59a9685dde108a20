// #/meetings/:id/bridge — a bridge site (or the chair room) in the video conference.
// #/meetings/:id/conference — the conference console on its own (MCU operator).
//
// The bridge page: camera / microphone / picture-size choice with a live preview, the
// on-air site large and the chair room small, a link-quality indicator from getStats,
// the request-to-speak button (speaker.request / speaker.withdraw), and reconnection by
// itself: a failed peer connection, a vanished peer (media node restarted) or a socket
// reconnect that finds no peer all lead to a new conference.join with backoff.

import { h, setI18n } from "../dom.js";
import { errorMessage } from "../i18n.js";
import { myRequest } from "../meeting-lookups.js";
import { createMeetingStore } from "../meeting-state.js";
import { registerView } from "../router.js";
import { currentUser } from "../session.js";
import { command, onConnect } from "../socket.js";
import { toast } from "../toast.js";
import { mountConferencePanel } from "../conference/panel.js";
import { createConferenceClient } from "../conference/state.js";
import { createSiteLink } from "../conference/rtc.js";
import { createLocalMedia } from "./bridge-media.js";

const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 15000;
const DISCONNECTED_GRACE_MS = 5000;
const STATS_EVERY_MS = 2000;
const REPORT_EVERY = 3; // stats ticks between conference.report (≈ 6 s)
const FATAL = new Set(["permission_denied", "not_found", "not_authenticated", "conflict", "closed"]);
const FINISHED = new Set(["ended", "cancelled"]);

async function renderBridge(ctx) {
  const meetingId = Number(ctx.params.id);
  const user = currentUser();
  const media = createLocalMedia({
    quality: ctx.query.quality,
    isEnded: () => ended,
    onError: showError,
    onNewStream: async (stream) => {
      if (link && link.transceivers) {
        await link.replaceTrack("video", stream.getVideoTracks()[0] || null);
        await link.replaceTrack("audio", stream.getAudioTracks()[0] || null);
      }
    },
  });

  // ---------------------------------------------------------------- elements
  const title = h("h1", { class: "bridge-title" });
  const siteName = h("p", { class: "bridge-site" });
  const qualityBadge = h("span", { class: "bridge-quality", dataset: { quality: "none" }, role: "status" });
  const linkStatus = h("span", { class: "bridge-link", role: "status", "aria-live": "polite" });
  const mainVideo = h("video", { class: "bridge-main-video", autoplay: true, playsinline: true, muted: true });
  const chairVideo = h("video", { class: "bridge-chair-video", autoplay: true, playsinline: true, muted: true });
  const onAirLabel = h("p", { class: "bridge-onair-label" });
  const audios = [0, 1, 2].map(() => h("audio", { autoplay: true }));
  const speakBtn = h("button", { type: "button", class: "btn btn-primary btn-lg bridge-speak-btn", on: { click: () => speak() } });
  const speakInfo = h("p", { class: "bridge-speak-info", "aria-live": "polite" });
  const errorBox = h("div", { class: "alert alert-error bridge-error", role: "alert", hidden: true });
  const endedBox = h("div", { class: "alert alert-info bridge-ended", role: "status", hidden: true, i18n: "bridge.meeting_ended" });
  const rejoinBtn = h("button", { type: "button", class: "btn btn-secondary", i18n: "bridge.reconnect", hidden: true, on: { click: () => { left = false; rejoinBtn.hidden = true; errorBox.hidden = true; retryDelay = RETRY_MIN_MS; connect(); } } });

  ctx.root.append(
    h(
      "div",
      { class: "bridge-page" },
      h("header", { class: "bridge-head" }, h("div", {}, title, siteName), h("div", { class: "bridge-head-status" }, linkStatus, qualityBadge)),
      endedBox,
      errorBox,
      rejoinBtn,
      h(
        "div",
        { class: "bridge-layout" },
        h("div", { class: "bridge-stage" }, mainVideo, chairVideo, onAirLabel, ...audios),
        h(
          "aside",
          { class: "bridge-side card" },
          h("h2", { class: "card-title", i18n: "bridge.my_site" }),
          media.preview,
          h("div", { class: "bridge-toggles" }, ...media.toggles),
          ...media.fields,
          speakBtn,
          speakInfo,
        ),
      ),
    ),
  );

  // ---------------------------------------------------------------- state
  let link = null;
  let myUnitId = null;
  let connecting = false;
  let retryTimer = null;
  let retryDelay = RETRY_MIN_MS;
  let disconnectedTimer = null;
  let left = false;
  let ready = false; // devices opened: from now on a socket reconnect may (re)join
  let tick = 0;
  let ended = false; // the meeting ended: the link is closed for good

  const store = createMeetingStore(meetingId);
  const conf = createConferenceClient(meetingId);

  function setLink(key) {
    setI18n(linkStatus, key);
    linkStatus.dataset.state = key.split(".").pop();
  }

  function showError(error) {
    errorBox.textContent = errorMessage(error);
    errorBox.hidden = false;
  }

  function attachRemote({ main, chair, audio }) {
    mainVideo.srcObject = new MediaStream([main]);
    chairVideo.srcObject = new MediaStream([chair]);
    audio.forEach((track, i) => {
      audios[i].srcObject = new MediaStream([track]);
      audios[i].play().catch(() => {}); // autoplay may wait for a first tap
    });
    mainVideo.play().catch(() => {});
    chairVideo.play().catch(() => {});
  }

  function scheduleRejoin() {
    if (left || retryTimer) return;
    setLink("bridge.link_reconnecting");
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect();
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
  }

  function onPcState(state) {
    clearTimeout(disconnectedTimer);
    if (state === "connected") {
      retryDelay = RETRY_MIN_MS;
      setLink("bridge.link_connected");
    } else if (state === "failed") {
      scheduleRejoin();
    } else if (state === "disconnected") {
      setLink("bridge.link_reconnecting");
      disconnectedTimer = setTimeout(() => {
        if (link && link.pc && link.pc.connectionState !== "connected") scheduleRejoin();
      }, DISCONNECTED_GRACE_MS);
    }
  }

  async function connect() {
    if (left || connecting) return;
    connecting = true;
    setLink("bridge.link_connecting");
    if (link) link.close();
    link = createSiteLink({ meetingId, onRemote: attachRemote, onState: onPcState, onJoined: (data) => { myUnitId = data.unit_id; } });
    window.phsBridge = link; // for diagnostics and the browser tests (getStats)
    let ack;
    try {
      ack = await link.start(media.stream());
    } catch (error) {
      ack = { ok: false, error: { code: "webrtc_failed", message: String(error) } };
    } finally {
      connecting = false;
    }
    if (!ack || left) return;
    if (!ack.ok) {
      if (ack.error.code === "closed") {
        meetingEnded();
        return;
      }
      showError(ack.error);
      if (FATAL.has(ack.error.code)) {
        setLink("bridge.link_offline");
        rejoinBtn.hidden = false;
      } else {
        scheduleRejoin();
      }
      return;
    }
    errorBox.hidden = true;
    renderSite();
  }

  // The meeting ended ("Bế mạc"): web closed our peer; stop rejoining, release the camera.
  function meetingEnded() {
    if (ended) return;
    ended = true;
    left = true;
    clearTimeout(retryTimer);
    clearTimeout(disconnectedTimer);
    if (link) link.close();
    media.stop();
    media.preview.srcObject = null;
    errorBox.hidden = true;
    rejoinBtn.hidden = true;
    endedBox.hidden = false;
    setLink("bridge.link_ended");
    qualityBadge.hidden = true;
    for (const control of [speakBtn, ...media.controls]) control.disabled = true;
    ctx.root.querySelector(".bridge-page").classList.add("is-ended");
  }

  // ---------------------------------------------------------------- conference + floor
  function renderSite() {
    const state = conf.state;
    if (!state) return;
    if (state.ended) {
      meetingEnded();
      return;
    }
    const mine = myUnitId != null ? state.sites.find((s) => s.unit_id === myUnitId) : null;
    siteName.textContent = mine ? mine.name : "";
    if (state.on_air) {
      setI18n(onAirLabel, "bridge.on_air", { name: state.on_air.name });
      mainVideo.dataset.onAir = String(state.on_air.unit_id);
    } else {
      setI18n(onAirLabel, "bridge.nobody_on_air");
      delete mainVideo.dataset.onAir;
    }
    ctx.root.querySelector(".bridge-page").classList.toggle("is-on-air", Boolean(mine && mine.on_air));
    // The chair room small in the corner: only while it is connected (and it is not us).
    const chairRoom = state.sites.find((s) => s.chair_room);
    chairVideo.hidden = !chairRoom || chairRoom.state === "offline" || (mine && mine.chair_room);
    // Our peer vanished (node restart, or closed while our socket was away): join again.
    if (!connecting && link && link.peerId && mine) {
      if (mine.state === "offline") scheduleRejoin();
      else if (mine.peer_id && mine.peer_id !== link.peerId) {
        // Another browser took this site over: don't fight it.
        left = true;
        link.close();
        showError({ code: "site_taken" });
        setLink("bridge.link_offline");
        rejoinBtn.hidden = false;
      }
    }
  }

  function renderFloor(state) {
    if (state && state.meeting) title.textContent = state.meeting.title;
    if (state && state.meeting && FINISHED.has(state.meeting.status)) meetingEnded();
    if (ended) return;
    const mine = myRequest(state && state.speakers, user && user.id);
    speakBtn.disabled = !store.can("speaker.request");
    if (!mine) {
      setI18n(speakBtn, "bridge.request_speak");
      speakInfo.textContent = "";
    } else if (mine.speaking) {
      setI18n(speakBtn, "bridge.speaking");
      speakBtn.disabled = true;
      setI18n(speakInfo, "bridge.you_have_floor");
    } else {
      setI18n(speakBtn, "bridge.withdraw");
      setI18n(speakInfo, "bridge.queue_position", { position: mine.position });
    }
    speakBtn.dataset.state = mine ? (mine.speaking ? "speaking" : "waiting") : "idle";
  }

  async function speak() {
    const mine = myRequest(store.state && store.state.speakers, user && user.id);
    const ack = mine
      ? await command("speaker.withdraw", { meeting_id: meetingId, request_id: mine.request.id })
      : await command("speaker.request", { meeting_id: meetingId, topic: "" });
    if (!ack.ok) toast(null, { text: errorMessage(ack.error), kind: "error" });
  }

  // ---------------------------------------------------------------- stats
  async function statsTick() {
    if (ended || !link || !link.peerId) return;
    const numbers = await link.stats().catch(() => null);
    if (!numbers) return;
    qualityBadge.dataset.quality = numbers.quality || "none";
    setI18n(qualityBadge, `bridge.quality_badge_${numbers.quality || "none"}`, {
      rtt: numbers.rtt_ms == null ? "–" : Math.round(numbers.rtt_ms),
      loss: numbers.loss_pct == null ? "–" : numbers.loss_pct.toFixed(1),
    });
    tick += 1;
    if (tick % REPORT_EVERY === 0) {
      const payload = { meeting_id: meetingId, peer_id: link.peerId };
      for (const key of ["rtt_ms", "loss_pct", "send_kbps", "recv_kbps", "recv_fps"]) {
        if (numbers[key] != null) payload[key] = Math.round(numbers[key] * 10) / 10;
      }
      if (numbers.recv_width != null) payload.recv_width = numbers.recv_width;
      if (numbers.quality) payload.quality = numbers.quality;
      const ack = await command("conference.report", payload);
      if (!ack.ok && ack.error.code === "not_found" && !connecting) scheduleRejoin();
    }
  }

  // ---------------------------------------------------------------- start
  setLink("bridge.link_connecting");
  ctx.onCleanup(store.subscribe(renderFloor));
  ctx.onCleanup(conf.subscribe(renderSite));
  ctx.onCleanup(
    onConnect(() => {
      // The socket came back: tell web this browser still holds its peer (or rejoin).
      if (!ready) return; // the first join runs once the camera is open
      if (link && link.peerId) {
        command("conference.report", { meeting_id: meetingId, peer_id: link.peerId }).then((ack) => {
          if (!ack.ok && ack.error.code === "not_found") scheduleRejoin();
        });
      } else if (!connecting && !retryTimer && !left) {
        connect();
      }
    }),
  );
  const statsTimer = setInterval(statsTick, STATS_EVERY_MS);
  ctx.onCleanup(() => {
    left = true;
    clearInterval(statsTimer);
    clearTimeout(retryTimer);
    clearTimeout(disconnectedTimer);
    if (link) link.close({ leave: true });
    media.stop();
    conf.stop();
    store.stop();
    if (window.phsBridge === link) window.phsBridge = null;
  });
  conf.start();
  await store.start();
  if (ended) return; // opened after the meeting ended: no camera, no link
  await media.open();
  if (ended) {
    media.stop();
    return;
  }
  ready = true;
  await connect();
}

registerView("/meetings/:id/bridge", renderBridge, {
  name: "meeting-bridge",
  layout: "shell",
  titleKey: "bridge.title",
});

registerView(
  "/meetings/:id/conference",
  (ctx) => {
    const wrap = h("div", { class: "page conf-page" });
    ctx.root.append(wrap);
    const panel = mountConferencePanel(wrap, ctx);
    ctx.onCleanup(() => panel.destroy());
  },
  { name: "meeting-conference", layout: "shell", titleKey: "conference.title" },
);

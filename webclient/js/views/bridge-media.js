// The bridge site's own camera and microphone (bridge.js): device and picture-size choices
// remembered on this browser, the live preview and the mute toggles. A remembered device
// that is gone falls back to the defaults.

import { h, setI18n } from "../dom.js";
import { QUALITY_PRESETS, listDevices, openMedia } from "../conference/rtc.js";

const PREFS_KEY = "phs.bridge.devices";

function loadPrefs() {
  try {
    return JSON.parse(localStorage.getItem(PREFS_KEY) || "{}") || {};
  } catch {
    return {};
  }
}

function savePrefs(prefs) {
  try {
    localStorage.setItem(PREFS_KEY, JSON.stringify(prefs));
  } catch {
    // private mode: choices last for this page only
  }
}

function select(labelKey, className, onChange) {
  const input = h("select", { class: `input ${className}`, on: { change: (e) => onChange(e.target.value) } });
  const field = h("label", { class: "field" }, h("span", { class: "label", i18n: labelKey }), input);
  return { field, input };
}

function fillSelect(input, devices, selected, fallbackKey) {
  input.replaceChildren(
    ...devices.map((d, i) =>
      h("option", { value: d.deviceId, selected: d.deviceId === selected }, d.label || `${fallbackKey} ${i + 1}`),
    ),
  );
}

/**
 * quality: a preset asked for in the address (?quality=), else the remembered one.
 * isEnded(): no camera once the meeting ended. onError(error): show it. onNewStream(stream):
 * a device changed; awaited before the old tracks stop (the link swaps its tracks).
 */
export function createLocalMedia({ quality: asked, isEnded, onError, onNewStream }) {
  const prefs = { quality: "medium", ...loadPrefs() };
  if (asked && QUALITY_PRESETS[asked]) prefs.quality = asked;
  let stream = null;
  const muted = { audio: false, video: false };

  const preview = h("video", { class: "bridge-preview", autoplay: true, playsinline: true, muted: true });
  const camera = select("bridge.camera", "bridge-camera", (v) => changeDevice({ cameraId: v }));
  const mic = select("bridge.mic", "bridge-mic", (v) => changeDevice({ micId: v }));
  const quality = select("bridge.quality", "bridge-quality-select", (v) => changeDevice({ quality: v }));
  quality.input.append(
    ...Object.keys(QUALITY_PRESETS).map((q) =>
      h("option", { value: q, selected: q === prefs.quality, i18n: `bridge.quality_${q}` }),
    ),
  );
  const micBtn = h("button", { type: "button", class: "btn btn-secondary bridge-mic-btn", on: { click: () => toggle("audio") } });
  const camBtn = h("button", { type: "button", class: "btn btn-secondary bridge-cam-btn", on: { click: () => toggle("video") } });

  function renderToggles() {
    setI18n(micBtn, muted.audio ? "bridge.mic_on" : "bridge.mic_off");
    micBtn.setAttribute("aria-pressed", muted.audio ? "true" : "false");
    setI18n(camBtn, muted.video ? "bridge.cam_on" : "bridge.cam_off");
    camBtn.setAttribute("aria-pressed", muted.video ? "true" : "false");
  }

  function toggle(kind) {
    muted[kind] = !muted[kind];
    if (stream) for (const track of stream.getTracks()) if (track.kind === kind) track.enabled = !muted[kind];
    renderToggles();
  }

  async function open() {
    try {
      stream = await openMedia(prefs);
    } catch {
      if (prefs.cameraId || prefs.micId) {
        // A remembered device is gone: fall back to the defaults.
        delete prefs.cameraId;
        delete prefs.micId;
        try {
          stream = await openMedia(prefs);
        } catch {
          stream = null;
        }
      }
      if (!stream) onError({ code: "media_denied" });
    }
    preview.srcObject = stream;
    for (const track of stream ? stream.getTracks() : []) track.enabled = !muted[track.kind];
    try {
      const { cameras, mics } = await listDevices();
      const cam = stream && stream.getVideoTracks()[0];
      const mc = stream && stream.getAudioTracks()[0];
      fillSelect(camera.input, cameras, cam && cam.getSettings().deviceId, "Camera");
      fillSelect(mic.input, mics, mc && mc.getSettings().deviceId, "Micro");
    } catch {
      // enumerateDevices unavailable: the defaults stay
    }
  }

  async function changeDevice(change) {
    if (isEnded()) return; // the camera stays off once the meeting ended
    Object.assign(prefs, change);
    savePrefs({ cameraId: prefs.cameraId, micId: prefs.micId, quality: prefs.quality });
    const old = stream;
    try {
      stream = await openMedia(prefs);
    } catch {
      onError({ code: "media_denied" });
      return;
    }
    preview.srcObject = stream;
    for (const track of stream.getTracks()) track.enabled = !muted[track.kind];
    await onNewStream(stream);
    if (old) for (const track of old.getTracks()) track.stop();
  }

  renderToggles();
  return {
    preview,
    toggles: [micBtn, camBtn],
    fields: [camera.field, mic.field, quality.field],
    /** Everything the user can change, to disable once the meeting ended. */
    controls: [micBtn, camBtn, camera.input, mic.input, quality.input],
    stream: () => stream,
    open,
    /** Release the camera and the microphone. */
    stop() {
      if (stream) for (const track of stream.getTracks()) track.stop();
    },
  };
}

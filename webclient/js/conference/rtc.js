// WebRTC helpers for a bridge site (or the chair room) talking to the media node.
//
//   const link = createSiteLink({ meetingId, onRemote, onState, onJoined });
//   await link.start(localStream);    // offer → conference.join → answer; trickles candidates
//   link.replaceTrack("video", track) // camera change: no renegotiation
//   link.stats()                      // {rtt_ms, loss_pct, send_kbps, recv_kbps, recv_fps, recv_width, frames_decoded, quality}
//   link.close({ leave: true })       // conference.leave and close
//
// The offer has fixed sections (docs/media-control.md): video sendrecv (my camera → main
// slot back), video recvonly (the chair room), audio sendrecv (my mic → audio1), audio
// recvonly ×2. The node never renegotiates: the chair's switch changes what flows inside.

import { api } from "../api.js";
import { command } from "../socket.js";

export const QUALITY_PRESETS = {
  high: { width: 1280, height: 720 },
  medium: { width: 640, height: 480 },
  low: { width: 320, height: 240 },
};

/** getUserMedia with the chosen devices and size; returns the stream. */
export async function openMedia({ cameraId, micId, quality = "medium" } = {}) {
  const size = QUALITY_PRESETS[quality] || QUALITY_PRESETS.medium;
  const video = {
    width: { ideal: size.width, max: size.width },
    height: { ideal: size.height, max: size.height },
    frameRate: { ideal: 20, max: 30 },
  };
  if (cameraId) video.deviceId = { exact: cameraId };
  const audio = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
  if (micId) audio.deviceId = { exact: micId };
  return navigator.mediaDevices.getUserMedia({ video, audio });
}

export async function listDevices() {
  const devices = await navigator.mediaDevices.enumerateDevices();
  return {
    cameras: devices.filter((d) => d.kind === "videoinput"),
    mics: devices.filter((d) => d.kind === "audioinput"),
  };
}

async function iceServersFor(meetingId) {
  try {
    const data = await api.get(`/api/meetings/${meetingId}/conference/ice-servers`);
    return data.ice_servers || [];
  } catch {
    return []; // TURN is optional: host candidates still work on the same network
  }
}

export function qualityOf({ rtt_ms: rtt, loss_pct: loss }) {
  if (rtt == null && loss == null) return null;
  if ((loss ?? 0) < 2 && (rtt ?? 0) < 150) return "good";
  if ((loss ?? 0) < 8 && (rtt ?? 0) < 400) return "fair";
  return "poor";
}

export function createSiteLink({ meetingId, onRemote, onState, onJoined }) {
  let pc = null;
  let peerId = null;
  let pending = []; // candidates gathered before we know our peer id
  let closed = false;
  let last = null; // previous getStats sample for rates

  const sendCandidate = (candidate) =>
    command("conference.candidate", { meeting_id: meetingId, peer_id: peerId, candidate });

  const link = {
    get peerId() {
      return peerId;
    },
    get pc() {
      return pc;
    },

    async start(stream) {
      const iceServers = await iceServersFor(meetingId);
      if (closed) return null;
      pc = new RTCPeerConnection({ iceServers, bundlePolicy: "max-bundle" });
      const videoTrack = stream && stream.getVideoTracks()[0];
      const audioTrack = stream && stream.getAudioTracks()[0];
      const main = pc.addTransceiver(videoTrack || "video", {
        direction: videoTrack ? "sendrecv" : "recvonly",
        streams: stream ? [stream] : [],
      });
      const chair = pc.addTransceiver("video", { direction: "recvonly" });
      const mic = pc.addTransceiver(audioTrack || "audio", {
        direction: audioTrack ? "sendrecv" : "recvonly",
        streams: stream ? [stream] : [],
      });
      const audio2 = pc.addTransceiver("audio", { direction: "recvonly" });
      const audio3 = pc.addTransceiver("audio", { direction: "recvonly" });
      link.transceivers = { main, chair, mic, audio2, audio3 };
      onRemote({
        main: main.receiver.track,
        chair: chair.receiver.track,
        audio: [mic.receiver.track, audio2.receiver.track, audio3.receiver.track],
      });
      pc.onicecandidate = (event) => {
        const c = event.candidate && event.candidate.candidate ? event.candidate.toJSON() : null;
        if (peerId) sendCandidate(c);
        else pending.push(c);
      };
      pc.onconnectionstatechange = () => onState && onState(pc.connectionState);
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      const ack = await command(
        "conference.join",
        { meeting_id: meetingId, offer: { type: "offer", sdp: pc.localDescription.sdp } },
        { timeout: 20000 },
      );
      if (!ack.ok || closed) {
        link.close();
        return ack;
      }
      peerId = ack.data.peer_id;
      if (onJoined) onJoined(ack.data);
      await pc.setRemoteDescription(ack.data.answer);
      for (const c of pending.splice(0)) sendCandidate(c);
      return ack;
    },

    async replaceTrack(kind, track) {
      const t = link.transceivers && (kind === "video" ? link.transceivers.main : link.transceivers.mic);
      if (t) await t.sender.replaceTrack(track);
    },

    /** Numbers for the quality indicator and conference.report. */
    async stats() {
      if (!pc || !link.transceivers) return null;
      const report = await pc.getStats();
      const now = performance.now();
      const sample = { at: now, sent: 0, recv: 0, lost: 0, packets: 0 };
      let rtt = null;
      let fps = null;
      let width = null;
      let framesDecoded = null;
      const mainTrackId = link.transceivers.main.receiver.track.id;
      report.forEach((s) => {
        if (s.type === "outbound-rtp") sample.sent += s.bytesSent || 0;
        if (s.type === "inbound-rtp") {
          sample.recv += s.bytesReceived || 0;
          sample.lost += Math.max(0, s.packetsLost || 0);
          sample.packets += s.packetsReceived || 0;
          if (s.kind === "video" && (s.trackIdentifier === mainTrackId || framesDecoded == null)) {
            fps = s.framesPerSecond ?? fps;
            width = s.frameWidth ?? width;
            framesDecoded = s.framesDecoded ?? framesDecoded;
          }
        }
        if (s.type === "candidate-pair" && s.nominated && s.currentRoundTripTime != null) {
          rtt = s.currentRoundTripTime * 1000;
        }
      });
      const out = { rtt_ms: rtt, recv_fps: fps, recv_width: width, frames_decoded: framesDecoded };
      if (last && now > last.at) {
        const dt = (now - last.at) / 1000;
        out.send_kbps = Math.max(0, ((sample.sent - last.sent) * 8) / 1000 / dt);
        out.recv_kbps = Math.max(0, ((sample.recv - last.recv) * 8) / 1000 / dt);
        const lost = sample.lost - last.lost;
        const got = sample.packets - last.packets;
        out.loss_pct = lost + got > 0 ? (100 * Math.max(0, lost)) / (lost + got) : 0;
      }
      last = sample;
      out.quality = qualityOf(out);
      return out;
    },

    /** Stats of the main (on-air) video receiver only: {framesDecoded, frameWidth}. */
    async mainStats() {
      if (!link.transceivers) return null;
      const report = await link.transceivers.main.receiver.getStats();
      let found = null;
      report.forEach((s) => {
        if (s.type === "inbound-rtp" && s.kind === "video") {
          found = { framesDecoded: s.framesDecoded || 0, frameWidth: s.frameWidth || 0 };
        }
      });
      return found;
    },

    close({ leave = false } = {}) {
      closed = true;
      if (leave && peerId) command("conference.leave", { meeting_id: meetingId, peer_id: peerId });
      if (pc) {
        pc.onicecandidate = null;
        pc.onconnectionstatechange = null;
        pc.close();
      }
      pending = [];
    },
  };
  return link;
}

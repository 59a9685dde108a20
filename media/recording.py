"""Record a meeting's on-air video and its audio slots to a WebM/Matroska file.

Video (the ``main`` slot) is remuxed as received: no decode, no re-encode; slot switches
reuse ForwardTrack's keyframe wait and timestamp continuity. The audio slots are decoded
and mixed into one Opus track (a file with one voice per track is useless to a person
playing it back); that is the only decoding on the node.
"""

from __future__ import annotations

import asyncio
import logging
import struct
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from media.forwarding import EncodedFrame, ForwardTrack, Source
from media.protocol import AUDIO_SLOTS, OrderError, SlotName
from media.slots import SlotListener

log = logging.getLogger(__name__)

VIDEO_TB = Fraction(1, 90000)
RATE = 48000
CHUNK = 960  # 20 ms mixing chunks
MIX_DELAY_CHUNKS = 10  # wait 200 ms for late audio before a chunk is encoded
OPEN_TIMEOUT = 1.5  # seconds to wait for a video keyframe (for its size) before opening


def vp8_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a VP8 key frame header (RFC 6386 §9.1)."""
    if len(data) < 10 or data[0] & 1 or data[3:6] != b"\x9d\x01\x2a":
        return None
    width, height = struct.unpack_from("<HH", data, 6)
    return width & 0x3FFF, height & 0x3FFF


class Recorder(SlotListener):
    def __init__(self, recording_id: str, path: Path, video_codec: str | None) -> None:
        if video_codec not in (None, "VP8"):
            raise OrderError("conflict", "recording is implemented for VP8 meetings only")
        self.recording_id = recording_id
        self.path = path
        self.started = time.monotonic()
        self.video_frames = 0
        self.audio_chunks = 0
        self._container: Any = None
        self._video: Any = None
        self._audio: Any = None
        self._size: tuple[int, int] | None = None
        self._video_track = ForwardTrack("video", on_frame=self._on_video, epoch=self.started)
        self._audio_tracks: dict[SlotName, ForwardTrack] = {}
        self._decoders: dict[SlotName, Any] = {}
        self._resampler = av.AudioResampler(format="s16", layout="stereo", rate=RATE)
        self._mix: dict[int, np.ndarray[Any, Any]] = {}
        self._next_chunk = 0
        for slot in AUDIO_SLOTS:
            self._audio_tracks[slot] = ForwardTrack(
                "audio",
                on_frame=lambda f, ts, s=slot: self._on_audio(s, f, ts),  # type: ignore[misc]
                epoch=self.started,
            )
            self._decoders[slot] = av.CodecContext.create("opus", "r")
        path.parent.mkdir(parents=True, exist_ok=True)
        self._flusher = asyncio.ensure_future(self._flush_loop())

    def switch_slot(self, slot: SlotName, source: Source | None) -> None:
        if slot == "main":
            self._video_track.switch(source)
        elif slot in self._audio_tracks:
            self._audio_tracks[slot].switch(source)

    def _open(self) -> None:
        container: Any = av.open(str(self.path), "w")
        width, height = self._size or (640, 480)  # VP8 frames carry their own size
        self._video = container.add_stream("libvpx", rate=30)
        self._video.width, self._video.height = width, height
        self._video.pix_fmt = "yuv420p"
        self._video.time_base = VIDEO_TB
        self._audio = container.add_stream("libopus", rate=RATE)
        self._audio.layout = "stereo"
        self._container = container

    def _on_video(self, frame: EncodedFrame, ts: int) -> None:
        if self._container is None:
            self._size = vp8_size(frame.data)
            self._open()
        packet = av.Packet(frame.data)
        packet.pts = packet.dts = ts
        packet.time_base = VIDEO_TB
        packet.stream = self._video
        packet.is_keyframe = frame.keyframe
        self._container.mux(packet)
        self.video_frames += 1

    def _on_audio(self, slot: SlotName, frame: EncodedFrame, ts: int) -> None:
        try:
            decoded = self._decoders[slot].decode(av.Packet(frame.data))
        except av.FFmpegError:
            return
        pos = ts
        for audio in decoded:
            for resampled in self._resampler.resample(audio):
                samples = resampled.to_ndarray().reshape(-1, 2)
                self._add(pos, samples)
                pos += samples.shape[0]

    def _add(self, pos: int, samples: np.ndarray[Any, Any]) -> None:
        # Sum into 20 ms chunks keyed by absolute sample index; chunks already written
        # are dropped (audio later than MIX_DELAY_CHUNKS).
        done = 0
        while done < samples.shape[0]:
            index, offset = divmod(pos + done, CHUNK)
            take = min(CHUNK - offset, samples.shape[0] - done)
            if index >= self._next_chunk:
                chunk = self._mix.setdefault(index, np.zeros((CHUNK, 2), dtype=np.int32))
                chunk[offset : offset + take] += samples[done : done + take]
            done += take

    def _flush(self, until: int) -> None:
        if self._container is None:
            return
        while self._next_chunk < until:
            chunk = self._mix.pop(self._next_chunk, None)
            pcm = np.zeros((CHUNK, 2), dtype=np.int16)
            if chunk is not None:
                pcm = np.clip(chunk, -32768, 32767).astype(np.int16)
            out = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="stereo")
            out.sample_rate = RATE
            out.pts = self._next_chunk * CHUNK
            out.time_base = Fraction(1, RATE)
            for packet in self._audio.encode(out):
                self._container.mux(packet)
            self._next_chunk += 1
            self.audio_chunks += 1

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(0.1)
            elapsed = time.monotonic() - self.started
            if self._container is None and elapsed > OPEN_TIMEOUT:
                self._open()
            self._flush(int(elapsed * RATE) // CHUNK - MIX_DELAY_CHUNKS)

    def stop(self) -> dict[str, Any]:
        self._flusher.cancel()
        for track in [self._video_track, *self._audio_tracks.values()]:
            track.stop()
        if self._container is None:
            self._open()
        self._flush(max(self._mix, default=self._next_chunk - 1) + 1)
        for packet in self._audio.encode(None):
            self._container.mux(packet)
        self._container.close()
        return {
            "recording_id": self.recording_id,
            "path": str(self.path),
            "bytes": self.path.stat().st_size,
            "duration_s": round(time.monotonic() - self.started, 2),
            "video_frames": self.video_frames,
        }

"""Active speaker detection from RFC 6464 audio levels (no audio decoding).

Senders put the level of each audio packet in an RTP header extension as -dBov
(0 = loudest, 127 = silence). We average the loudness per site over a short window
and pick the loudest site above a speech threshold, with hysteresis so the choice
does not flap between two talkers.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

WINDOW = 1.0  # seconds of levels averaged per site
SPEECH_DBOV = 50  # average level must be louder than -50 dBov
SWITCH_MARGIN_DB = 6.0  # a challenger must be this much louder than the current speaker
HOLD = 1.0  # seconds the current speaker is kept after it goes quiet


class SpeakerDetector:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._levels: dict[str, deque[tuple[float, int]]] = {}
        self._excluded: set[str] = set()
        self.active: str | None = None
        self._active_since_quiet: float | None = None

    def add(self, peer_id: str, level: int) -> None:
        """Record one packet's level (-dBov, 0..127)."""
        samples = self._levels.setdefault(peer_id, deque())
        samples.append((self._clock(), max(0, min(127, level))))

    def exclude(self, peer_id: str, excluded: bool) -> None:
        """Muted sites cannot become the active speaker."""
        if excluded:
            self._excluded.add(peer_id)
        else:
            self._excluded.discard(peer_id)

    def remove(self, peer_id: str) -> None:
        self._levels.pop(peer_id, None)
        self._excluded.discard(peer_id)
        if self.active == peer_id:
            self.active = None

    def loudness(self) -> dict[str, float]:
        """Average level per site over the window, in dBov (e.g. -23.5); -127 is silence."""
        cutoff = self._clock() - WINDOW
        result: dict[str, float] = {}
        for peer_id, samples in self._levels.items():
            while samples and samples[0][0] < cutoff:
                samples.popleft()
            if samples:
                result[peer_id] = -sum(level for _, level in samples) / len(samples)
            else:
                result[peer_id] = -127.0
        return result

    def update(self) -> bool:
        """Re-evaluate; returns True when the active speaker changed."""
        now = self._clock()
        levels = {p: v for p, v in self.loudness().items() if p not in self._excluded}
        speaking = {p: v for p, v in levels.items() if v > -SPEECH_DBOV}
        current = self.active
        best = max(speaking, key=lambda p: speaking[p], default=None)
        if current is not None and current in speaking:
            self._active_since_quiet = None
            if best is not None and best != current:
                if speaking[best] - speaking[current] < SWITCH_MARGIN_DB:
                    return False
            else:
                return False
        elif current is not None and best is None:
            # Keep a short pause from clearing the speaker.
            if self._active_since_quiet is None:
                self._active_since_quiet = now
            if now - self._active_since_quiet < HOLD and current not in self._excluded:
                return False
        self._active_since_quiet = None
        if best == current:
            return False
        self.active = best
        return True

"""Keeping the hands' identities from frame to frame.

:class:`HandTracker` gives the hands stable ids by position, never by
MediaPipe's handedness label, which flips; a hand missing for a moment keeps
its id.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vision.core.hands import HandObservation
from vision.core.types import Track


@dataclass(frozen=True)
class TrackerConfig:
    max_gap_s: float = 1.5  # a hand hidden longer than this is a new hand when it comes back
    gate_palms: float = 2.5  # how far (in palm sizes) a hand may jump between frames and keep its id


class HandTracker:
    """Assigns each frame's hands to tracks by position (nearest, gated)."""

    def __init__(self, config: TrackerConfig = TrackerConfig(), contact: str = "palm"):
        self.config = config
        self.contact = contact
        self.tracks: dict[int, Track] = {}
        self._next_id = 0
        self._last_t: float | None = None

    def reset(self) -> None:
        self.tracks.clear()
        self._next_id = 0
        self._last_t = None

    def update(self, t_s: float, hands: list[HandObservation]) -> tuple[list[Track], list[Track]]:
        """Match this frame's hands to tracks.

        Returns (active, ended): the tracks seen or still waiting for their
        hand to come back, and the tracks dropped in this update.
        """
        if self._last_t is not None and t_s < self._last_t:
            raise ValueError(f"timestamps must not go backwards: got t={t_s:.3f} s after t={self._last_t:.3f} s")
        self._last_t = t_s
        # drop the hands gone too long first, so that they cannot take a returning hand
        ended = [tr for tr in self.tracks.values() if t_s - tr.last_seen_s > self.config.max_gap_s]
        for tr in ended:
            del self.tracks[tr.id]
        for tr in self.tracks.values():
            tr.observation = None
        centres = [h.contact_px(self.contact) for h in hands]
        pairs = []
        for tid, tr in self.tracks.items():
            dt = max(t_s - tr.last_seen_s, 0.0)
            predicted = tr.contact_px + tr.velocity_px_s * min(dt, 0.2)
            for j, (h, c) in enumerate(zip(hands, centres)):
                size = max(tr.palm_size_px, h.palm_size_px, 1.0)
                d = float(np.linalg.norm(c - predicted)) / size
                gate = self.config.gate_palms * (1.0 + 2.0 * min(dt, 1.0))  # a hand away longer may have moved further
                if d <= gate:
                    pairs.append((d, tid, j))
        used_t: set[int] = set()
        used_h: set[int] = set()
        for _d, tid, j in sorted(pairs):  # greedy nearest-first: optimal enough for a handful of hands
            if tid in used_t or j in used_h:
                continue
            used_t.add(tid)
            used_h.add(j)
            tr = self.tracks[tid]
            dt = t_s - tr.last_seen_s
            if dt > 1e-6:
                v = (centres[j] - tr.contact_px) / dt
                tr.velocity_px_s = 0.5 * tr.velocity_px_s + 0.5 * v if dt < 0.2 else np.zeros(2)
            tr.contact_px = centres[j]
            tr.palm_size_px = 0.8 * tr.palm_size_px + 0.2 * hands[j].palm_size_px
            tr.last_seen_s = t_s
            tr.observation = hands[j]
            tr.frames_seen += 1
        for j, h in enumerate(hands):
            if j not in used_h:
                tr = Track(self._next_id, centres[j], h.palm_size_px, t_s, observation=h)
                self.tracks[tr.id] = tr
                self._next_id += 1
        return list(self.tracks.values()), ended

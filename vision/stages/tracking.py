"""Keeping the hands' identities from frame to frame.

:class:`HandTracker` gives the hands stable ids by motion, never by
MediaPipe's handedness label, which flips: each track's position is predicted
from its velocity to the frame's time, and the frame's hands are assigned to
the tracks all at once, the assignment with the least total distance (in palm
sizes) within each track's gate. Nearest-first would let two close hands swap:
a hand found again next to its partner takes the partner's id when the partner
happens to be a little nearer its own prediction. A hand missing for a moment
keeps its id.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from vision.core.hands import HandObservation, near_picture_edge
from vision.core.types import Track


@dataclass(frozen=True)
class TrackerConfig:
    max_gap_s: float = 1.5  # a hand hidden longer than this is a new hand when it comes back
    gate_palms: float = 2.5  # how far (in palm sizes) a hand may jump between frames and keep its id
    edge_palms: float = 1.0  # a hand last seen this close to the picture's edge (palm sizes) may have left it


class HandTracker:
    """Assigns each frame's hands to tracks: predicted positions, gated, globally optimal."""

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

    def update(
        self, t_s: float, hands: list[HandObservation], frame_wh: tuple[int, int] | None = None
    ) -> tuple[list[Track], list[Track]]:
        """Match this frame's hands to tracks (``frame_wh``: the picture's size, when known).

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
        used_h: set[int] = set()
        for tid, j in self._assign(t_s, hands, centres, frame_wh):
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

    def _assign(
        self, t_s: float, hands: list[HandObservation], centres: list, frame_wh: tuple[int, int] | None
    ) -> list[tuple[int, int]]:
        """(track id, hand index) pairs: the least total distance from each track's predicted position, in
        palm sizes, over the pairs within the gate (a hand outside every gate starts a track of its own).

        A hand away longer may have moved further, so the gate widens with the time it was unseen; but
        not for one last seen at the picture's edge: it most likely went out of the picture and comes back
        where it left, and another hand coming in elsewhere along that edge is not it."""
        tids = list(self.tracks)
        if not tids or not hands:
            return []
        cost = np.full((len(tids), len(hands)), np.inf)
        for a, tid in enumerate(tids):
            tr = self.tracks[tid]
            dt = max(t_s - tr.last_seen_s, 0.0)
            predicted = tr.contact_px + tr.velocity_px_s * min(dt, 0.2)
            gate = self.config.gate_palms
            if not self._at_edge(tr, frame_wh):
                gate *= 1.0 + 2.0 * min(dt, 1.0)
            for j, (h, c) in enumerate(zip(hands, centres)):
                d = float(np.linalg.norm(c - predicted)) / max(tr.palm_size_px, h.palm_size_px, 1.0)
                if d <= gate:
                    cost[a, j] = d
        allowed = np.isfinite(cost)
        # pairs outside the gate cost more than any set of allowed ones, so they are chosen only when
        # nothing else is left, and then dropped
        big = 1.0 + float(cost[allowed].sum()) if allowed.any() else 1.0
        rows, cols = linear_sum_assignment(np.where(allowed, cost, big))
        return [(tids[a], int(j)) for a, j in zip(rows, cols) if allowed[a, j]]

    def _at_edge(self, tr: Track, frame_wh: tuple[int, int] | None) -> bool:
        if frame_wh is None:
            return False
        return near_picture_edge(tr.contact_px, self.config.edge_palms * tr.palm_size_px, frame_wh)

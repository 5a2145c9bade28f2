"""Knowing when the giver's hands are not seen well enough to judge ("unsure").

A flag raised on a hand the detector keeps losing is a guess: the stroke it is
about may be two pieces of one, or cut where the hand vanished. So each frame,
per giver hand, :class:`VisibilityMonitor` looks at the last second: how often
the hand was found, where it was last seen (at the picture's edge), how big it
is, and how much light there is. A hand found in less than ``min_seen`` of the
frames is *unsure* until it is found in ``sure_seen`` of them again (the gap
between the two keeps the state from flickering). The reason is what the
evidence points to, in this order:

- ``out_of_view``: it was last seen at the picture's edge, or partly beyond it;
- ``dark``: the picture around the back is dark;
- ``small``: the hand is small in the picture;
- ``seen_poorly``: none of these (blur, something in the way).

With no giver hand found at all in a dark picture, both hands are unsure
(``hand`` None): they cannot be told from an empty back. A hand lost at the
picture's edge stays unsure until it is found again (or ``edge_memory_s``).

The spans of unsure time are kept (:attr:`VisibilityMonitor.spans`), each
starting at the first miss that led to it, for the report and for judging:
the pipeline raises no flag on an event that overlaps one.

Everything here is computed from what a recording keeps (the detector's hands,
the frame's size and its ``light``), so a re-judged recording is unsure where
the live page was.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from itertools import takewhile

import numpy as np

from vision.core.types import UNSURE_REASONS, Unsure, UnsureSpan

__all__ = [
    "REASONS",
    "Sighting",
    "Unsure",
    "UnsureSpan",
    "VisibilityConfig",
    "VisibilityMonitor",
    "edge_fraction",
    "unsure_message",
]

#: The stable reason names, as reports and the app use them.
REASONS = UNSURE_REASONS


@dataclass(frozen=True)
class VisibilityConfig:
    window_s: float = 1.0  # how far back the share of frames with the hand found is counted
    min_frames: int = 4  # fewer frames than this in the window (a slow camera's first moment): no verdict yet
    min_seen: float = 0.6  # found in less than this share of the window's frames: unsure
    sure_seen: float = 0.8  # ... until found in this share again
    dark_light: float = 40.0  # the mean of the picture around the back (0-255) under which it is dark
    small_palm_px: float = 16.0  # a palm smaller than this in the picture is small for the detector
    edge_palms: float = 0.5  # a palm centre this close to the picture's edge (in palm sizes) is at the edge
    edge_share: float = 0.15  # ... or this share of its landmarks beyond the edge
    edge_memory_s: float = 5.0  # a hand lost at the edge stays unsure this long (unless found again)
    merge_gap_s: float = 0.5  # spans of one hand and reason closer than this are one span
    history_s: float = 30.0  # how long each hand's sightings are kept, for the share over one event


@dataclass(frozen=True)
class Sighting:
    """A giver hand in one frame: found or not, and what was known of it when last found."""

    seen: bool
    palm_px: float
    at_edge: bool


def edge_fraction(landmarks_px: np.ndarray, frame_wh: tuple[int, int]) -> float:
    """The share of a hand's landmarks beyond the picture's edge (MediaPipe places them there)."""
    w, h = frame_wh
    x, y = landmarks_px[:, 0], landmarks_px[:, 1]
    return float(np.mean((x < 0) | (y < 0) | (x >= w) | (y >= h)))


_HOW = {
    "out_of_view": "it is partly out of the picture: move the camera back (or turn it) so the whole back is in view",
    "dark": "the picture is too dark: add light, or turn a lamp toward the back",
    "small": "it is too small in the picture: move the camera closer to the table",
    "seen_poorly": "it keeps disappearing: check that nothing is in the way and hold the camera still",
}


def unsure_message(u: Unsure) -> str:
    """What to tell the giver, in plain words."""
    who = "your hands" if u.hand is None else f"hand {u.hand}"
    return f"I can't see {who} well, so I am not judging {'them' if u.hand is None else 'it'}: {_HOW[u.reason]}."


class VisibilityMonitor:
    """Per giver hand, whether it is seen well enough to judge; the spans of time it was not."""

    def __init__(self, config: VisibilityConfig = VisibilityConfig()):
        self.config = config
        self.spans: list[UnsureSpan] = []
        self._seen: dict[int, deque[tuple[float, bool]]] = {}
        self._last: dict[int, Sighting] = {}  # each hand's last sighting with the hand found
        self._unsure: dict[int | None, UnsureSpan] = {}  # open spans
        self._lost_at_edge: dict[int, float] = {}  # hand -> when its track ended at the picture's edge

    def lost(self, hand: int, t_s: float) -> None:
        """The hand's track ended (unseen too long); if it was last seen at the edge it stays unsure."""
        self._seen.pop(hand, None)
        last = self._last.pop(hand, None)
        if last is not None and last.at_edge:
            self._lost_at_edge[hand] = t_s

    def update(self, t_s: float, hands: dict[int, Sighting], light: float | None) -> tuple[Unsure, ...]:
        """This frame's sightings of the giver hands on the back (hand -> sighting), and the picture's light
        (None when not known); what is unsure now."""
        cfg = self.config
        dark = light is not None and light < cfg.dark_light
        now: dict[int | None, str] = {}
        for hand, s in hands.items():
            self._lost_at_edge.pop(hand, None)
            history = self._seen.setdefault(hand, deque())
            history.append((t_s, s.seen))
            while history and history[0][0] < t_s - cfg.history_s:
                history.popleft()
            if s.seen:
                self._last[hand] = s
            # the last second, from the newest back (the history holds half a minute)
            window = [seen for _, seen in takewhile(lambda x: x[0] >= t_s - cfg.window_s, reversed(history))]
            if len(window) < cfg.min_frames:
                continue
            share = sum(window) / len(window)
            limit = cfg.sure_seen if hand in self._unsure else cfg.min_seen
            if share < limit:
                now[hand] = self._reason(self._last.get(hand, s), dark)
        for hand, since in list(self._lost_at_edge.items()):
            if t_s - since > cfg.edge_memory_s:
                del self._lost_at_edge[hand]
            elif hand not in hands:
                now[hand] = "out_of_view"
        if dark and not any(s.seen for s in hands.values()):
            now[None] = "dark"
        self._follow(t_s, now)
        return tuple(Unsure(h, r) for h, r in now.items())

    def finish(self, t_s: float) -> None:
        """The stream ended: close the open spans."""
        self._follow(t_s, {})

    def share(self, hand: int, t0: float, t1: float) -> float | None:
        """The share of the frames from ``t0`` to ``t1`` the hand was found in (None: no frame of it kept)."""
        frames = [seen for t, seen in self._seen.get(hand, ()) if t0 <= t <= t1]
        return sum(frames) / len(frames) if frames else None

    def reason(self, hand: int, light: float | None) -> str:
        """Why the hand would be unsure now (what its last sighting and the light point to)."""
        last = self._last.get(hand)
        dark = light is not None and light < self.config.dark_light
        return self._reason(last, dark) if last is not None else ("dark" if dark else "seen_poorly")

    def all_spans(self) -> list[UnsureSpan]:
        """The spans so far, the open ones (up to now) too, in time order."""
        return sorted([*self.spans, *self._unsure.values()], key=lambda sp: sp.t_start)

    def overlap_s(self, hand: int, t0: float, t1: float) -> tuple[float, str | None]:
        """How long [t0, t1] overlaps the spans of ``hand`` (or of both hands), and the reason of the longest."""
        best, reason, total = 0.0, None, 0.0
        for sp in [*self.spans, *self._unsure.values()]:
            if sp.hand is not None and sp.hand != hand:
                continue
            o = min(t1, sp.t_end) - max(t0, sp.t_start)
            if o > 0:
                total += o
                if o > best:
                    best, reason = o, sp.reason
        return total, reason

    # -- internals ---------------------------------------------------------------------

    def _reason(self, last: Sighting, dark: bool) -> str:
        if last.at_edge:
            return "out_of_view"
        if dark:
            return "dark"
        if last.palm_px < self.config.small_palm_px:
            return "small"
        return "seen_poorly"

    def _first_miss(self, hand: int | None, t_s: float) -> float:
        """When the misses that made ``hand`` unsure began: its first miss in the window."""
        history = self._seen.get(hand) if hand is not None else None
        if not history:
            return t_s
        return next((t for t, seen in history if t >= t_s - self.config.window_s and not seen), t_s)

    def _follow(self, t_s: float, now: dict[int | None, str]) -> None:
        for hand, sp in list(self._unsure.items()):
            if now.get(hand) != sp.reason:
                sp.t_end = t_s
                del self._unsure[hand]
                self._close(sp)
        for hand, reason in now.items():
            if hand in self._unsure:
                self._unsure[hand].t_end = t_s
                continue
            # from the first miss that led here, but not before the hand's last span ended (a new reason)
            ends = [sp.t_end for sp in self.spans if sp.hand == hand]
            start = max(self._first_miss(hand, t_s), max(ends, default=float("-inf")))
            prev = next((sp for sp in reversed(self.spans) if sp.hand == hand and sp.reason == reason), None)
            if prev is not None and start - prev.t_end <= self.config.merge_gap_s:
                self.spans.remove(prev)  # one span, reopened
                prev.t_end = t_s
                self._unsure[hand] = prev
            else:
                self._unsure[hand] = UnsureSpan(hand, reason, start, t_s)

    def _close(self, sp: UnsureSpan) -> None:
        self.spans.append(sp)
        self.spans.sort(key=lambda s: s.t_start)

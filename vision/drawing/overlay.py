"""Drawing: annotators take their style at construction and draw a result
onto a frame (``annotate(frame, result) -> frame``, in place). Logic never
draws; nothing here judges.
"""

from __future__ import annotations

from collections import deque

import cv2
import numpy as np
from numpy.typing import NDArray

from vision.core.backframe import Homography, Zones
from vision.core.hands import HAND_EDGES
from vision.core.types import Flag, FrameResult
from vision.judging.routines import Step

# BGR
GREEN = (80, 200, 60)
RED = (40, 40, 230)
AMBER = (0, 170, 255)
WHITE = (245, 245, 245)
GREY = (150, 150, 150)
CYAN = (220, 200, 40)


def _poly(h: Homography, u, v) -> NDArray[np.int32]:
    """Image polyline of back-frame points (u, v), fixed point for cv2's shift=2."""
    u, v = np.broadcast_arrays(np.asarray(u, float), np.asarray(v, float))
    pts = h.to_image(np.c_[u, v])
    return np.round(pts * 4).astype(np.int32)  # 2 fractional bits for cv2's shift=2


class BackAnnotator:
    """The back's outline, the spine, the lanes and arrows for the step's direction."""

    def __init__(self, homography: Homography, step: Step, zones: Zones = Zones(), thickness: int = 1):
        self.h = homography
        self.zones = zones
        self.thickness = thickness
        us = np.linspace(0, 1, 24)
        self._outline = _poly(homography, np.r_[us, us[::-1]], np.r_[np.full(24, -1.0), np.full(24, 1.0)])
        self._spine = _poly(homography, us, np.zeros(24))
        self._lanes = [
            _poly(homography, us, np.full(24, s * z)) for s in (-1, 1) for z in (zones.lane_inner, zones.lane_outer)
        ]
        self.set_step(step)

    def set_step(self, step: Step) -> None:
        self.step = step
        self._arrows = []
        lanes = [("left", -1), ("right", 1)]
        centre = (self.zones.lane_inner + self.zones.lane_outer) / 2
        outer = (self.zones.outer_inner + self.zones.outer_outer) / 2
        for name, s in lanes:
            if name in step.lanes and step.direction in ("up", "down"):
                a, b = (0.2, 0.4) if step.direction == "up" else (0.8, 0.6)
                for k in range(3):
                    off = 0.3 * k
                    self._arrows.append(
                        (
                            self._pt(a + off if step.direction == "up" else a - off, s * centre),
                            self._pt(b + off if step.direction == "up" else b - off, s * centre),
                            CYAN,
                        )
                    )
            if "outside" in step.return_lanes and step.direction in ("up", "down"):
                a, b = (0.7, 0.5) if step.direction == "up" else (0.3, 0.5)
                self._arrows.append((self._pt(a, s * outer), self._pt(b, s * outer), GREY))

    def _pt(self, u: float, v: float) -> tuple[int, int]:
        p = self.h.to_image(np.array([[u, v]]))[0]
        return int(round(p[0])), int(round(p[1]))

    def annotate(self, frame: NDArray[np.uint8], result: FrameResult | None = None) -> NDArray[np.uint8]:
        t = self.thickness
        cv2.polylines(frame, [self._outline], True, WHITE, t, cv2.LINE_AA, shift=2)
        cv2.polylines(frame, [self._spine], False, RED, t, cv2.LINE_AA, shift=2)
        for lane in self._lanes:
            cv2.polylines(frame, [lane], False, GREY, t, cv2.LINE_AA, shift=2)
        for p0, p1, color in self._arrows:
            cv2.arrowedLine(frame, p0, p1, color, t + 1, cv2.LINE_AA, tipLength=0.3)
        return frame


class HandsAnnotator:
    """Landmarks of the giver's hands (others in grey) and a trail coloured by verdict."""

    def __init__(self, trail_s: float = 1.5, thickness: int = 2):
        self.trail_s = trail_s
        self.thickness = thickness
        self._trails: dict[int, deque] = {}

    def annotate(self, frame: NDArray[np.uint8], result: FrameResult) -> NDArray[np.uint8]:
        for hs in result.hands:
            giver = hs.hand is not None
            if hs.observation is not None:
                lm = np.round(hs.observation.landmarks_px).astype(int)
                color = WHITE if giver else GREY
                for a, b in HAND_EDGES:
                    cv2.line(frame, tuple(lm[a]), tuple(lm[b]), color, 1, cv2.LINE_AA)
            if hs.hand is None:  # not the giver's
                continue
            trail = self._trails.setdefault(hs.hand, deque())
            color = RED if hs.live_flag is not None else (GREEN if hs.active is not None else AMBER)
            trail.append((result.t_s, tuple(int(x) for x in np.round(hs.contact_px)), color))
            while trail and trail[0][0] < result.t_s - self.trail_s:
                trail.popleft()
            pts = list(trail)
            for (_, p0, _), (_, p1, c1) in zip(pts, pts[1:]):
                cv2.line(frame, p0, p1, c1, self.thickness + 1, cv2.LINE_AA)
            c = tuple(int(x) for x in np.round(hs.contact_px))
            cv2.circle(frame, c, 6, color, -1, cv2.LINE_AA)
            cv2.putText(frame, str(hs.hand), (c[0] + 8, c[1] - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.5, WHITE, 1, cv2.LINE_AA)
            if hs.resting_s >= 1.0:  # a hold under way: its running time
                cv2.putText(
                    frame,
                    f"{hs.resting_s:.0f} s",
                    (c[0] + 8, c[1] + 16),
                    cv2.FONT_HERSHEY_SIMPLEX,
                    0.6,
                    AMBER,
                    2,
                    cv2.LINE_AA,
                )
        return frame


class BannerAnnotator:
    """A banner naming the latest flag, shown for a few seconds after it is raised."""

    def __init__(self, show_s: float = 2.5, scale: float = 0.6):
        self.show_s = show_s
        self.scale = scale
        self._flag: Flag | None = None

    def annotate(self, frame: NDArray[np.uint8], result: FrameResult) -> NDArray[np.uint8]:
        if result.flags:
            self._flag = result.flags[-1]
        if self._flag is None or result.t_s - self._flag.t_s > self.show_s:
            return frame
        text = f"Hand {self._flag.hand}: {self._flag.verdict.message}"
        h, w = frame.shape[:2]
        scale = self.scale * w / 640
        (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
        if tw > w - 20:  # long messages: shrink to fit
            scale *= (w - 20) / tw
            (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
        pad = int(8 * w / 640)
        cv2.rectangle(frame, (0, 0), (w, th + base + 2 * pad), RED, -1)
        cv2.putText(frame, text, (10, th + pad), cv2.FONT_HERSHEY_SIMPLEX, scale, WHITE, 1, cv2.LINE_AA)
        return frame


class Overlay:
    """Everything drawn on a frame, in order: back, hands and trails, banner."""

    def __init__(self, homography: Homography, step: Step, zones: Zones = Zones()):
        self.back = BackAnnotator(homography, step, zones)
        self.hands = HandsAnnotator()
        self.banner = BannerAnnotator()

    def set_step(self, step: Step) -> None:
        self.back.set_step(step)

    def annotate(self, frame: NDArray[np.uint8], result: FrameResult) -> NDArray[np.uint8]:
        self.back.annotate(frame, result)
        self.hands.annotate(frame, result)
        self.banner.annotate(frame, result)
        return frame

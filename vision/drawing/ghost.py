"""The teacher's reference drawn as a ghost over a student's video.

For the current routine step, one teacher stroke per lane (the one of median duration among those the
step asks for) is drawn as a faint line along its path on the back; while a student's stroke is under
way in that lane, a ghost dot moves along the teacher's path from the student's stroke start, as the
teacher's hand moved from theirs (aligned at stroke starts), so the student sees where, and how fast,
the teacher went. Nothing here judges: the events per step come from
:func:`vision.judging.compare.assign_steps` (``Comparison.reference_assigned``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import cv2
import numpy as np
from numpy.typing import NDArray

from vision.core.backframe import Homography
from vision.core.types import FrameResult, JudgedEvent, MotionEvent
from vision.judging.routines import Step

GHOST = (255, 80, 255)  # BGR: magenta, apart from the overlay's colours


class GhostAnnotator:
    """Draws the reference's strokes of the current step, faintly (``alpha``), over a frame.

    reference: step id -> the teacher's events of that step (any order); steps without any are not drawn.
    """

    def __init__(
        self,
        homography: Homography,
        reference: Mapping[str, Sequence[JudgedEvent]],
        alpha: float = 0.5,
        thickness: int = 3,
        color: tuple[int, int, int] = GHOST,
    ):
        if not 0.0 < alpha <= 1.0:
            raise ValueError(f"ghost alpha: expected a number in (0, 1], got {alpha!r}")
        self.h = homography
        self.alpha = alpha
        self.thickness = thickness
        self.color = color
        # step id -> lane -> (the ghost stroke, its image polyline in cv2's fixed point)
        self._ghosts: dict[str, dict[str, tuple[MotionEvent, NDArray[np.int32]]]] = {}
        for step_id, events in reference.items():
            lanes: dict[str, list[MotionEvent]] = {}
            for je in events:
                lanes.setdefault(je.event.lane, []).append(je.event)
            chosen = {}
            for lane, evs in lanes.items():
                evs = sorted(evs, key=lambda e: e.duration_s)
                ev = evs[len(evs) // 2]
                pts = self.h.to_image(np.asarray(ev.path_back, float))
                chosen[lane] = (ev, np.round(pts * 4).astype(np.int32))
            if chosen:
                self._ghosts[step_id] = chosen

    def ghost_paths(self, step_id: str) -> dict[str, NDArray[np.float64]]:
        """lane -> (N, 2) (u, v) path of the stroke drawn for that lane in this step (for tests, the page)."""
        return {lane: ev.path_back for lane, (ev, _) in self._ghosts.get(step_id, {}).items()}

    def annotate(self, frame: NDArray[np.uint8], result: FrameResult, step: Step) -> NDArray[np.uint8]:
        ghosts = self._ghosts.get(step.id)
        if not ghosts:
            return frame
        layer = frame.copy()
        for _, poly in ghosts.values():
            cv2.polylines(layer, [poly], False, self.color, self.thickness, cv2.LINE_AA, shift=2)
        for hs in result.hands:
            active = hs.active
            if hs.hand is None or active is None or active.lane not in ghosts:
                continue
            ev, _ = ghosts[active.lane]
            t_s = ev.t_start + (result.t_s - active.t_start)  # aligned at the stroke starts
            u = np.interp(t_s, ev.times_s, ev.path_back[:, 0])
            v = np.interp(t_s, ev.times_s, ev.path_back[:, 1])
            p = self.h.to_image(np.array([[u, v]]))[0]
            cv2.circle(layer, (int(round(p[0])), int(round(p[1]))), 3 * self.thickness, self.color, -1, cv2.LINE_AA)
        cv2.addWeighted(layer, self.alpha, frame, 1.0 - self.alpha, 0.0, dst=frame)
        return frame

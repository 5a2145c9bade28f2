"""The setup check: what to fix before practising, in plain words.

Pure functions of a frame, the calibration and what the hand tracker has
seen; the practice page shows their advice, and so can any other front end.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from vision.core.backframe import Calibration

DARK_LUMA = 60  # mean brightness (0-255) of the back below which MediaPipe starts missing hands
BRIGHT_LUMA = 235  # above: washed out
MIN_BACK_FRACTION = 0.3  # the back's longer side should span at least this much of the picture's
MIN_PALM_PX = 28  # wrist to middle knuckle, pixels: smaller hands are missed far more often
NO_HANDS_S = 5.0


@dataclass(frozen=True)
class Advice:
    problem: str  # stable key: back_out_of_view, too_dark, too_bright, camera_too_far, no_hands
    message: str


def setup_advice(
    frame_bgr: NDArray[np.uint8],
    calibration: Calibration,
    *,
    palm_px: float | None = None,
    seconds_without_hands: float = 0.0,
) -> list[Advice]:
    """What keeps the camera from seeing the practice well; an empty list when all is fine.

    palm_px: the median size of the hands seen lately (wrist to middle
    knuckle, pixels), None if none were seen. seconds_without_hands: how long
    no hand has been seen on the back.
    """
    h, w = frame_bgr.shape[:2]
    corners = calibration.corners_px()
    advice: list[Advice] = []
    margin = 0.02 * max(w, h)
    outside = [(x, y) for x, y in corners if not (-margin <= x <= w + margin and -margin <= y <= h + margin)]
    if outside:
        advice.append(
            Advice(
                "back_out_of_view",
                "The back is not wholly in view: move the camera (or the table) "
                "until the whole back is in the picture, then calibrate again.",
            )
        )
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [np.round(corners).astype(np.int32)], (255,))
    gray = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2GRAY)
    luma = float(cv2.mean(gray, mask=mask)[0]) if mask.any() else float(gray.mean())
    if luma < DARK_LUMA:
        advice.append(
            Advice(
                "too_dark",
                f"Too dark (brightness {luma:.0f} of 255): turn on a light or open the "
                "curtains; the hands are hard to see.",
            )
        )
    elif luma > BRIGHT_LUMA:
        advice.append(
            Advice("too_bright", f"Washed out (brightness {luma:.0f} of 255): dim a light that shines into the camera.")
        )
    span = max(np.ptp(corners[:, 0]) / w, np.ptp(corners[:, 1]) / h)
    if span < MIN_BACK_FRACTION or (palm_px is not None and palm_px < MIN_PALM_PX):
        why = (
            f"hands look small ({palm_px:.0f} px)"
            if palm_px is not None and palm_px < MIN_PALM_PX
            else f"the back fills only {100 * span:.0f}% of the picture"
        )
        advice.append(
            Advice("camera_too_far", f"Camera too far: {why}. Move the laptop closer to the table and calibrate again.")
        )
    if seconds_without_hands >= NO_HANDS_S:
        advice.append(
            Advice(
                "no_hands",
                f"No hands seen on the back for {seconds_without_hands:.0f} s: put your "
                "hands flat on the back, in view of the camera.",
            )
        )
    return advice

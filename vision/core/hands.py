"""Hands as our own types: landmarks, observations and contact points.

Nothing here imports MediaPipe; :mod:`vision.tracking` adapts its results into
these types at the boundary.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray


class HandLandmark(IntEnum):
    """MediaPipe's 21 hand landmarks, by name."""

    WRIST = 0
    THUMB_CMC = 1
    THUMB_MCP = 2
    THUMB_IP = 3
    THUMB_TIP = 4
    INDEX_MCP = 5
    INDEX_PIP = 6
    INDEX_DIP = 7
    INDEX_TIP = 8
    MIDDLE_MCP = 9
    MIDDLE_PIP = 10
    MIDDLE_DIP = 11
    MIDDLE_TIP = 12
    RING_MCP = 13
    RING_PIP = 14
    RING_DIP = 15
    RING_TIP = 16
    PINKY_MCP = 17
    PINKY_PIP = 18
    PINKY_DIP = 19
    PINKY_TIP = 20


N_LANDMARKS = 21

#: Which landmarks make the working part of the hand, by contact kind
#: (DESIGN.md, "Contact point"). The contact point is their mean.
CONTACT_LANDMARKS: dict[str, tuple[HandLandmark, ...]] = {
    "palm": (
        HandLandmark.WRIST,
        HandLandmark.INDEX_MCP,
        HandLandmark.MIDDLE_MCP,
        HandLandmark.RING_MCP,
        HandLandmark.PINKY_MCP,
    ),
    "thumb": (HandLandmark.THUMB_TIP,),
    "fingertips": (HandLandmark.INDEX_TIP, HandLandmark.MIDDLE_TIP),
    "knuckles": (HandLandmark.INDEX_MCP, HandLandmark.MIDDLE_MCP),
}

# Edges of the hand skeleton, for drawing.
HAND_EDGES: tuple[tuple[int, int], ...] = (
    (0, 1),
    (1, 2),
    (2, 3),
    (3, 4),
    (0, 5),
    (5, 6),
    (6, 7),
    (7, 8),
    (5, 9),
    (9, 10),
    (10, 11),
    (11, 12),
    (9, 13),
    (13, 14),
    (14, 15),
    (15, 16),
    (13, 17),
    (0, 17),
    (17, 18),
    (18, 19),
    (19, 20),
)


@dataclass(frozen=True)
class HandObservation:
    """One hand found in one frame.

    landmarks_px: (21, 2) float64, image pixels of the unmirrored frame.
    score: the detector's confidence in [0, 1].
    """

    landmarks_px: NDArray[np.float64]
    score: float = 1.0

    def __post_init__(self) -> None:
        lm = np.array(self.landmarks_px, dtype=np.float64)  # a copy: the caller's array stays theirs
        if lm.shape != (N_LANDMARKS, 2):
            raise ValueError(f"landmarks_px: expected shape ({N_LANDMARKS}, 2), got {lm.shape}")
        lm.setflags(write=False)
        object.__setattr__(self, "landmarks_px", lm)

    def contact_px(self, contact: str = "palm") -> NDArray[np.float64]:
        """(2,) the contact point of this hand for the given contact kind, in pixels."""
        try:
            ids = CONTACT_LANDMARKS[contact]
        except KeyError:
            raise ValueError(f"contact: expected one of {', '.join(CONTACT_LANDMARKS)}, got {contact!r}") from None
        return self.landmarks_px[list(ids)].mean(axis=0)

    @property
    def palm_size_px(self) -> float:
        """Wrist to middle-finger knuckle, pixels: the hand's scale in the picture."""
        lm = self.landmarks_px
        return float(np.linalg.norm(lm[HandLandmark.MIDDLE_MCP] - lm[HandLandmark.WRIST]))


def near_picture_edge(point_px, margin_px: float, frame_wh: tuple[int, int]) -> bool:
    """Whether an image point lies within ``margin_px`` of the picture's edge (or beyond it)."""
    x, y = float(point_px[0]), float(point_px[1])
    return x < margin_px or y < margin_px or x > frame_wh[0] - margin_px or y > frame_wh[1] - margin_px


def merge_duplicates(hands: list[HandObservation], contact: str = "palm") -> list[HandObservation]:
    """Drop a detection that repeats another one (centres under half a palm apart).

    MediaPipe sometimes returns the same hand twice in a frame; the one with
    the higher score is kept.
    """
    kept: list[HandObservation] = []
    for h in sorted(hands, key=lambda h: -h.score):
        c = h.contact_px(contact)
        if all(np.linalg.norm(c - k.contact_px(contact)) >= 0.5 * max(k.palm_size_px, h.palm_size_px) for k in kept):
            kept.append(h)
    return kept

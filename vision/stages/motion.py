"""A hand's motion on the back, and whether it carries on across a gap.

A hand goes unseen for a moment (hidden, lost by the detector, frames dropped
by a busy machine). When it is found again the question is whether it is
still in the motion it was in, or did something else meanwhile: came to rest,
turned a corner of the loop, went back. The motion model is the hand where it
was last seen, on the back, with its velocity then (a :class:`Course`); the
place it is found at, and the way it moves on from there, are compared with
where that motion leads.

Units: seconds (the frames' own timestamps); positions in back lengths, (u, v)
with v scaled by :data:`~vision.core.backframe.HALF_WIDTH_PER_LENGTH`, so that a
distance across the back counts as much as one along it; velocities in back
lengths per second. Pure functions, no state.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from vision.core.backframe import HALF_WIDTH_PER_LENGTH

_SCALE = np.array([1.0, HALF_WIDTH_PER_LENGTH])  # (u, v) -> back lengths


def to_lengths(uv: NDArray[np.float64]) -> NDArray[np.float64]:
    """(..., 2) back-frame (u, v) (or per second) -> back lengths (or per second)."""
    return np.asarray(uv, dtype=np.float64) * _SCALE


@dataclass(frozen=True)
class Course:
    """Where a hand was last seen and how it moved then: ``position`` (2,) in back lengths at ``t_s``,
    ``velocity`` (2,) in back lengths per second."""

    t_s: float
    position: NDArray[np.float64]
    velocity: NDArray[np.float64]

    def __post_init__(self) -> None:
        for name in ("position", "velocity"):
            a = np.asarray(getattr(self, name), dtype=np.float64)
            if a.shape != (2,):
                raise ValueError(f"Course.{name}: expected shape (2,) in back lengths, got {a.shape}")
            object.__setattr__(self, name, a)

    @property
    def speed(self) -> float:
        return float(np.linalg.norm(self.velocity))

    def predict(self, t_s: float) -> NDArray[np.float64]:
        """(2,) where the hand would be at ``t_s`` had it kept its velocity."""
        return self.position + self.velocity * (t_s - self.t_s)


def returns_on_course(
    course: Course,
    t_s: float,
    found: NDArray[np.float64],
    *,
    tolerance: float,
    off_line: float,
    min_speed: float,
    max_speed: float,
) -> bool:
    """Whether a hand found at ``found`` (back lengths) at ``t_s`` is where its motion could have taken it.

    Yes when it is back on its spot (within ``tolerance``: a hold, a pause), or, when it was moving (at
    ``min_speed`` or more), further along its way: ahead on the line of its velocity, off that line by at
    most ``tolerance`` plus ``off_line`` of the way it went, and no further than ``max_speed`` allows. How
    far ahead is not held to the speed it had (``course.predict``): a glide speeds up and slows down.
    """
    gap = t_s - course.t_s
    moved = np.asarray(found, dtype=np.float64) - course.position
    if float(np.linalg.norm(moved)) <= tolerance:
        return True
    if course.speed < min_speed:
        return False  # it was at rest, and is somewhere else now
    heading = course.velocity / course.speed
    along = float(moved @ heading)
    across = float(np.linalg.norm(moved - along * heading))
    return 0 < along <= max_speed * gap and across <= tolerance + off_line * along


def turn_angle(before: NDArray[np.float64], after: NDArray[np.float64]) -> float:
    """The angle (radians, 0 to pi) between two displacements: how far a hand's way turned.

    0 carries straight on; pi/2 a corner (a glide up turning out over the shoulder); pi goes back."""
    a, b = np.asarray(before, dtype=np.float64), np.asarray(after, dtype=np.float64)
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    if na == 0 or nb == 0:
        raise ValueError("turn_angle: a displacement of zero length has no direction")
    return float(np.arccos(np.clip(float(a @ b) / (na * nb), -1.0, 1.0)))

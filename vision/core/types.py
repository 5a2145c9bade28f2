"""The results every stage hands on: events, verdicts, tracks and per-frame results.

Plain frozen dataclasses over numpy arrays, with no heavy imports (no OpenCV,
no MediaPipe), so that any layer can use them:

- :class:`MotionEvent`, :class:`ActiveMotion`: a hand's finished and
  under-way motions on the back (from :mod:`vision.stages.strokes`);
- :class:`Verdict`: a stable verdict name and its message (:data:`VERDICTS`);
- :class:`Track`: a hand followed across frames (:mod:`vision.stages.tracking`);
- :class:`JudgedEvent`, :class:`HandState`, :class:`Flag`, :class:`FrameResult`:
  what the pipeline returns for each frame (:mod:`vision.judging.pipeline`);
- :class:`MoveOn`: the routine moved on to a later step the giver had gone on
  to (:mod:`vision.judging.session`), with the events judged again.

Units: seconds on the frames' own clock; (u, v) in the back frame; pixels in
the unmirrored image.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np
from numpy.typing import NDArray

from vision.core.hands import HandObservation

EventKind = Literal["stroke", "hold", "circles", "cross_fiber"]


@dataclass(frozen=True)
class MotionEvent:
    """One finished event of one hand.

    times_s: (N,) timestamps; path_back: (N, 2) smoothed (u, v) over the event.
    direction: "up", "down" or "lateral" for strokes, None otherwise.
    lane: "left", "right", "spine", "outside" or "off_back" (where most of it was).
    distance: path length in back lengths; speed: mean speed, back lengths per second.
    count: circles turned, or cross-fibre passes.
    surges: strokes: the speed surges of the movement this stroke belongs to
    (1 for one smooth push; see :func:`count_surges` and "stop-and-go" in
    :class:`HandSegmenter`).
    """

    kind: EventKind
    track: int
    t_start: float
    t_end: float
    times_s: NDArray[np.float64]
    path_back: NDArray[np.float64]
    direction: str | None
    lane: str
    distance: float
    speed: float
    count: int = 0
    radius: float = 0.0  # circles: mean radius, back lengths
    surges: int = 1  # strokes: speed surges of its movement (1 = one smooth push)

    @property
    def rate_hz(self) -> float:
        """Circles: turns per second (0 for other kinds)."""
        return self.count / self.duration_s if self.kind == "circles" and self.duration_s > 0 else 0.0

    @property
    def duration_s(self) -> float:
        return self.t_end - self.t_start

    @property
    def displacement(self) -> NDArray[np.float64]:
        """(2,) net (du, dv) in back units."""
        return self.path_back[-1] - self.path_back[0]


@dataclass(frozen=True)
class ActiveMotion:
    """A motion still under way: what is known of it so far (for live checks)."""

    track: int
    t_start: float
    t_now: float
    start_back: NDArray[np.float64]
    now_back: NDArray[np.float64]
    direction: str
    lane: str
    distance: float  # net displacement so far, back lengths


#: The stable verdict names, as reports and the app use them.
VerdictName = Literal[
    "ok",
    "wrong_direction",
    "on_spine",
    "off_back",
    "outside_lane",
    "too_fast",
    "too_slow",
    "hold_too_short",
    "hold_too_long",
    "not_circular",
    "same_side",
    "one_hand_missing",
    "jerky",
]
VERDICTS: tuple[str, ...] = get_args(VerdictName)


@dataclass(frozen=True)
class Verdict:
    name: str
    message: str

    def __post_init__(self) -> None:
        if self.name not in VERDICTS:
            raise ValueError(f"verdict: expected one of {', '.join(VERDICTS)}, got {self.name!r}")

    def to_dict(self) -> dict:
        return {"name": self.name, "message": self.message}


OK = Verdict("ok", "Good")


@dataclass
class Track:
    """A hand followed across frames."""

    id: int
    contact_px: NDArray[np.float64]
    palm_size_px: float
    last_seen_s: float
    velocity_px_s: NDArray[np.float64] = field(default_factory=lambda: np.zeros(2))
    observation: HandObservation | None = None  # this frame's, or None while missing
    frames_seen: int = 1


@dataclass(frozen=True)
class JudgedEvent:
    event: MotionEvent
    hand: int  # the giver's hand: 1, 2 (a hand found again takes the lowest number free)
    verdicts: tuple[Verdict, ...]
    flagged_at: float | None  # when the first flag was raised (live if it was), None if all is well
    unsure: str | None = None  # why its flags were withheld: the hand was not seen well enough (a reason)

    @property
    def ok(self) -> bool:
        return all(v.name == "ok" for v in self.verdicts)


@dataclass(frozen=True)
class HandState:
    """One tracked hand in one frame."""

    track: int
    hand: int | None  # the giver's hand (1, 2, ...), None for hands that are not the giver's
    observation: HandObservation | None  # None while the hand is briefly missing
    contact_px: NDArray[np.float64]
    uv: NDArray[np.float64] | None  # smoothed back-frame position (giver hands)
    active: ActiveMotion | None = None
    live_flag: Verdict | None = None  # the flag raised on the stroke under way
    resting_s: float = 0.0


#: Why a giver hand is not seen well enough to judge (see :mod:`vision.stages.visibility`).
UnsureReason = Literal["out_of_view", "dark", "small", "seen_poorly"]
UNSURE_REASONS: tuple[str, ...] = get_args(UnsureReason)


@dataclass(frozen=True)
class Unsure:
    """A giver hand (or both: ``hand`` None) not seen well enough to judge, now, and why."""

    hand: int | None
    reason: str


@dataclass
class UnsureSpan:
    """A span of time a giver hand (or both) was not seen well enough to judge."""

    hand: int | None
    reason: str
    t_start: float
    t_end: float


@dataclass(frozen=True)
class Flag:
    t_s: float
    hand: int
    verdict: Verdict


@dataclass(frozen=True)
class MoveOn:
    """The routine moved on because the giver's movements had become a later step's
    (:class:`vision.judging.session.RoutineSession`): the step left unfinished (``cut_short``), the steps
    between it and the one moved on to (``skipped``), that step (``to``), in force from ``since_s``
    (where the stretch of its movements began), decided at ``at_s``; the note saying so; and the
    events of that stretch, as first judged and as judged again under ``to``."""

    cut_short: str
    skipped: tuple[str, ...]
    to: str
    since_s: float
    at_s: float
    note: str
    rejudged: tuple[tuple[JudgedEvent, JudgedEvent], ...] = ()


@dataclass(frozen=True)
class FrameResult:
    t_s: float
    hands: tuple[HandState, ...]
    finished: tuple[JudgedEvent, ...] = ()  # events that ended in this frame
    flags: tuple[Flag, ...] = ()  # flags raised in this frame (live, or on an event that just ended)
    # the detector's hands as they came in (before tracking): what a recording
    # saves, so that feeding them back to process_hands re-judges exactly
    detections: tuple[HandObservation, ...] = ()
    frame_wh: tuple[int, int] | None = None  # the size of the picture the pixels are of, when known
    unsure: tuple[Unsure, ...] = ()  # the giver hands not seen well enough to judge now
    light: float | None = None  # the picture's mean brightness around the back (0-255), when it was seen
    # the routine moved on at this frame because the movements had become a later step's (the runner's)
    moved_on: tuple[MoveOn, ...] = ()

    @classmethod
    def empty(cls, t_s: float) -> FrameResult:
        return cls(t_s, ())

"""The settings a person can change: how strict the judging is, how strong the smoothing.

Both are plain data turned into what the pipeline already takes (a step with
adjusted bounds here, a :class:`~vision.judging.pipeline.PipelineConfig` by
:func:`vision.judging.pipeline.pipeline_config`); the runner applies them to
every step, so live practice, a replay and a re-judge use them the same way.

Sensitivity:

- ``gentle``: for beginners. Speed bounds 25% looser, hold bounds 15% looser,
  the spine zone narrower (|v| < 0.06) and a wrong-way stroke is flagged only
  after 1.5 times the usual distance.
- ``standard``: the routine's own bounds.
- ``strict``: for assessment. Speed bounds 15% tighter, hold bounds 10%
  tighter, the spine zone wider (|v| < 0.10), flags after 0.75 times the
  distance.

Smoothing (the One Euro filter's cut-off at rest): ``light`` 3 Hz (quicker,
more jitter), ``standard`` 1.5 Hz, ``strong`` 0.8 Hz (steadier, more lag).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal, get_args

from vision.judging.routines import Bounds, Step

Sensitivity = Literal["gentle", "standard", "strict"]
Smoothing = Literal["light", "standard", "strong"]
SENSITIVITIES: tuple[str, ...] = get_args(Sensitivity)
SMOOTHINGS: tuple[str, ...] = get_args(Smoothing)

# level -> (speed bound factor, hold bound factor, spine half-width, flag_after factor)
_SENSITIVITY = {
    "gentle": (0.25, 0.15, 0.06, 1.5),
    "standard": (0.0, 0.0, 0.08, 1.0),
    "strict": (-0.15, -0.10, 0.10, 0.75),
}
SMOOTHING_HZ = {"light": 3.0, "standard": 1.5, "strong": 0.8}
#: the spine zone's half-width |v| at each sensitivity
SPINE_HALF_WIDTH = {level: spine for level, (_, _, spine, _) in _SENSITIVITY.items()}


@dataclass(frozen=True)
class Settings:
    """What the person chose; a recording's session.json keeps it, read back checked
    (:class:`vision.files.session.RecordedSettings`)."""

    sensitivity: str = "standard"
    smoothing: str = "standard"

    def __post_init__(self) -> None:
        if self.sensitivity not in SENSITIVITIES:
            raise ValueError(f"sensitivity: expected one of {', '.join(SENSITIVITIES)}, got {self.sensitivity!r}")
        if self.smoothing not in SMOOTHINGS:
            raise ValueError(f"smoothing: expected one of {', '.join(SMOOTHINGS)}, got {self.smoothing!r}")

    def to_dict(self) -> dict:
        return asdict(self)


def _widen(b: Bounds, f: float) -> Bounds:
    """Bounds made looser by a fraction f (tighter for f < 0): the minimum down, the maximum up."""
    return Bounds(min=None if b.min is None else b.min * (1 - f), max=None if b.max is None else b.max * (1 + f))


def adjust_step(step: Step, settings: Settings) -> Step:
    """The step as judged at this sensitivity."""
    speed_f, hold_f, _, flag_f = _SENSITIVITY[settings.sensitivity]
    if settings.sensitivity == "standard":
        return step
    return step.model_copy(
        update={
            "speed": _widen(step.speed, speed_f),
            "hold_s": _widen(step.hold_s, hold_f),
            "flag_after": step.flag_after * flag_f,
        }
    )


__all__ = [
    "SENSITIVITIES",
    "SMOOTHINGS",
    "SMOOTHING_HZ",
    "SPINE_HALF_WIDTH",
    "Sensitivity",
    "Settings",
    "Smoothing",
    "adjust_step",
]

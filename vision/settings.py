"""The settings a person can change: how strict the judging is, how strong the smoothing.

Both are plain data turned into what the pipeline already takes (a step with
adjusted bounds, a :class:`~vision.pipeline.PipelineConfig`), so live
practice, a replay and a re-judge use them the same way.

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

from dataclasses import asdict, dataclass, replace

from vision.backframe import Zones
from vision.pipeline import PipelineConfig
from vision.routines import Bounds, Step

SENSITIVITIES = ("gentle", "standard", "strict")
SMOOTHINGS = ("light", "standard", "strong")

# level -> (speed bound factor, hold bound factor, spine half-width, flag_after factor)
_SENSITIVITY = {
    "gentle": (0.25, 0.15, 0.06, 1.5),
    "standard": (0.0, 0.0, 0.08, 1.0),
    "strict": (-0.15, -0.10, 0.10, 0.75),
}
_SMOOTHING_HZ = {"light": 3.0, "standard": 1.5, "strong": 0.8}


@dataclass(frozen=True)
class Settings:
    sensitivity: str = "standard"
    smoothing: str = "standard"

    def __post_init__(self) -> None:
        if self.sensitivity not in SENSITIVITIES:
            raise ValueError(f"sensitivity: expected one of {', '.join(SENSITIVITIES)}, got {self.sensitivity!r}")
        if self.smoothing not in SMOOTHINGS:
            raise ValueError(f"smoothing: expected one of {', '.join(SMOOTHINGS)}, got {self.smoothing!r}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict | None) -> "Settings":
        d = d or {}
        return cls(**{k: d[k] for k in ("sensitivity", "smoothing") if k in d})


def _widen(b: Bounds, f: float) -> Bounds:
    """Bounds made looser by a fraction f (tighter for f < 0): the minimum down, the maximum up."""
    return Bounds(min=None if b.min is None else b.min * (1 - f), max=None if b.max is None else b.max * (1 + f))


def adjust_step(step: Step, settings: Settings) -> Step:
    """The step as judged at this sensitivity."""
    speed_f, hold_f, _, flag_f = _SENSITIVITY[settings.sensitivity]
    if settings.sensitivity == "standard":
        return step
    return step.model_copy(update={"speed": _widen(step.speed, speed_f), "hold_s": _widen(step.hold_s, hold_f),
                                   "flag_after": step.flag_after * flag_f})


def pipeline_config(settings: Settings, base: PipelineConfig = PipelineConfig()) -> PipelineConfig:
    """The pipeline's configuration for these settings (smoothing, and the spine zone's width)."""
    spine = _SENSITIVITY[settings.sensitivity][2]
    zones = replace(base.segmenter.zones, spine=spine)
    return replace(base, min_cutoff_hz=_SMOOTHING_HZ[settings.smoothing],
                   segmenter=replace(base.segmenter, zones=zones))


__all__ = ["SENSITIVITIES", "SMOOTHINGS", "Settings", "adjust_step", "pipeline_config", "Zones"]

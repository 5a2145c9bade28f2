"""Judging events against a routine step: pure functions, stable verdict names.

``judge_active`` looks at a stroke still under way and raises a flag as soon
as it is clearly wrong (after ``step.flag_after`` back lengths);
``judge_event`` gives a finished event its verdicts.

``jerky``: a stroke whose movement has more speed surges than the step's
``surges.max`` (default 1 for petrissage and deep strokes): it stopped, or
nearly, and surged on (``MotionEvent.surges``, counted by the segmenter). It is
judged when the stroke ends: the first push of a stop-and-go movement is a
good stroke until the hand surges on, and each push after it is flagged.
A circle set whose rate (circles per second) is outside the step's
``circle_rate`` is ``too_fast`` or ``too_slow``.
"""

from __future__ import annotations

import numpy as np

from vision.core.types import OK, ActiveMotion, MotionEvent, Verdict
from vision.judging.routines import Step

_TOWARD = {"up": "up toward the shoulders", "down": "down toward the hips"}


def _technique(step: Step) -> str:
    return step.technique.replace("_", " ")


def _place_verdicts(step: Step, lane: str) -> list[Verdict]:
    if lane == "off_back":
        return [Verdict("off_back", "The hand left the back; keep both hands on the body")]
    if lane == "spine" and "spine" not in step.lanes:
        return [Verdict("on_spine", "Stroke ran on the spine; work the muscles either side of it, never on the spine")]
    return []


def _direction_verdicts(step: Step, direction: str | None, lane: str) -> list[Verdict]:
    if step.direction in ("any",) or direction is None:
        return []
    if step.direction in ("up", "down"):
        if direction == "lateral" or lane in step.return_lanes or lane not in step.lanes:
            return []  # moving across, or returning where the step allows it
        if direction != step.direction:
            return [
                Verdict(
                    "wrong_direction",
                    f"Stroke went {_TOWARD[direction]}; {_technique(step)} glides {_TOWARD[step.direction]}",
                )
            ]
    return []


def judge_active(step: Step, motion: ActiveMotion) -> Verdict | None:
    """A flag for a stroke still under way, or None while it looks fine or is too short to tell."""
    if step.technique == "instruction" or motion.distance < step.flag_after:
        return None
    if motion.direction == "lateral":
        return None  # moving across (leaving the spine, heading for the outer edge): judged when it ends
    bad = _place_verdicts(step, motion.lane) or _direction_verdicts(step, motion.direction, motion.lane)
    return bad[0] if bad else None


# Rubbing shorter than this (back lengths) is working a spot; a longer stroke is
# the hand moving on to the next spot, which friction steps allow.
RUB_MAX_DISTANCE = 0.2


def _technique_verdicts(step: Step, event: MotionEvent, previous: MotionEvent | None) -> list[Verdict]:
    """What a step's technique adds: circles for friction, across for cross-fibre, climbing presses."""
    t = step.technique
    if t == "friction" and (
        event.kind == "cross_fiber" or (event.kind == "stroke" and event.distance < RUB_MAX_DISTANCE)
    ):
        return [Verdict("not_circular", "Rubbing in a line; friction works in small circles over the spot")]
    if (
        t == "cross_fiber"
        and event.kind == "stroke"
        and event.direction in ("up", "down")
        and event.distance < RUB_MAX_DISTANCE
    ):
        return [
            Verdict(
                "wrong_direction", "Rubbing along the spine's direction; cross-fibre friction goes across the muscle"
            )
        ]
    if t == "press" and event.kind == "hold" and previous is not None and step.direction in ("up", "down"):
        du = float(np.median(event.path_back[:, 0]) - np.median(previous.path_back[:, 0]))
        went = "down" if du < 0 else "up"
        if abs(du) > 0.03 and went != step.direction:  # a few cm: pressing the same point again is fine
            return [
                Verdict(
                    "wrong_direction",
                    f"This press went {_TOWARD[went]} from the last one; presses move {_TOWARD[step.direction]}",
                )
            ]
    return []


def judge_event(step: Step, event: MotionEvent, previous: MotionEvent | None = None) -> list[Verdict]:
    """Verdicts for a finished event; ``[OK]`` when nothing is wrong.

    previous: the same hand's previous event of the same kind, for techniques
    judged on a sequence (shiatsu presses climb from the base up).
    """
    if step.technique == "instruction":
        return [OK]
    verdicts = _place_verdicts(step, event.lane)
    resting = event.kind == "hold" and step.technique not in ("press", "hold")  # a rest, not the work
    if (
        not verdicts
        and not resting
        and event.lane not in step.lanes
        and event.lane not in step.return_lanes
        and event.lane not in ("spine", "off_back")
        and not (event.kind == "stroke" and event.direction == "lateral")
    ):
        verdicts.append(
            Verdict(
                "outside_lane", f"Worked the outer edge; {_technique(step)} stays in the lanes either side of the spine"
            )
        )
    verdicts += _technique_verdicts(step, event, previous)
    if event.kind == "stroke":
        verdicts += _direction_verdicts(step, event.direction, event.lane)
        if event.lane in step.lanes or event.lane in step.return_lanes:
            if step.speed.max is not None and event.speed > step.speed.max:
                verdicts.append(
                    Verdict(
                        "too_fast",
                        f"Too fast ({event.speed:.2f} back lengths/s); keep it under "
                        f"{step.speed.max:.2f} for {_technique(step)}",
                    )
                )
            if step.speed.min is not None and event.speed < step.speed.min:
                verdicts.append(
                    Verdict(
                        "too_slow",
                        f"Too slow ({event.speed:.2f} back lengths/s); at least "
                        f"{step.speed.min:.2f} for {_technique(step)}",
                    )
                )
            if step.surges.max is not None and event.surges > step.surges.max:
                verdicts.append(
                    Verdict(
                        "jerky",
                        f"Stop-and-go: the stroke stopped and surged on ({event.surges} "
                        f"surges); {_technique(step)} is one smooth, steady motion",
                    )
                )
    if event.kind == "circles" and event.lane in step.lanes:
        rate = event.rate_hz
        if step.circle_rate.max is not None and rate > step.circle_rate.max:
            verdicts.append(
                Verdict(
                    "too_fast",
                    f"Circles too quick ({rate:.1f} a second); at most "
                    f"{step.circle_rate.max:.1f} a second for {_technique(step)}",
                )
            )
        if step.circle_rate.min is not None and rate < step.circle_rate.min:
            verdicts.append(
                Verdict(
                    "too_slow",
                    f"Circles too slow ({rate:.1f} a second); at least "
                    f"{step.circle_rate.min:.1f} a second for {_technique(step)}",
                )
            )
    if event.kind == "hold":
        d = event.duration_s
        if step.hold_s.min is not None and d < step.hold_s.min:
            verdicts.append(
                Verdict("hold_too_short", f"Hold of {d:.1f} s was too short; hold at least {step.hold_s.min:.0f} s")
            )
        if step.hold_s.max is not None and d > step.hold_s.max:
            verdicts.append(
                Verdict("hold_too_long", f"Hold of {d:.1f} s was too long; release by {step.hold_s.max:.0f} s")
            )
    return verdicts or [OK]

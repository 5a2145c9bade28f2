"""Spoken cues for live practice: a few words for each flag, each step change and the hold timer.

The giver looks at the back, not at the screen, so what matters is said as
well as shown. :func:`flag_cue`, :func:`step_cue`, :func:`hold_cue` and
:func:`unsure_cue` make the words; :class:`CueGate` lets at most one cue through a second, the newest
one winning, so cues never pile up behind a burst of flags. The page speaks
them (or plays a tone, or stays silent, as its setting says).
"""

from __future__ import annotations

from dataclasses import dataclass

from vision.judging.routines import Step

MIN_GAP_S = 1.0  # at most one cue a second
HOLD_MARKS_S = (15.0, 30.0)  # the hold timer speaks at these seconds

_DIRECTION = {"up": "glide up", "down": "glide down", "lateral": "go across"}


@dataclass(frozen=True)
class Cue:
    t_s: float  # when it was raised, on the session's clock
    kind: str  # "flag", "step", "hold" or "unsure"
    text: str  # the words to say
    key: str  # a stable name for a pre-rendered sound: the verdict, "step" or "hold_15"


def flag_cue(verdict: str, step: Step, t_s: float) -> Cue:
    """The words for a flag (a verdict name) raised on ``step``."""
    words = {
        "wrong_direction": f"Wrong way: {_DIRECTION.get(step.direction, 'other way')}",
        "on_spine": "Off the spine",
        "off_back": "Back on the back",
        "outside_lane": "Stay in your lane",
        "too_fast": "Slower",
        "too_slow": "A little faster",
        "hold_too_short": "Hold longer",
        "hold_too_long": "Release now",
        "not_circular": "Rounder circles",
        "same_side": "Switch sides",
        "one_hand_missing": "Both hands",
        "jerky": "Smoother",
    }.get(verdict, "Check the screen")
    return Cue(t_s, "flag", words, verdict)


def _amount(step: Step) -> str:
    if step.repetitions:
        return f"{step.repetitions} {'times' if step.repetitions > 1 else 'time'}"
    if step.duration_s:
        minutes = step.duration_s / 60
        if minutes >= 1 and abs(minutes - round(minutes)) < 1e-6:
            m = int(round(minutes))
            return "one minute" if m == 1 else f"{m} minutes"
        return f"{step.duration_s:.0f} seconds"
    return ""


def step_cue(step: Step, t_s: float, cut_short: str | None = None) -> Cue:
    """The words when the routine moves on to ``step``: "Next: Petrissage, one minute"; when it moved on
    because the giver had gone on to a later step, the step left first: "Petrissage cut short. Next: ..."."""
    amount = _amount(step)
    before = f"{cut_short} cut short. " if cut_short else ""
    return Cue(t_s, "step", f"{before}Next: {step.title}" + (f", {amount}" if amount else ""), "step")


def hold_cue(seconds: float, t_s: float) -> Cue:
    return Cue(t_s, "hold", f"{seconds:.0f} seconds", f"hold_{seconds:.0f}")


def unsure_cue(reason: str, t_s: float) -> Cue:
    """The words when the hands stop being seen well enough to judge (the page says why, and what to do)."""
    words = {"dark": "Too dark to see your hands", "out_of_view": "Your hands are out of the picture"}
    return Cue(t_s, "unsure", words.get(reason, "I can't see your hands well"), f"unsure_{reason}")


class CueGate:
    """At most one cue per ``min_gap_s``; of the cues offered meanwhile, only the newest is kept."""

    def __init__(self, min_gap_s: float = MIN_GAP_S):
        self.min_gap_s = min_gap_s
        self._pending: Cue | None = None
        self._last_out: float | None = None  # the clock time the last cue went out

    def offer(self, cue: Cue) -> None:
        if self._pending is None or cue.t_s >= self._pending.t_s:
            self._pending = cue

    def take(self, now_s: float) -> Cue | None:
        """The cue to say now, if any (``now_s`` on the same clock as the cues' times)."""
        if self._pending is None:
            return None
        if self._last_out is not None and now_s - self._last_out < self.min_gap_s:
            return None
        cue, self._pending = self._pending, None
        self._last_out = now_s
        return cue

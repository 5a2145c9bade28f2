"""A student's run compared with a teacher's reference run of the same routine, step by step.

Pure functions over judged events (no I/O). Each run's events are first given to the routine's
steps (:func:`assign_steps`: the step the session was on when the event began, when that step asks
for such an event; otherwise the step that does); only the events a step asks for count (an
effleurage step's glides in its lanes, not the returns down the outer edges or the moves between).
Then, per step:

- **shape**: each student event is matched to the teacher's event of the same step and lane whose
  path is nearest by dynamic time warping of (u, v) over normalised time (``dtaidistance``);
  similarity ``exp(-d / SHAPE_SCALE)`` of the warped root-mean-square distance ``d`` (back units);
- **tempo**: the matched pairs' median duration ratio (student / teacher; the speed ratio is given
  too); similarity ``exp(-TEMPO_SHARPNESS * |ln ratio|)``;
- **reach**: strokes only: how far along the back they go (median of each stroke's max u);
  similarity ``1 - REACH_SCALE * |student - teacher|`` (at least 0);
- **coverage**: the back as a coarse grid (:data:`GRID_U` bands along, :data:`GRID_V` across); the
  share of the cells the teacher's events passed through that the student's did too;
- **amount**: how many events each did (the fewer over the more).

A step's similarity (0-100) is their weighted mean (:data:`WEIGHTS`; reach left out where it does not
apply), 0 for a step the teacher did and the student did not; the overall similarity is the steps'
mean, with the order of the steps (by the median start of their events) counting for
:data:`ORDER_WEIGHT`. Feedback in plain words says what differs most.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from dtaidistance import dtw_ndim
from numpy.typing import NDArray

from vision.core.types import JudgedEvent, MotionEvent
from vision.judging.routines import Routine, Step

__all__ = [
    "GRID_U",
    "GRID_V",
    "Comparison",
    "Run",
    "StepComparison",
    "StepSpan",
    "StrokeMatch",
    "assign_steps",
    "compare_runs",
    "compare_step",
    "coverage_cells",
    "fits_step",
    "path_distance",
    "resample_path",
]

GRID_U = 5  # bands along the back (0 hips .. 1 shoulders)
GRID_V = 4  # columns across it: left outer, left inner, right inner, right outer
RESAMPLE_N = 32  # points per path over normalised time
SHAPE_SCALE = 0.1  # back units: a warped RMS distance of 0.1 is a shape similarity of 1/e
TEMPO_SHARPNESS = 1.5  # twice as fast (or slow) is a tempo similarity of 0.35
REACH_SCALE = 2.5  # 0.2 back lengths short of the teacher's reach is a reach similarity of 0.5
WEIGHTS = {"shape": 0.3, "tempo": 0.25, "reach": 0.2, "coverage": 0.25, "amount": 0.15}
ORDER_WEIGHT = 0.15
MIN_GLIDE = 0.15  # back lengths: shorter strokes are not an effleurage glide or a deep stroke (moves in between)
STROKE_TECHNIQUES = ("effleurage", "petrissage", "deep_stroke")
KIND_OF_TECHNIQUE = {"friction": "circles", "cross_fiber": "cross_fiber", "press": "hold", "hold": "hold"}


@dataclass(frozen=True)
class StepSpan:
    """A stretch of a run on one routine step (one attempt): from ``t_start`` to ``t_end`` (None: the end)."""

    step_id: str
    t_start: float
    t_end: float | None = None

    def holds(self, t_s: float) -> bool:
        return self.t_start <= t_s and (self.t_end is None or t_s < self.t_end)


@dataclass(frozen=True)
class Run:
    """One run of a routine: its judged events (with their paths) and, when it followed the routine, the
    stretches it spent on each step (a report's ``steps``). Without spans the events go to the steps that
    ask for them (the first such step)."""

    events: tuple[JudgedEvent, ...]
    steps: tuple[StepSpan, ...] = ()
    name: str | None = None

    @classmethod
    def of(cls, events: Run | Iterable[JudgedEvent], steps: Iterable[StepSpan] = (), name: str | None = None) -> Run:
        if isinstance(events, Run):
            return events
        return cls(tuple(events), tuple(steps), name)


@dataclass(frozen=True)
class StrokeMatch:
    """A student event and the teacher's event it was matched to (same step and lane)."""

    lane: str
    student_t_s: float
    teacher_t_s: float
    shape: float  # 0..1
    distance: float  # warped RMS distance of the paths, back units
    speed_ratio: float  # student / teacher
    duration_ratio: float  # student / teacher

    def to_dict(self) -> dict:
        return {
            "lane": self.lane,
            "student_t_s": round(self.student_t_s, 3),
            "teacher_t_s": round(self.teacher_t_s, 3),
            "shape": round(self.shape, 3),
            "distance": round(self.distance, 4),
            "speed_ratio": round(self.speed_ratio, 3),
            "duration_ratio": round(self.duration_ratio, 3),
        }


@dataclass(frozen=True)
class StepComparison:
    """One step compared: the parts' similarities (0..1, None where they do not apply), the whole (0-100)."""

    step_id: str
    title: str
    technique: str
    similarity: int | None  # None: neither did anything the step asks for
    student_events: int
    teacher_events: int
    shape: float | None = None
    tempo: float | None = None
    reach: float | None = None
    coverage: float | None = None
    speed_ratio: float | None = None
    duration_ratio: float | None = None
    reach_u: float | None = None  # the student's strokes' median max u
    teacher_reach_u: float | None = None
    lanes: tuple[str, ...] = ()  # the student's
    teacher_lanes: tuple[str, ...] = ()
    missed_cells: tuple[tuple[int, int], ...] = ()  # (u band, v column) the teacher worked and the student did not
    matches: tuple[StrokeMatch, ...] = ()
    feedback: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        def r(x: float | None, n: int = 3) -> float | None:
            return None if x is None else round(x, n)

        return {
            "step_id": self.step_id,
            "title": self.title,
            "technique": self.technique,
            "similarity": self.similarity,
            "events": self.student_events,
            "reference_events": self.teacher_events,
            "matched": len(self.matches),
            "shape": r(self.shape),
            "tempo": r(self.tempo),
            "reach": r(self.reach),
            "coverage": r(self.coverage),
            "speed_ratio": r(self.speed_ratio),
            "duration_ratio": r(self.duration_ratio),
            "reach_u": r(self.reach_u),
            "reference_reach_u": r(self.teacher_reach_u),
            "lanes": list(self.lanes),
            "reference_lanes": list(self.teacher_lanes),
            "missed_cells": [list(c) for c in self.missed_cells],
            "feedback": list(self.feedback),
        }


@dataclass(frozen=True)
class Comparison:
    """A student's run against the teacher's reference: per step, overall (0-100), the order, feedback."""

    similarity: int | None
    steps: tuple[StepComparison, ...]
    order: tuple[str, ...]  # the steps in the order the student did them (by their events' median start)
    reference_order: tuple[str, ...]
    same_order: bool
    feedback: tuple[str, ...] = ()
    reference: str | None = None  # the reference run's name (a recording, a clip)
    assigned: Mapping[str, tuple[JudgedEvent, ...]] = field(default_factory=dict, repr=False)
    reference_assigned: Mapping[str, tuple[JudgedEvent, ...]] = field(default_factory=dict, repr=False)

    def step(self, step_id: str) -> StepComparison:
        for s in self.steps:
            if s.step_id == step_id:
                return s
        raise KeyError(f"no step {step_id!r} in the comparison; its steps: {', '.join(s.step_id for s in self.steps)}")

    def to_dict(self) -> dict:
        """As report.json's ``comparison`` holds it."""
        return {
            "reference": self.reference,
            "similarity": self.similarity,
            "same_order": self.same_order,
            "order": list(self.order),
            "reference_order": list(self.reference_order),
            "feedback": list(self.feedback),
            "steps": [s.to_dict() for s in self.steps],
        }


# --- the pieces -------------------------------------------------------------------------------------


def fits_step(ev: MotionEvent, step: Step) -> bool:
    """Whether ``ev`` is an event ``step`` asks for (and so is compared): an effleurage or deep stroke step's
    glides along its lanes (not the returns or the moves between), a petrissage step's strokes in its lanes,
    a friction step's circles, a cross-fibre step's passes, a press or hold step's holds."""
    if ev.lane not in step.lanes:
        return False
    if step.technique in STROKE_TECHNIQUES:
        if ev.kind != "stroke" or ev.direction == "lateral":
            return False
        return step.technique == "petrissage" or ev.distance >= MIN_GLIDE
    kind = KIND_OF_TECHNIQUE.get(step.technique)
    return kind is not None and ev.kind == kind


def assign_steps(run: Run, routine: Routine) -> dict[str, list[JudgedEvent]]:
    """The run's events each given to a routine step (step id -> its events, in time order; every step
    has an entry). An event goes to the step the run was on when it began if that step asks for it
    (:func:`fits_step`); otherwise to a step that does: the one whose stretch is nearest in time, or, with
    no stretches, the first. An event no step asks for is left out."""
    out: dict[str, list[JudgedEvent]] = {s.id: [] for s in routine.steps}
    by_id = {s.id: s for s in routine.steps}
    for je in sorted(run.events, key=lambda e: e.event.t_start):
        ev = je.event
        fitting = [s for s in routine.steps if fits_step(ev, s)]
        if not fitting:
            continue
        on = next((sp.step_id for sp in run.steps if sp.holds(ev.t_start)), None)
        if on in out and by_id[on] in fitting:
            out[on].append(je)
            continue
        spans = [sp for sp in run.steps if sp.step_id in {s.id for s in fitting}]
        if spans:

            def gap(sp: StepSpan, t_s: float = ev.t_start) -> float:
                end = math.inf if sp.t_end is None else sp.t_end
                return max(sp.t_start - t_s, t_s - end, 0.0)

            out[min(spans, key=gap).step_id].append(je)
        else:
            out[fitting[0].id].append(je)
    return out


def resample_path(ev: MotionEvent, n: int = RESAMPLE_N) -> NDArray[np.float64]:
    """(n, 2) (u, v) of the event's path at n evenly spaced moments of its normalised time (0 start, 1 end)."""
    t = np.asarray(ev.times_s, float)
    p = np.asarray(ev.path_back, float)
    if len(t) < 2 or t[-1] <= t[0]:
        return np.repeat(p[:1], n, axis=0)
    tau = (t - t[0]) / (t[-1] - t[0])
    q = np.linspace(0.0, 1.0, n)
    return np.c_[np.interp(q, tau, p[:, 0]), np.interp(q, tau, p[:, 1])]


def path_distance(a: MotionEvent, b: MotionEvent) -> float:
    """The paths' distance (back units): dynamic time warping of (u, v) over normalised time, as a root mean
    square per point (dtaidistance gives the root of the warped squared distances' sum)."""
    pa, pb = resample_path(a), resample_path(b)
    return float(dtw_ndim.distance(pa, pb)) / math.sqrt(RESAMPLE_N)


def coverage_cells(events: Iterable[JudgedEvent]) -> set[tuple[int, int]]:
    """The grid cells (u band, v column) the events' paths pass through (see :data:`GRID_U`, :data:`GRID_V`)."""
    cells: set[tuple[int, int]] = set()
    for je in events:
        p = resample_path(je.event, 64)
        iu = np.clip(np.floor(p[:, 0] * GRID_U), 0, GRID_U - 1).astype(int)
        iv = np.clip(np.floor((p[:, 1] + 1.0) / 2.0 * GRID_V), 0, GRID_V - 1).astype(int)
        cells |= set(zip(iu.tolist(), iv.tolist()))
    return cells


def _max_u(je: JudgedEvent) -> float:
    return float(np.max(je.event.path_back[:, 0]))


def _ratio_sim(ratio: float) -> float:
    return math.exp(-TEMPO_SHARPNESS * abs(math.log(max(ratio, 1e-6))))


def _side(v_col: int) -> str:
    return "left" if v_col < GRID_V // 2 else "right"


def _sides(lanes: Iterable[str]) -> set[str]:
    return {lane for lane in lanes if lane in ("left", "right")}


def _noun(step: Step) -> str:
    return {
        "friction": "circles",
        "cross_fiber": "passes",
        "press": "presses",
        "hold": "holds",
    }.get(step.technique, "strokes")


def _times(ratio: float) -> str:
    if 1.75 <= ratio < 2.3:
        return "twice"
    if 2.7 <= ratio < 3.4:
        return "three times"
    return f"{ratio:.1f} times"


def _percent(u: float) -> str:
    return "the shoulders" if u >= 0.85 else f"{round(u * 100)}% of the back"


def _region(cells: Iterable[tuple[int, int]]) -> str:
    """Words for a set of grid cells: "the upper back on the left", ..."""
    cells = list(cells)
    bands = sorted({iu for iu, _ in cells})
    sides = sorted({_side(iv) for _, iv in cells})
    lo, hi = bands[0] / GRID_U, (bands[-1] + 1) / GRID_U
    part = (
        "upper back"
        if lo >= 0.55
        else "lower back"
        if hi <= 0.45
        else "middle of the back"
        if lo >= 0.3 and hi <= 0.7
        else "back"
    )
    where = "both sides" if len(sides) == 2 else f"the {sides[0]}"
    return f"the {part} on {where}"


# --- one step ----------------------------------------------------------------------------------------


def compare_step(step: Step, student: Sequence[JudgedEvent], teacher: Sequence[JudgedEvent]) -> StepComparison:
    """One step's events compared (both runs' events of this step, as :func:`assign_steps` gives them)."""

    def made(**kw: Any) -> StepComparison:
        return StepComparison(step_id=step.id, title=step.title, technique=step.technique, **kw)

    s_lanes = tuple(sorted({je.event.lane for je in student}))
    t_lanes = tuple(sorted({je.event.lane for je in teacher}))
    name, noun = step.title, _noun(step)
    if not teacher:
        if not student:
            return made(similarity=None, student_events=0, teacher_events=0)
        return made(
            similarity=None,
            student_events=len(student),
            teacher_events=0,
            lanes=s_lanes,
            feedback=(f"{name}: the teacher's reference has none of this step to compare with.",),
        )
    if not student:
        return made(
            similarity=0,
            student_events=0,
            teacher_events=len(teacher),
            teacher_lanes=t_lanes,
            feedback=(f"You did no {name.lower()}; the teacher did {len(teacher)} {noun}.",),
        )
    by_lane: dict[str, list[JudgedEvent]] = {}
    for je in teacher:
        by_lane.setdefault(je.event.lane, []).append(je)
    matches: list[StrokeMatch] = []
    for je in student:
        candidates = by_lane.get(je.event.lane, [])
        if not candidates:
            continue
        dists = [path_distance(je.event, t.event) for t in candidates]
        k = int(np.argmin(dists))
        t = candidates[k].event
        ev = je.event
        matches.append(
            StrokeMatch(
                lane=ev.lane,
                student_t_s=ev.t_start,
                teacher_t_s=t.t_start,
                shape=math.exp(-dists[k] / SHAPE_SCALE),
                distance=dists[k],
                speed_ratio=ev.speed / t.speed if t.speed > 1e-9 else 1.0,
                duration_ratio=ev.duration_s / t.duration_s if t.duration_s > 1e-9 else 1.0,
            )
        )
    parts: dict[str, float | None] = {"shape": None, "tempo": None, "reach": None}
    speed_ratio = duration_ratio = None
    if matches:
        # shapes of events in a lane the teacher never worked count as nothing alike
        parts["shape"] = sum(m.shape for m in matches) / len(student)
        # tempo is the time each takes (a stroke that stops short in the teacher's time is short, not slow)
        speed_ratio = float(np.median([m.speed_ratio for m in matches]))
        duration_ratio = float(np.median([m.duration_ratio for m in matches]))
        parts["tempo"] = _ratio_sim(duration_ratio)
    reach_u = teacher_reach = None
    if step.technique in STROKE_TECHNIQUES:
        reach_u = float(np.median([_max_u(je) for je in student]))
        teacher_reach = float(np.median([_max_u(je) for je in teacher]))
        parts["reach"] = max(0.0, 1.0 - REACH_SCALE * abs(reach_u - teacher_reach))
    t_cells, s_cells = coverage_cells(teacher), coverage_cells(student)
    missed = tuple(sorted(t_cells - s_cells))
    coverage = len(t_cells & s_cells) / len(t_cells) if t_cells else 1.0
    amount = min(len(student), len(teacher)) / max(len(student), len(teacher))
    values = {**parts, "coverage": coverage, "amount": amount}
    used = {k: v for k, v in values.items() if v is not None}
    weight = sum(WEIGHTS[k] for k in used)
    similarity = round(100 * sum(WEIGHTS[k] * v for k, v in used.items()) / weight) if used else 0

    feedback: list[str] = []
    s_sides, t_sides = _sides(s_lanes), _sides(t_lanes)
    if t_sides - s_sides and s_sides:
        feedback.append(
            f"Your {name.lower()} {noun}: you worked the {' and '.join(sorted(s_sides))} side only; "
            f"the teacher worked {'both sides' if len(t_sides) == 2 else 'the ' + next(iter(t_sides)) + ' side'}."
        )
    elif t_sides - s_sides:
        feedback.append(f"Your {name.lower()} {noun} were not in the lanes the teacher worked.")
    if reach_u is not None and teacher_reach is not None:
        if reach_u < teacher_reach - 0.1:
            feedback.append(
                f"Your {name.lower()} {noun} stop at {round(reach_u * 100)}% of the back; "
                f"the teacher's reach {_percent(teacher_reach)}."
            )
        elif reach_u > teacher_reach + 0.1:
            feedback.append(
                f"Your {name.lower()} {noun} go on to {_percent(reach_u)}; the teacher's stop at "
                f"{round(teacher_reach * 100)}% of the back."
            )
    if duration_ratio is not None and (duration_ratio <= 1 / 1.4 or duration_ratio >= 1.4):
        if duration_ratio < 1:
            feedback.append(f"Your {name.lower()} {noun} are {_times(1 / duration_ratio)} as fast as the teacher's.")
        else:
            feedback.append(f"Your {name.lower()} {noun} are {_times(duration_ratio)} as slow as the teacher's.")
    if parts["shape"] is not None and parts["shape"] < 0.5 and not feedback:
        feedback.append(f"Your {name.lower()} {noun} take another path than the teacher's.")
    side_named = any("side only" in f for f in feedback)
    if missed and coverage < 0.75 and not side_named:
        feedback.append(f"You left out {_region(missed)}, where the teacher worked.")
    return made(
        similarity=similarity,
        student_events=len(student),
        teacher_events=len(teacher),
        shape=parts["shape"],
        tempo=parts["tempo"],
        reach=parts["reach"],
        coverage=coverage,
        speed_ratio=speed_ratio,
        duration_ratio=duration_ratio,
        reach_u=reach_u,
        teacher_reach_u=teacher_reach,
        lanes=s_lanes,
        teacher_lanes=t_lanes,
        missed_cells=missed,
        matches=tuple(matches),
        feedback=tuple(feedback),
    )


# --- the whole run -------------------------------------------------------------------------------------


def _order(assigned: Mapping[str, Sequence[JudgedEvent]]) -> tuple[str, ...]:
    """The steps done, in the order done: by the median start of their events."""
    done = {sid: float(np.median([je.event.t_start for je in evs])) for sid, evs in assigned.items() if evs}
    return tuple(sorted(done, key=lambda sid: done[sid]))


def _order_agreement(a: Sequence[str], b: Sequence[str]) -> float:
    """The share of pairs of steps (done in both) that come in the same order in both (1: the same order)."""
    common = [s for s in a if s in b]
    pairs = [(x, y) for i, x in enumerate(common) for y in common[i + 1 :]]
    if not pairs:
        return 1.0
    pos = {s: i for i, s in enumerate(b)}
    return sum(1 for x, y in pairs if pos[x] < pos[y]) / len(pairs)


def compare_runs(
    student: Run | Iterable[JudgedEvent],
    teacher: Run | Iterable[JudgedEvent],
    routine: Routine,
    *,
    reference: str | None = None,
) -> Comparison:
    """The student's run compared with the teacher's, step by step (see the module docstring).

    student, teacher: a :class:`Run`, or the judged events alone (then given to steps by what they are).
    reference: a name for the teacher's run, for the report (default: the teacher's ``Run.name``).
    """
    s_run, t_run = Run.of(student), Run.of(teacher)
    s_assigned, t_assigned = assign_steps(s_run, routine), assign_steps(t_run, routine)
    steps = tuple(compare_step(st, s_assigned[st.id], t_assigned[st.id]) for st in routine.steps)
    scored = [s.similarity for s in steps if s.similarity is not None and s.teacher_events]
    order, ref_order = _order(s_assigned), _order(t_assigned)
    agreement = _order_agreement(order, ref_order)
    same = agreement == 1.0
    if scored:
        similarity: int | None = round(
            (1 - ORDER_WEIGHT) * (sum(scored) / len(scored)) + ORDER_WEIGHT * 100 * agreement
        )
    else:
        similarity = None
    feedback: list[str] = []
    if not same:
        titles = {s.id: s.title for s in routine.steps}
        common = [s for s in order if s in ref_order]
        feedback.append(
            "You did the steps in another order: "
            + ", then ".join(titles[s] for s in common)
            + "; the teacher did "
            + ", then ".join(titles[s] for s in ref_order if s in common)
            + "."
        )
    for sc in steps:
        feedback.extend(sc.feedback)
    if similarity is not None and not feedback:
        feedback.append("Your strokes match the teacher's: the same paths, tempo, reach and places on the back.")
    return Comparison(
        similarity=similarity,
        steps=steps,
        order=order,
        reference_order=ref_order,
        same_order=same,
        feedback=tuple(feedback),
        reference=reference if reference is not None else t_run.name,
        assigned={k: tuple(v) for k, v in s_assigned.items()},
        reference_assigned={k: tuple(v) for k, v in t_assigned.items()},
    )

"""Comparing a student's run with a teacher's reference (vision.judging.compare).

Pure tests on made-up events first; then the sample clips made for it (samples/generate.py:
reference_teacher and the reference_* students), each analysed once.
"""

from __future__ import annotations

import numpy as np
import pytest

from vision.core.types import OK, JudgedEvent, MotionEvent
from vision.judging.compare import (
    Run,
    StepSpan,
    assign_steps,
    compare_runs,
    coverage_cells,
    fits_step,
    path_distance,
)
from vision.judging.routines import Routine, Step

EFF = Step(
    id="effleurage",
    title="Effleurage",
    instruction="Glide up.",
    technique="effleurage",
    direction="up",
    return_lanes=("outside",),
    repetitions=3,
)
FRIC = Step(id="friction", title="Friction", instruction="Circles.", technique="friction", hands="either")
ROUTINE = Routine(name="two steps", steps=(EFF, FRIC))


def stroke(t0, v, u0=0.06, u1=0.88, dur=2.0, hand=1, fps=30.0, lane=None, direction=None) -> JudgedEvent:
    n = max(2, int(dur * fps))
    t = t0 + np.linspace(0, dur, n)
    s = np.linspace(0, 1, n)
    s = s**3 * (10 - 15 * s + 6 * s**2)  # min jerk
    path = np.c_[u0 + (u1 - u0) * s, np.full(n, v)]
    dist = abs(u1 - u0)
    lane = lane or ("left" if v < -0.08 and v >= -0.575 else "right" if 0.08 < v <= 0.575 else "outside")
    direction = direction or ("up" if u1 > u0 else "down")
    ev = MotionEvent("stroke", hand, t0, t0 + dur, t, path, direction, lane, dist, dist / dur)
    return JudgedEvent(ev, hand, (OK,), None)


def circles(t0, u, v, dur=4.5, n_turns=6, r=0.04, hand=1, fps=30.0) -> JudgedEvent:
    n = int(dur * fps)
    t = t0 + np.linspace(0, dur, n)
    a = np.linspace(0, 2 * np.pi * n_turns, n)
    path = np.c_[u + r * np.cos(a), v + 2 * r * np.sin(a)]
    lane = "left" if v < 0 else "right"
    ev = MotionEvent("circles", hand, t0, t0 + dur, t, path, None, lane, 2 * np.pi * r * n_turns, 0.3, count=n_turns)
    return JudgedEvent(ev, hand, (OK,), None)


def effleurage(t0=1.0, n=3, dur=2.0, u1=0.88, sides=(-1, 1)) -> list[JudgedEvent]:
    out = []
    for i in range(n):
        t = t0 + i * (dur + 3.0)
        for k, side in enumerate(sides):
            out.append(stroke(t, side * 0.33, u1=u1, dur=dur, hand=k + 1))
            # the return down the outer edge and the move in: not compared
            out.append(stroke(t + dur + 0.7, side * 0.8, u0=0.88, u1=0.06, dur=1.7, hand=k + 1))
    return out


def teacher_events() -> list[JudgedEvent]:
    return effleurage() + [circles(17.0, 0.45, -0.33)]


def test_fits_step_takes_the_glides_and_circles_only():
    assert fits_step(stroke(0, -0.33).event, EFF)
    assert not fits_step(stroke(0, -0.8, u0=0.88, u1=0.06).event, EFF)  # the return, outside the lanes
    assert not fits_step(stroke(0, -0.33, u0=0.4, u1=0.45).event, EFF)  # a tiny move
    assert fits_step(circles(0, 0.4, -0.33).event, FRIC)
    assert not fits_step(circles(0, 0.4, -0.33).event, EFF)


def test_assign_steps_by_span_and_by_kind():
    evs = [circles(1.0, 0.4, -0.33), stroke(7.0, -0.33)]
    # the session was on effleurage while the circles came: they go to friction, the one step that asks for them
    run = Run.of(evs, [StepSpan("effleurage", 0.0, 6.0), StepSpan("friction", 6.0, None)])
    got = assign_steps(run, ROUTINE)
    assert [je.event.kind for je in got["friction"]] == ["circles"]
    assert [je.event.kind for je in got["effleurage"]] == ["stroke"]


def test_path_distance_zero_for_the_same_path_and_grows_with_the_difference():
    a = stroke(0, -0.33).event
    assert path_distance(a, stroke(5, -0.33, dur=1.0).event) < 1e-3  # tempo aside (only the sampling differs)
    short = path_distance(a, stroke(0, -0.33, u1=0.6).event)
    shorter = path_distance(a, stroke(0, -0.33, u1=0.4).event)
    assert 0.02 < short < shorter


def test_coverage_cells_per_side():
    cells = coverage_cells([stroke(0, -0.33)])
    assert {iv for _, iv in cells} == {1}  # the left inner column
    assert {iu for iu, _ in cells} == {0, 1, 2, 3, 4}


def test_the_same_run_is_similar():
    c = compare_runs(teacher_events(), teacher_events(), ROUTINE)
    assert c.similarity == 100
    assert c.same_order
    assert c.step("effleurage").similarity == 100
    assert "match" in c.feedback[0]
    d = c.to_dict()
    assert d["steps"][0]["matched"] == 6 and d["similarity"] == 100


def test_short_strokes_named():
    c = compare_runs(effleurage(u1=0.6) + [circles(17.0, 0.45, -0.33)], teacher_events(), ROUTINE)
    eff = c.step("effleurage")
    assert eff.reach_u == pytest.approx(0.6, abs=0.01)
    assert any("stop at 60% of the back; the teacher's reach the shoulders" in f for f in c.feedback), c.feedback
    assert c.similarity is not None and c.similarity < 90


def test_too_fast_named():
    c = compare_runs(effleurage(dur=1.0) + [circles(17.0, 0.45, -0.33)], teacher_events(), ROUTINE)
    assert c.step("effleurage").speed_ratio == pytest.approx(2.0, rel=0.05)
    assert any("twice as fast as the teacher's" in f for f in c.feedback), c.feedback


def test_one_side_named():
    c = compare_runs(effleurage(sides=(-1,)) + [circles(17.0, 0.45, -0.33)], teacher_events(), ROUTINE)
    assert any("you worked the left side only; the teacher worked both sides" in f for f in c.feedback), c.feedback
    assert c.step("effleurage").coverage == pytest.approx(0.5)


def test_order_named():
    student = [circles(1.0, 0.45, -0.33)] + effleurage(t0=7.0)
    c = compare_runs(student, teacher_events(), ROUTINE)
    assert not c.same_order
    assert c.order == ("friction", "effleurage") and c.reference_order == ("effleurage", "friction")
    assert any("another order" in f for f in c.feedback)
    assert c.similarity == 85  # each step alike; the order counts for 15


def test_a_step_not_done():
    c = compare_runs(effleurage(), teacher_events(), ROUTINE)
    assert c.step("friction").similarity == 0
    assert any("You did no friction; the teacher did 1 circles" in f for f in c.feedback)

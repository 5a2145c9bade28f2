"""Comparing a student's run with a teacher's reference (vision.judging.compare).

Pure tests on made-up events first; then the sample clips made for it (samples/generate.py:
reference_teacher and the reference_* students), each analysed once.
"""

from __future__ import annotations

from pathlib import Path

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


# --- the reference clips (samples/reference/, made by samples/generate.py) ---------------------------

REFERENCE = Path(__file__).resolve().parent.parent / "samples" / "reference"
REF_ROUTINE = "samples/routines/glide_and_circles.yaml"
STUDENTS = {  # clip -> what its feedback must name (its one known difference)
    "reference_student_match": "match the teacher's",
    "reference_student_short": "stop at 60% of the back; the teacher's reach the shoulders",
    "reference_student_fast": "twice as fast as the teacher's",
    "reference_student_one_side": "you worked the left side only; the teacher worked both sides",
    "reference_student_order": "You did the steps in another order: Friction, then Effleurage",
}
GHOSTED = "reference_student_match"  # analysed with its annotated video, the teacher's ghost over it


@pytest.fixture(scope="module")
def reference_runs(tmp_path_factory):
    """Each reference clip analysed once, following the routine: name -> (result, its Run); the ghosted one
    with its annotated video (the teacher's ghost) in an output folder."""
    from vision.files.calibration import load_calibration_file
    from vision.judging.routines import load_routine
    from vision.run.analyze import analyze
    from vision.run.reference import ghost_of, run_of

    routine = load_routine(REF_ROUTINE)
    out = {}

    def run(name, **kw):
        cal = load_calibration_file(REFERENCE / f"{name}.json").calibration
        result = analyze(REFERENCE / f"{name}.mp4", cal, None, routine=routine, **kw)
        out[name] = (result, run_of(result, name=name))

    run("reference_teacher")
    ghost = ghost_of(out["reference_teacher"][1], routine)
    for name in STUDENTS:
        if name == GHOSTED:
            run(name, out_dir=tmp_path_factory.mktemp("ghosted"), ghost=ghost)
        else:
            run(name, annotate=False)
    return routine, out


@pytest.fixture(scope="module")
def comparisons(reference_runs):
    routine, runs = reference_runs
    teacher = runs["reference_teacher"][1]
    got = {name: compare_runs(runs[name][1], teacher, routine) for name in STUDENTS}
    print("\nsimilarity to reference_teacher:")
    for name, c in got.items():
        steps = ", ".join(f"{s.step_id} {s.similarity}" for s in c.steps)
        print(f"  {name:28s} {c.similarity:3d}  ({steps})  {' | '.join(c.feedback)}")
    return got


@pytest.mark.clips
@pytest.mark.parametrize("name", list(STUDENTS))
def test_the_difference_is_named(comparisons, name):
    c = comparisons[name]
    assert any(STUDENTS[name] in f for f in c.feedback), c.feedback
    if name != "reference_student_match":  # a differing clip names its own difference, not the others'
        others = [w for n, w in STUDENTS.items() if n not in (name, "reference_student_match")]
        assert not any(w in f for w in others for f in c.feedback), c.feedback


@pytest.mark.clips
def test_the_matching_student_is_the_most_similar(comparisons):
    match = comparisons["reference_student_match"].similarity
    assert match is not None and match >= 90
    for name, c in comparisons.items():
        if name != "reference_student_match":
            assert c.similarity is not None and c.similarity < match - 4, (name, c.similarity, match)


@pytest.mark.clips
def test_the_comparison_goes_into_the_report(reference_runs, comparisons):
    from vision.files.report import Report
    from vision.run.reference import with_comparison

    _, runs = reference_runs
    report = with_comparison(runs["reference_student_short"][0].report, comparisons["reference_student_short"])
    back = Report.model_validate_json(report.to_json())
    assert (
        back.comparison is not None and back.comparison.similarity == comparisons["reference_student_short"].similarity
    )
    assert back.comparison.steps[0].step_id == "effleurage" and back.comparison.steps[0].reach_u < 0.7
    assert "comparison" not in runs["reference_student_short"][0].report.model_dump()  # left out when not compared


@pytest.mark.clips
def test_the_ghost_is_drawn_over_the_students_video(reference_runs, comparisons):
    from vision.core.backframe import Homography
    from vision.drawing.ghost import GhostAnnotator
    from vision.files.video import VideoReader
    from vision.run.reference import ghost_of

    routine, runs = reference_runs
    result, _ = runs[GHOSTED]
    ghost = GhostAnnotator(
        Homography.from_calibration(result.report.calibration.to_calibration()),
        ghost_of(runs["reference_teacher"][1], routine),
    )
    path = ghost.ghost_paths("effleurage")["left"]
    # a frame as the student's hands return down the outer edges after their second glide: the lane is clear
    # of the student's hand and its trail there (the trail is the last 1.5 s), the ghost's line is in it
    glide = [je for je in comparisons[GHOSTED].assigned["effleurage"] if je.event.lane == "left"][1].event
    t_mid = glide.t_end + 1.3

    def frame_at(video):
        with VideoReader(video) as reader:
            for frame, t_s in reader:
                if t_s >= t_mid - 1e-6:
                    return frame
        raise AssertionError(f"no frame at {t_mid} s in {video}")

    drawn, raw = frame_at(result.out_dir / "annotated.mp4"), frame_at(REFERENCE / f"{GHOSTED}.mp4")
    pts = ghost.h.to_image(path[(path[:, 0] > 0.15) & (path[:, 0] < 0.8)])
    px = np.round(pts).astype(int)

    def magenta(img):  # how much more blue and red than green, along the path (BGR)
        c = img[px[:, 1], px[:, 0]].astype(float)
        return (c[:, 0] + c[:, 2]) / 2 - c[:, 1]

    lift = magenta(drawn) - magenta(raw)
    assert np.median(lift) > 30, np.percentile(lift, [10, 50, 90])
    # and only along it: a point on the right side's lane, away from the left ghost, is not magenta
    away = ghost.h.to_image(np.array([[0.5, 0.8]]))[0].round().astype(int)
    a, b = drawn[away[1], away[0]].astype(float), raw[away[1], away[0]].astype(float)
    assert ((a[0] + a[2]) / 2 - a[1]) - ((b[0] + b[2]) / 2 - b[1]) < 20

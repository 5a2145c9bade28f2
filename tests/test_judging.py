"""Tests for vision.judging: verdicts for finished and live motions, on hand-made events."""

from __future__ import annotations

import numpy as np
import pytest

from vision.core.types import OK, VERDICTS, ActiveMotion, MotionEvent, Verdict
from vision.judging.judge import judge_active, judge_event
from vision.judging.routines import ROUTINES_DIR, load_routine

ROUTINE = load_routine(ROUTINES_DIR / "swedish.yaml")
EFF = ROUTINE.step("effleurage")  # up; lanes left/right; returns in outside; speed max 1.0
PREPARE = ROUTINE.step("prepare")  # an instruction step


def stroke(direction: str, lane: str, speed: float = 0.4, kind: str = "stroke") -> MotionEvent:
    """A straight event from a path made to match its direction (u up, v across), 1 s long."""
    v0 = {"left": -0.3, "right": 0.3, "spine": 0.0, "outside": 0.8, "off_back": 1.3}[lane]
    start = np.array([0.3, v0])
    step = {"up": (0.4, 0.0), "down": (-0.4, 0.0), "lateral": (0.0, 0.3), None: (0.0, 0.0)}[direction]
    times_s = np.linspace(0.0, 1.0, 11)
    path_back = start + np.outer(times_s, step)
    return MotionEvent(kind=kind, track=0, t_start=0.0, t_end=1.0, times_s=times_s, path_back=path_back,
                       direction=direction, lane=lane, distance=0.4, speed=speed)


def active(direction: str, lane: str, distance: float) -> ActiveMotion:
    du = {"up": distance, "down": -distance, "lateral": 0.0}[direction]
    start = np.array([0.5, {"left": -0.3, "right": 0.3, "spine": 0.0, "outside": 0.8, "off_back": 1.3}[lane]])
    return ActiveMotion(track=1, t_start=2.0, t_now=2.3, start_back=start, now_back=start + [du, 0.0],
                        direction=direction, lane=lane, distance=distance)


def names(verdicts: list[Verdict]) -> list[str]:
    return [v.name for v in verdicts]


def test_step_is_as_expected():
    # guards the premises of every test below
    assert EFF.direction == "up" and EFF.lanes == ("left", "right") and EFF.return_lanes == ("outside",)
    assert EFF.speed.max == 1.0 and EFF.flag_after == pytest.approx(0.1)
    assert PREPARE.technique == "instruction"


# --- finished events ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lane", ["left", "right"])
def test_up_stroke_in_lane_is_ok(lane):
    assert judge_event(EFF, stroke("up", lane)) == [OK]


def test_down_stroke_in_lane_is_wrong_direction():
    verdicts = judge_event(EFF, stroke("down", "right"))
    assert names(verdicts) == ["wrong_direction"]
    msg = verdicts[0].message
    assert "down toward the hips" in msg
    assert "up toward the shoulders" in msg
    assert msg.index("down toward the hips") < msg.index("up toward the shoulders")  # what it did, then what it should
    assert "effleurage" in msg


def test_down_in_return_lane_is_ok():
    assert judge_event(EFF, stroke("down", "outside")) == [OK]


@pytest.mark.parametrize("lane", ["left", "right", "outside"])
def test_lateral_is_ok(lane):
    assert judge_event(EFF, stroke("lateral", lane)) == [OK]


@pytest.mark.parametrize("direction", ["up", "down", "lateral"])
def test_stroke_on_spine(direction):
    verdicts = judge_event(EFF, stroke(direction, "spine"))
    assert names(verdicts) == ["on_spine"]
    assert "spine" in verdicts[0].message


def test_spine_allowed_when_step_lists_it():
    step = EFF.model_copy(update={"lanes": ("left", "right", "spine")})
    assert judge_event(step, stroke("up", "spine")) == [OK]
    assert names(judge_event(step, stroke("down", "spine"))) == ["wrong_direction"]


@pytest.mark.parametrize("direction", ["up", "down"])
def test_stroke_off_back(direction):
    verdicts = judge_event(EFF, stroke(direction, "off_back"))
    assert names(verdicts) == ["off_back"]


def test_too_fast_in_lane():
    verdicts = judge_event(EFF, stroke("up", "left", speed=1.5))
    assert names(verdicts) == ["too_fast"]
    assert "1.50" in verdicts[0].message and "1.00" in verdicts[0].message
    assert judge_event(EFF, stroke("up", "left", speed=1.0)) == [OK]  # the bound itself is allowed


def test_too_fast_and_wrong_direction_both_reported():
    assert names(judge_event(EFF, stroke("down", "left", speed=1.5))) == ["wrong_direction", "too_fast"]


def test_too_slow_with_min_bound():
    step = EFF.model_copy(update={"speed": EFF.speed.model_copy(update={"min": 0.2})})
    verdicts = judge_event(step, stroke("up", "right", speed=0.1))
    assert names(verdicts) == ["too_slow"]
    assert judge_event(step, stroke("up", "right", speed=0.5)) == [OK]


def test_hold_is_not_judged_for_direction_or_speed():
    assert judge_event(EFF, stroke(None, "left", speed=5.0, kind="hold")) == [OK]
    assert names(judge_event(EFF, stroke(None, "spine", speed=0.0, kind="hold"))) == ["on_spine"]


@pytest.mark.parametrize("event", [stroke("down", "right"), stroke("up", "spine"), stroke("up", "off_back"),
                                   stroke("up", "left", speed=9.0)])
def test_instruction_step_judges_everything_ok(event):
    assert judge_event(PREPARE, event) == [OK]
    assert judge_active(PREPARE, active("down", "right", 0.5)) is None


# --- motions under way ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("distance", [0.0, 0.05, 0.099])
def test_active_too_short_to_tell(distance):
    assert judge_active(EFF, active("down", "left", distance)) is None
    assert judge_active(EFF, active("up", "spine", distance)) is None


@pytest.mark.parametrize("distance", [0.1, 0.25])
def test_active_wrong_direction_once_far_enough(distance):
    v = judge_active(EFF, active("down", "left", distance))
    assert v is not None and v.name == "wrong_direction"
    assert "down toward the hips" in v.message and "up toward the shoulders" in v.message


def test_active_down_in_return_lane_is_fine():
    assert judge_active(EFF, active("down", "outside", 0.5)) is None


def test_active_good_stroke_is_fine():
    assert judge_active(EFF, active("up", "right", 0.5)) is None
    assert judge_active(EFF, active("lateral", "right", 0.5)) is None


def test_active_place_flags():
    assert judge_active(EFF, active("up", "spine", 0.2)).name == "on_spine"
    assert judge_active(EFF, active("down", "off_back", 0.2)).name == "off_back"


# --- the Verdict type -----------------------------------------------------------------------------------------


def test_verdict_unknown_name_raises():
    with pytest.raises(ValueError, match=r"verdict: expected one of ok, wrong_direction.*got 'wrong_way'"):
        Verdict("wrong_way", "?")


def test_verdict_names_are_the_stable_ones():
    assert VERDICTS == ("ok", "wrong_direction", "on_spine", "off_back", "outside_lane", "too_fast", "too_slow",
                        "hold_too_short", "hold_too_long", "not_circular", "same_side", "one_hand_missing", "jerky")
    assert Verdict("too_fast", "m").to_dict() == {"name": "too_fast", "message": "m"}
    with pytest.raises(AttributeError):
        OK.name = "jerky"


def test_hold_shorter_than_bound_is_flagged():
    step = EFF.model_copy(update={"technique": "hold", "direction": "any",
                                  "hold_s": EFF.hold_s.model_copy(update={"min": 15.0})})
    hold = stroke(None, "left", speed=0.0, kind="hold")  # 1 s long
    assert names(judge_event(step, hold)) == ["hold_too_short"]


# --- techniques beyond effleurage ---------------------------------------------------

def event(kind: str, lane: str = "left", u: float = 0.5, direction=None, distance: float = 0.1,
          duration_s: float = 2.0, count: int = 0) -> MotionEvent:
    v0 = {"left": -0.3, "right": 0.3, "spine": 0.0, "outside": 0.8}[lane]
    times_s = np.linspace(0.0, duration_s, 21)
    path_back = np.tile([u, v0], (21, 1))
    return MotionEvent(kind=kind, track=0, t_start=0.0, t_end=duration_s, times_s=times_s, path_back=path_back,
                       direction=direction, lane=lane, distance=distance, speed=distance / duration_s, count=count)


FRICTION = ROUTINE.step("friction")
PETRISSAGE = ROUTINE.step("petrissage")
SHIATSU = load_routine(ROUTINES_DIR / "shiatsu.yaml")
PRESS = SHIATSU.step("palm_presses")
CROSS = load_routine(ROUTINES_DIR / "deep_tissue.yaml").step("cross_fiber")


def test_friction_circles_are_ok_and_straight_rubbing_is_not_circular():
    assert names(judge_event(FRICTION, event("circles", count=5))) == ["ok"]
    assert names(judge_event(FRICTION, event("cross_fiber", direction="lateral", count=8))) == ["not_circular"]
    assert names(judge_event(FRICTION, event("stroke", direction="up", distance=0.1))) == ["not_circular"]
    # a longer stroke is the hand moving on to the next spot
    assert names(judge_event(FRICTION, event("stroke", direction="up", distance=0.4))) == ["ok"]


def test_cross_fibre_goes_across_not_along():
    assert names(judge_event(CROSS, event("cross_fiber", direction="lateral", count=8))) == ["ok"]
    v = judge_event(CROSS, event("stroke", direction="down", distance=0.12))
    assert names(v) == ["wrong_direction"] and "across" in v[0].message


def test_petrissage_on_the_outer_edge_is_outside_lane_and_on_the_spine_is_on_spine():
    assert names(judge_event(PETRISSAGE, event("stroke", lane="left", direction="up"))) == ["ok"]
    assert names(judge_event(PETRISSAGE, event("stroke", lane="outside", direction="up"))) == ["outside_lane"]
    assert names(judge_event(PETRISSAGE, event("stroke", lane="spine", direction="up"))) == ["on_spine"]


def test_effleurage_returns_on_the_outer_edge_are_not_outside_lane():
    assert names(judge_event(EFF, event("stroke", lane="outside", direction="down", distance=0.7))) == ["ok"]


def test_shiatsu_presses_climb_and_a_press_lower_down_is_flagged():
    first = event("hold", u=0.3, duration_s=2.0)
    higher = event("hold", u=0.4, duration_s=2.0)
    lower = event("hold", u=0.2, duration_s=2.0)
    assert names(judge_event(PRESS, first)) == ["ok"]
    assert names(judge_event(PRESS, higher, previous=first)) == ["ok"]
    v = judge_event(PRESS, lower, previous=first)
    assert names(v) == ["wrong_direction"] and "toward the hips" in v[0].message
    assert names(judge_event(PRESS, event("hold", u=0.31), previous=first)) == ["ok"]  # the same point again


def test_shiatsu_press_too_short_too_long_and_on_the_spine():
    assert names(judge_event(PRESS, event("hold", duration_s=0.5))) == ["hold_too_short"]
    assert names(judge_event(PRESS, event("hold", duration_s=5.0))) == ["hold_too_long"]
    assert names(judge_event(PRESS, event("hold", lane="spine", duration_s=2.0))) == ["on_spine"]


def test_a_rest_on_the_outer_edge_is_not_work_outside_the_lane():
    assert names(judge_event(PETRISSAGE, event("hold", lane="outside"))) == ["ok"]
    hold_step = load_routine(ROUTINES_DIR / "trigger_point.yaml").step("hold")
    assert names(judge_event(hold_step, event("hold", lane="outside", duration_s=20.0))) == ["outside_lane"]


# --- jerky (stop-and-go) and the circles' rate ---------------------------------------

DEEP = load_routine(ROUTINES_DIR / "deep_tissue.yaml").step("deep_strokes")


def surging(surges: int, lane: str = "left") -> MotionEvent:
    e = event("stroke", lane=lane, direction="up", distance=0.25, duration_s=1.2)
    return MotionEvent(**{**e.__dict__, "surges": surges})


def test_petrissage_and_deep_strokes_allow_one_surge_by_default():
    assert PETRISSAGE.surges.max == 1 and DEEP.surges.max == 1
    assert EFF.surges.max is None  # effleurage is not judged for jerks unless a routine asks


@pytest.mark.parametrize("step", [PETRISSAGE, DEEP])
def test_a_stroke_that_surges_on_is_jerky(step):
    assert names(judge_event(step, surging(1))) == ["ok"]
    v = judge_event(step, surging(3))
    assert names(v) == ["jerky"] and "3 surges" in v[0].message and "smooth" in v[0].message
    assert names(judge_event(EFF, surging(3))) == ["ok"]


def test_a_routine_can_loosen_or_drop_the_jerk_bound():
    from vision.judging.routines import parse_routine

    def step_with(extra):
        data = {"name": "r", "steps": [{"id": "knead", "title": "K", "instruction": "i", "technique": "petrissage",
                                        **extra}]}
        return parse_routine(data, "r.yaml").steps[0]

    assert names(judge_event(step_with({"surges": {"max": 3}}), surging(3))) == ["ok"]
    assert names(judge_event(step_with({"surges": None}), surging(5))) == ["ok"]
    from vision.judging.routines import RoutineError
    with pytest.raises(RoutineError, match=r"r.yaml, step 'knead': surges max 0 would flag every stroke"):
        step_with({"surges": {"max": 0}})
    with pytest.raises(RoutineError, match=r"r.yaml, step 'knead': surges only max can be set"):
        step_with({"surges": {"min": 1}})


def test_circle_rate_is_reported_and_judged_when_the_step_bounds_it():
    circles = event("circles", count=6, duration_s=4.0)
    assert circles.rate_hz == pytest.approx(1.5)
    assert names(judge_event(FRICTION, circles)) == ["ok"]  # no rate bound by default
    slow = FRICTION.model_copy(update={"circle_rate": FRICTION.circle_rate.model_copy(update={"min": 2.0})})
    v = judge_event(slow, circles)
    assert names(v) == ["too_slow"] and "1.5 a second" in v[0].message
    quick = FRICTION.model_copy(update={"circle_rate": FRICTION.circle_rate.model_copy(update={"max": 1.0})})
    assert names(judge_event(quick, circles)) == ["too_fast"]

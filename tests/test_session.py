"""RoutineSession: step progress, auto-advance, skip/repeat and scores, with events made by hand."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vision.core.types import OK, JudgedEvent, MotionEvent, Verdict
from vision.judging.judge import judge_event
from vision.judging.routines import RoutineError, find_routine, load_routine, parse_routine, routine_files
from vision.judging.session import INSTRUCTION_DEFAULT_S, MoveOnRule, RoutineSession, StepProgress

_V = {"left": -0.3, "right": 0.3, "spine": 0.0, "outside": -0.8, "off_back": -1.3}


def motion(kind: str, t0: float, t1: float, *, direction: str | None = None, lane: str = "left",
           count: int = 0, distance: float = 0.8, hand: int = 0) -> MotionEvent:
    """A finished event: a straight path along (or across) the back in ``lane``, or a still spot for holds."""
    n = 9
    ts = np.linspace(t0, t1, n)
    v = _V[lane]
    if kind == "hold":
        path = np.c_[np.full(n, 0.5), np.full(n, v)]
        distance = 0.0
    elif direction == "down":
        path = np.c_[np.linspace(0.9, 0.1, n), np.full(n, v)]
    elif direction == "lateral":
        path = np.c_[np.full(n, 0.5), np.linspace(v - 0.1, v + 0.1, n)]
    else:
        path = np.c_[np.linspace(0.1, 0.9, n), np.full(n, v)]
    speed = distance / (t1 - t0) if kind != "hold" else 0.0
    return MotionEvent(kind, hand, t0, t1, ts, path, direction, lane, distance, speed, count=count)


def judged(step, m: MotionEvent, hand: int | None = None) -> JudgedEvent:
    """The event judged by the real judge against ``step``."""
    vs = tuple(judge_event(step, m))
    bad = any(v.name != "ok" for v in vs)
    return JudgedEvent(m, m.track if hand is None else hand, vs, m.t_end if bad else None)


def forced(m: MotionEvent, *names: str, hand: int = 0) -> JudgedEvent:
    """The event with the verdicts given (``ok`` if none)."""
    vs = tuple(Verdict(n, n) for n in names) or (OK,)
    return JudgedEvent(m, hand, vs, m.t_end if names else None)


def up_pair(step, t_end: float, dur: float = 2.0) -> list[JudgedEvent]:
    """Both hands glide up their own side together, ending at ``t_end``."""
    return [judged(step, motion("stroke", t_end - dur, t_end, direction="up", lane="left", hand=0)),
            judged(step, motion("stroke", t_end - dur, t_end, direction="up", lane="right", hand=1))]


def routine_of(*steps: dict):
    return parse_routine({"name": "test", "steps": list(steps)}, "test.yaml")


# -- the Swedish routine, start to end -----------------------------------------------------


def test_swedish_session_start_to_finish():
    r = find_routine("swedish")
    s = RoutineSession(r)
    assert s.current.id == "prepare" and s.index == 0 and not s.finished

    # prepare: an instruction step without a duration lasts INSTRUCTION_DEFAULT_S from its start
    assert s.tick(0.0) == []
    assert s.tick(5.0) == []
    p = s.progress()
    assert (p.unit, p.done, p.target, p.complete) == ("s", 5.0, INSTRUCTION_DEFAULT_S, False)
    left = s.tick(10.0)
    assert [x.step_id for x in left] == ["prepare"]
    assert left[0].complete and left[0].ended_s == 10.0 and left[0].done == 10.0
    assert s.current.id == "effleurage" and s.progress().started_s == 10.0

    # effleurage: 3 repetitions, each both hands gliding up
    eff = s.current
    assert s.observe(up_pair(eff, 13.0), 13.1) == []
    assert s.progress().done == 1
    down = judged(eff, motion("stroke", 13.5, 15.0, direction="down", lane="left", hand=0))
    assert [v.name for v in down.verdicts] == ["wrong_direction"]
    back = judged(eff, motion("stroke", 13.5, 15.0, direction="down", lane="outside", hand=1))
    assert back.ok  # the return down the outer edge is allowed, but is not a repetition
    assert s.observe([down, back], 15.1) == []
    p = s.progress()
    assert p.done == 1 and p.flags == {"wrong_direction": 1} and p.events == 4 and p.ok_events == 3
    assert s.observe(up_pair(eff, 18.0), 18.1) == []
    left = s.observe(up_pair(eff, 21.0), 21.1)
    assert [x.step_id for x in left] == ["effleurage"]
    e = left[0]
    assert (e.unit, e.done, e.target, e.complete) == ("strokes", 3, 3, True)
    assert e.flags == {"wrong_direction": 1} and (e.events, e.ok_events) == (8, 7) and e.score == 88
    assert (e.started_s, e.ended_s) == (10.0, 21.1)

    # petrissage: 60 s of kneading; two hands at once count their time once
    pet = s.current
    assert pet.id == "petrissage"
    both = [judged(pet, motion("stroke", 22.0, 42.0, direction="down", lane=lane, hand=h))
            for h, lane in ((0, "left"), (1, "right"))]
    assert s.observe(both, 42.1) == []
    p = s.progress()
    assert (p.unit, p.target) == ("s", 60)
    assert p.done == pytest.approx(20.0)
    spine = judged(pet, motion("stroke", 42.0, 52.0, direction="up", lane="spine", hand=0))
    assert s.observe([spine], 52.1) == []
    assert s.progress().done == pytest.approx(20.0) and s.progress().flags == {"on_spine": 1}
    assert s.observe([judged(pet, motion("stroke", 52.0, 82.0, direction="up", lane="left"))], 82.1) == []
    assert s.progress().done == pytest.approx(50.0)
    left = s.observe([judged(pet, motion("stroke", 82.0, 92.0, direction="lateral", lane="right"))], 92.1)
    assert [x.step_id for x in left] == ["petrissage"]
    assert left[0].done == pytest.approx(60.0) and left[0].complete and left[0].score == 80

    # friction: 45 s of circles; circles on the spine do not count
    fr = s.current
    assert fr.id == "friction" and s.progress().unit == "s"
    on_spine = judged(fr, motion("circles", 93.0, 103.0, lane="spine", count=6))
    assert not on_spine.ok
    assert s.observe([on_spine], 103.1) == []
    assert s.progress().done == 0
    assert s.observe([judged(fr, motion("circles", 103.0, 133.0, lane="left", count=20))], 133.1) == []
    assert s.progress().done == pytest.approx(30.0)
    left = s.observe([judged(fr, motion("circles", 133.0, 148.0, lane="right", count=9))], 148.1)
    assert [x.step_id for x in left] == ["friction"] and left[0].score == 67

    # finish: 3 more two-handed glides up, then the session is over
    fin = s.current
    assert fin.id == "finish"
    s.observe(up_pair(fin, 152.0, dur=2.5), 152.1)
    s.observe(up_pair(fin, 156.0, dur=2.5), 156.1)
    left = s.observe(up_pair(fin, 160.0, dur=2.5), 160.1)
    assert [x.step_id for x in left] == ["finish"]
    assert s.finished and s.current.id == "finish"
    assert s.progress() == left[0]

    hist = s.history()
    assert [h.step_id for h in hist] == ["prepare", "effleurage", "petrissage", "friction", "finish"]
    assert all(h.complete for h in hist) and all(h.ended_s is not None for h in hist)
    assert [h.ended_s for h in hist[:-1]] == [h.started_s for h in hist[1:]]

    summ = s.summary()
    assert summ["routine"] == "Swedish massage" and summ["finished"] is True
    assert [x["score"] for x in summ["steps"]] == [None, 88, 80, 67, 100]
    assert summ["score"] == round((88 + 80 + 67 + 100) / 4)
    eff_row = summ["steps"][1]
    assert eff_row["asked"] == {"instruction": eff.instruction, "target": 3, "unit": "strokes"}
    assert eff_row["technique"] == "effleurage" and eff_row["flags"] == {"wrong_direction": 1}
    assert set(eff_row) >= {"step_id", "title", "technique", "asked", "done", "complete", "flags", "events",
                            "ok_events", "score", "started_s", "ended_s"}

    # once finished, nothing changes
    assert s.observe(up_pair(fin, 170.0), 170.1) == []
    assert s.tick(200.0) == [] and s.next(201.0) is None and s.repeat(202.0) is None
    assert s.history() == hist


def test_instruction_step_with_duration_and_start_time():
    r = find_routine("shiatsu")
    s = RoutineSession(r, start_step="stretches", start_s=100.0)
    assert s.progress().target == 60 and s.progress().started_s == 100.0
    assert s.tick(159.9) == []
    assert s.progress().done == pytest.approx(59.9)
    left = s.tick(160.0)
    assert [x.step_id for x in left] == ["stretches"] and left[0].score is None
    assert s.current.id == "rocking" and s.progress().started_s == 160.0


def test_expired_instruction_step_hands_the_events_to_the_next_step():
    r = find_routine("swedish")
    s = RoutineSession(r, start_s=0.0)
    eff = r.step("effleurage")
    left = s.observe(up_pair(eff, 11.0), 12.0)
    assert [x.step_id for x in left] == ["prepare"]
    assert s.current.id == "effleurage" and s.progress().done == 1


# -- skip and repeat ------------------------------------------------------------------------


def test_next_skips_and_leaves_the_step_incomplete():
    r = find_routine("swedish")
    s = RoutineSession(r, start_s=0.0)
    skipped = s.next(2.0)
    assert skipped.step_id == "prepare" and not skipped.complete and skipped.done == 2.0
    assert s.current.id == "effleurage"
    s.observe(up_pair(s.current, 5.0), 5.1)
    skipped = s.next(6.0)
    assert (skipped.step_id, skipped.done, skipped.complete, skipped.ended_s) == ("effleurage", 1, False, 6.0)
    assert s.current.id == "petrissage" and s.index == 2
    assert s.next(7.0).score == 0  # a judged step with no events scores 0
    assert [h.complete for h in s.history()] == [False, False, False, False]
    s.next(8.0)
    last = s.next(9.0)
    assert last.step_id == "finish" and s.finished
    summ = s.summary()
    assert [x["score"] for x in summ["steps"]] == [None, 100, 0, 0, 0]
    assert summ["score"] == 25 and summ["finished"] is True


def test_repeat_restarts_the_step_in_place():
    r = find_routine("swedish")
    s = RoutineSession(r, start_step="effleurage", start_s=0.0)
    eff = s.current
    s.observe(up_pair(eff, 2.0), 2.1)
    s.observe([judged(eff, motion("stroke", 2.5, 4.0, direction="down", lane="left"))], 4.1)
    s.observe(up_pair(eff, 6.0), 6.1)
    assert s.progress().done == 2
    old = s.repeat(7.0)
    assert (old.step_id, old.done, old.complete, old.attempt, old.ended_s) == ("effleurage", 2, False, 1, 7.0)
    assert old.score == 80
    p = s.progress()
    assert s.current.id == "effleurage" and s.index == 1
    assert (p.done, p.events, p.flags, p.attempt, p.started_s, p.ended_s) == (0, 0, {}, 2, 7.0, None)
    for t in (9.0, 12.0):
        assert s.observe(up_pair(eff, t), t + 0.1) == []
    left = s.observe(up_pair(eff, 15.0), 15.1)
    assert [(x.step_id, x.attempt, x.complete) for x in left] == [("effleurage", 2, True)]
    hist = s.history()
    assert [(h.step_id, h.attempt) for h in hist] == [("effleurage", 1), ("effleurage", 2), ("petrissage", 1)]
    summ = s.summary()
    assert [x["score"] for x in summ["steps"]] == [80, 100, 0]
    assert summ["score"] == 50  # effleurage by its last attempt (100), petrissage current with no events (0)


# -- what counts -------------------------------------------------------------------------------


def test_events_with_a_non_ok_verdict_do_not_count():
    r = find_routine("swedish")
    s = RoutineSession(r, start_step="effleurage", start_s=0.0)
    eff = s.current
    fast = [judged(eff, motion("stroke", 0.5, 1.0, direction="up", lane=lane, hand=h))
            for h, lane in ((0, "left"), (1, "right"))]
    assert all([v.name for v in e.verdicts] == ["too_fast"] for e in fast)
    s.observe(fast, 1.1)
    p = s.progress()
    assert p.done == 0 and p.flags == {"too_fast": 2} and (p.events, p.ok_events) == (2, 0)
    # one hand ok, its partner flagged: not a repetition either (and nobody is missing)
    pair = [forced(motion("stroke", 2.0, 4.0, direction="up", lane="left"), hand=0),
            forced(motion("stroke", 2.0, 4.0, direction="up", lane="right"), "jerky", hand=1)]
    s.observe(pair, 4.1)
    s.tick(10.0)
    p = s.progress()
    assert p.done == 0 and p.flags == {"too_fast": 2, "jerky": 1} and (p.events, p.ok_events) == (4, 1)
    assert p.score == 25


def test_hands_both_needs_both_hands():
    r = find_routine("swedish")
    s = RoutineSession(r, start_step="effleurage", start_s=0.0)
    eff = s.current
    for k in range(4):
        t = 3.0 * (k + 1)
        s.observe([judged(eff, motion("stroke", t - 2, t, direction="up", lane="left", hand=0))], t + 0.1)
    p = s.progress()
    assert p.done == 0 and not p.complete
    # the last stroke's partner could still come: only the first three are missing one so far
    assert p.flags == {"one_hand_missing": 3} and p.ok_events == 4
    s.tick(20.0)
    assert s.progress().flags == {"one_hand_missing": 4}
    # the other hand, too late (more than 1.5 s apart), is no partner either
    s.observe([judged(eff, motion("stroke", 20.0, 22.0, direction="up", lane="right", hand=1))], 22.1)
    s.observe([judged(eff, motion("stroke", 22.0, 24.0, direction="up", lane="left", hand=0))], 24.1)
    assert s.progress().done == 0
    # within the window they pair, in either order
    s.observe([judged(eff, motion("stroke", 25.0, 27.0, direction="up", lane="left", hand=0))], 27.1)
    s.observe([judged(eff, motion("stroke", 25.5, 28.2, direction="up", lane="right", hand=1))], 28.3)
    assert s.progress().done == 1
    left = s.next(30.0)
    assert left.done == 1 and left.flags == {"one_hand_missing": 6}


def test_hands_either_counts_every_stroke_in_the_direction_asked():
    r = find_routine("deep_tissue")
    s = RoutineSession(r, start_step="deep_strokes", start_s=0.0)
    st = s.current
    assert (st.hands, st.direction, st.repetitions) == ("either", "any", 6)
    evs = [judged(st, motion("stroke", 0.0, 4.0, direction="up", lane="left")),
           judged(st, motion("stroke", 4.0, 8.0, direction="down", lane="left")),
           judged(st, motion("stroke", 8.0, 12.0, direction="up", lane="right", hand=1)),
           judged(st, motion("stroke", 12.0, 13.0, direction="lateral", lane="left", distance=0.2)),
           judged(st, motion("stroke", 13.0, 14.0, direction="up", lane="left"))]  # 0.8/s: too fast
    assert [e.ok for e in evs] == [True, True, True, True, False]
    s.observe(evs, 14.1)
    p = s.progress()
    assert (p.unit, p.done, p.target) == ("strokes", 3, 6)
    assert p.flags == {"too_fast": 1} and p.flags.get("one_hand_missing") is None


def test_shiatsu_presses_count_ok_holds_of_both_palms():
    r = find_routine("shiatsu")
    s = RoutineSession(r, start_s=0.0)
    st = s.current
    assert st.id == "palm_presses" and st.hands == "both"
    short = [judged(st, motion("hold", 0.0, 0.6, lane=lane, hand=h)) for h, lane in ((0, "left"), (1, "right"))]
    assert all([v.name for v in e.verdicts] == ["hold_too_short"] for e in short)
    s.observe(short, 0.7)
    assert s.progress().done == 0 and s.progress().flags == {"hold_too_short": 2}
    left = []
    for k in range(3):
        t = 3.0 * (k + 1)
        presses = [judged(st, motion("hold", t - 2.0, t, lane="left", hand=0)),
                   judged(st, motion("hold", t - 1.8, t + 0.2, lane="right", hand=1))]
        assert all(e.ok for e in presses)
        left = s.observe(presses, t + 0.3)
        assert s.history()[0].done == k + 1
    assert [x.step_id for x in left] == ["palm_presses"]
    assert (left[0].unit, left[0].done, left[0].target) == ("presses", 3, 3)
    assert left[0].score == 75 and s.current.id == "points"


def test_trigger_point_hold_step():
    r = find_routine("trigger_point")
    s = RoutineSession(r, start_step="hold", start_s=0.0)
    st = s.current
    assert (st.technique, st.hands, st.hold_s.min, st.hold_s.max) == ("hold", "either", 15, 30)
    evs = [judged(st, motion("hold", 0.0, 20.0, lane="left")),
           judged(st, motion("hold", 21.0, 31.0, lane="left")),  # too short
           judged(st, motion("hold", 32.0, 72.0, lane="right")),  # too long
           judged(st, motion("hold", 73.0, 90.0, lane="right", hand=1))]
    assert [e.ok for e in evs] == [True, False, False, True]
    assert s.observe(evs, 90.1) == []
    p = s.progress()
    assert (p.unit, p.done, p.target) == ("holds", 2, 3)
    assert p.flags == {"hold_too_short": 1, "hold_too_long": 1}
    # a hold that is not where the step asks (the outer edge) does not count, even if the judge passed it
    s.observe([forced(motion("hold", 91.0, 111.0, lane="outside"))], 111.1)
    assert s.progress().done == 2
    left = s.observe([judged(st, motion("hold", 112.0, 130.0, lane="left"))], 130.1)
    assert [x.step_id for x in left] == ["hold"] and left[0].complete and left[0].score == 67
    assert s.current.id == "friction"


def test_friction_counts_circles_and_cross_fiber_counts_passes():
    r = routine_of(
        {"id": "circles", "title": "Circles", "instruction": "Circle.", "technique": "friction",
         "hands": "either", "repetitions": 10},
        {"id": "passes", "title": "Passes", "instruction": "Rub across.", "technique": "cross_fiber",
         "hands": "either", "repetitions": 8},
        {"id": "rub_time", "title": "Rub", "instruction": "Rub across.", "technique": "cross_fiber",
         "hands": "either", "duration_s": 10})
    s = RoutineSession(r, start_s=0.0)
    fr = s.current
    s.observe([judged(fr, motion("circles", 0.0, 3.0, lane="left", count=4)),
               judged(fr, motion("circles", 3.0, 5.0, lane="spine", count=3))], 5.1)
    p = s.progress()
    assert (p.unit, p.done, p.target, p.flags) == ("circles", 4, 10, {"on_spine": 1})
    left = s.observe([judged(fr, motion("circles", 5.0, 10.0, lane="right", count=6))], 10.1)
    assert [x.step_id for x in left] == ["circles"] and left[0].done == 10

    cf = s.current
    m = motion("cross_fiber", 11.0, 14.0, direction="lateral", lane="left", count=5, distance=0.5)
    assert s.observe([judged(cf, m)], 14.1) == []
    assert (s.progress().unit, s.progress().done) == ("passes", 5)
    s.observe([forced(motion("cross_fiber", 14.0, 16.0, direction="lateral", count=4), "jerky")], 16.1)
    assert s.progress().done == 5
    left = s.observe([judged(cf, motion("cross_fiber", 16.0, 18.0, direction="lateral", count=3))], 18.1)
    assert [x.step_id for x in left] == ["passes"] and left[0].done == 8

    rub = s.current
    s.observe([judged(rub, motion("cross_fiber", 19.0, 25.0, direction="lateral", lane="right", count=9))], 25.1)
    assert (s.progress().unit, s.progress().done, s.progress().target) == ("s", pytest.approx(6.0), 10)
    left = s.observe([judged(rub, motion("cross_fiber", 25.0, 29.5, direction="lateral", count=7))], 29.6)
    assert [x.step_id for x in left] == ["rub_time"] and s.finished


def test_step_without_a_target_completes_only_by_next():
    r = routine_of({"id": "free", "title": "Free strokes", "instruction": "Stroke up.", "technique": "effleurage",
                    "hands": "either"},
                   {"id": "end", "title": "End", "instruction": "Done.", "technique": "instruction"})
    s = RoutineSession(r, start_s=0.0)
    st = s.current
    evs = [judged(st, motion("stroke", 2.0 * k, 2.0 * k + 2.0, direction="up")) for k in range(20)]
    assert s.observe(evs, 40.1) == [] and s.tick(1000.0) == []
    p = s.progress()
    assert (p.unit, p.done, p.target, p.complete) == ("strokes", 20, None, False)
    left = s.next(1001.0)
    assert left.step_id == "free" and not left.complete and s.current.id == "end"


def test_time_must_not_go_backwards_and_start_step_must_exist():
    r = find_routine("swedish")
    s = RoutineSession(r)
    assert s.progress().started_s is None and s.progress().done == 0.0
    s.tick(5.0)
    s.tick(5.0)  # the same frame time twice is fine
    with pytest.raises(ValueError, match="backwards"):
        s.observe([], 4.0)
    with pytest.raises(RoutineError, match="no step 'kneading'"):
        RoutineSession(r, start_step="kneading")


@pytest.mark.parametrize("path", routine_files(), ids=lambda p: p.stem)
def test_every_shipped_routine_can_be_walked_through(path):
    r = load_routine(path)
    s = RoutineSession(r, start_s=0.0)
    seen = []
    t = 0.0
    while not s.finished:
        assert isinstance(s.progress(), StepProgress)
        t += 1.0
        seen.append(s.next(t).step_id)
    assert seen == [st.id for st in r.steps]
    summ = s.summary()
    judged_steps = [st for st in r.steps if st.technique != "instruction"]
    assert summ["score"] == (0 if judged_steps else None)
    for row, st in zip(summ["steps"], r.steps):
        assert row["asked"]["target"] == (st.repetitions or st.duration_s or
                                          (INSTRUCTION_DEFAULT_S if st.technique == "instruction" else None))


# -- moving on when the giver has --------------------------------------------------------------

SHORT = load_routine(Path(__file__).resolve().parent.parent / "samples" / "routines" / "swedish_short.yaml")


def glides_and_returns(step, t0: float, n: int) -> list[list[JudgedEvent]]:
    """``n`` finishing cycles from ``t0``, judged against ``step``, one batch per event end: both hands glide up
    their lanes (2 s), then return down the outer edges (1.5 s)."""
    batches = []
    t = t0
    for _ in range(n):
        batches.append([judged(step, motion("stroke", t, t + 2.0, direction="up", lane=lane, hand=h))
                        for h, lane in ((0, "left"), (1, "right"))])
        batches.append([judged(step, motion("stroke", t + 2.2, t + 3.7, direction="down", lane="outside", hand=h))
                        for h in (0, 1)])
        t += 4.0
    return batches


def test_the_session_moves_on_when_the_movements_are_the_next_steps():
    """Friction left at 2 of 5 circles: the finishing glides and their returns, flagged against friction
    (the returns run outside its lanes), are the finish's; after two cycles the session moves on there."""
    s = RoutineSession(SHORT, start_step="friction", start_s=0.0)
    fr = SHORT.step("friction")
    assert s.observe([judged(fr, motion("circles", 0.5, 2.5, lane="left", count=2))], 2.6) == []
    batches = glides_and_returns(fr, 3.0, 2)
    assert [[v.name for v in batches[1][0].verdicts]] == [["outside_lane"]]  # a return, against friction
    for batch in batches[:2]:  # one cycle: 2 s of the finish's glides (both hands at once), not enough
        assert s.observe(batch, batch[0].event.t_end + 0.05) == []
    assert s.current.id == "friction" and s.take_moves() == []
    left = s.observe(batches[2], 9.05)  # the second glides: 4 s of them
    hist = s.history()
    assert [h.step_id for h in hist] == ["friction", "finish"]
    cut = hist[0]
    assert cut.cut_short and not cut.complete and cut.moved_on_to == "finish"
    assert (cut.done, cut.target, cut.unit, cut.events, cut.flags) == (2, 5, "circles", 1, {})
    assert cut.started_s == 0.0 and cut.ended_s == 3.0  # where the finishing glides began
    assert cut.note == ("Friction was cut short: 2 of 5 circles done; moved on to Effleurage (finish) "
                        "when your movements became effleurage strokes")
    assert cut.to_dict()["cut_short"] is True and cut.to_dict()["note"] == cut.note
    assert "cut_short" not in hist[1].to_dict()
    moves = s.take_moves()
    assert len(moves) == 1 and s.take_moves() == []
    m = moves[0]
    assert (m.cut_short, m.skipped, m.to, m.since_s) == ("friction", (), "finish", 3.0)
    # every event since 3 s, the returns too, judged again as the finish's: none carries a flag now
    assert len(m.rejudged) == 6 and all(after.ok and after.flagged_at is None for _, after in m.rejudged)
    assert sum(not before.ok for before, _ in m.rejudged) == 2 and m.at_s == 9.05
    # the finish has its two glides of both hands: done, and the routine with it
    assert [x.step_id for x in left] == ["friction", "finish"] and s.finished
    assert (hist[1].done, hist[1].flags, hist[1].started_s, hist[1].events) == (2, {}, 3.0, 6)
    assert s.summary()["steps"][0]["moved_on_to"] == "finish"


def test_a_later_step_further_on_skips_the_steps_between():
    """On deep strokes, friction circles: the holds on knots between were left out altogether."""
    r = find_routine("deep_tissue")
    s = RoutineSession(r, start_step="deep_strokes", start_s=0.0)
    deep = s.current
    s.observe([judged(deep, motion("stroke", 0.0, 4.0, direction="up", lane="left", distance=0.8))], 4.1)
    assert s.progress().done == 1
    circles = judged(deep, motion("circles", 5.0, 9.0, lane="left", count=5))
    assert circles.ok  # circles are no mistake against deep strokes, but they are no deep stroke either
    s.observe([circles], 9.1)
    hist = s.history()
    assert [(h.step_id, h.cut_short, h.done) for h in hist] == [
        ("deep_strokes", True, 1), ("knots", True, 0), ("friction", False, pytest.approx(4.0))]
    assert hist[1].note.startswith("Pressure on knots was skipped; moved on to Circular friction when your "
                                   "movements became friction circles")
    assert hist[1].started_s == hist[1].ended_s == 5.0 and s.current.id == "friction"
    (m,) = s.take_moves()
    assert (m.cut_short, m.skipped, m.to) == ("deep_strokes", ("knots",), "friction")


def test_one_stray_movement_does_not_move_the_session_on():
    s = RoutineSession(SHORT, start_step="friction", start_s=0.0)
    fr = SHORT.step("friction")
    # one long glide up, just what the finish asks for (and no mistake against friction): one movement
    s.observe([judged(fr, motion("stroke", 0.0, 4.0, direction="up", lane="left", hand=0))], 4.1)
    # a return down the outer edge: flagged against friction, fine for the finish, but it counts for neither
    s.observe([judged(fr, motion("stroke", 4.2, 6.0, direction="down", lane="outside", hand=0))], 6.1)
    assert s.current.id == "friction" and s.take_moves() == []
    # circles: the giver is still at friction, and whatever came before starts over
    s.observe([judged(fr, motion("circles", 6.5, 8.0, lane="left", count=2))], 8.1)
    s.observe([judged(fr, motion("stroke", 8.5, 12.5, direction="up", lane="left", hand=0))], 12.6)
    assert s.current.id == "friction" and s.progress().done == 2
    # glides too fast for the finish (at most 0.8 back lengths/s) fit it worse than friction: no moving on
    fast = [judged(fr, motion("stroke", 13.0 + k, 13.9 + k, direction="up", lane="left", hand=k % 2))
            for k in range(6)]
    s.observe(fast, 19.0)
    assert s.current.id == "friction" and s.take_moves() == []
    assert s.progress().flags == {"outside_lane": 1}


@pytest.mark.parametrize("how", ["no move_on", "drilled"])
def test_no_moving_on_when_told_not_to_or_drilling_one_step(how):
    from vision.run.runner import drill

    routine = drill(SHORT, "friction") if how == "drilled" else SHORT
    s = RoutineSession(routine, start_step="friction", start_s=0.0,
                       **({"move_on": None} if how == "no move_on" else {}))
    fr = SHORT.step("friction")
    for batch in glides_and_returns(fr, 3.0, 3):
        s.observe(batch, batch[0].event.t_end + 0.05)
    assert s.current.id == "friction" and not s.finished and s.take_moves() == []
    assert s.progress().flags == {"outside_lane": 6}


def test_the_rest_of_a_batch_after_moving_on_is_judged_again_too():
    """Events that end in the same frame as the one that moved the session on were judged with the step left."""
    s = RoutineSession(SHORT, start_step="friction", start_s=0.0,
                       move_on=MoveOnRule(seconds=3.0, moves=4))
    fr = SHORT.step("friction")
    batches = glides_and_returns(fr, 0.0, 3)
    events = [je for b in batches for je in b]
    s.observe(events, 12.0)
    (m,) = s.take_moves()
    assert m.at_s == 12.0 and len(m.rejudged) == len(events)  # moved on at the 4th glide; the rest follow
    assert all(after.ok for _, after in m.rejudged)
    assert s.finished and s.history()[-1].flags == {}


def test_a_judge_that_knows_more_decides_and_judges_again():
    """The runner's judge adds what the pipeline knows (the other hand's strokes); the session uses it."""
    seen = []

    def judge(step, je, previous):
        seen.append(step.id)
        return (Verdict("one_hand_missing", "alone"),) if step.id == "finish" else tuple(judge_event(step, je.event))

    s = RoutineSession(SHORT, start_step="friction", start_s=0.0, judge=judge)
    for batch in glides_and_returns(SHORT.step("friction"), 0.0, 3):
        s.observe(batch, batch[0].event.t_end + 0.05)
    assert s.current.id == "friction" and set(seen) == {"finish"}  # the finish's only: the last step

"""The spoken cues: their words, and never more than one a second, the newest winning."""
from __future__ import annotations

from vision.judging.routines import find_routine
from vision.run.cues import CueGate, flag_cue, hold_cue, step_cue


def _step(routine: str, step_id: str):
    return find_routine(routine).step(step_id)


def test_words_for_flags_steps_and_holds():
    effleurage = _step("swedish", "effleurage")
    assert flag_cue("wrong_direction", effleurage, 1.0).text == "Wrong way: glide up"
    assert flag_cue("on_spine", effleurage, 1.0).text == "Off the spine"
    assert flag_cue("hold_too_short", _step("trigger_point", "hold"), 1.0).text == "Hold longer"
    for verdict in ("off_back", "outside_lane", "too_fast", "too_slow", "hold_too_long", "not_circular",
                    "same_side", "one_hand_missing", "jerky"):
        cue = flag_cue(verdict, effleurage, 1.0)
        assert cue.key == verdict and 0 < len(cue.text.split()) <= 4, cue
    swedish = find_routine("swedish")
    for step in swedish.steps:
        text = step_cue(step, 0.0).text
        assert text.startswith(f"Next: {step.title}")
        if step.duration_s == 60:
            assert text.endswith(", one minute"), text
        if step.repetitions:
            assert text.endswith(f"{step.repetitions} times"), text
    assert hold_cue(15, 3.0).text == "15 seconds" and hold_cue(30, 3.0).key == "hold_30"


def test_at_most_one_cue_a_second_and_the_newest_wins():
    step = _step("swedish", "effleurage")
    gate = CueGate()
    assert gate.take(0.0) is None
    gate.offer(flag_cue("too_fast", step, 0.1))
    assert gate.take(0.2).key == "too_fast"
    gate.offer(flag_cue("on_spine", step, 0.3))
    gate.offer(flag_cue("wrong_direction", step, 0.5))
    assert gate.take(0.9) is None  # under a second since the last one
    assert gate.take(1.2).key == "wrong_direction"  # the newest; the one before it is dropped
    assert gate.take(5.0) is None  # nothing pending
    gate.offer(flag_cue("jerky", step, 5.5))
    gate.offer(flag_cue("on_spine", step, 5.4))  # older than the one waiting: not kept
    assert gate.take(6.0).key == "jerky"

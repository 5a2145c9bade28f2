"""The whole pipeline over every sample clip, scored against its labels."""
from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import REPORT_LINES, sweeps_every_clip
from tests.helpers import Lazy, labels_of, sample_clips
from vision.run.scoring import format_table, load_landmarks, score_clip

pytestmark = pytest.mark.clips

# Clips where every stroke is labelled with the verdict it must get: there, no
# correct stroke may be flagged. (In the hard clip a stroke may be cut short by
# an occlusion; it is scored for detection, not for stray flags.)
CLEAN = {"effleurage_good", "effleurage_wrong_way", "one_hand_up_down", "on_spine", "fast_and_slow",
         "hold_18s", "circles_then_cross", "routine_cut_short", "hands_side_by_side",
         "dropped_frames_blur", "dropped_frames_busy"}
# Clips where the hands cannot be seen for a while, and why: the judging must say it is unsure there, and
# raise no flag then
UNSURE = {"dark_stretch": "dark", "half_out_of_view": "out_of_view"}
# Where the hands run half out of the picture: a stroke counts as seeable while the palm's centre is in it,
# but MediaPipe does not find a hand cut in half, so the parts of the glides by the edge are missed (and a
# glide that starts out of view is found from where it comes in). Held to a lower stroke F1.
PARTLY_OUT_OF_VIEW = {"half_out_of_view": 0.85}
# Clips following a routine where the giver leaves a step unfinished and goes on to the next
CUT_SHORT = sorted(c.stem for c in sample_clips() if labels_of(c.stem).get("cut_short"))
# Clips from a camera that dropped frames (their labels list them): held to more than the others' 0.95
DROPPED = sorted(c.stem for c in sample_clips() if labels_of(c.stem).get("frames_dropped"))


@pytest.fixture(scope="module")
def scores(analysed, request):
    """Clip name -> its score, each clip analysed and scored when a test first reads it."""

    def score(name):
        folder = analysed[name]
        report = json.loads((folder / "report.json").read_text())
        return score_clip(labels_of(name), report, load_landmarks(folder / "landmarks.jsonl"))

    out = Lazy(analysed, score)
    if sweeps_every_clip(request):
        dict(analysed.items())  # analysed two at a time, before the tests ask one by one
    yield out
    rows = [s.row() for s in out.made().values()]
    REPORT_LINES.extend(format_table(rows).splitlines())
    for s in out.made().values():
        REPORT_LINES.extend(f"  {s.clip}: {d}" for d in s.unmatched_detail)


def test_every_sample_is_scored(scores):
    assert {s.clip for s in scores.values()} == {c.name for c in sample_clips()}
    assert len(scores) >= 8


@pytest.mark.parametrize("name", [c.stem for c in sample_clips()])
def test_stroke_detection_f1(scores, name):
    s = scores[name]
    assert s.f1 >= PARTLY_OUT_OF_VIEW.get(name, 0.95), f"{name}: F1 {s.f1:.3f} (P {s.precision:.3f}, R {s.recall:.3f}): {s.unmatched_detail}"


def test_stroke_detection_f1_over_all_clips(scores):
    tp = sum(s.matched for s in scores.values())
    p = tp / sum(s.detected_strokes for s in scores.values())
    r = tp / sum(s.true_strokes for s in scores.values())
    assert 2 * p * r / (p + r) >= 0.95


def test_direction_accuracy(scores):
    ok = sum(s.direction_ok for s in scores.values())
    matched = sum(s.matched for s in scores.values())
    assert ok / matched >= 0.98, {n: s.direction_accuracy for n, s in scores.items()}


def test_every_wrong_direction_stroke_is_flagged_while_moving(scores):
    expected = sum(s.expected_flags for s in scores.values())
    assert expected >= 5, "the samples should hold several strokes that must be flagged"
    for name, s in scores.items():
        if name in PARTLY_OUT_OF_VIEW:  # its wrong-way glide starts out of view: see the unsure test below
            continue
        assert s.caught_flags == s.expected_flags, f"{name}: {s.caught_flags}/{s.expected_flags} flags caught"
        assert s.late_flags == 0, f"{name}: {s.late_flags} wrong-direction flags raised only at the stroke's end"


def test_there_are_clips_with_dropped_frames():
    assert len(DROPPED) >= 2


@pytest.mark.parametrize("name", DROPPED)
def test_strokes_survive_dropped_frames_and_short_misses(scores, name):
    """Frames dropped, stalls at the loop's corners, hands missed for a moment: every stroke whole, none
    joined across a corner to the next (F1 >= 0.97), and no flag the labels do not have."""
    s = scores[name]
    assert s.f1 >= 0.97, f"{name}: F1 {s.f1:.3f}: {s.unmatched_detail}"
    assert s.false_flags == 0 and s.caught_flags == s.expected_flags, s.unmatched_detail


@pytest.mark.parametrize("name", sorted(CLEAN & {c.stem for c in sample_clips()}))
def test_no_correct_stroke_is_flagged(scores, name):
    assert scores[name].false_flags == 0, scores[name].unmatched_detail


def test_there_is_a_clip_with_a_step_cut_short():
    assert CUT_SHORT


@pytest.mark.parametrize("name", CUT_SHORT)
def test_a_step_cut_short_is_reported_and_the_later_steps_carry_no_flag(scores, analysed, name):
    """The giver goes on to the next step with the one before unfinished: the report says which step was cut
    short, how much of it was done and what came next, and none of the later steps' correct movements is
    flagged against the step left (before, each was judged against it and flagged outside_lane)."""
    labels = labels_of(name)
    report = json.loads((analysed[name] / "report.json").read_text())
    steps = {s["step_id"]: s for s in report["steps"]}
    for cut in labels["cut_short"]:
        s = steps[cut["step"]]
        assert s["cut_short"] is True and s["moved_on_to"] == cut["moved_on_to"] and not s["complete"], s
        assert 0 < s["done"] < s["asked"]["target"], s
        assert s["note"].startswith(f"{s['title']} was cut short: {round(s['done'], 1):g} of "), s["note"]
        later = [e for e in report["events"] if e["t_start"] >= s["ended_s"]]
        assert len(later) >= 10 and all(e["flagged_at"] is None for e in later), [
            e for e in later if e["flagged_at"] is not None]
    # and what the labels expect of every event, matched one to one
    sc = scores[name]
    assert sc.verdicts_right == sc.matched_events and sc.false_flags == 0, sc.unmatched_detail


def test_holds_circles_and_passes_make_no_false_strokes(scores):
    for name in ("hold_18s", "circles_then_cross"):
        assert scores[name].non_stroke_false == 0, scores[name].unmatched_detail


def test_contact_point_error(scores):
    errors = np.concatenate([s.contact_errors for s in scores.values()])
    assert np.median(errors) <= 0.03
    for name, s in scores.items():
        assert s.contact_error_median <= 0.03, f"{name}: median contact error {s.contact_error_median:.3f}"


def test_wrong_direction_flag_comes_early(scores, analysed):
    """The flag is raised once the stroke has covered about 0.1 back lengths, not at its end."""
    report = json.loads((analysed["effleurage_wrong_way"] / "report.json").read_text())
    wrong = [e for e in report["events"] if any(v["name"] == "wrong_direction" for v in e["verdicts"])]
    assert len(wrong) == 1
    e = wrong[0]
    # covering 0.1 of 0.8 back lengths on a smooth glide takes well under half its duration
    assert e["t_start"] < e["flagged_at"] < e["t_start"] + 0.5 * (e["t_end"] - e["t_start"])


def _inside(t: float, spans: list[dict], hand: int) -> bool:
    return any(sp["t_start"] <= t <= sp["t_end"] for sp in spans if sp["hand"] in (None, hand))


@pytest.mark.parametrize("name", sorted(UNSURE.keys() & {c.stem for c in sample_clips()}))
def test_where_the_hands_cannot_be_seen_nothing_is_flagged_and_the_report_says_why(analysed, name):
    report = json.loads((analysed[name] / "report.json").read_text())
    labels = labels_of(name)
    spans = report["unsure"]
    assert any(sp["reason"] == UNSURE[name] for sp in spans), spans
    # every stretch the labels call unseeable (the light all but out) is covered by the judging's doubt
    for t0, t1, reason in labels.get("unseeable", []):
        covered = sum(max(0.0, min(t1, sp["t_end"]) - max(t0, sp["t_start"])) for sp in spans
                      if sp["reason"] == reason and sp["hand"] is None)
        assert covered >= 0.8 * (t1 - t0), (t0, t1, spans)
    flagged = [e for e in report["events"] if e["flagged_at"] is not None]
    for e in flagged:  # no flag raised while its hand was not seen well
        assert not _inside(e["flagged_at"], spans, e["hand"]), (e, spans)
    # what was seen well is judged: the wrong-way glide (outside those stretches) is flagged
    names = {v["name"] for e in flagged for v in e["verdicts"]}
    assert names == {"wrong_direction"}, flagged


def test_a_recording_is_unsure_where_its_analysis_was(analysed, tmp_path):
    """Re-judged from its landmarks alone (the picture's light is kept in them), the dark clip is unsure
    exactly where the analysis of its video was."""
    from vision.core.backframe import Calibration
    from vision.judging.routines import find_routine
    from vision.run.analyze import rejudge

    folder = analysed["dark_stretch"]
    labels = labels_of("dark_stretch")
    report = json.loads((folder / "report.json").read_text())
    routine = find_routine(labels["routine"])
    again = rejudge(folder / "landmarks.jsonl", Calibration.from_dict(labels["calibration"]), routine.step(labels["step"]),
                    routine=routine, out_dir=tmp_path / "again")
    assert again.report.model_dump(mode="json")["unsure"] == report["unsure"] != []


def test_hands_side_by_side_keep_their_ids(analysed):
    """Two close hands of the back's own tone, one gliding up the spine beside the other: each giver hand's
    id stays on one labelled hand (no swap), and the spine glide is flagged (the F1 and flag tests above)."""
    labels = labels_of("hands_side_by_side")
    paths = {name: np.asarray([row[1:3] for row in h["path"]]) for name, h in labels["hands"].items()}
    owner: dict[int, dict[str, int]] = {}
    for fr in load_landmarks(analysed["hands_side_by_side"] / "landmarks.jsonl"):
        for h in fr["hands"]:
            if h.get("hand") is None:
                continue
            c = np.asarray(h["landmarks"])[[0, 5, 9, 13, 17]].mean(axis=0)
            nearest = min(paths, key=lambda n: float(np.linalg.norm(paths[n][fr["frame"]] - c)))
            owner.setdefault(h["hand"], {}).setdefault(nearest, 0)
            owner[h["hand"]][nearest] += 1
    assert len(owner) == 2, owner
    for hand, counts in owner.items():
        assert len(counts) == 1, f"hand {hand} was on {counts}"

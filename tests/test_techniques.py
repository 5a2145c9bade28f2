"""Each technique done right and done wrong, judged against its own routine step and
scored against its labels: every kind of event, its verdicts, hold times and counts."""
from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import REPORT_LINES, sweeps_every_clip
from tests.helpers import ROOT, Lazy, labels_of, sample_clips
from vision.run.scoring import format_table, load_landmarks, score_clip

pytestmark = pytest.mark.clips

TECHNIQUE_CLIPS = sorted(c.stem for c in sample_clips() if labels_of(c.stem).get("step", "effleurage") not in
                         ("effleurage", None))
ROUTINE_CLIPS = sorted(c.stem for c in sample_clips() if labels_of(c.stem).get("step", "effleurage") is None)


@pytest.fixture(scope="module")
def scores(analysed, request):
    """Technique clip name -> its score, each clip analysed and scored when a test first reads it."""

    def score(name):
        folder = analysed[name]
        report = json.loads((folder / "report.json").read_text())
        return score_clip(labels_of(name), report, load_landmarks(folder / "landmarks.jsonl"))

    out = Lazy(TECHNIQUE_CLIPS, score)
    if sweeps_every_clip(request):
        dict(analysed.items())  # analysed two at a time, before the tests ask one by one
    yield out
    rows = [{"clip": s.clip, "step": labels_of(n)["step"], "events": s.true_events, "found": s.found_events,
             "matched": s.matched_events, "F1": round(s.event_f1, 3), "verdicts_right": s.verdicts_right,
             "hold_err_s": round(max(s.hold_errors_s, default=0.0), 2), "count_err": max(s.count_errors, default=0)}
            for n, s in out.made().items()]
    if rows:
        REPORT_LINES.extend(["", "techniques:"] + format_table(rows).splitlines())
    for s in out.made().values():
        REPORT_LINES.extend(f"  {s.clip}: {d}" for d in s.unmatched_detail)


def test_there_are_technique_clips():
    assert len(TECHNIQUE_CLIPS) >= 6


@pytest.mark.parametrize("name", TECHNIQUE_CLIPS)
def test_events_found(scores, name):
    s = scores[name]
    assert s.event_f1 >= 0.95, f"{name}: event F1 {s.event_f1:.3f}: {s.unmatched_detail}"


@pytest.mark.parametrize("name", TECHNIQUE_CLIPS)
def test_each_event_gets_the_verdict_it_should(scores, name):
    """The wrong version of each technique is flagged with the right verdict; the right version is not."""
    s = scores[name]
    assert s.verdicts_right == s.matched_events, s.unmatched_detail


def test_hold_durations_within_half_a_second(scores):
    errors = np.concatenate([s.hold_errors_s for s in scores.values()])
    assert len(errors) >= 10
    assert errors.max() <= 0.5


def test_circle_and_pass_counts_within_one(scores):
    errors = np.concatenate([s.count_errors for s in scores.values()])
    assert len(errors) >= 3
    assert errors.max() <= 1


def test_there_is_a_whole_routine_clip():
    assert ROUTINE_CLIPS


@pytest.mark.parametrize("name", ROUTINE_CLIPS)
def test_a_whole_routine_advances_through_every_step_in_order(analysed, name):
    from vision.judging.routines import find_routine

    labels = labels_of(name)
    routine = find_routine(ROOT / labels["routine"])
    report = json.loads((analysed[name] / "report.json").read_text())
    REPORT_LINES.append(f"{name}: " + ", ".join(f"{s['step_id']} {s['done']:g}/{s['asked']['target']:g} "
                                                  f"{s['asked']['unit']} (score {s['score']})"
                                                  for s in report["steps"]) + f"; routine score {report['score']}")
    assert [s["step_id"] for s in report["steps"]] == [s.id for s in routine.steps]
    # every step done, but those the giver left unfinished (the labels say which), cut short where the
    # movements became the next step's
    cut = {c["step"]: c["moved_on_to"] for c in labels.get("cut_short", [])}
    assert {s["step_id"]: s.get("moved_on_to") for s in report["steps"] if s.get("cut_short")} == cut
    assert all(s["complete"] for s in report["steps"] if s["step_id"] not in cut), report["steps"]
    assert not any(s["complete"] for s in report["steps"] if s["step_id"] in cut), report["steps"]
    assert report["routine_finished"] is True
    # every step was started after the one before it ended
    for a, b in zip(report["steps"], report["steps"][1:]):
        assert a["ended_s"] <= b["started_s"]
    flagged = [e for e in report["events"] if e["flagged_at"] is not None]
    assert not flagged, flagged

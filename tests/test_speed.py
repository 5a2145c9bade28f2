"""What makes the judging faster must not change it: MediaPipe on stretches of a video in parallel, the
video decoded ahead, two detector slots kept for the giver's hands."""
from __future__ import annotations

import json
import threading

import numpy as np
import pytest

from tests.helpers import ROOT, SAMPLES, labels_of
from vision.files.calibration import load_calibration_file
from vision.files.video import VideoReader
from vision.judging.pipeline import PipelineConfig
from vision.judging.routines import load_routine
from vision.run.analyze import _spans, analyze
from vision.run.runner import prefetched
from vision.run.scoring import load_landmarks, score_clip


def _analyze(name: str, tmp_path, **kw):
    labels = labels_of(name)
    clip = SAMPLES / f"{name}.mp4"
    cal = load_calibration_file(clip.with_suffix(".json"), tuple(labels["frame_size"]), name).calibration
    routine = labels.get("routine", "swedish")
    path = ROOT / "routines" / f"{routine}.yaml"
    routine = load_routine(path if path.exists() else ROOT / routine)
    out = tmp_path / f"{name}-{kw.get('workers')}"
    result = analyze(clip, cal, labels.get("step"), routine=routine, out_dir=out, annotate=False, **kw)
    return result, out


def _verdicts(result):
    return sorted((e.event.kind, e.hand, round(e.event.t_start, 1), round(e.event.t_end, 1), tuple(v.name for v in e.verdicts))
                  for e in result.events)


@pytest.mark.parametrize("name", ["effleurage_wrong_way", "hard_conditions"])
def test_parallel_detection_judges_as_one_pass(name, tmp_path):
    one, _ = _analyze(name, tmp_path, workers=1)
    two, out = _analyze(name, tmp_path, workers=2)
    assert len(_spans(two.report.duration_s, 2)) == 2, "the clip is long enough for two stretches"
    a, b = _verdicts(two), _verdicts(one)
    # the same events and verdicts; MediaPipe's tracking starts afresh at the seam, which can move a
    # stroke's start or end by a frame or two
    assert [(e[0], e[1], e[4]) for e in a] == [(e[0], e[1], e[4]) for e in b]
    assert all(abs(x[2] - y[2]) <= 0.25 and abs(x[3] - y[3]) <= 0.25 for x, y in zip(a, b))
    assert two.frames == one.frames
    lines = [json.loads(line) for line in (out / "landmarks.jsonl").read_text().splitlines()]
    assert [x["frame"] for x in lines] == list(range(len(lines)))  # one run of frame numbers across the seam
    assert all(x["wh"] == labels_of(name)["frame_size"] for x in lines)


def test_spans_cover_the_video_without_overlap():
    assert _spans(10.0, 2) == [(0.0, float("inf"))]  # too short to split
    assert _spans(300.0, 1) == [(0.0, float("inf"))]
    spans = _spans(300.0, 2)
    assert len(spans) == 5 and spans[0][0] == 0.0 and spans[-1][1] == float("inf")
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    assert _spans(None, 2) == [(0.0, float("inf"))]  # no duration known: one pass


def test_reader_starting_later_gives_the_same_frames():
    clip = SAMPLES / "fast_and_slow.mp4"
    whole = list(VideoReader(clip))
    later = list(VideoReader(clip, start_s=2.5))
    first = next(i for i, (_, t) in enumerate(whole) if t >= 2.5 - 1e-6)
    assert [t for _, t in later] == [t for _, t in whole[first:]]
    for (a, _), (b, _) in zip(later[:5], whole[first:first + 5]):
        assert np.array_equal(a, b)


def test_prefetched_keeps_order_passes_errors_and_stops_early():
    assert list(prefetched(iter(range(100)), depth=3)) == list(range(100))

    def failing():
        yield 1
        raise ValueError("bad frame")

    got = []
    with pytest.raises(ValueError, match="bad frame"):
        for x in prefetched(failing()):
            got.append(x)
    assert got == [1]
    before = threading.active_count()
    gen = prefetched(iter(range(10_000)), depth=2)
    assert next(gen) == 0
    gen.close()  # the consumer stops: the thread stops too
    assert threading.active_count() == before


def test_hands_resting_beside_the_back_do_not_take_the_givers_slots(tmp_path):
    """The recipient's hands rest beside the lower back, in view before the giver's hands come: with
    MediaPipe's two slots taken by them, the giver's hands are found only because the pipeline hides
    the resting hands from the detector (Pipeline._keep_slots)."""
    labels = labels_of("resting_hands_near")

    def f1(config):
        result, out = _analyze("resting_hands_near", tmp_path, workers=1, config=config)
        report = json.loads((out / "report.json").read_text())
        return score_clip(labels, report, load_landmarks(out / "landmarks.jsonl")).f1

    assert f1(PipelineConfig()) >= 0.97
    assert f1(PipelineConfig(bystander_after_s=float("inf"))) < 0.5  # the slots kept by the resting hands

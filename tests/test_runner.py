"""The one runner: live practice, analyze and rejudge judge alike, at every sensitivity, following the routine."""
from __future__ import annotations

import json
import logging

import numpy as np
import pytest

from tests.helpers import SAMPLES, labels_of
from tests.test_pipeline import CAL, FPS, glide
from tests.test_tracking import hand
from vision.core.backframe import Calibration
from vision.files.recording import Recorder, open_recording
from vision.judging.pipeline import Pipeline
from vision.judging.routines import find_routine, parse_routine
from vision.judging.settings import SENSITIVITIES, Settings
from vision.run.analyze import rejudge
from vision.run.live import LiveCoach
from vision.run.runner import Item, Runner
from vision.files.video import VideoReader

ROUTINE = "whole_routine"  # the short Swedish routine played through, step by step


def _event_key(e: dict) -> tuple:
    return (e["kind"], e["hand"], e["t_start"], e["t_end"], tuple(v["name"] for v in e["verdicts"]))


# -- on synthetic hands (no MediaPipe) ---------------------------------------------------------------

TWO_STEPS = parse_routine({"name": "two", "steps": [
    {"id": "ready", "title": "Ready", "technique": "instruction", "instruction": "Hands on the back.",
     "duration_s": 1},
    {"id": "glide", "title": "Glide", "technique": "effleurage", "instruction": "Glide up.", "hands": "one",
     "repetitions": 5, "speed": {"max": 0.5}},
]}, "two.yaml")


def _glides() -> list[Item]:
    """Three glides up the right lane at about 0.47 back lengths/s: under the step's 0.5 at standard,
    over it at strict (0.5 x 0.85 = 0.425)."""
    path = np.r_[glide(0.1, 0.1, 0.3, 1.0, rest=0.3),
                 *[np.r_[glide(0.1, 0.9, 0.3, 1.7, rest=0.4), glide(0.9, 0.1, 0.8, 1.5, rest=0.2)]
                   for _ in range(3)]]
    h = Pipeline(CAL, TWO_STEPS.steps[1]).homography
    return [Item(i, i / FPS, None, [hand(h.to_image(uv)[0])]) for i, uv in enumerate(path)]


@pytest.mark.parametrize("sensitivity", SENSITIVITIES)
def test_the_sensitivity_is_applied_to_every_step_the_routine_enters(sensitivity):
    runner = Runner(CAL, TWO_STEPS, settings=Settings(sensitivity))
    runner.run(_glides())
    glides = [je for je in runner.events if je.event.kind == "stroke" and je.event.direction == "up"]
    assert len(glides) == 3 and runner.summary()["steps"][0]["step_id"] == "ready"
    assert all(0.40 < je.event.speed < 0.5 for je in glides), [je.event.speed for je in glides]
    fast = [je for je in glides if any(v.name == "too_fast" for v in je.verdicts)]
    assert len(fast) == (3 if sensitivity == "strict" else 0)
    # a fixed step gets the same treatment
    drilled = Runner(CAL, TWO_STEPS, step="glide", settings=Settings(sensitivity))
    drilled.run(_glides())
    assert [je.verdicts for je in drilled.events if je.event.direction == "up"] == [je.verdicts for je in glides]


def test_a_restart_ends_the_motions_under_way_and_the_sinks_hear_of_it():
    seen: list[tuple[str, int]] = []

    class Sink:
        def frame(self, index, frame_bgr, result, step):
            seen.append(("frame", len(result.finished)))

        def ended(self, result, step):
            seen.append(("ended", len(result.finished)))

        def close(self):
            seen.append(("close", 0))

    items = _glides()
    runner = Runner(CAL, TWO_STEPS, step="glide", sinks=[Sink()])
    for item in items[:85]:  # halfway up the first glide
        runner.feed(item)
    assert runner.pipeline.step.id == "glide" and runner.events  # the rest before it was a hold
    last = runner.restart(items[85].t_s)
    assert [je.event.kind for je in last.finished] == ["stroke"] and seen[-1] == ("ended", 1)
    runner.run(items[86:])
    assert seen[-2][0] == "ended" and seen[-1] == ("close", 0)
    assert sum(n for kind, n in seen if kind != "close") == len(runner.events)


def test_a_frame_without_its_hands_needs_a_picture():
    with pytest.raises(ValueError, match="give a frame or its hands"):
        Runner(CAL, TWO_STEPS).feed(Item(0, 0.0))


# -- on a sample clip, with MediaPipe ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live_recordings(tmp_path_factory):
    """The whole-routine clip through the live coach, following the routine and recorded, at each sensitivity."""
    labels = labels_of(ROUTINE)
    routine = find_routine(SAMPLES / "routines" / "swedish_short.yaml")
    with VideoReader(SAMPLES / f"{ROUTINE}.mp4") as reader:
        frames = list(reader)
    out = {}
    for level in SENSITIVITIES:
        root = tmp_path_factory.mktemp(f"rec-{level}")
        coach = LiveCoach(Calibration.from_dict(labels["calibration"]), routine,
                          calibration_wh=tuple(labels["frame_size"]), settings=Settings(level))
        try:
            def factory(frame_wh, calibration, c, root=root, level=level):
                return Recorder(calibration, routine=str(SAMPLES / "routines" / "swedish_short.yaml"),
                                step_id=c.session.current.id, root=root, frame_wh=frame_wh, blur_faces=False,
                                settings=Settings(level).to_dict())

            for i, (frame, t) in enumerate(frames):
                if i == 0:
                    coach.command("record", factory)
                if i == len(frames) - 1:
                    coach.command("stop_recording")
                coach.process(frame, t)
            snap = coach.snapshot()
        finally:
            coach.close()
        out[level] = (open_recording(snap.last_recording), snap)
    return routine, out


@pytest.mark.clips
@pytest.mark.parametrize("sensitivity", SENSITIVITIES)
def test_a_recording_following_the_routine_re_judges_as_it_was_judged_live(live_recordings, sensitivity):
    routine, recs = live_recordings
    rec, snap = recs[sensitivity]
    assert rec.status == "complete" and snap.error is None
    live = sorted(_event_key(e.model_dump(mode="json")) for e in rec.events() if e.type == "event")
    again = rejudge(rec.folder, routine=routine, settings=Settings(sensitivity))
    assert len(live) >= 10, "the clip's strokes, circles and holds were judged live"
    assert sorted(_event_key(e) for e in again.report.model_dump(mode="json")["events"]) == live
    # the steps as the live page counted them
    live_steps = [(s["step_id"], s["done"], s["complete"], s["score"]) for s in rec.session.extra["steps"]]
    assert [(s.step_id, s.done, s.complete, s.score) for s in again.report.steps] == live_steps
    assert len(live_steps) >= 4, "the routine moved on, step by step"
    # (the rendered hands are judged alike at every sensitivity; that each level reaches every step
    # is shown on synthetic glides above)


@pytest.mark.clips
def test_analyze_and_rejudge_of_the_landmarks_it_wrote_give_the_same_report(analysed):
    """`stroke-coach analyze` of a clip following the routine, then rejudge of its landmarks.jsonl."""
    out = analysed[ROUTINE]
    report = json.loads((out / "report.json").read_text())
    labels = labels_of(ROUTINE)
    again = rejudge(out / "landmarks.jsonl", Calibration.from_dict(labels["calibration"]),
                    routine=find_routine(SAMPLES / "routines" / "swedish_short.yaml")).report.model_dump(mode="json")
    assert report["steps"] and report["score"] is not None
    for key in ("events", "summary", "steps", "score", "routine_finished", "routine", "step", "calibration"):
        assert again[key] == report[key], key


def test_a_worker_thread_error_goes_to_the_log_file_with_its_traceback(tmp_path):
    from vision.core.logs import log_to_file

    path = log_to_file(tmp_path / "stroke-coach.log")
    logger = logging.getLogger("vision")
    try:
        labels = labels_of("effleurage_good")
        coach = LiveCoach(Calibration.from_dict(labels["calibration"]), find_routine("swedish"))
        try:
            coach.process(np.zeros((10, 10), np.uint8), 0.0)  # not a colour frame
            assert coach.snapshot().error  # the page's plain message
        finally:
            coach.close()
        for h in logger.handlers:
            h.flush()
        text = path.read_text()
        assert "live analysis failed on a frame" in text and "Traceback (most recent call last)" in text
    finally:
        for h in [h for h in logger.handlers if getattr(h, "baseFilename", None) == str(path.resolve())]:
            logger.removeHandler(h)
            h.close()

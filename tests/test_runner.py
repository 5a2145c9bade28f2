"""The one runner: live practice, analyze and rejudge judge alike, at every sensitivity, following the routine."""
from __future__ import annotations

import json
import logging

import numpy as np
import pytest

from tests.helpers import SAMPLES, labels_of
from tests.test_pipeline import CAL, FPS, glide, min_jerk
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


def _record_all(coach, frames, factory, after_each=None) -> None:
    """Every frame through the live coach, recording from the first to the last (then stopped)."""
    for i, (frame, t) in enumerate(frames):
        if i == 0:
            coach.command("record", factory)
        if i == len(frames) - 1:
            coach.command("stop_recording")
        coach.process(frame, t)
        if after_each is not None:
            after_each()


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


# -- moving on when the giver has, on synthetic hands ----------------------------------------------------

UP_THEN_DOWN = parse_routine({"name": "two ways", "steps": [
    {"id": "up", "title": "Up", "technique": "effleurage", "instruction": "Glide up.", "hands": "one",
     "repetitions": 5},
    {"id": "down", "title": "Down", "technique": "deep_stroke", "instruction": "Slowly down.", "hands": "one",
     "direction": "down", "return_lanes": ["outside"], "repetitions": 3, "speed": {"max": 0.6}},
]}, "two_ways.yaml")


def _through(points, durations, rest=0.3) -> np.ndarray:
    """(u, v) per frame: a hand resting, then moving from point to point (min-jerk), resting between."""
    out = [np.tile(points[0], (int(rest * FPS), 1))]
    for p0, p1, dur in zip(points, points[1:], durations):
        tau = min_jerk(np.arange(1, int(dur * FPS) + 1) / (dur * FPS))[:, None]
        out += [np.asarray(p0) + tau * (np.asarray(p1) - np.asarray(p0)), np.tile(p1, (int(rest * FPS), 1))]
    return np.concatenate(out)


def _up_once_then_down() -> list[Item]:
    """One glide up the right lane (the "up" step's), then three slow glides down it (the "down" step's,
    and wrong-way glides for "up"), going back up the outer edge between them."""
    lane, edge = (0.1, 0.3), (0.9, 0.3)
    points = [lane, edge]
    durations = [1.7]
    for k in range(3):
        points += [lane]
        durations += [2.0]
        if k < 2:
            points += [(0.1, 0.8), (0.9, 0.8), edge]
            durations += [0.7, 2.0, 0.7]
    path = _through(points, durations)
    h = Pipeline(CAL, UP_THEN_DOWN.steps[0]).homography
    return [Item(i, i / FPS, None, [hand(h.to_image(uv)[0])]) for i, uv in enumerate(path)]


class _Heard:
    """A sink that keeps what it is told."""

    def __init__(self):
        self.moves, self.flags = [], []

    def frame(self, index, frame_bgr, result, step):
        self.moves += result.moved_on
        self.flags += result.flags

    def ended(self, result, step):
        self.moves += result.moved_on

    def close(self):
        pass


def test_following_the_routine_the_runner_moves_on_and_judges_the_stretch_again():
    heard = _Heard()
    runner = Runner(CAL, UP_THEN_DOWN, sinks=[heard])
    runner.run(_up_once_then_down())
    downs = [je for je in runner.events if je.event.kind == "stroke" and je.event.direction == "down"
             and je.event.lane == "right"]
    assert len(downs) == 3 and all(je.ok and je.flagged_at is None for je in downs), [je.verdicts for je in downs]
    assert all(je.ok for je in runner.events), [(je.event.direction, je.event.lane, je.verdicts)
                                                for je in runner.events if not je.ok]
    # the first two were flagged while they moved, against "up"; the routine then found they were "down"'s
    assert [f.verdict.name for f in heard.flags] == ["wrong_direction", "wrong_direction"]
    (move,) = heard.moves
    assert (move.cut_short, move.to, move.skipped) == ("up", "down", ())
    assert move.since_s == pytest.approx(downs[0].event.t_start)
    assert sum(not before.ok for before, _ in move.rejudged) == 2
    steps = runner.summary()["steps"]
    assert [(s["step_id"], s["done"], s["complete"], s.get("cut_short")) for s in steps] == [
        ("up", 1, False, True), ("down", 3, True, None)]
    assert steps[0]["note"] == ("Up was cut short: 1 of 5 strokes done; moved on to Down when your movements "
                                "became deep strokes")
    assert runner.session.finished and runner.pipeline.step_at(downs[0].event.t_end).id == "down"


def test_drilling_a_step_never_moves_on():
    heard = _Heard()
    runner = Runner(CAL, UP_THEN_DOWN, step="up", sinks=[heard])
    runner.run(_up_once_then_down())
    assert heard.moves == []
    downs = [je for je in runner.events if je.event.direction == "down" and je.event.lane == "right"]
    assert [[v.name for v in je.verdicts] for je in downs] == [["wrong_direction"]] * 3


def test_the_live_page_says_what_was_cut_short_and_a_re_judged_recording_agrees(tmp_path):
    """The coach (fed pictures; a stand-in detector gives the synthetic hands) moves on, withdraws the flags
    of the stretch it judged again, says so on the step line and in the step cue; the recording keeps the
    events as judged again, and re-judging it gives the same."""
    from vision.files.events import final_events
    from vision.stages.detection import DetectorConfig

    items = _up_once_then_down()

    class Detector:
        config = DetectorConfig()
        last_s = 0.0

        def __init__(self):
            self.hands = []

        def detect(self, rgb, offset_px=(0, 0)):
            return self.hands

        def close(self):
            pass

    detector = Detector()
    coach = LiveCoach(CAL, UP_THEN_DOWN, calibration_wh=(640, 480), detector=detector)
    frame = np.zeros((480, 640, 3), np.uint8)
    notices, cues = [], []

    def factory(frame_wh, calibration, c):
        return Recorder(calibration, routine="two_ways", step_id=c.session.current.id, root=tmp_path,
                        frame_wh=frame_wh, blur_faces=False)

    try:
        for k, item in enumerate(items):
            if k == 0:
                coach.command("record", factory)
            if k == len(items) - 1:
                coach.command("stop_recording")
            detector.hands = item.hands
            coach.process(frame, item.t_s)
            snap = coach.snapshot()
            notices.append(snap.notice)
            if (cue := coach.take_cue()) is not None:
                cues.append(cue.text)
        snap = coach.snapshot()
    finally:
        coach.close()
    note = "Up was cut short: 1 of 5 strokes done; moved on to Down when your movements became deep strokes"
    assert note in notices and notices[-1] == note  # on the step line from then on (the routine is done)
    assert "Up cut short. Next: Down, 3 times" in cues
    assert snap.flags == () and snap.flags_total == 0 and snap.finished
    assert snap.good_events == snap.judged_events
    rec = open_recording(snap.last_recording)
    lines = rec.events()
    assert [d.to for d in lines if d.type == "moved_on"] == ["down"]
    assert sum(d.type == "rejudged" for d in lines) >= 2
    live = sorted(_event_key(e.model_dump(mode="json")) for e in final_events(lines))
    assert all(names == ("ok",) for *_, names in live)
    again = rejudge(rec.folder, routine=UP_THEN_DOWN)
    assert sorted(_event_key(e) for e in again.report.model_dump(mode="json")["events"]) == live
    assert [(s.step_id, s.cut_short) for s in again.report.steps] == [("up", True), ("down", None)]


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

            _record_all(coach, frames, factory)
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
def test_a_step_cut_short_live_is_recorded_and_re_judged_alike(tmp_path):
    """routine_cut_short through the live coach, recorded: the page says petrissage was cut short, and the
    recording (its events as judged again) re-judges to the same events and steps."""
    from vision.files.events import final_events

    name = "routine_cut_short"
    labels = labels_of(name)
    path = SAMPLES / "routines" / "swedish_short.yaml"
    routine = find_routine(path)
    coach = LiveCoach(Calibration.from_dict(labels["calibration"]), routine, calibration_wh=tuple(labels["frame_size"]))
    notices, cues = set(), []

    def factory(frame_wh, calibration, c):
        return Recorder(calibration, routine=str(path), step_id=c.session.current.id, root=tmp_path,
                        frame_wh=frame_wh, blur_faces=False)

    try:
        with VideoReader(SAMPLES / f"{name}.mp4") as reader:
            frames = list(reader)
        def after_each():
            notices.add(coach.snapshot().notice)
            if (cue := coach.take_cue()) is not None:
                cues.append(cue.text)

        _record_all(coach, frames, factory, after_each)
        snap = coach.snapshot()
    finally:
        coach.close()
    assert any(n and n.startswith("Petrissage was cut short: ") for n in notices), notices
    assert any(c.startswith("Petrissage cut short. Next: ") for c in cues), cues
    rec = open_recording(snap.last_recording)
    live = sorted(_event_key(e.model_dump(mode="json")) for e in final_events(rec.events()))
    assert all(names == ("ok",) for *_, names in live), [e for e in live if e[-1] != ("ok",)]
    again = rejudge(rec.folder, routine=routine)
    assert sorted(_event_key(e) for e in again.report.model_dump(mode="json")["events"]) == live
    live_steps = [(s["step_id"], s["done"], s["complete"], s.get("cut_short")) for s in rec.session.extra["steps"]]
    assert [(s.step_id, s.done, s.complete, s.cut_short) for s in again.report.steps] == live_steps
    assert [s for s in live_steps if s[3]] == [("petrissage", pytest.approx(1.53, abs=0.2), False, True)]


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

"""Live practice without a browser: a sample clip's frames fed to the coach as a camera would."""
from __future__ import annotations

import json
import logging
import threading
import time

import numpy as np
import pytest

from tests.helpers import SAMPLES, labels_of
from vision.core.backframe import Calibration
from vision.files.events import EventLine
from vision.files.video import VideoReader
from vision.judging.pipeline import pipeline_config
from vision.judging.routines import find_routine
from vision.judging.settings import Settings, adjust_step
from vision.run.live import ANALYSIS_FAILED, RECORDING_NOT_SAVED, VIDEO_NOT_SAVED, LiveCoach
from vision.run.runner import scale_calibration
from vision.stages.checks import setup_advice


def _frames(name: str, max_frames: int | None = None):
    with VideoReader(SAMPLES / f"{name}.mp4", max_frames=max_frames) as reader:
        for frame, t in reader:
            yield frame, t


def _coach(name: str, **kw) -> LiveCoach:
    labels = labels_of(name)
    return LiveCoach(Calibration.from_dict(labels["calibration"]), find_routine(labels["routine"]),
                     calibration_wh=tuple(labels["frame_size"]), start_step=labels["step"], **kw)


@pytest.fixture(scope="module")
def wrong_way_live():
    """The wrong-way clip through the coach frame by frame, with the page reading snapshots meanwhile."""
    coach = _coach("effleurage_wrong_way")
    snaps, stop = [], threading.Event()
    coach.cues_said = []

    def page():  # the page's thread reads while the camera's thread writes
        while not stop.is_set():
            snaps.append(coach.snapshot())
            if (cue := coach.take_cue()) is not None:
                coach.cues_said.append(cue)
            stop.wait(0.05)

    reader = threading.Thread(target=page)
    reader.start()
    outs = []
    try:
        for i, (frame, t) in enumerate(_frames("effleurage_wrong_way")):
            out = coach.process(frame, t)
            if i in (0, 200):
                outs.append((frame, out))
    finally:
        stop.set()
        reader.join()
    if (cue := coach.take_cue()) is not None:
        coach.cues_said.append(cue)
    yield coach, coach.snapshot(), snaps, outs
    coach.close()


def test_the_flag_is_said_once_in_a_few_words(wrong_way_live):
    coach, snap, _, _ = wrong_way_live
    assert [(c.kind, c.text, c.key) for c in coach.cues_said] == [("flag", "Wrong way: glide up", "wrong_direction")]
    assert abs(coach.cues_said[0].t_s - snap.flags[0].t_s) < 1e-9


def test_live_flags_the_wrong_way_stroke(wrong_way_live):
    coach, snap, snaps, _ = wrong_way_live
    assert snap.error is None
    names = [f.name for f in snap.flags]
    assert names == ["wrong_direction"], names
    assert "toward the hips" in snap.flags[0].message
    labels = labels_of("effleurage_wrong_way")
    bad = [e for e in labels["events"] if "wrong_direction" in e.get("verdicts", [])]
    assert bad and bad[0]["t_start"] <= snap.flags[0].t_s <= bad[0]["t_end"]  # raised while the stroke moved
    assert snap.good_events >= 5 and snap.stats.frames == labels["n_frames"]
    assert len(snaps) > 5 and all(s.step_index == snaps[0].step_index for s in snaps)


def test_live_overlay_is_drawn_on_a_copy(wrong_way_live):
    _, _, _, outs = wrong_way_live
    for raw, out in outs:
        assert out.shape == raw.shape and out is not raw
        assert np.mean(np.any(out != raw, axis=2)) > 0.002  # lanes, outline, arrows


def test_mirror_is_display_only():
    plain, mirrored = _coach("effleurage_good"), _coach("effleurage_good", mirror=True)
    try:
        for frame, t in _frames("effleurage_good", 90):
            a = plain.process(frame, t)
            b = mirrored.process(frame, t)
        # the same judging, the picture flipped (the banner is drawn after the flip, so compare below it)
        assert plain.snapshot().judged_events == mirrored.snapshot().judged_events
        assert np.mean(np.abs(a[60:, ::-1].astype(int) - b[60:].astype(int))) < 3
    finally:
        plain.close()
        mirrored.close()


def test_commands_next_and_restart_apply_at_the_next_frame():
    coach = _coach("effleurage_good")
    try:
        frames = _frames("effleurage_good", 40)
        for _ in range(10):
            coach.process(*next(frames))
        first = coach.snapshot().step_index
        coach.command("next")
        assert coach.snapshot().step_index == first  # not before a frame comes
        coach.process(*next(frames))
        assert coach.snapshot().step_index == first + 1
        coach.command("restart")
        coach.process(*next(frames))
        assert coach.snapshot().step_index == first
        with pytest.raises(ValueError, match="unknown command"):
            coach.command("jump")
    finally:
        coach.close()


def test_camera_restart_keeps_one_clock():
    coach = _coach("effleurage_good")
    try:
        frames = list(_frames("effleurage_good", 20))
        for frame, t in frames:
            coach.process(frame, t)
        t_before = coach.snapshot().t_s
        for frame, t in frames[:5]:  # the camera starts again: its clock from zero
            coach.process(frame, t)
        snap = coach.snapshot()
        assert snap.error is None and snap.t_s > t_before
    finally:
        coach.close()


def test_the_snapshot_says_how_long_since_the_camera_last_sent_a_frame():
    coach = _coach("effleurage_good")
    try:
        assert coach.snapshot().since_frame_s is None  # nothing yet: the page does not warn before the first frame
        for frame, t in _frames("effleurage_good", 3):
            coach.process(frame, t)
        assert 0 <= coach.snapshot().since_frame_s < 1.0
        time.sleep(1.2)
        snap = coach.snapshot()
        assert snap.since_frame_s >= 1.2 and not snap.running
    finally:
        coach.close()


def test_a_failing_frame_is_reported_not_raised(caplog):
    """The page gets a plain sentence (what to do); the exception, with its traceback, goes to the log."""
    coach = _coach("effleurage_good")
    try:
        with caplog.at_level(logging.ERROR, logger="vision.run.live"):
            out = coach.process(np.zeros((10, 10), np.uint8), 0.0)  # not a colour frame
        assert out.shape == (10, 10)
        assert coach.snapshot().error == ANALYSIS_FAILED  # not the exception's text
        (record,) = [r for r in caplog.records if r.name == "vision.run.live"]
        assert record.exc_info is not None and "live analysis failed on a frame" in record.getMessage()
    finally:
        coach.close()


class _FailingRecorder:
    """A recorder whose writing fails as the real one's does (disk full, the encoder): it keeps its errors."""

    def __init__(self, folder):
        self.folder, self.errors, self.stopped = folder, [], False

    def write(self, frame_bgr, result, step_id):
        return True

    def log(self, result, step_id):
        pass

    def stop(self, extra=None):
        self.stopped = True


def test_a_recording_problem_is_said_in_plain_words(tmp_path):
    coach = _coach("effleurage_good")
    recorder = _FailingRecorder(tmp_path)
    try:
        frames = _frames("effleurage_good", 3)
        coach.process(*next(frames))
        coach.command("record", lambda frame_wh, calibration, c: recorder)
        coach.process(*next(frames))
        assert coach.snapshot().recording == str(tmp_path) and coach.snapshot().recording_problem is None
        recorder.errors.append("video: the video encoder could not start (OSError: [Errno 28] No space left on "
                               "device: '/secret/video.mp4'); recording landmarks and events only")
        assert coach.snapshot().recording_problem == VIDEO_NOT_SAVED
        recorder.errors.append("cannot write the recording: No space left on device")
        assert coach.snapshot().recording_problem == RECORDING_NOT_SAVED
    finally:
        coach.close()


def test_calibration_follows_a_scaled_picture():
    cal = Calibration.from_dict(labels_of("fast_and_slow")["calibration"])
    half = scale_calibration(cal, (1280, 720), (960, 540))
    assert np.allclose(half.corners_px(), cal.corners_px() * 0.75)
    assert scale_calibration(cal, None, (960, 540)) is cal


def test_setup_advice_in_plain_words():
    labels = labels_of("effleurage_good")
    cal = Calibration.from_dict(labels["calibration"])
    w, h = labels["frame_size"]
    frame = next(_frames("effleurage_good", 1))[0]
    assert setup_advice(frame, cal, palm_px=40.0) == []
    dark = (frame * 0.15).astype(np.uint8)
    assert [a.problem for a in setup_advice(dark, cal, palm_px=40.0)] == ["too_dark"]
    assert "No hands seen" in setup_advice(frame, cal, palm_px=None, seconds_without_hands=8)[0].message
    assert setup_advice(frame, cal, palm_px=15.0)[0].problem == "camera_too_far"
    far = Calibration.from_dict({k: [x * 0.2, y * 0.2] for k, (x, y) in cal.to_dict().items()})
    assert setup_advice(frame, far)[0].problem == "camera_too_far"
    out = Calibration.from_dict({k: [x + 0.6 * w, y] for k, (x, y) in cal.to_dict().items()})
    assert "not wholly in view" in setup_advice(frame, out)[0].message


def test_sensitivity_loosens_and_tightens_bounds():
    step = find_routine("deep_tissue").step("deep_strokes")
    assert step.speed.max is not None
    gentle, strict = adjust_step(step, Settings("gentle")), adjust_step(step, Settings("strict"))
    assert gentle.speed.max > step.speed.max > strict.speed.max
    assert adjust_step(step, Settings()) is step
    assert pipeline_config(Settings("strict")).segmenter.zones.spine > pipeline_config(Settings()).segmenter.zones.spine
    assert pipeline_config(Settings(smoothing="strong")).min_cutoff_hz < pipeline_config(Settings()).min_cutoff_hz
    with pytest.raises(ValueError, match="sensitivity"):
        Settings("harsh")


def test_stay_drills_one_step_without_moving_on():
    labels = labels_of("effleurage_good")
    coach = _coach("effleurage_good", stay=True)
    try:
        for frame, t in _frames("effleurage_good"):
            coach.process(frame, t)
        snap = coach.snapshot()
        assert snap.progress.step_id == labels["step"] and not snap.finished and snap.step_index == 0
        assert snap.progress.target is None and snap.progress.done >= 3  # every good stroke counted on the one step
        assert len(coach.routine.steps) == 1
    finally:
        coach.close()


def test_the_detector_is_handed_to_the_next_coach_of_the_session():
    made = []

    def factory():
        from vision.stages.detection import HandDetector
        made.append(HandDetector())
        return made[-1]

    first = _coach("effleurage_good", detector_factory=factory)
    frames = list(_frames("effleurage_good", 20))
    for frame, t in frames[:10]:
        first.process(frame, t)
    second = _coach("effleurage_good", detector=first.hand_over(), detector_factory=factory)
    try:
        assert first.process(*frames[10]) is frames[10][0]  # a handed-over coach passes frames through untouched
        for frame, t in frames[10:]:
            second.process(frame, t)
        assert len(made) == 1 and second.snapshot().error is None
        assert second.snapshot().hands_on_back == 2
    finally:
        second.close()


def test_a_recording_is_closed_when_the_camera_stops(tmp_path):
    """The tab closed or the camera stopped mid-recording: the watchdog closes the recording properly."""
    from vision.files.recording import Recorder, open_recording

    coach = _coach("effleurage_good")
    try:
        frames = _frames("effleurage_good", 45)
        for _ in range(5):
            coach.process(*next(frames))

        def factory(frame_wh, calibration, c):
            return Recorder(calibration, routine="swedish", step_id=c.session.current.id, root=tmp_path,
                            frame_wh=frame_wh, blur_faces=False)

        coach.command("record", factory)
        for frame, t in frames:
            coach.process(frame, t)
        assert coach.snapshot().recording is not None
        deadline = time.monotonic() + 10
        while coach.snapshot().recording is not None:  # no more frames come
            assert time.monotonic() < deadline, "the recording was never closed"
            time.sleep(0.2)
        rec = open_recording(coach.snapshot().last_recording)
        assert rec.status == "complete"
        assert rec.session.frames == 40 and "camera stopped" in rec.session.extra["stopped"]
        assert rec.session.extra["live"]["frames"] == 45
    finally:
        coach.close()


def _live_and_rejudged(tmp_path, start: int, stop: int | None, resize=None) -> tuple[list, list, object]:
    """The wrong-way clip through the coach, recorded from frame ``start`` to ``stop`` (None: its end),
    each frame passed through ``resize`` first; (live events, re-judged events, the recording)."""
    from vision.files.recording import Recorder, open_recording
    from vision.run.analyze import rejudge

    name = "effleurage_wrong_way"
    labels = labels_of(name)
    coach = _coach(name, stay=True)
    try:
        def factory(frame_wh, calibration, c):
            return Recorder(calibration, routine=labels["routine"], step_id=c.session.current.id, root=tmp_path,
                            frame_wh=frame_wh, blur_faces=False)

        for i, (frame, t) in enumerate(_frames(name)):
            if i == start:
                coach.command("record", factory)
            if i == stop:
                coach.command("stop_recording")
            frame = resize(i, frame) if resize else frame
            coach.process(frame, t)
        if stop is None:
            coach.command("stop_recording")
            coach.process(frame, t + 0.04)
        rec = open_recording(coach.snapshot().last_recording)
    finally:
        coach.close()
    live = sorted((e.kind, e.hand, e.t_start, e.t_end, tuple(v.name for v in e.verdicts))
                  for e in rec.events() if isinstance(e, EventLine))
    again = rejudge(rec.folder, step=find_routine(labels["routine"]).step(labels["step"]))
    replayed = sorted((e.kind, e.hand, e.t_start, e.t_end, tuple(v.name for v in e.verdicts))
                      for e in again.report.events)
    return live, replayed, rec


def test_a_recording_made_mid_session_re_judges_exactly_as_it_was_judged_live(tmp_path):
    """Recording starts and stops while both hands are mid-stroke: what the live page judged over the
    recording is what re-judging its landmarks gives, event for event."""
    live, replayed, _ = _live_and_rejudged(tmp_path, 95, 420)
    assert live == replayed
    assert any("wrong_direction" in v for *_, v in live)
    assert not any(n in ("one_hand_missing", "too_fast") for *_, v in live for n in v), live


def test_a_recording_whose_picture_changes_size_re_judges_as_it_was_judged_live(tmp_path):
    """WebRTC scales the camera's picture down under load: the live judging restarts there with the calibration
    scaled; the landmarks file keeps each frame's size, so the re-judged recording does the same, event for event
    (before, the scaled landmarks were re-judged with the full-size calibration: strokes on the spine, off the back)."""
    import cv2

    # two thirds of its size from frame 200 on, as the browser sends it under load
    def smaller(i, frame):
        return cv2.resize(frame, (432, 324), interpolation=cv2.INTER_AREA) if i >= 200 else frame

    live, replayed, rec = _live_and_rejudged(tmp_path, 5, None, smaller)
    sizes = [json.loads(line).get("wh") for line in rec.landmarks_path.read_text().splitlines()]
    assert sizes[0] == [640, 480] and sizes[-1] == [432, 324]
    assert replayed == live
    flags = {n for *_, names in live for n in names if n != "ok"}
    assert flags == {"wrong_direction"}, live


@pytest.mark.parametrize("rate", [5.0, 10.0, 15.0])
def test_live_judges_what_it_received_as_the_command_line_does(tmp_path, rate):
    """A busy machine hands the coach only some of the camera's frames, at uneven gaps (and now and then
    none for a quarter of a second): the coach's verdicts are the command line's on those same frames
    (a video of them with their own timestamps, which the coach is fed too), at any rate from 5
    frames/s up, and the wrong-way stroke is flagged."""
    from vision.files.calibration import load_calibration_file
    from vision.files.video import H264Writer
    from vision.run.analyze import analyze

    name = "effleurage_wrong_way"
    labels = labels_of(name)
    rng = np.random.default_rng(int(rate))
    video = tmp_path / "received.mp4"
    next_t = 0.0
    with H264Writer(video, 30, tuple(labels["frame_size"]), crf=18, fragmented=True) as writer:
        for frame, t in _frames(name):
            if t + 1e-6 < next_t:
                continue  # dropped: the coach was busy
            writer.write(frame, t)
            gap = 0.25 if rng.random() < 0.05 else rng.uniform(0.6, 1.4) / rate
            next_t = t + gap
    coach = _coach(name, stay=True)  # drilling the step, as the command line's --step judges it
    with VideoReader(video) as reader:
        for frame, t in reader:
            coach.process(frame, t)
    live = coach.snapshot()
    coach._runner.finish()  # the stream ends: the motions under way are judged, as at the end of a video

    def verdicts(events):
        return sorted((e.event.kind, e.hand, round(e.event.t_start, 2), round(e.event.t_end, 2),
                       tuple(v.name for v in e.verdicts)) for e in events)

    live_events = verdicts(coach._runner.events)
    coach.close()
    cal = load_calibration_file(SAMPLES / f"{name}.json", tuple(labels["frame_size"]), name).calibration
    routine = find_routine(labels["routine"])
    # one detector over the frames in order, as the live page runs it: the same events, to the frame
    cli = analyze(video, cal, labels["step"], routine=routine, annotate=False, workers=1)
    assert live_events == verdicts(cli.events)
    # the default, one detector per stretch of the video: MediaPipe's tracking starts afresh at the seam,
    # which at these low rates can move a stroke's end, or split or join one there; the flags are the same
    parallel = verdicts(analyze(video, cal, labels["step"], routine=routine, annotate=False).events)
    assert abs(len(parallel) - len(live_events)) <= 1
    assert sorted(v for e in parallel for v in e[4] if v != "ok") == ["wrong_direction"]
    assert [f.name for f in live.flags] == ["wrong_direction"]
    assert len(live_events) >= (12 if rate < 10 else 22)


def test_the_page_is_told_when_the_hands_cannot_be_seen_and_says_so():
    """The dark clip through the coach at 15 frames/s: while the lamp is all but out the snapshot says both
    hands cannot be seen (too dark), a cue says it once, no flag is raised then; once the light is back it
    clears."""
    from vision.core.types import Unsure

    coach = _coach("dark_stretch", stay=True)
    seen, cues = [], []
    try:
        for i, (frame, t) in enumerate(_frames("dark_stretch", 420)):
            if i % 2:
                continue
            coach.process(frame, t)
            snap = coach.snapshot()
            seen.append((t, snap.unsure, snap.flags_total))
            if (cue := coach.take_cue()) is not None:
                cues.append(cue)
    finally:
        coach.close()
    dark = [(t, n) for t, u, n in seen if Unsure(None, "dark") in u]
    assert dark and dark[0][0] < 8.5 and dark[-1][0] > 11.5  # the labels' dark stretch: 7.3 to 12.4 s
    assert dark[0][1] == dark[-1][1]  # no flag raised meanwhile
    assert not seen[-1][1]  # light again (13-14 s): judged again
    unsure_cues = [c for c in cues if c.kind == "unsure"]
    assert unsure_cues and unsure_cues[0].text == "Too dark to see your hands"

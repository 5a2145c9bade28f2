"""Recordings: a sample clip recorded live through the real pipeline, re-judged from its landmarks, cut off by
a crash, and faces blurred."""
from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from tests.helpers import QUIET_ENV, ROOT, SAMPLES
from vision.core.types import FrameResult
from vision.files.calibration import load_calibration_file
from vision.files.events import EventLine, FlagLine, StepLine
from vision.files.landmarks import landmarks_line
from vision.files.recording import (
    RECORDINGS_ENV,
    FaceBlurrer,
    Recorder,
    RecordingError,
    blur_regions,
    default_root,
    find_recordings,
    list_recordings,
    open_recording,
    read_events,
    read_landmarks,
)
from vision.files.video import VideoReader
from vision.judging.pipeline import Pipeline
from vision.judging.routines import find_routine
from vision.run.analyze import analyze, rejudge

CLIP = SAMPLES / "effleurage_wrong_way.mp4"
LABELS = SAMPLES / "effleurage_wrong_way.json"
# the right hand's wrong-way glide ends at frame 314: enough to hold it, and to keep the test short
N_FRAMES = 330


def event_key(je):
    return (je.event.kind, je.hand, round(je.event.t_start, 6), round(je.event.t_end, 6),
            tuple(v.name for v in je.verdicts), je.flagged_at)


def decode(path: Path) -> list[tuple[np.ndarray, float]]:
    with VideoReader(path) as r:
        return list(r)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The clip's first N_FRAMES frame by frame through a real Pipeline, recorded as the app records."""
    root = tmp_path_factory.mktemp("recordings")
    cal = load_calibration_file(LABELS).calibration
    routine = find_routine(json.loads(LABELS.read_text())["routine"])
    step = routine.step("effleurage")
    pipeline = Pipeline(cal, step)
    events, flags, times, frames = [], [], [], []
    with Recorder(cal, routine=routine, step_id=step.id, root=root, settings={"model_complexity": 0},
                  max_pending_frames=N_FRAMES) as rec:  # the test must not drop frames on a busy machine
        with VideoReader(CLIP, max_frames=N_FRAMES) as reader:
            for frame, t_s in reader:
                result = pipeline.process_frame(frame, t_s)
                rec.write(frame, result, step.id)
                events += result.finished
                flags += result.flags
                times.append(t_s)
                if len(frames) < 12:
                    frames.append(frame.copy())
        last = pipeline.finish()
        rec.log(last, step.id)
        events += last.finished
        flags += last.flags
        pipeline.close()
        stopped = rec.stop(extra={"fps": 30.0, "score": 50})
    assert rec.stop() is stopped  # a second stop (and the with block's) changes nothing
    return {"rec": stopped, "events": events, "flags": flags, "times": times, "frames": frames, "cal": cal,
            "routine": routine, "step": step, "recorder": rec}


def test_complete_recording_opens_and_its_video_plays(live):
    rec = live["rec"]
    assert rec.status == "complete" and rec.frame_wh == (640, 480)
    s = rec.session
    assert s.frames == N_FRAMES and s.video_frames == N_FRAMES and s.dropped_frames == 0
    assert s.routine == "Swedish massage" and s.step == "effleurage" and s.blur_faces is True
    assert s.settings.model_dump() == {"model_complexity": 0} and s.extra == {"fps": 30.0, "score": 50}
    assert s.calibration.to_dict() == live["cal"].to_dict() and rec.calibration == live["cal"]
    assert s.started_at[-6] in "+-" and s.ended_at and s.errors == []
    assert s.duration_s == pytest.approx(N_FRAMES / 30, abs=0.01) and s.fps == pytest.approx(30.0)

    with av.open(str(rec.video)) as c:
        cc = c.streams.video[0].codec_context
        assert cc.name == "h264" and cc.pix_fmt == "yuv420p"
    data = rec.video.read_bytes()
    assert b"moof" in data and data.find(b"moov") < data.find(b"moof"), "expected a fragmented MP4"
    decoded = decode(rec.video)
    assert len(decoded) == N_FRAMES and decoded[0][0].shape == (480, 640, 3)
    # frame times are the frames' own, video time 0 at the first frame
    assert np.allclose([t for _, t in decoded], np.array(live["times"]) - live["times"][0], atol=1e-4)
    # the raw frames, not an overlay: close to the source up to compression
    for (got, _), want in zip(decoded[:12:5], live["frames"][::5]):
        assert np.mean(cv2.absdiff(got, want)) < 3.0

    lines = rec.landmarks_path.read_text().splitlines()
    assert len(lines) == N_FRAMES
    got = list(rec.frames())
    assert [i for i, _, _ in got] == list(range(N_FRAMES))
    assert [t for _, t, _ in got] == live["times"]
    assert any(len(h) == 2 for _, _, h in got)


def test_events_file_holds_every_event_and_flag(live):
    lines = read_events(live["rec"].events_path)
    assert lines[0] == StepLine(type="step", t=0.0, frame=0, step="effleurage")
    evs = [d for d in lines if isinstance(d, EventLine)]
    fls = [d for d in lines if isinstance(d, FlagLine)]
    assert {d.type for d in lines} == {"step", "event", "flag"}
    assert len(evs) == len(live["events"]) >= 10 and len(fls) == len(live["flags"]) >= 1
    want = sorted((je.event.kind, je.hand, round(je.event.t_start, 3), tuple(v.name for v in je.verdicts))
                  for je in live["events"])
    assert sorted((d.kind, d.hand, d.t_start, tuple(v.name for v in d.verdicts)) for d in evs) == want
    assert all(d.step == "effleurage" for d in evs + fls)
    assert any(d.verdict == "wrong_direction" and d.message for d in fls)


def test_rejudge_gives_exactly_the_live_verdicts(live, tmp_path):
    rec = live["rec"]
    assert any(v.name == "wrong_direction" for je in live["events"] for v in je.verdicts), "nothing to compare"
    res = rejudge(rec.folder, None, live["step"], routine=live["routine"], out_dir=tmp_path / "again")
    assert sorted(map(event_key, res.events)) == sorted(map(event_key, live["events"]))
    assert res.frames == N_FRAMES and res.elapsed_s < 10
    report = json.loads((tmp_path / "again" / "report.json").read_text())
    assert report["step"] == "effleurage" and report["frame_size"] == [640, 480] and report["rejudged"]
    assert len(report["events"]) == len(live["events"])
    assert (tmp_path / "again" / "strokes.csv").read_text().count("\n") == len(live["events"]) + 1
    # the same landmarks, given as a file, with the calibration given
    res2 = rejudge(rec.landmarks_path, live["cal"], live["step"], routine=live["routine"])
    assert sorted(map(event_key, res2.events)) == sorted(map(event_key, live["events"]))
    # re-judged landmarks are the recorded ones, line for line
    assert (tmp_path / "again" / "landmarks.jsonl").read_text() == rec.landmarks_path.read_text()


def test_rejudge_follows_a_routine_and_draws_over_the_recorded_video(live, tmp_path):
    res = rejudge(live["rec"].folder, step=None, routine=live["routine"], out_dir=tmp_path / "o", annotate=True)
    assert res.report.step is None and res.report.steps and "score" in res.report.model_dump()
    assert len(decode(tmp_path / "o" / "annotated.mp4")) == N_FRAMES


def test_rejudge_refuses_to_overwrite_its_source(live):
    with pytest.raises(ValueError, match="choose another folder"):
        rejudge(live["rec"].folder, step=live["step"], out_dir=live["rec"].folder)


def test_truncated_files_still_open(live, tmp_path):
    """A crash at an arbitrary byte: the video plays up to its last whole fragment, landmarks to the last line."""
    src = live["rec"].folder
    cut = tmp_path / src.name
    shutil.copytree(src, cut)
    s = json.loads((cut / "session.json").read_text())
    s["status"] = "recording"  # what a crash leaves
    for k in ("frames", "video_frames", "dropped_frames", "duration_s", "ended_at"):
        s.pop(k)
    (cut / "session.json").write_text(json.dumps(s))
    video = (cut / "video.mp4").read_bytes()
    (cut / "video.mp4").write_bytes(video[: int(len(video) * 0.6)])
    lm = (cut / "landmarks.jsonl").read_bytes()
    at = int(len(lm) * 0.7)
    (cut / "landmarks.jsonl").write_bytes(lm[:at])
    whole_lines = lm[:at].count(b"\n")
    ev = (cut / "events.jsonl").read_bytes()
    (cut / "events.jsonl").write_bytes(ev[: len(ev) // 2 + 7])

    rec = open_recording(cut)
    assert rec.status == "interrupted" and rec.video is not None
    assert len(list(rec.frames())) == whole_lines
    assert len(rec.events()) == ev[: len(ev) // 2 + 7].count(b"\n")
    decoded = decode(rec.video)
    # 60% of the bytes hold well over a third of the frames (a fragment is a second of video)
    assert len(decoded) >= 0.4 * N_FRAMES
    res = rejudge(cut, step=live["step"], routine=live["routine"])
    assert res.frames == whole_lines and any("interrupted" in w for w in res.report.warnings)


CRASH_SCRIPT = r"""
import sys, time
from vision.core.backframe import Calibration
from vision.files.calibration import load_calibration_file
from vision.core.types import FrameResult
from vision.files.recording import Recorder
from vision.files.video import VideoReader
rec = Recorder(load_calibration_file(sys.argv[1]).calibration, step_id="effleurage", root=sys.argv[3], blur_faces=False)
print(rec.folder, flush=True)
start = time.monotonic()
with VideoReader(sys.argv[2]) as reader:
    for n, (frame, t) in enumerate(reader, 1):
        time.sleep(max(0.0, start + t - time.monotonic()))  # as a camera delivers them: 30 frames/s
        rec.write(frame, FrameResult.empty(t), "effleurage")
        print(n, flush=True)
time.sleep(60)
"""


def test_killed_recorder_loses_at_most_about_a_second(tmp_path):
    """The process recording is killed (SIGKILL) mid-session: the recording opens as interrupted and keeps all
    but about the last second of frames."""
    script = tmp_path / "crash.py"
    script.write_text(CRASH_SCRIPT)
    proc = subprocess.Popen([sys.executable, str(script), str(LABELS), str(CLIP), str(tmp_path / "recs")],
                            cwd=ROOT, env={**QUIET_ENV, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True)
    try:
        folder = Path(proc.stdout.readline().strip())
        written = 0
        deadline = time.monotonic() + 30
        while written < 110 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            written = int(line)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert written >= 110, "the recording process did not get going"
    rec = open_recording(folder)
    assert rec.status == "interrupted"
    frames = list(rec.frames())
    assert written - 30 <= len(frames) <= written + 1
    assert [i for i, _, _ in frames] == list(range(len(frames)))
    decoded = decode(rec.video)
    assert written - 40 <= len(decoded) <= written + 1, (written, len(decoded))
    assert decoded[0][0].shape == (480, 640, 3)


def test_a_busy_encoder_drops_video_frames_never_landmarks(tmp_path):
    with VideoReader(CLIP, max_frames=3) as r:
        frame = next(iter(r))[0]
    rec = Recorder(load_calibration_file(LABELS).calibration, step_id="effleurage", root=tmp_path, blur_faces=False,
                   max_pending_frames=2)
    slowest = 0.0
    for i in range(90):
        t0 = time.perf_counter()
        rec.write(frame, FrameResult.empty(i / 30), None)
        slowest = max(slowest, time.perf_counter() - t0)
    out = rec.stop()
    assert slowest < 0.05, f"write() blocked the frame callback for {slowest * 1000:.0f} ms"
    s = out.session
    assert s.frames == 90 and s.dropped_frames > 0 and s.video_frames + s.dropped_frames == 90
    assert len(list(out.frames())) == 90
    decoded = decode(out.video)
    assert len(decoded) == s.video_frames
    assert set(np.round([t for _, t in decoded], 3)) <= set(np.round(np.arange(90) / 30, 3))
    assert rec.write(frame, FrameResult.empty(5.0)) is False  # stopped: ignored


def test_blur_regions_blurs_inside_and_leaves_the_rest():
    rng = np.random.default_rng(1)
    frame = rng.integers(0, 256, (120, 160, 3), dtype=np.uint8)
    before = frame.copy()
    boxes = [(10, 20, 60, 80), (140, 100, 200, 150)]  # the second runs off the frame
    out = blur_regions(frame, boxes)
    assert np.array_equal(frame, before), "the input must not change"
    inside = np.zeros((120, 160), bool)
    inside[20:80, 10:60] = True
    inside[100:120, 140:160] = True
    assert np.array_equal(out[~inside], frame[~inside])
    for y0, y1, x0, x1 in ((20, 80, 10, 60), (100, 120, 140, 160)):
        region, orig = out[y0:y1, x0:x1].astype(float), frame[y0:y1, x0:x1].astype(float)
        # detail gone: neighbouring pixels nearly alike, where the noise had them ~85 apart
        assert np.abs(np.diff(region, axis=1)).mean() < 0.15 * np.abs(np.diff(orig, axis=1)).mean()
        assert abs(region.mean() - orig.mean()) < 10  # blurred, not blacked out
    assert np.array_equal(blur_regions(frame, []), frame)
    with pytest.raises(ValueError, match="BGR uint8"):
        blur_regions(frame[:, :, 0], boxes)


def draw_face(img: np.ndarray, cx: int, cy: int, s: int) -> np.ndarray:
    """A cartoon face: skin ellipse, hair, eyes with pupils, brows, nose, mouth."""
    cv2.ellipse(img, (cx, cy), (int(0.75 * s), s), 0, 0, 360, (140, 175, 225), -1)
    cv2.ellipse(img, (cx, cy - int(0.55 * s)), (int(0.78 * s), int(0.5 * s)), 0, 180, 360, (30, 40, 60), -1)
    for dx in (-1, 1):
        ex, ey = cx + dx * int(0.32 * s), cy - int(0.12 * s)
        cv2.ellipse(img, (ex, ey), (int(0.16 * s), int(0.08 * s)), 0, 0, 360, (255, 255, 255), -1)
        cv2.circle(img, (ex, ey), int(0.06 * s), (40, 30, 20), -1)
        cv2.line(img, (ex - int(0.18 * s), ey - int(0.18 * s)), (ex + int(0.18 * s), ey - int(0.2 * s)),
                 (40, 50, 70), max(2, int(0.05 * s)))
    cv2.line(img, (cx, cy - int(0.05 * s)), (cx - int(0.06 * s), cy + int(0.25 * s)), (100, 130, 180),
             max(2, int(0.04 * s)))
    cv2.ellipse(img, (cx, cy + int(0.45 * s)), (int(0.25 * s), int(0.08 * s)), 0, 0, 360, (80, 80, 170), -1)
    return cv2.GaussianBlur(img, (5, 5), 0)


def sharpness(img: np.ndarray) -> float:
    return float(cv2.Laplacian(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), cv2.CV_64F).var())


def test_face_detector_finds_and_blurs_a_face(live):
    face = draw_face(np.full((480, 640, 3), 200, np.uint8), 420, 200, 70)
    blurrer = FaceBlurrer()
    try:
        boxes = blurrer.detect(face)
        assert len(boxes) == 1
        x0, y0, x1, y1 = boxes[0]
        assert x0 < 420 - 30 and x1 > 420 + 30 and y0 < 200 - 40 and y1 > 200 + 40, boxes  # the face, enlarged
        out = blurrer(face)
        assert sharpness(out[y0:y1, x0:x1]) < 0.2 * sharpness(face[y0:y1, x0:x1])
        keep = np.ones(face.shape[:2], bool)
        keep[y0:y1, x0:x1] = False
        assert np.array_equal(out[keep], face[keep])
        for frame in live["frames"][:3]:  # real frames: runs, returns boxes inside the frame
            for b in blurrer.detect(frame):
                assert 0 <= b[0] < b[2] <= 640 and 0 <= b[1] < b[3] <= 480
    finally:
        blurrer.close()


def test_recorded_video_has_faces_blurred_unless_asked_not_to(tmp_path):
    face = draw_face(np.full((480, 640, 3), 200, np.uint8), 320, 240, 80)
    box = (slice(240 - 40, 240 + 40), slice(320 - 45, 320 + 45))  # eyes, brows, nose, mouth
    cal = load_calibration_file(LABELS).calibration
    sharp = {}
    for blur in (True, False):
        with Recorder(cal, step_id="effleurage", root=tmp_path / str(blur), blur_faces=blur) as rec:
            for i in range(8):
                rec.write(face, FrameResult.empty(i / 30))
        out = open_recording(rec.folder)
        decoded = decode(out.video)
        assert len(decoded) == 8
        sharp[blur] = max(sharpness(f[box]) for f, _ in decoded)
        assert (out.session.frames_with_faces_blurred or 0) == (8 if blur else 0)
    assert sharp[True] < 0.2 * sharp[False], sharp
    assert out.session.blur_faces is False


def test_not_a_recording_gives_a_clear_error(tmp_path, live):
    with pytest.raises(RecordingError, match="no such folder"):
        open_recording(tmp_path / "nope")
    (tmp_path / "plain").mkdir()
    with pytest.raises(RecordingError) as e:
        open_recording(tmp_path / "plain")
    assert str(e.value) == (f"{tmp_path / 'plain'} is not a recording: session.json missing; "
                            "pick a folder made by Stroke Coach's recorder")
    (tmp_path / "afile").write_text("x")
    with pytest.raises(RecordingError, match="is not a recording: it is a file"):
        open_recording(tmp_path / "afile")
    bad = tmp_path / "badjson"
    bad.mkdir()
    (bad / "session.json").write_text('{"format": "stroke-coach-rec')
    with pytest.raises(RecordingError, match="session.json: invalid JSON"):
        open_recording(bad)
    other = tmp_path / "other"
    other.mkdir()
    (other / "session.json").write_text('{"name": "something else"}')
    with pytest.raises(RecordingError, match="is not a recording: session.json is not a Stroke Coach session"):
        open_recording(other)
    with pytest.raises(RecordingError, match="session.json missing"):
        rejudge(tmp_path / "plain", step=live["step"])
    # a damaged line in the middle (not a crash's cut-off last line) is named
    broken = tmp_path / "broken.jsonl"
    lines = live["rec"].landmarks_path.read_text().splitlines()
    broken.write_text("\n".join(lines[:3] + ["{oops"] + lines[4:6]) + "\n")
    with pytest.raises(RecordingError, match="line 4 is damaged"):
        list(read_landmarks(broken))


def test_list_recordings_newest_first_skipping_other_folders(tmp_path, monkeypatch):
    cal = load_calibration_file(LABELS).calibration
    names = []
    for _ in range(2):
        with Recorder(cal, step_id="effleurage", root=tmp_path, blur_faces=False) as rec:
            pass
        names.append(rec.folder.name)
    assert names[0] != names[1]  # the same second gets "-2"
    (tmp_path / "notes").mkdir()
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "session.json").write_text("not json")
    found = list_recordings(tmp_path)
    assert [r.name for r in found] == sorted(names, reverse=True)
    (junk,) = [d for d, _ in find_recordings(tmp_path).damaged]  # named, for a page to say so; "notes" is no recording
    assert junk == tmp_path / "junk" and find_recordings(tmp_path).damaged[0][1].startswith(
        f"{junk}: session.json: invalid JSON at line 1, column 1")
    assert all(r.status == "complete" and r.video is None and r.session.frames == 0 for r in found)
    assert list_recordings(tmp_path / "none") == []
    monkeypatch.setenv(RECORDINGS_ENV, str(tmp_path))
    assert default_root() == tmp_path and len(list_recordings()) == 2
    monkeypatch.delenv(RECORDINGS_ENV)
    monkeypatch.delenv("STROKE_COACH_DATA", raising=False)
    assert default_root() == ROOT / "data" / "recordings"  # where the app and the README put them


def test_landmarks_lines_are_the_analysis_format(live):
    first = live["rec"].landmarks_path.read_text().splitlines()[0]
    d = json.loads(first)
    assert set(d) == {"frame", "t", "hands", "wh", "light"} and d["frame"] == 0 and d["wh"] == [640, 480]
    assert 60 < d["light"] < 255  # the clip's lit back (a re-judging needs it to know when it was too dark)
    assert landmarks_line(0, FrameResult.empty(0.0)) == '{"frame":0,"t":0.0,"hands":[]}'


def test_analyze_and_the_live_recording_go_through_the_same_loop(live, tmp_path):
    """analyze() over the same frames finds the same hands, line for line, and judges them as rejudge does."""
    n = 120
    res = analyze(CLIP, live["cal"], live["step"], routine=live["routine"], out_dir=tmp_path / "a", annotate=False,
                  max_frames=n)
    lines = (tmp_path / "a" / "landmarks.jsonl").read_text().splitlines()
    assert lines == live["rec"].landmarks_path.read_text().splitlines()[:n]
    again = rejudge(tmp_path / "a" / "landmarks.jsonl", live["cal"], live["step"], routine=live["routine"])
    assert res.events and sorted(map(event_key, again.events)) == sorted(map(event_key, res.events))
    assert again.report.frame_size == () and again.report.events == res.report.events

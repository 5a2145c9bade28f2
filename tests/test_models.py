"""The file models: report.json, session.json and the calibration file; their JSON Schemas; their messages."""
from __future__ import annotations

import json
from pathlib import Path
from typing import get_args

import numpy as np
import pytest

from tests.helpers import SAMPLES, labels_of, run_cli, sample_clips
from vision.core.backframe import LANE_NAMES, Calibration, CalibrationError
from vision.core.types import OK, Flag, FrameResult, JudgedEvent, MotionEvent, Verdict
from vision.files.calibration import load_calibration_file, parse_calibration, save_calibration_file
from vision.files.events import EventLine, FlagLine, StepLine, dumps, event_line, flag_line, read_events, step_line
from vision.files.jsonl import RecordingError
from vision.files.landmarks import LandmarksLine, landmarks_line, read_landmark_frames
from vision.files.report import (
    Lane,
    Report,
    ReportError,
    build_report,
    event_dict,
    read_report,
    write_report,
)
from vision.files.schemas import MODELS, schema, schema_text, write_schemas
from vision.files.session import FORMAT, SESSION_FILE, SessionInfo, read_session, write_session
from vision.judging.settings import Settings

DOCS_SCHEMAS = Path(__file__).resolve().parent.parent / "docs" / "schemas"
LABELS = SAMPLES / "effleurage_good.json"
CAL = labels_of("effleurage_good")["calibration"]
WRONG = Verdict("wrong_direction", "Stroke went down toward the hips; effleurage glides up toward the shoulders")


def motion(kind: str, t0: float, t1: float, direction: str | None = "up", **kw) -> MotionEvent:
    times_s = np.linspace(t0, t1, 11)
    path = np.c_[np.linspace(0.2, 0.8, 11), np.full(11, -0.3)]
    return MotionEvent(kind=kind, track=0, t_start=t0, t_end=t1, times_s=times_s, path_back=path,
                       direction=direction, lane="left", distance=0.6, speed=0.6 / (t1 - t0), **kw)


def events() -> list[JudgedEvent]:
    """One event of each kind, one of them flagged."""
    return [
        JudgedEvent(motion("stroke", 0.5, 1.5, surges=1), 1, (OK,), None),
        JudgedEvent(motion("stroke", 2.0, 3.0, "down", surges=2), 2, (WRONG,), 2.4),
        JudgedEvent(motion("hold", 3.5, 6.0, None), 1, (OK,), None),
        JudgedEvent(motion("circles", 6.5, 9.0, None, count=4, radius=0.08), 1, (OK,), None),
        JudgedEvent(motion("cross_fiber", 9.5, 12.0, "lateral", count=6), 2, (OK,), None),
    ]


STEP = {"step_id": "effleurage", "title": "Effleurage", "technique": "effleurage", "attempt": 1,
        "asked": {"instruction": "Glide up.", "target": 3, "unit": "strokes"}, "done": 1, "complete": False,
        "flags": {"wrong_direction": 1}, "events": 2, "ok_events": 1, "score": 50, "started_s": 0.0, "ended_s": None}
INSTRUCTION = {**STEP, "step_id": "prepare", "title": "Prepare", "technique": "instruction",
               "asked": {"instruction": "Lie down.", "target": 10.0, "unit": "s"}, "done": 10.0, "complete": True,
               "flags": {}, "events": 0, "ok_events": 0, "score": None, "started_s": 0.0, "ended_s": 10.0}


def report(**kw) -> Report:
    return build_report(events(), video="clip.mp4", fps=30.0, frame_size=(640, 480), duration_s=12.5,
                        routine="Swedish massage", step=kw.pop("step", "effleurage"), calibration=CAL,
                        warnings=["a warning"], **kw)


# -- report.json ------------------------------------------------------------------------------------------------


def test_report_json_leaves_out_what_does_not_apply():
    d = json.loads(report().to_json())
    assert list(d) == ["video", "fps", "frame_size", "duration_s", "routine", "step", "calibration", "warnings",
                       "events", "unsure", "summary"]  # no steps, score, rejudged ... and no nulls for them
    assert d["frame_size"] == [640, 480] and d["calibration"] == CAL
    kinds = {e["kind"]: e for e in d["events"]}
    common = ["kind", "hand", "t_start", "t_end", "duration_s", "direction", "lane", "distance", "speed", "start_uv",
              "end_uv", "flagged_at", "verdicts"]
    assert list(kinds["stroke"]) == [*common, "surges"]
    assert list(kinds["hold"]) == common and kinds["hold"]["direction"] is None  # null where it applies
    assert list(kinds["circles"]) == [*common, "count", "radius", "rate_hz"] and kinds["circles"]["count"] == 4
    assert list(kinds["cross_fiber"]) == [*common, "count"] and kinds["cross_fiber"]["count"] == 6
    assert d["summary"] == {"events": 5, "by_kind": {"circles": 1, "cross_fiber": 1, "hold": 1, "stroke": 2},
                            "by_verdict": {"ok": 4, "wrong_direction": 1}, "flagged": 1}


def test_report_following_the_routine_and_rejudged():
    r = report(step=None, steps=[INSTRUCTION], score=None, routine_finished=False)
    d = json.loads(r.to_json())
    assert d["step"] is None and d["score"] is None and d["routine_finished"] is False  # null: nothing judged yet
    assert d["steps"] == [INSTRUCTION] and "rejudged" not in d and r.following
    assert isinstance(d["steps"][0]["done"], float) and isinstance(STEP["done"], int)
    r = report(step=None, steps=[INSTRUCTION, STEP], score=50, routine_finished=True, rejudged=True,
               time_origin_s=1.25)
    d = json.loads(r.to_json())
    assert list(d)[-5:] == ["steps", "score", "routine_finished", "rejudged", "time_origin_s"]
    assert d["steps"][1] == STEP and d["steps"][1]["done"] == 1 and r.steps[1].asked.target == 3
    assert d["time_origin_s"] == 1.25


def test_a_step_cut_short_says_so_and_the_command_line_prints_it(capsys):
    from types import SimpleNamespace

    from vision.cli import _print_result

    note = "Effleurage was cut short: 1 of 3 strokes done; moved on to Petrissage when your movements became kneading"
    cut = {**STEP, "ended_s": 5.0, "cut_short": True, "moved_on_to": "petrissage", "note": note}
    r = report(step=None, steps=[INSTRUCTION, cut], score=50, routine_finished=False)
    d = json.loads(r.to_json())
    assert d["steps"][1] == cut and "cut_short" not in d["steps"][0]  # written only where it applies
    assert r.cut_short == [note] and report(step=None, steps=[STEP], score=50).cut_short == []
    _print_result(SimpleNamespace(report=r, frames=10, elapsed_s=1.0), Path("out"), video=False)
    out = capsys.readouterr().out
    assert "  step effleurage: 1/3 strokes (cut short), score 50; flags: wrong_direction 1" in out
    assert f"note: {note}" in out


def test_event_dict_is_the_reports_event():
    je = events()[3]
    assert event_dict(je) == json.loads(report().to_json())["events"][3]
    assert json.dumps(event_dict(je))  # plain JSON for events.jsonl


def test_report_reads_back_as_it_was_written(tmp_path):
    r = report(step=None, steps=[INSTRUCTION, STEP], score=50, routine_finished=False)
    jpath, cpath = write_report(r, tmp_path)
    again = read_report(jpath)
    assert again == r and again.to_json() == jpath.read_text()
    assert again.summary.by_verdict["wrong_direction"] == 1 and again.events[1].verdicts[0].name == "wrong_direction"
    rows = cpath.read_text().splitlines()
    assert len(rows) == 6 and rows[4].split(",")[9] == "4"  # circles: count


@pytest.mark.parametrize("edit, fragments", [
    (lambda d: d["events"][1].update(t_start="soon"), ["events[1].t_start: expected a number, found \"soon\""]),
    (lambda d: d["events"][0]["verdicts"][0].update(name="great"), ["events[0].verdicts[0].name: expected 'ok'",
                                                                   'found "great"']),
    (lambda d: d.pop("summary"), ["summary: expected a value, found nothing (it is missing)"]),
    (lambda d: d.update(frame_size={"width": 640, "height": 480}), ["frame_size: expected [width, height] in pixels",
                                                                     'found {"width": 640, "height": 480}']),
    (lambda d: d["summary"]["by_kind"].update(stroke="two"), ["summary.by_kind.stroke: expected a whole number"]),
])
def test_a_hand_edited_report_says_which_field(tmp_path, edit, fragments):
    jpath, _ = write_report(report(), tmp_path)
    d = json.loads(jpath.read_text())
    edit(d)
    jpath.write_text(json.dumps(d))
    with pytest.raises(ReportError) as e:
        read_report(jpath)
    message = str(e.value)
    assert message.startswith(f"{jpath}: ") and "\n" not in message and "analyze" in message
    for f in fragments:
        assert f in message, message


def test_a_damaged_or_missing_report_is_one_line(tmp_path):
    with pytest.raises(ReportError, match="report not found"):
        read_report(tmp_path / "report.json")
    (tmp_path / "report.json").write_text('{"video": ')
    with pytest.raises(ReportError, match="invalid JSON at line 1"):
        read_report(tmp_path / "report.json")
    (tmp_path / "report.json").write_text("[]")
    with pytest.raises(ReportError, match="expected a JSON object"):
        read_report(tmp_path / "report.json")
    (tmp_path / "report.json").write_bytes(b"\x1f\x8b\x08\x00\x00")  # a gzip's first bytes
    with pytest.raises(ReportError) as e:
        read_report(tmp_path / "report.json")
    assert str(e.value) == (f"{tmp_path / 'report.json'}: cannot read the report (byte 1 is not UTF-8 text: it is not "
                            "a JSON file); the report is damaged: write it again with `stroke-coach analyze` (or "
                            "rejudge)")
    (tmp_path / "report.json").write_text("[" * 100_000)
    with pytest.raises(ReportError, match="nested too deeply; the report is damaged"):
        read_report(tmp_path / "report.json")


def test_the_reports_lanes_are_the_pipelines():
    assert set(get_args(Lane)) == set(LANE_NAMES)


# -- session.json -----------------------------------------------------------------------------------------------


def session(**kw) -> dict:
    return {"format": FORMAT, "version": 1, "status": "recording", "routine": "Swedish massage", "step": "effleurage",
            "calibration": CAL, "frame_size": [640, 480], "started_at": "2026-01-31T10:00:00+01:00",
            "settings": {"sensitivity": "strict"}, "blur_faces": False,
            "files": {"video": "video.mp4", "landmarks": "landmarks.jsonl", "events": "events.jsonl"},
            "video_time_base": "1/90000", **kw}


def folder_with(tmp_path: Path, data) -> Path:
    folder = tmp_path / "rec"
    folder.mkdir(exist_ok=True)
    path = folder / SESSION_FILE
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data if isinstance(data, str) else json.dumps(data))
    return folder


def test_a_recorders_session_json_is_the_model(tmp_path):
    from vision.files.recording import Recorder, open_recording

    cal = Calibration.from_dict(CAL)
    rec = Recorder(cal, routine="Swedish massage", step_id="effleurage", root=tmp_path, settings={"smoothing": "strong"},
                   blur_faces=False)
    started = json.loads((rec.folder / SESSION_FILE).read_text())
    assert started["status"] == "recording" and started["frame_size"] is None and "frames" not in started
    assert "fps" not in started and "extra" not in started  # the fields of the stop come at stop
    frame = np.zeros((480, 640, 3), np.uint8)
    for i in range(4):
        rec.write(frame, FrameResult.empty(i / 30))
    out = rec.stop(extra={"score": 80})
    d = json.loads((rec.folder / SESSION_FILE).read_text())
    assert d["frame_size"] == [640, 480] and d["frames"] == 4 and d["extra"] == {"score": 80}
    assert "frames_with_faces_blurred" not in d  # faces were not blurred
    assert out.session == read_session(rec.folder) == SessionInfo.model_validate(d)
    assert out.session.settings.model_dump() == {"smoothing": "strong"} and out.session.calibration.to_calibration() == cal
    assert open_recording(rec.folder).frame_wh == (640, 480)
    assert not list(rec.folder.glob(".*.tmp"))  # written atomically: no temp file left


def test_an_interrupted_session_and_another_writers_fields(tmp_path):
    folder = folder_with(tmp_path, session(camera={"model": "laptop"}))
    info = read_session(folder)
    assert info.status == "recording" and info.frames is None and info.fps is None and info.errors is None
    assert info.model_extra == {"camera": {"model": "laptop"}}  # kept, not fatal ...
    write_session(folder / SESSION_FILE, info)
    assert json.loads((folder / SESSION_FILE).read_text()) == session(camera={"model": "laptop"})  # ... nor lost
    folder = folder_with(tmp_path, {"format": FORMAT, "version": 1, "status": "complete"})  # a bare one still opens
    info = read_session(folder)
    assert info.files.video == "video.mp4" and info.calibration is None and info.settings.model_dump() == {}


def test_the_recorded_settings_are_the_judgings(tmp_path):
    """What a recording was judged with, read back typed; what it leaves out is standard, the caller's others kept."""
    info = read_session(folder_with(tmp_path, session(settings={"sensitivity": "strict", "camera": "front"})))
    assert info.settings.to_settings() == Settings("strict", "standard")
    assert info.settings.model_dump() == {"sensitivity": "strict", "camera": "front"}
    assert read_session(folder_with(tmp_path, session(settings={}))).settings.to_settings() == Settings()


@pytest.mark.parametrize("data, message", [
    ('{"format": ', "session.json: invalid JSON at line 1, column 12: Expecting value; the recording's session.json is "
                    "damaged; its landmarks.jsonl may still be re-judged"),
    ({"name": "x"}, 'is not a recording: session.json is not a Stroke Coach session (expected "format": '
                    '"stroke-coach-recording")'),
    (session(version=2), "recording format version 2, this Stroke Coach reads up to 1; update Stroke Coach"),
    (session(status="paused"), "session.json has status 'paused', expected \"recording\" or \"complete\"; the "
                               "recording is damaged"),
    (session(calibration={**CAL, "top_left": "here"}), "bad calibration in session.json: calibration.top_left: "
                                                       "expected two numbers [x, y]"),
    (session(calibration={**CAL, "top_left": CAL["top_right"], "top_right": CAL["top_left"]}),
     "bad calibration in session.json: "),
    (session(frame_size={"width": 640, "height": 480}), 'session.json: frame_size: expected [width, height] in '
                                                        'pixels, two whole numbers above 0 (e.g. [640, 480]), found '
                                                        '{"width": 640, "height": 480}; the recording\'s '
                                                        "session.json is damaged: fix or remove that field"),
    (session(settings=["strict"]), "session.json: settings: expected an object, found [\"strict\"]"),
    (session(settings={"sensitivity": "srict"}), "session.json: settings.sensitivity: expected 'gentle', 'standard' or "
                                                 "'strict', found \"srict\"; the recording's session.json is damaged: "
                                                 "fix or remove that field"),
    (session(settings={"smoothing": 2}), "settings.smoothing: expected 'light', 'standard' or 'strong', found 2"),
    ({k: v for k, v in session().items() if k != "status"}, "session.json has status None, expected \"recording\" "
                                                             'or "complete"; the recording is damaged: set "status" to '
                                                             '"complete", or delete the recording'),
    (session(calibration={**CAL, "top_left": None}), "calibration.top_left: expected two numbers [x, y] in image "
                                                     "pixels (e.g. [120, 400]), found null; fix the corners in "
                                                     "session.json, or re-judge with a calibration file"),
    ("[1, 2]", "is not a recording: session.json is not a Stroke Coach session"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "session.json: cannot read the session.json (byte 0 is not UTF-8 text: "
                                        "it is not a JSON file); the recording's session.json is damaged"),
    (b"", "session.json: invalid JSON at line 1, column 1: Expecting value"),
])
def test_a_damaged_session_json_says_what_is_wrong(tmp_path, data, message):
    folder = folder_with(tmp_path, data)
    with pytest.raises(RecordingError) as e:
        read_session(folder)
    assert str(e.value).startswith(str(folder)) and message in str(e.value), str(e.value)
    assert "\n" not in str(e.value)


# -- the calibration file -----------------------------------------------------------------------------------------


def test_a_hand_edited_frame_size_is_a_plain_message(tmp_path):
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps({**CAL, "frame_size": {"width": 640, "height": 480}, "saved_at": "today"}))
    with pytest.raises(CalibrationError) as e:
        load_calibration_file(path)
    assert str(e.value) == (f"{path}: frame_size: expected [width, height] in pixels, two whole numbers above 0 "
                            '(e.g. [640, 480]), found {"width": 640, "height": 480}; fix it in the file, or calibrate '
                            "again")


@pytest.mark.parametrize("data, fragment", [
    ({**CAL, "frame_size": [640.5, 480]}, "frame_size: expected [width, height]"),
    ({**CAL, "frame_size": [0, 480]}, "found [0, 480]"),
    ({**CAL, "base_left": [1, True]}, "base_left: expected two numbers [x, y] in image pixels (e.g. [120, 400]), "
                                      "found [1, true]"),
    ({**CAL, "top_right": "412, 143"}, 'top_right: expected two numbers'),
    ({k: v for k, v in CAL.items() if k != "top_left"}, "top_left: expected two numbers [x, y] in image pixels "
                                                        "(e.g. [120, 400]), found nothing (it is missing)"),
    ({**CAL, "saved_at": 20260131}, "saved_at: expected a date and time as text"),
    ({"calibration": {**CAL, "top_left": None}}, "calibration.top_left: expected two numbers"),
    ({"calibration": [1, 2]}, "calibration: expected an object with the four corners"),
    ([CAL], "expected a JSON object with base_left, base_right, top_right, top_left, found list"),
    ({**CAL, "base_left": CAL["base_right"], "base_right": CAL["base_left"], "top_right": CAL["top_left"],
      "top_left": CAL["top_right"]}, "left and right look swapped"),  # the geometry: Calibration's own checks
])
def test_calibration_file_mistakes(data, fragment):
    with pytest.raises(CalibrationError) as e:
        parse_calibration(data, "cal.json")
    assert str(e.value).startswith("cal.json: ") and fragment in str(e.value), str(e.value)


def test_calibration_file_round_trip_and_labels(tmp_path):
    cal = Calibration.from_dict(CAL)
    path = tmp_path / "data" / "calibration.json"
    written = save_calibration_file(path, cal, (640, 480))
    d = json.loads(path.read_text())
    assert list(d) == ["base_left", "base_right", "top_right", "top_left", "frame_size", "saved_at"]
    assert d["frame_size"] == [640, 480] and d["saved_at"] == written.saved_at and d["saved_at"][-6] in "+-"
    saved = load_calibration_file(path)
    assert saved.calibration == cal and saved.frame_wh == (640, 480) and saved.saved_at == written.saved_at
    assert not list(path.parent.glob(".*.tmp"))
    save_calibration_file(path, cal, None, saved_at="now")
    assert json.loads(path.read_text()) == {**cal.to_dict(), "saved_at": "now"}  # no frame_size: left out
    labels = load_calibration_file(LABELS)  # a sample's labels JSON, as --calibration takes it
    assert labels.calibration == cal and labels.frame_wh is None
    with pytest.raises(CalibrationError, match="far outside"):
        load_calibration_file(LABELS, frame_wh=(100, 100))
    with pytest.raises(CalibrationError, match="calibration file not found"):
        load_calibration_file(tmp_path / "nope.json")
    (tmp_path / "bad.json").write_text("{base_left")
    with pytest.raises(CalibrationError, match=r"bad\.json: invalid JSON at line 1"):
        load_calibration_file(tmp_path / "bad.json")


def test_the_command_line_explains_a_hand_edited_calibration(tmp_path):
    path = tmp_path / "cal.json"
    path.write_text(json.dumps({**CAL, "frame_size": {"width": 640, "height": 480}}))
    r = run_cli("analyze", str(SAMPLES / "effleurage_good.mp4"), "--calibration", str(path), "--out",
                str(tmp_path / "o"), "--no-video")
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert r.returncode == 2 and len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert lines[0].startswith(f"error: {path}: frame_size: expected [width, height]")


# -- landmarks.jsonl ----------------------------------------------------------------------------------------------


def landmarks_file(tmp_path: Path, damaged: str | bytes) -> Path:
    """A landmarks.jsonl of four frames whose second line is ``damaged`` (the last line is whole: not a crash's)."""
    good = [landmarks_line(i, FrameResult.empty(i / 30), (640, 480)) for i in range(4)]
    hand = {"score": 0.9, "hand": 1, "landmarks": [[100.0 + i, 200.0] for i in range(21)]}
    good[2] = json.dumps({**json.loads(good[2]), "hands": [hand]})
    raw = damaged if isinstance(damaged, bytes) else damaged.encode()
    path = tmp_path / "landmarks.jsonl"
    path.write_bytes(b"\n".join([good[0].encode(), raw, *(g.encode() for g in good[2:])]) + b"\n")
    return path


HAND = {"score": 0.9, "hand": 1, "landmarks": [[1.0, 2.0]] * 21}


@pytest.mark.parametrize("line, problem", [
    ('{"frame": 1, "t": 0.03, "hands": [{"score": 0.9, "lan', "invalid JSON at column 50: Unterminated string"),
    ('{"frame": 1, "t": "soon", "hands": []}', 't: expected a number, found "soon"'),
    ('{"frame": 1, "t": NaN, "hands": []}', "t: expected a finite number, found NaN"),
    ('{"frame": 1.5, "t": 0.03, "hands": []}', "frame: expected a whole number, found 1.5"),
    ('{"frame": 1, "t": 0.03}', "hands: expected a value, found nothing (it is missing)"),
    (json.dumps({"frame": 1, "t": 0.03, "hands": [{**HAND, "landmarks": [[1.0, 2.0]] * 20}]}),
     "hands[0].landmarks: expected 21 points [x, y] in image pixels, found [[1.0, 2.0], "),
    (json.dumps({"frame": 1, "t": 0.03, "hands": [{**HAND, "score": "high"}]}),
     'hands[0].score: expected a number, found "high"'),
    (json.dumps({"frame": 1, "t": 0.03, "hands": [3]}), "hands[0]: expected an object, found 3"),
    (json.dumps({"frame": 1, "t": 0.03, "hands": [], "wh": {"w": 640, "h": 480}}),
     'wh: expected [width, height] in pixels, two whole numbers above 0 (e.g. [640, 480]), found {"w": 640, "h": 480}'),
    ("[1, 2]", "expected a JSON object (a frame), found [1, 2]"),
    (b"\x00\x9f\x92\x96 ftyp", "invalid JSON at column 1: Expecting value"),
])
def test_a_damaged_landmarks_line_says_which_line_and_field(tmp_path, line, problem):
    path = landmarks_file(tmp_path, line)
    with pytest.raises(RecordingError) as e:
        list(read_landmark_frames(path))
    message = str(e.value)
    assert message.startswith(f"{path}: line 2 is damaged: {problem}") and "\n" not in message, message
    assert message.endswith("; delete that line to re-judge the other frames, or record the session again"), message


def test_landmarks_lines_read_back_as_written(tmp_path):
    path = landmarks_file(tmp_path, landmarks_line(1, FrameResult.empty(1 / 30)))
    frames = list(read_landmark_frames(path))
    assert [f.index for f in frames] == [0, 1, 2, 3] and [f.frame_wh for f in frames] == [(640, 480), None,
                                                                                          (640, 480), (640, 480)]
    (hand,) = frames[2].hands
    assert hand.score == 0.9 and hand.landmarks_px.shape == (21, 2) and hand.landmarks_px[20, 0] == 120.0
    assert LandmarksLine.model_validate_json(path.read_text().splitlines()[2]).hands[0].hand == 1
    cut = path.read_bytes()[:-20]  # a crash in the middle of the last line: that line is left out, not an error
    path.write_bytes(cut)
    assert len(list(read_landmark_frames(path))) == 3


# -- events.jsonl -------------------------------------------------------------------------------------------------


def events_lines() -> list[dict]:
    je = events()[1]  # flagged
    return [step_line(0.0, 0, "effleurage"), event_line(je, 12, "effleurage"),
            flag_line(Flag(2.4, 2, WRONG), 10, "effleurage")]


def test_events_lines_read_back_typed(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text("".join(dumps(d) + "\n" for d in events_lines()))
    step, event, flag = read_events(path)
    assert step == StepLine(type="step", t=0.0, frame=0, step="effleurage")
    assert isinstance(event, EventLine) and event.kind == "stroke" and event.verdicts[0].name == "wrong_direction"
    assert event.model_dump(mode="json") == events_lines()[1] and event.frame == 12
    assert isinstance(flag, FlagLine) and flag.verdict == "wrong_direction" and flag.hand == 2


@pytest.mark.parametrize("edit, problem", [
    (lambda ls: ls.__setitem__(1, dumps(ls_event(t_start="soon"))), 't_start: expected a number, found "soon"'),
    (lambda ls: ls.__setitem__(1, dumps({k: v for k, v in ls_event().items() if k != "lane"})),
     "lane: expected a value, found nothing (it is missing)"),
    (lambda ls: ls.__setitem__(2, ls[2].replace('"wrong_direction"', '"wrong_way"')),
     "verdict: expected 'ok', 'wrong_direction',"),
    (lambda ls: ls.__setitem__(0, dumps({"type": "step", "t": 0.0, "frame": -1, "step": "effleurage"})),
     "frame: expected greater than or equal to 0, found -1"),
    (lambda ls: ls.__setitem__(1, '{"type": "event", "kind": "str'), "invalid JSON at column 27: Unterminated string"),
    (lambda ls: ls.__setitem__(1, '["event"]'), 'expected an object with a "type" ("step", "event", "flag", "moved_on" or "rejudged"), '
                                                'found ["event"]'),
    (lambda ls: ls.__setitem__(1, '{"type": ["event"]}'), 'expected an object with a "type"'),
    (lambda ls: ls.__setitem__(1, "\x00\x01\x02 garbage"), "invalid JSON at column 1: Expecting value"),
])
def test_a_damaged_events_line_says_which_line_and_field(tmp_path, edit, problem):
    lines = [dumps(d) for d in events_lines()]
    edit(lines)
    path = tmp_path / "events.jsonl"
    path.write_text("".join(line + "\n" for line in lines))
    with pytest.raises(RecordingError) as e:
        read_events(path)
    message = str(e.value)
    n = next(i for i, line in enumerate(lines, 1) if line != dumps(events_lines()[i - 1]))
    assert message.startswith(f"{path}: line {n} is damaged: {problem}") and "\n" not in message, message
    assert message.endswith("; delete that line, or record the session again (its landmarks.jsonl re-judges it "
                            "without this file)"), message


def ls_event(**changes) -> dict:
    return {**events_lines()[1], **changes}


# -- the JSON Schemas ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(MODELS))
def test_the_committed_schemas_are_what_the_models_give(name):
    """If this fails, a model changed: run `python -m vision.files.schemas` and commit docs/schemas."""
    committed = DOCS_SCHEMAS / name
    assert committed.is_file(), f"{committed} missing: run python -m vision.files.schemas"
    assert committed.read_text(encoding="utf-8") == schema_text(MODELS[name]), \
        f"{name} is stale: run python -m vision.files.schemas"


def test_the_generator_writes_every_schema(tmp_path):
    written = write_schemas(tmp_path)
    assert sorted(p.name for p in written) == sorted(MODELS)
    assert all(json.loads(p.read_text()) == schema(MODELS[p.name]) for p in written)


def _validator(name: str):
    jsonschema = pytest.importorskip("jsonschema")
    s = json.loads((DOCS_SCHEMAS / name).read_text())
    jsonschema.Draft202012Validator.check_schema(s)
    return jsonschema.Draft202012Validator(s)


def test_written_files_validate_against_their_schemas(tmp_path):
    v = _validator("report.schema.json")
    cut = {**STEP, "cut_short": True, "moved_on_to": "petrissage", "note": "Effleurage was cut short"}
    for r in (report(), report(step=None, steps=[INSTRUCTION, STEP], score=None, routine_finished=True,
                               rejudged=True, time_origin_s=0.5),
              report(step=None, steps=[cut], score=50, routine_finished=False)):
        jpath, _ = write_report(r, tmp_path)
        v.validate(json.loads(jpath.read_text()))
    bad = json.loads(jpath.read_text())
    bad["events"][0]["lane"] = "middle"
    assert not v.is_valid(bad)
    v = _validator("calibration.schema.json")
    save_calibration_file(tmp_path / "calibration.json", Calibration.from_dict(CAL), (640, 480))
    v.validate(json.loads((tmp_path / "calibration.json").read_text()))
    assert not v.is_valid({**CAL, "frame_size": {"width": 640, "height": 480}})
    v = _validator("session.schema.json")
    v.validate(session())
    v.validate(session(status="complete", frames=3, video_frames=3, dropped_frames=0, fps=None, duration_s=0.1,
                       ended_at="2026-01-31T10:01:00+01:00", errors=[], extra={"score": 1}))
    assert not v.is_valid(session(version=2)) and not v.is_valid(session(status="paused"))


@pytest.mark.clips
def test_every_sample_clips_report_validates_and_reads_back(analysed):
    v = _validator("report.schema.json")
    assert set(analysed) == {c.stem for c in sample_clips()}
    for name, folder in analysed.items():
        path = folder / "report.json"
        data = json.loads(path.read_text())
        v.validate(data)
        assert read_report(path).to_json() == path.read_text(), name

"""The command line: its outputs, and a one-line error with exit code 2 for every bad input."""
from __future__ import annotations

import csv
import json

import av
import pytest

from tests.helpers import SAMPLES, run_cli
from vision.files.report import CSV_COLUMNS
from vision.files.video import probe

CLIP = SAMPLES / "effleurage_wrong_way.mp4"
LABELS = SAMPLES / "effleurage_wrong_way.json"
EVENT_KEYS = {"kind", "hand", "t_start", "t_end", "direction", "lane", "distance", "speed", "flagged_at", "verdicts"}


def one_line_error(r, *fragments):
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert "Traceback" not in r.stderr
    for f in fragments:
        assert f in lines[0], lines[0]


@pytest.fixture(scope="module")
def good_cal(tmp_path_factory):
    p = tmp_path_factory.mktemp("cal") / "cal.json"
    p.write_text(json.dumps(json.loads(LABELS.read_text())["calibration"]))
    return p


def test_missing_video(tmp_path, good_cal):
    one_line_error(run_cli("analyze", str(tmp_path / "nope.mp4"), "--calibration", str(good_cal), "--out",
                           str(tmp_path / "o")), "not found")


def test_empty_video(tmp_path, good_cal):
    (tmp_path / "empty.mp4").write_bytes(b"")
    one_line_error(run_cli("analyze", str(tmp_path / "empty.mp4"), "--calibration", str(good_cal), "--out",
                           str(tmp_path / "o")), "empty")


def test_not_a_video(tmp_path, good_cal):
    (tmp_path / "notes.mp4").write_text("these are my notes, not a video\n" * 20)
    one_line_error(run_cli("analyze", str(tmp_path / "notes.mp4"), "--calibration", str(good_cal), "--out",
                           str(tmp_path / "o")), "not a video")


def test_corrupt_video(tmp_path, good_cal):
    data = CLIP.read_bytes()
    bad = tmp_path / "corrupt.mp4"
    bad.write_bytes(data[:200] + bytes(len(data) - 200))  # header kept, the rest zeroed
    one_line_error(run_cli("analyze", str(bad), "--calibration", str(good_cal), "--out", str(tmp_path / "o")),
                   "corrupt.mp4")


@pytest.mark.parametrize("cal, fragment", [
    ({"base_left": [10, 400], "base_right": [600, 400], "top_right": [600, 50]}, "top_left"),
    ({"base_left": [100, 400], "base_right": [200, 300], "top_right": [300, 200], "top_left": [400, 100]}, "line"),
    ({"base_left": [600, 400], "base_right": [10, 400], "top_right": [10, 50], "top_left": [600, 50]}, "swapped"),
    ({"base_left": [10, 400], "base_right": [600, 400], "top_right": [10, 50], "top_left": [600, 50]}, "cross"),
    ({"base_left": [-5000, 400], "base_right": [600, 400], "top_right": [600, 50], "top_left": [10, 50]}, "outside"),
])
def test_bad_calibration(tmp_path, cal, fragment):
    p = tmp_path / "cal.json"
    p.write_text(json.dumps(cal))
    one_line_error(run_cli("analyze", str(CLIP), "--calibration", str(p), "--out", str(tmp_path / "o")), fragment)


def test_calibration_not_json(tmp_path):
    p = tmp_path / "cal.json"
    p.write_text("{base_left: oops")
    one_line_error(run_cli("analyze", str(CLIP), "--calibration", str(p), "--out", str(tmp_path / "o")), "cal.json")


def test_unknown_routine_and_step(tmp_path, good_cal):
    one_line_error(run_cli("analyze", str(CLIP), "--calibration", str(good_cal), "--routine", "swedsh", "--out",
                           str(tmp_path / "o")), "swedish")
    one_line_error(run_cli("analyze", str(CLIP), "--calibration", str(good_cal), "--step", "efleurage", "--out",
                           str(tmp_path / "o")), "effleurage")


def test_report_schema_and_outputs(analysed):
    out = analysed["effleurage_wrong_way"]
    report = json.loads((out / "report.json").read_text())
    for key in ("video", "fps", "frame_size", "duration_s", "routine", "step", "events", "summary"):
        assert key in report
    assert report["frame_size"] == [640, 480] and report["fps"] == pytest.approx(30.0)
    assert report["step"] == "effleurage" and report["routine"] == "Swedish massage"
    assert report["duration_s"] == pytest.approx(json.loads(LABELS.read_text())["duration_s"], abs=0.05)
    assert report["events"], "no events"
    for e in report["events"]:
        assert EVENT_KEYS <= set(e), EVENT_KEYS - set(e)
        assert e["kind"] in ("stroke", "hold", "circles", "cross_fiber")
        assert e["t_start"] < e["t_end"]
        assert e["verdicts"] and all({"name", "message"} <= set(v) for v in e["verdicts"])
    flagged = [e for e in report["events"] if e["flagged_at"] is not None]
    assert report["summary"]["flagged"] == len(flagged) >= 1
    assert sum(report["summary"]["by_kind"].values()) == len(report["events"])
    rows = list(csv.DictReader((out / "strokes.csv").open()))
    assert tuple(rows[0]) == CSV_COLUMNS and len(rows) == len(report["events"])


def test_annotated_video_plays_in_a_browser(analysed):
    out = analysed["effleurage_wrong_way"]
    info = probe(out / "annotated.mp4")
    src = probe(CLIP)
    assert info.frame_wh == src.frame_wh and info.n_frames == src.n_frames
    with av.open(str(out / "annotated.mp4")) as c:
        s = c.streams.video[0]
        assert s.codec_context.name == "h264" and s.codec_context.pix_fmt == "yuv420p"
    data = (out / "annotated.mp4").read_bytes()
    assert data.find(b"moov") < data.find(b"mdat"), "moov atom must come first (faststart) to stream"


def test_landmarks_file_has_every_frame(analysed):
    out = analysed["effleurage_wrong_way"]
    lines = (out / "landmarks.jsonl").read_text().splitlines()
    assert len(lines) == probe(CLIP).n_frames
    first = json.loads(lines[100])
    assert first["frame"] == 100 and first["t"] == pytest.approx(100 / 30, abs=1e-3)
    assert any(len(h["landmarks"]) == 21 for h in first["hands"])


def test_output_folder_that_cannot_be_written(tmp_path, good_cal):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    one_line_error(run_cli("analyze", str(CLIP), "--calibration", str(good_cal), "--out", str(blocker / "o"),
                           "--no-video"), "cannot write")

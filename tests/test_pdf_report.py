"""The student's PDF report (vision.reports.pdf): made from a real analysis of a sample clip, read back with pypdf."""
from __future__ import annotations

import io
import json
from datetime import datetime, timedelta

import pandas as pd
import pytest
from PIL import Image
from pypdf import PdfReader

from tests.helpers import SAMPLES, run_cli
from vision.drawing.diagrams import samples_from_events
from vision.files.calibration import load_calibration_file
from vision.files.report import build_report
from vision.judging.routines import find_routine
from vision.reports.pdf import PdfError, report_score, student_pdf, trend_points, worst_moments

CLIP = SAMPLES / "effleurage_wrong_way.mp4"
WRONG_WAY = "Stroke went down toward the hips"
WHEN = datetime(2026, 11, 30, 10, 0).astimezone()


@pytest.fixture(scope="module")
def analysis(tmp_path_factory):
    """effleurage_wrong_way.mp4 analysed once, following the Swedish routine: (AnalysisResult, out folder)."""
    from vision.run.analyze import analyze

    labels = json.loads(CLIP.with_suffix(".json").read_text())
    cal = load_calibration_file(CLIP.with_suffix(".json"), tuple(labels["frame_size"]), CLIP.stem).calibration
    out = tmp_path_factory.mktemp("pdf") / "wrong_way"
    result = analyze(CLIP, cal, None, routine=find_routine("swedish"), out_dir=out, annotate=False)
    assert result.report.following and result.report.score is not None
    return result, out


def _history(routine: str) -> pd.DataFrame:
    return pd.DataFrame({
        "recording": ["r1", "r2", "r3"],
        "started_at": [pd.Timestamp(WHEN - timedelta(days=d)) for d in (21, 14, 7)],
        "routine": [routine] * 3,
        "score": pd.array([41, 58, 63], dtype="Int64"),
    })


def _text(path) -> str:
    reader = PdfReader(path)
    return "\n".join(p.extract_text() for p in reader.pages)


def _images(path) -> list[Image.Image]:
    return [Image.open(io.BytesIO(img.data)) for p in PdfReader(path).pages for img in p.images]


def test_pdf_has_the_student_routine_score_steps_worst_moment_and_trend(analysis, tmp_path):
    result, _ = analysis
    report = result.report
    pdf = student_pdf(report, student="Ada Lovelace", out=tmp_path / "ada.pdf", video=CLIP,
                      history=_history(report.routine), samples=samples_from_events(result.events), when=WHEN)
    text = _text(pdf)
    assert "Ada Lovelace" in text
    assert "Swedish massage" in text
    assert f"Score: {report.score} out of 100" in text
    assert "Monday 30 November 2026" in text  # the date, in words
    assert "Length 17 s" in text
    for heading in ("Step", "Asked for", "Done", "Score"):
        assert heading in text
    for st in report.steps:
        assert st.title.split()[0] in text
    assert "95 / 100" in text or f"{report.steps[1].score} / 100" in text
    assert WRONG_WAY in text  # the worst moment's flag
    assert "The worst moment" in text and "At 9." in text
    assert "Earlier sessions of Swedish massage: 3, scored 41, 58, 63" in text
    assert f"This session scored {report.score}" in text
    # the timeline, the coverage map, the still at the worst moment and the trend
    images = _images(pdf)
    assert len(images) == 4
    assert all(im.width >= 300 and im.height >= 100 for im in images)


def test_the_still_is_left_out_without_a_video_and_the_trend_without_history(analysis, tmp_path):
    report = analysis[0].report
    pdf = student_pdf(report, student="Ben", out=tmp_path / "ben.pdf")
    text = _text(pdf)
    assert WRONG_WAY in text and "Ben" in text
    assert "No earlier sessions were given" in text
    assert "Date not known" in text
    assert len(_images(pdf)) == 2  # the timeline and the coverage map (drawn from the events' ends)


def test_a_report_with_no_events_still_makes_a_pdf_saying_so(analysis, tmp_path):
    report = analysis[0].report
    empty = build_report([], video=str(CLIP), fps=30.0, frame_size=(640, 480), duration_s=4.0,
                         routine=report.routine, step="effleurage", calibration=report.calibration)
    assert report_score(empty) is None and worst_moments(empty) == []
    pdf = student_pdf(empty, student="Cy", out=tmp_path / "sub" / "cy.pdf", video=CLIP, history=_history("x"))
    reader = PdfReader(pdf)
    assert len(reader.pages) >= 1
    text = _text(pdf)
    assert "No movements were found in this video" in text
    assert "Score: none" in text
    assert "No movements, so no flags." in text
    assert "This is Cy's first scored session" not in text  # no score: nothing to add to the trend


def test_worst_moments_and_trend_points(analysis):
    report = analysis[0].report
    moments = worst_moments(report)
    assert len(moments) == 1 and moments[0].flags[0].name == "wrong_direction"
    assert 8.5 < moments[0].at_s < 10.5
    pts = trend_points(_history(report.routine), report, when=WHEN)
    assert list(pts["score"]) == [41, 58, 63, report.score] and list(pts["this"]) == [False, False, False, True]
    # the session already in the library (by its name): not added twice
    pts = trend_points(_history(report.routine), report, recording="r3")
    assert len(pts) == 3 and list(pts["this"]) == [False, False, True]
    assert trend_points(None, report) is None


def test_an_unwritable_out_is_one_clear_error(analysis, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(PdfError, match="cannot write the PDF report"):
        student_pdf(analysis[0].report, student="Ada", out=blocker / "ada.pdf")


def test_cli_report_from_an_analysis_folder(analysis, tmp_path):
    _, out = analysis
    pdf = tmp_path / "ada.pdf"
    r = run_cli("report", str(out), "--student", "Ada", "--out", str(pdf), "--no-history")
    assert r.returncode == 0, r.stderr
    assert f"wrote {pdf}" in r.stdout
    text = _text(pdf)
    assert "Ada" in text and WRONG_WAY in text
    assert len(_images(pdf)) == 3  # the still comes from the clip the report names
    r = run_cli("report", str(out / "report.json"), "--out", str(pdf))
    assert r.returncode == 2 and "give --student NAME" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("report", str(tmp_path / "nothing"), "--student", "Ada", "--out", str(pdf))
    assert r.returncode == 2 and "no such file or folder" in r.stderr

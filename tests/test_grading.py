"""Grading a class (vision.run.grading, `stroke-coach grade`, the Grade page): real recordings re-judged, a video
tracked with the calibration beside it, a video without one and a corrupt file with their reasons; the CSV's rows,
the library's rows, skipped when graded again; on a real `dask scheduler` with two `dask worker` processes, and a
run killed after its first result resumed."""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from tests.helpers import ROOT, SAMPLES
from vision.cli import main
from vision.files.session import SESSION_FILE, read_session, write_session
from vision.judging import JUDGING_VERSION
from vision.judging.routines import find_routine
from vision.library.db import DB_ENV, open_library
from vision.library.models import Analysis, Class, RecordingRow
from vision.run.grading import CSV_FILE, GRADE_FILE, find_items
from vision.run.handed_in import record_video

CLIP = "friction_straight"  # 7 s; its labels JSON doubles as a calibration
DASK = Path(sys.executable).with_name("dask")


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> Path:
    """A real recording (video, hands, events) of the sample clip, made once: tracked as a handed-in video is."""
    tmp = tmp_path_factory.mktemp("recorded")
    shutil.copy(SAMPLES / f"{CLIP}.mp4", tmp / "clip.mp4")
    shutil.copy(SAMPLES / f"{CLIP}.json", tmp / "clip.calibration.json")
    return record_video(tmp / "clip.mp4", find_routine("swedish"), routine_key="swedish", root=tmp / "recordings",
                        person="Ada", start_step="friction", blur_faces=False)


def _class_folder(root: Path, recorded: Path, students=("Ada", "Ben", "Cleo")) -> Path:
    """A week's work: a recording each of some students, a video with its calibration, one without, a corrupt one."""
    week = root / "week 49"
    week.mkdir(parents=True)
    for i, who in enumerate(students):
        dest = week / f"rec-{who.lower()}"
        shutil.copytree(recorded, dest)
        info = read_session(dest)
        write_session(dest / SESSION_FILE, info.model_copy(update={"person": who,
                                                                   "started_at": f"2026-11-2{i}T10:00:00+01:00"}))
    shutil.copy(SAMPLES / f"{CLIP}.mp4", week / "eva.mp4")
    shutil.copy(SAMPLES / f"{CLIP}.json", week / "eva.calibration.json")
    shutil.copy(SAMPLES / f"{CLIP}.mp4", week / "finn.mp4")  # no calibration beside it
    (week / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypisom" + b"\x07" * 500)
    (week / "broken.calibration.json").write_text((SAMPLES / f"{CLIP}.json").read_text())
    return week


@pytest.fixture
def data(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("STROKE_COACH_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("STROKE_COACH_RECORDINGS", str(tmp_path / "data" / "recordings"))
    monkeypatch.delenv(DB_ENV, raising=False)
    return tmp_path / "data"


def _rows(out: Path) -> dict[str, dict[str, str]]:
    with (out / CSV_FILE).open(newline="") as f:
        return {r["name"]: r for r in csv.DictReader(f)}


def _graded(data: Path) -> dict[str, tuple]:
    lib = open_library(f"sqlite:///{data / 'library.sqlite3'}")
    try:
        with lib.transaction() as s:
            got = s.execute(select(RecordingRow.name, Analysis.score, Analysis.judging_version, Analysis.routine,
                                   Analysis.step_scores, Analysis.verdict_counts)
                            .join(Analysis).where(Analysis.source == "graded")).all()
            members = {p.name for c in s.scalars(select(Class)) for p in c.members}
        return {name: (score, version, routine, steps, counts) for name, score, version, routine, steps, counts
                in got} | {"_class": tuple(sorted(members))}
    finally:
        lib.close()


def _stamps(out: Path) -> dict[str, str]:
    return {p.parent.name: json.loads(p.read_text())["graded_at"] for p in out.glob(f"*/{GRADE_FILE}")
            if json.loads(p.read_text())["status"] == "graded"}


def test_items_are_found_named_and_their_students_guessed(tmp_path, recorded):
    week = _class_folder(tmp_path, recorded, students=("Ada",))
    (week / "sub").mkdir()
    shutil.copy(SAMPLES / f"{CLIP}.mp4", week / "sub" / "eva.mp4")  # the same name in another folder
    items = {(i.name, i.kind, i.student) for i in find_items([week], week / "out")}
    names = {n for n, _, _ in items}
    assert ("rec-ada", "recording", None) in items and ("finn", "video", "finn") in items
    assert len([n for n in names if n.startswith("eva-")]) == 2  # told apart by their paths
    assert any(k == "video" and s == "sub" for _, k, s in items)  # in a student's folder: the folder's name


def test_grade_a_class_folder_into_the_csv_and_the_library_then_skip_it(data, tmp_path, recorded, capsys):
    week = _class_folder(tmp_path, recorded)
    out = tmp_path / "grades"
    code = main(["grade", str(week), "--routine", "swedish", "--step", "friction", "--out", str(out),
                 "--class", "Week 49", "--workers", "1", "--quiet"])
    stdout, err = capsys.readouterr()
    assert code == 0, err
    assert "graded 4, skipped 0 (graded before), failed 2" in stdout
    rows = _rows(out)
    assert set(rows) == {"rec-ada", "rec-ben", "rec-cleo", "eva", "finn", "broken"}
    ada = rows["rec-ada"]
    assert ada["student"] == "Ada" and ada["date"].startswith("2026-11-20") and ada["status"] == "graded"
    assert float(ada["length_s"]) == pytest.approx(7.2, abs=0.2)
    assert ada["score"] and ada["step:friction"] == ada["score"] and ada["step:effleurage"] == ""
    assert int(ada["flag:not_circular"]) >= 1  # friction done as straight rubbing
    assert ada["similarity"] == ""  # no reference yet
    # the video tracked with its calibration is judged as the recording of the same clip was re-judged
    assert rows["eva"]["status"] == "graded" and rows["eva"]["student"] == "eva"
    assert rows["eva"]["score"] == ada["score"] and rows["eva"]["flag:not_circular"] == ada["flag:not_circular"]
    assert rows["finn"]["status"] == "failed" and "finn.calibration.json" in rows["finn"]["problem"]
    assert rows["broken"]["status"] == "failed" and "corrupt" in rows["broken"]["problem"]
    for name in ("rec-ada", "eva"):
        report = json.loads((out / name / "report.json").read_text())
        assert report["routine"] == "Swedish massage" and report["score"] == int(ada["score"])
    # and a PDF report for each student, readable without the app
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(out / "rec-ada" / "report.pdf").pages)
    assert "Ada" in text and "Swedish massage" in text and f"Score: {ada['score']} out of 100" in text
    assert not (out / "finn" / "report.pdf").exists()  # a failed item has none
    lib = _graded(data)
    assert lib["_class"] == ("Ada", "Ben", "Cleo", "eva")
    assert set(lib) - {"_class"} == {"rec-ada", "rec-ben", "rec-cleo", "eva"}
    score, version, routine, steps, counts = lib["rec-ada"]
    assert (score, version, routine) == (int(ada["score"]), JUDGING_VERSION, "swedish")
    assert steps == {"friction": score} and counts["not_circular"] == int(ada["flag:not_circular"])

    stamps = _stamps(out)
    assert len(stamps) == 4
    code = main(["grade", str(week), "--routine", "swedish", "--step", "friction", "--out", str(out),
                 "--class", "Week 49", "--workers", "1", "--quiet"])
    stdout, _ = capsys.readouterr()
    assert code == 0 and "graded 0, skipped 4 (graded before), failed 2" in stdout
    assert _stamps(out) == stamps  # not graded again
    assert _rows(out) == rows | {k: {**rows[k], "problem": _rows(out)[k]["problem"]} for k in ("finn", "broken")}
    assert _graded(data) == lib  # one analysis each still


def test_a_bad_routine_or_step_is_one_line_before_any_work(data, tmp_path, recorded, capsys):
    week = _class_folder(tmp_path, recorded, students=("Ada",))
    assert main(["grade", str(week), "--routine", "swedish", "--step", "nope", "--out", str(tmp_path / "o")]) == 2
    assert main(["grade", str(tmp_path / "missing"), "--routine", "swedish", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("error: ") for line in err)
    assert "missing: no such file or folder" in err[1]


# -- a real Dask scheduler and two workers ------------------------------------------------------------------------


@pytest.fixture
def scheduler(tmp_path):
    """`dask scheduler` and two `dask worker` processes on localhost, started here and stopped after."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # the workers unpickle vision.run.grading's tasks
    file = tmp_path / "scheduler.json"
    procs = [subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                               "--scheduler-file", str(file)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while not file.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(file.read_text())["address"]
        for i in range(2):
            procs.append(subprocess.Popen([str(DASK), "worker", address, "--nthreads", "1", "--nworkers", "1",
                                           "--no-dashboard", "--name", f"w{i}", "--local-directory",
                                           str(tmp_path / f"w{i}")], env=env, cwd=ROOT,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from distributed import Client

        with Client(address, timeout="30s") as c:
            c.wait_for_workers(2, timeout=90)
        yield SimpleNamespace(address=address, env=env)
    finally:
        for p in reversed(procs):
            p.send_signal(signal.SIGINT)
        for p in reversed(procs):
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def test_grading_on_a_dask_cluster_killed_after_its_first_result_resumes(data, tmp_path, recorded, scheduler):
    week = _class_folder(tmp_path, recorded, students=("Ada", "Ben", "Cleo", "Dora"))
    shutil.copy(SAMPLES / f"{CLIP}.mp4", week / "gus.mp4")
    shutil.copy(SAMPLES / f"{CLIP}.json", week / "gus.calibration.json")
    out = tmp_path / "grades"
    cmd = [sys.executable, "-m", "vision", "grade", str(week), "--routine", "swedish", "--step", "friction",
           "--out", str(out), "--scheduler", scheduler.address, "--quiet"]
    env = {**scheduler.env, "STROKE_COACH_DATA": str(data), "STROKE_COACH_RECORDINGS": str(data / "recordings")}
    client = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and client.poll() is None:
        if (out / CSV_FILE).is_file() and any(r["status"] == "graded" for r in _rows(out).values()):
            break
        time.sleep(0.05)
    assert client.poll() is None, client.communicate()
    client.kill()  # the client dies after its first result
    client.wait()
    kept = {n: r for n, r in _rows(out).items() if r["status"] == "graded"}
    assert 1 <= len(kept) < 6
    stamps = _stamps(out)  # those finished (a task running when the client died may have finished too)
    assert set(kept) <= set(stamps)

    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    # a task that was running when the client died runs on to its end (writing its grade.json): skipped too
    graded, skipped = (int(w) for w in re.match(r"graded (\d+), skipped (\d+)", done.stdout).groups())
    assert skipped >= len(stamps) and graded + skipped == 6 and graded >= 1, done.stdout
    rows = _rows(out)
    assert {n for n, r in rows.items() if r["status"] == "graded"} == {
        "rec-ada", "rec-ben", "rec-cleo", "rec-dora", "eva", "gus"}
    assert {n: r for n, r in rows.items() if n in kept} == kept  # the finished rows kept as they were
    assert {n: s for n, s in _stamps(out).items() if n in stamps} == stamps  # and not redone
    assert set(_graded(data)) - {"_class"} == set(rows) - {"finn", "broken"}  # all in the library, once each


# -- the Grade page -----------------------------------------------------------------------------------------------


def test_the_grade_page_grades_a_folder(data, tmp_path, recorded, monkeypatch):
    import streamlit_webrtc
    from streamlit.testing.v1 import AppTest

    monkeypatch.setattr(streamlit_webrtc, "webrtc_streamer",
                        lambda **kw: SimpleNamespace(state=SimpleNamespace(playing=False)))
    week = _class_folder(tmp_path, recorded, students=("Ada",))
    (week / "eva.mp4").unlink()  # the page's run: a recording, and the two that cannot be graded
    out = tmp_path / "grades"
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240).switch_page("ui/grade.py")
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Grade"
    at.text_area(key="grade_folders").set_value(str(week))
    at.text_input(key="grade_out").set_value(str(out))
    at.selectbox(key="grade_step").set_value("friction")
    at.selectbox(key="grade_class").set_value("A new class…").run()
    at.text_input(key="grade_new_class").set_value("Week 49")
    at.number_input(key="grade_workers").set_value(1)
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("Graded 1, skipped 0 (graded before), failed 2")
    warnings = " ".join(w.value for w in at.warning)
    assert "finn.calibration.json" in warnings and "corrupt" in warnings
    table = at.dataframe[0].value
    assert list(table["name"]) == ["broken", "finn", "rec-ada"]
    assert _rows(out)["rec-ada"]["status"] == "graded"
    assert _graded(data)["_class"] == ("Ada",)


def test_grading_against_a_teachers_reference_fills_in_the_similarity(data, tmp_path, capsys):
    """--reference: each item compared with the teacher's recording step by step; the same movements as the
    reference come out (nearly) identical, and the comparison's plain words are in the item's report.json."""
    clip = tmp_path / "circles"
    clip.mkdir()
    shutil.copy(SAMPLES / "friction_circles.mp4", clip / "teacher.mp4")  # friction done right: circles
    shutil.copy(SAMPLES / "friction_circles.json", clip / "teacher.calibration.json")
    teacher = record_video(clip / "teacher.mp4", find_routine("swedish"), routine_key="swedish",
                           root=tmp_path / "teacher", person="Tess", start_step="friction", blur_faces=False)
    week = tmp_path / "week"
    shutil.copytree(teacher, week / "rec-ada")
    out = tmp_path / "grades"
    assert main(["grade", str(week / "rec-ada"), "--routine", "swedish", "--step", "friction", "--out", str(out),
                 "--reference", str(teacher), "--workers", "1", "--quiet"]) == 0, capsys.readouterr().err
    row = _rows(out)["rec-ada"]
    assert float(row["similarity"]) >= 95, row
    comparison = json.loads((out / "rec-ada" / "report.json").read_text())["comparison"]
    assert comparison["similarity"] == int(float(row["similarity"])) and comparison["feedback"]
    from pypdf import PdfReader  # the student's PDF says it too

    text = "".join(page.extract_text() for page in PdfReader(out / "rec-ada" / "report.pdf").pages)
    assert "Compared with the teacher's demonstration" in text and f"Similarity: {comparison['similarity']}" in text
    code = main(["grade", str(week / "rec-ada"), "--routine", "swedish", "--out", str(tmp_path / "g2"),
                 "--reference", str(tmp_path / "no such recording"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: --reference") and err.count("\n") == 1

"""The History page (a student, a class, the empty states) and the Practice page's "who is practising", in AppTest."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
import streamlit_webrtc
from streamlit.testing.v1 import AppTest

from tests.browser import write_calibration
from tests.helpers import ROOT
from tests.library_helpers import event_line, make_recording
from vision.library.db import open_library
from vision.library.people import add_person

APP = str(ROOT / "app.py")


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.setenv("STROKE_COACH_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("STROKE_COACH_DB", raising=False)
    monkeypatch.delenv("STROKE_COACH_RECORDINGS", raising=False)
    monkeypatch.setattr(streamlit_webrtc, "webrtc_streamer",
                        lambda **kw: SimpleNamespace(state=SimpleNamespace(playing=False)))
    return tmp_path / "data"


def _history() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60).switch_page("ui/history.py")


def _recordings(data):
    rec = data / "recordings"
    make_recording(rec, "2026-11-23_10-00-00", person="Ada", score=55, started_at="2026-11-23T10:00:00+01:00",
                   steps={"effleurage": 50, "petrissage": 60})
    make_recording(rec, "2026-11-30_10-00-00", person="Ada", score=81, started_at="2026-11-30T10:00:00+01:00",
                   steps={"effleurage": 85, "petrissage": 77},
                   events=[event_line(), event_line("on_spine", "spine", t=3), event_line("on_spine", "spine", t=6)])
    make_recording(rec, "2026-11-30_11-00-00", person="Ben", score=40, started_at="2026-11-30T11:00:00+01:00")


def test_an_empty_library_says_what_to_do(data):
    at = _history().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "History"
    assert at.info[0].value.startswith("No sessions yet: record one on the Practice page")
    at.radio(key="history_view").set_value("A class").run()
    assert not at.exception, at.exception
    assert at.info[0].value.startswith("No sessions yet: record one on the Practice page")


def test_a_student_s_scores_flags_minutes_and_last_sessions(data):
    _recordings(data)
    at = _history().run()  # the recordings on disk are indexed when the app starts
    assert not at.exception, at.exception
    assert at.selectbox(key="history_student").options == ["Ada", "Ben"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Sessions": "2", "Minutes": "3.2", "Last score": "81", "Best score": "81"}
    charts = at.get("vega_lite_chart")
    assert len(charts) == 4  # score over time, flags by kind, minutes per week, coverage
    links = at.get("page_link")
    labels = [link.proto.label for link in links]
    assert len(labels) == 2 and labels[0].endswith("swedish · 1.6 min · score 81 · 2 flagged")
    assert "score 55" in labels[1]
    assert "replay" in links[0].proto.page and "recording=2026-11-30_10-00-00" in links[0].proto.query_string
    at.selectbox(key="history_student").set_value("Ben").run()
    assert {m.label: m.value for m in at.metric}["Last score"] == "40"


def test_a_student_with_no_sessions_is_told_how_to_get_some(data):
    open_library(f"sqlite:///{data / 'library.sqlite3'}").close()
    add_person(open_library(f"sqlite:///{data / 'library.sqlite3'}"), "Cleo", "student", ("Monday",))
    at = _history().run()
    assert not at.exception, at.exception
    assert at.info[0].value.startswith("No sessions of Cleo yet: record one on the Practice page")


def test_a_class_one_row_per_student_and_csv(data):
    _recordings(data)
    lib = open_library(f"sqlite:///{data / 'library.sqlite3'}")
    add_person(lib, "Ada", "student", ("Monday",))
    add_person(lib, "Cleo", "student", ("Monday",))
    add_person(lib, "Tuesday's", "student", ("Tuesday",))
    at = _history().run()
    at.radio(key="history_view").set_value("A class").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="history_class").options == ["(all students)", "Monday", "Tuesday"]
    table = at.dataframe[0].value
    assert list(table["student"]) == ["Ada", "Ben", "Cleo", "Tuesday's"]
    ada = table.set_index("student").loc["Ada"]
    assert (ada["last score"], ada["best score"], ada["trend"], ada["most frequent flag"]) == (81, 81, 26, "on_spine")
    at.selectbox(key="history_class").set_value("Monday").run()
    assert list(at.dataframe[0].value["student"]) == ["Ada", "Cleo"]
    assert at.get("download_button")


def test_a_damaged_library_is_a_plain_message_not_a_traceback(data):
    data.mkdir(parents=True)
    (data / "library.sqlite3").write_bytes(b"not a database at all " * 200)
    at = _history().run()
    assert not at.exception, at.exception
    assert at.error[0].value.startswith("The session library cannot be used: ")
    assert "damaged or not a database" in at.error[0].value and "stroke-coach library rebuild" in at.error[0].value


def test_practice_asks_who_is_practising_and_remembers_it(data):
    write_calibration(data, "effleurage_good")
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="practice_person").value == "Someone new…"
    at.text_input(key="practice_new_person").set_value("Dora").run()
    at.session_state.coach.close()
    again = AppTest.from_file(APP, default_timeout=120).run()  # another visit
    assert not again.exception, again.exception
    assert again.selectbox(key="practice_person").value == "Dora"
    again.session_state.coach.close()


def test_the_import_page_brings_in_a_folder_of_handed_in_work(data, tmp_path):
    """A recording and a video with its calibration beside it, imported for a new student from the Import
    page: both in the library (the video tracked), a file that cannot be used listed with why."""
    import shutil

    from tests.helpers import SAMPLES

    handed = tmp_path / "handed-in"
    make_recording(handed, "monday", person=None, score=70, started_at="2026-11-30T10:00:00+01:00")
    shutil.copy(SAMPLES / "friction_straight.mp4", handed / "tuesday.mp4")
    shutil.copy(SAMPLES / "friction_straight.json", handed / "calibration.json")  # the folder's calibration
    (handed / "wednesday.mp4").write_bytes(b"not a video")
    at = AppTest.from_file(APP, default_timeout=180).switch_page("ui/import_work.py")
    at.run()
    assert not at.exception
    at.text_input(key="import_folder").set_value(str(handed))
    at.selectbox(key="import_who").set_value("Someone new…").run()
    at.text_input(key="import_new_name").set_value("Finn")
    at.selectbox(key="import_step").set_value("friction")
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert "Imported 2 of Finn's" in at.success[0].value
    [warning] = [w.value for w in at.warning if "wednesday.mp4" in w.value]
    assert "corrupt" in warning or "not" in warning
    with open_library().transaction() as s:
        from sqlalchemy import select

        from vision.library.models import Person, RecordingRow

        rows = s.execute(select(RecordingRow.name, RecordingRow.status).join(Person).where(Person.name == "Finn")).all()
    assert len(rows) == 2 and all(status == "complete" for _, status in rows)

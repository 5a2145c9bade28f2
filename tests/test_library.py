"""The session library on SQLite and on a real PostgreSQL (a server started in a temporary folder).

Migrations from empty and from the previous version, indexing, import, rebuild (the same rows), and the
plain messages for a database that is not ours or is damaged. PostgreSQL missing: skipped, failed with CI=true.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text

from tests.library_helpers import event_line, make_recording, read_json
from tests.postgres import fresh_database, postgres_server
from vision.cli import main
from vision.files.session import SESSION_FILE
from vision.library.db import DB_ENV, LibraryError, head_revision, open_library
from vision.library.index import import_folder, index_recording, rebuild, snapshot, sync
from vision.library.models import Analysis, Base, Person, RecordingRow, Reference
from vision.library.people import add_person, set_reference


@pytest.fixture(scope="session")
def pg_server():
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'library.sqlite3'}"
    return fresh_database(request.getfixturevalue("pg_server"))


@pytest.fixture
def root(tmp_path):
    r = tmp_path / "recordings"
    make_recording(r, "2026-11-30_10-00-00", person="Ada", score=60, started_at="2026-11-30T10:00:00+01:00")
    make_recording(r, "2026-12-01_10-00-00", person="Ada", score=80, started_at="2026-12-01T10:00:00+01:00",
                   events=[event_line(), event_line(t=3), event_line("on_spine", "spine", t=5)])
    make_recording(r, "2026-12-01_11-00-00", person="Ben", score=None, complete=False,
                   started_at="2026-12-01T11:00:00+01:00")
    return r


def test_migrations_from_empty_give_exactly_the_models_tables(db_url):
    lib = open_library(db_url)
    with lib.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == [], f"the migrations and vision/library/models.py differ: {diff}"
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
    lib.close()
    open_library(db_url).close()  # opened again: nothing to do, nothing refused


def test_migration_from_the_previous_version_keeps_the_rows(db_url, root):
    old = open_library(db_url, revision="0001")
    with old.engine.connect() as conn:
        assert "teacher_references" not in inspect(conn).get_table_names()
    sync(old, root)
    before = snapshot(old)
    old.close()
    lib = open_library(db_url)
    assert snapshot(lib) == before
    add_person(lib, "Tess", "teacher")
    set_reference(lib, "Tess", "swedish", "2026-11-30_10-00-00")
    with lib.transaction() as s:
        assert s.scalar(select(Reference.routine)) == "swedish"


def test_sync_indexes_who_what_when_and_how_well(db_url, root):
    lib = open_library(db_url)
    result = sync(lib, root)
    assert sorted(result.added) == sorted(p.name for p in root.iterdir()) and not result.updated
    with lib.transaction() as s:
        rows = {r.name: r for r in s.scalars(select(RecordingRow))}
        ada = rows["2026-12-01_10-00-00"]
        assert ada.person.name == "Ada" and ada.routine == "swedish" and ada.start_step == "effleurage"
        assert ada.status == "complete" and ada.duration_s == 95.0 and ada.settings == {"sensitivity": "standard"}
        (a,) = ada.analyses
        assert (a.source, a.step, a.score, a.judging_version) == ("live", None, 80, 1)
        assert a.step_scores == {"effleurage": 80, "petrissage": None}
        assert a.verdict_counts == {"ok": 2, "on_spine": 1} and a.flagged == 1 and a.events == 3
        assert a.lane_s == {"left": 3.0, "spine": 1.5}
        ben = rows["2026-12-01_11-00-00"]
        assert ben.status == "interrupted" and ben.analyses[0].score is None
        assert sorted(s.scalars(select(Person.name))) == ["Ada", "Ben"]


def test_sync_again_reads_only_what_changed_and_marks_what_is_gone(db_url, root):
    lib = open_library(db_url)
    sync(lib, root)
    again = sync(lib, root)
    assert not again.added and not again.updated and not again.missing
    info = read_json(root / "2026-12-01_11-00-00" / SESSION_FILE)  # the interrupted one, stopped after all
    (root / "2026-12-01_11-00-00" / SESSION_FILE).write_text(
        __import__("json").dumps(info | {"status": "complete", "duration_s": 30.0, "frames": 9}))
    shutil.rmtree(root / "2026-11-30_10-00-00")
    third = sync(lib, root)
    assert third.updated == ["2026-12-01_11-00-00"] and third.missing == ["2026-11-30_10-00-00"]
    with lib.transaction() as s:
        status = dict(s.execute(select(RecordingRow.name, RecordingRow.status)).all())
        assert s.scalar(select(Analysis).join(RecordingRow).where(RecordingRow.name == "2026-12-01_11-00-00"))
    assert status == {"2026-11-30_10-00-00": "missing", "2026-12-01_10-00-00": "complete",
                      "2026-12-01_11-00-00": "complete"}


def test_rebuild_gives_the_same_rows_and_keeps_classes_and_references(db_url, root):
    lib = open_library(db_url)
    sync(lib, root)
    add_person(lib, "Ada", "student", ("Monday class",))
    add_person(lib, "Tess", "teacher", ("Monday class",))
    set_reference(lib, "Tess", "swedish", "2026-12-01_10-00-00")
    with lib.transaction() as s:  # the library's rows edited by hand, wrongly: a rebuild puts them right
        s.execute(RecordingRow.__table__.update().values(routine="nonsense"))
        s.execute(Analysis.__table__.delete())
    lib.close()
    rebuilt, result, aside = rebuild(root, db_url)
    assert aside is None and sorted(result.updated) == sorted(p.name for p in root.iterdir())
    fresh = open_library(db_url.replace("library.sqlite3", "fresh.sqlite3") if "sqlite" in db_url
                         else fresh_database(db_url.rsplit("/", 1)[0] + "/postgres"))
    sync(fresh, root)
    assert snapshot(rebuilt) == snapshot(fresh)
    with rebuilt.transaction() as s:
        assert s.scalar(select(Reference.routine)) == "swedish"
        assert {p.name: p.role for p in s.scalars(select(Person))} == {"Ada": "student", "Ben": "student",
                                                                        "Tess": "teacher"}


def test_import_copies_handed_in_recordings_and_names_the_student(db_url, root, tmp_path):
    lib = open_library(db_url)
    handed = tmp_path / "handed-in"
    make_recording(handed, "week1", person=None)
    make_recording(handed, "week2", person="Someone")
    (handed / "phone.mp4").write_bytes(b"\0" * 10)
    (handed / "notes").mkdir()
    result = import_folder(lib, handed, root, person="Cleo")
    assert result.imported == ["week1", "week2"]
    assert [why.split(":")[0] for _, why in result.skipped] == ["not a recording (session.json missing)", "a video, not a recording"]
    assert read_json(root / "week1" / SESSION_FILE)["person"] == "Cleo"
    assert "person" not in read_json(handed / "week1" / SESSION_FILE)  # the original as it was handed in
    again = import_folder(lib, handed / "week1", root, person="Cleo")
    assert again.imported == ["week1-2"]  # a second copy, never over the first
    with lib.transaction() as s:
        cleo = s.scalars(select(RecordingRow.name).join(Person).where(Person.name == "Cleo"))
        assert sorted(cleo) == ["week1", "week1-2", "week2"]
    assert snapshot(rebuild(root, db_url)[0]) == snapshot(lib)  # imported copies are on disk: a rebuild finds them


def test_a_database_made_by_a_newer_version_is_refused_plainly(db_url):
    open_library(db_url).close()
    lib = open_library(db_url)
    with lib.transaction() as s:
        s.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(LibraryError, match=r"made by a newer Stroke Coach \(schema 9999\); update Stroke Coach"):
        open_library(db_url)


def test_a_database_that_is_not_ours_is_refused_plainly(db_url):
    lib = open_library(db_url, revision="0001")
    with lib.transaction() as s:
        s.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY)"))
        s.execute(text("DROP TABLE alembic_version"))
    with pytest.raises(LibraryError, match=r"is not a Stroke Coach library \(it holds other tables: analyses, "
                                           r"classes, invoices, memberships, \.\.\.\)") as e:
        open_library(db_url)
    assert e.value.problem == "foreign" and "\n" not in str(e.value)


def test_a_damaged_sqlite_file_gets_one_line_and_a_rebuild_sets_it_aside(tmp_path, root):
    path = tmp_path / "library.sqlite3"
    path.write_bytes(b"this is not a database, it was a photo once " * 100)
    url = f"sqlite:///{path}"
    with pytest.raises(LibraryError, match=r"library.sqlite3 is damaged or not a database \(file is not a database\)"
                                           r"; run `stroke-coach library rebuild`") as e:
        open_library(url)
    assert e.value.problem == "damaged"
    lib, result, aside = rebuild(root, url)
    assert aside is not None and aside.read_bytes().startswith(b"this is not a database")
    assert len(result.added) == 3 and len(snapshot(lib)) == 3


def test_sqlite_is_in_wal_mode_and_two_writers_at_once_lose_nothing(tmp_path, root):
    url = f"sqlite:///{tmp_path / 'library.sqlite3'}"
    libs = [open_library(url), open_library(url)]  # two tabs, or a tab and the recorder: two engines on one file
    with sqlite3.connect(tmp_path / "library.sqlite3") as c:
        assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    folders = [make_recording(tmp_path / "more", f"r{i}", person=f"P{i % 3}") for i in range(16)]
    errors: list[BaseException] = []

    def write(lib, mine):
        try:
            for f in mine:
                index_recording(lib, f)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=write, args=(libs[i], folders[i::2])) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(snapshot(libs[0])) == 16


def test_a_failed_write_leaves_nothing_half_done(db_url, root):
    lib = open_library(db_url)
    with pytest.raises(RuntimeError), lib.transaction() as s:
        s.add(Person(name="Half", role="student"))
        s.flush()
        raise RuntimeError("the power went")
    with lib.transaction() as s:
        assert s.scalar(select(Person).where(Person.name == "Half")) is None


def test_library_commands(tmp_path, root, monkeypatch, capsys):
    monkeypatch.setenv("STROKE_COACH_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("STROKE_COACH_RECORDINGS", str(root))
    monkeypatch.delenv(DB_ENV, raising=False)
    assert main(["library", "rebuild"]) == 0
    assert "3 added, 0 read again" in capsys.readouterr().out
    handed = tmp_path / "handed"
    make_recording(handed, "hw", person=None)
    assert main(["library", "import", str(handed), "--student", "Dora"]) == 0
    assert "imported 1 recording of Dora: hw" in capsys.readouterr().out
    assert main(["library", "person", "Dora", "--class", "Tuesday"]) == 0
    assert main(["library", "status"]) == 0
    out = capsys.readouterr().out
    assert f"library: {tmp_path / 'data' / 'library.sqlite3'}" in out and "4 recordings" in out and "3 people" in out
    assert main(["library", "reference", "Dora", "swedish", "hw"]) == 2
    assert "'Dora' is not a teacher" in capsys.readouterr().err
    (tmp_path / "data" / "library.sqlite3").write_bytes(b"garbage" * 300)
    for f in tmp_path.joinpath("data").glob("library.sqlite3-*"):
        f.unlink()
    assert main(["library", "status"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "damaged or not a database" in err and err.count("\n") == 1
    assert main(["library", "rebuild"]) == 0
    assert "set aside as" in capsys.readouterr().err


def test_a_bad_url_is_one_line(monkeypatch):
    monkeypatch.setenv(DB_ENV, "postgres://nowhere")
    with pytest.raises(LibraryError, match="is not a database URL Stroke Coach can use"):
        open_library()


def test_a_server_that_does_not_answer_is_one_line():
    with pytest.raises(LibraryError, match=r"cannot open the library at postgresql\+psycopg://x:\*\*\*@127.0.0.1:9/db"):
        open_library("postgresql+psycopg://x:secret@127.0.0.1:9/db")


def test_the_postgres_fixture_finds_debian_binaries_too():
    from tests.postgres import pg_bin

    assert pg_bin() is not None or os.environ.get("CI") != "true"


def test_a_handed_in_video_is_tracked_into_a_recording_of_the_student(tmp_path, monkeypatch, capsys):
    """`library import` on a folder with a video and its calibration beside it: the video is tracked and judged
    into a recording of the student (replayable, re-judged as it was judged); a video without a calibration
    and a corrupt one get their rows with why, the rest go on."""
    from tests.helpers import SAMPLES, labels_of
    from vision.files.recording import open_recording

    monkeypatch.setenv("STROKE_COACH_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("STROKE_COACH_RECORDINGS", str(tmp_path / "recordings"))
    monkeypatch.delenv(DB_ENV, raising=False)
    clip = "friction_straight"
    labels = labels_of(clip)
    handed = tmp_path / "week 49"
    handed.mkdir()
    shutil.copy(SAMPLES / f"{clip}.mp4", handed / "eva.mp4")
    shutil.copy(SAMPLES / f"{clip}.json", handed / "eva.calibration.json")  # a sample's labels hold its calibration
    shutil.copy(SAMPLES / f"{clip}.mp4", handed / "no_calibration.mp4")
    (handed / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypisom" + b"\x07" * 500)
    (handed / "broken.calibration.json").write_text((SAMPLES / f"{clip}.json").read_text())
    code = main(["library", "import", str(handed), "--student", "Eva", "--routine", labels["routine"],
                 "--step", labels["step"], "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "imported 1 recording of Eva" in out
    skipped = {line.split(":")[0].removeprefix("skipped "): line for line in err.splitlines() if line.startswith("skipped")}
    assert set(skipped) == {str(handed / "broken.mp4"), str(handed / "no_calibration.mp4")}
    assert "no_calibration.calibration.json" in skipped[str(handed / "no_calibration.mp4")]
    [folder] = (tmp_path / "recordings").iterdir()
    rec = open_recording(folder)
    assert rec.status == "complete" and rec.session.person == "Eva" and rec.session.step == labels["step"]
    assert rec.session.extra["stopped"] == "imported" and rec.session.frames == labels["n_frames"]
    # judged as analyze judges the clip: friction done as straight rubbing is flagged
    flagged = {v.name for ev in rec.events() if ev.type == "event" for v in ev.verdicts}
    assert "not_circular" in flagged
    lib = open_library(f"sqlite:///{tmp_path / 'data' / 'library.sqlite3'}")
    with lib.transaction() as s:
        [row] = s.scalars(select(RecordingRow))
        assert row.name == folder.name and row.person.name == "Eva"

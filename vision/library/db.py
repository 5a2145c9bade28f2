"""Where the session library is, opening it, migrating it, and saying plainly what is wrong with it.

By default an SQLite file, ``<data>/library.sqlite3`` (nothing to install); a
school's shared PostgreSQL when ``STROKE_COACH_DB`` names one
(``postgresql+psycopg://user:password@host/dbname``): the same code on both.

:func:`open_library` connects, checks that the database is ours, and runs the
migrations (Alembic, ``vision/library/migrations``) up to this version, in one
transaction, so a start that fails half-way leaves the old schema. Every
problem is a one-line :class:`LibraryError` saying what to do (a file that is
not a database, someone else's database, one made by a newer Stroke Coach, a
server that does not answer), never a traceback.

SQLite runs in WAL mode (two tabs and the recorder read and write at once
without corrupting it), with foreign keys on and every transaction begun
IMMEDIATE (a writer waits for the other, up to ``busy_timeout``, instead of
failing half-way).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session

from vision.core.folders import folders

__all__ = ["DB_ENV", "LIBRARY_FILE", "Library", "LibraryError", "library_url", "open_library", "set_aside"]

DB_ENV = "STROKE_COACH_DB"
LIBRARY_FILE = "library.sqlite3"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_BUSY_TIMEOUT_MS = 10_000
_PG_MIGRATION_LOCK = 0x5C0AC4  # one migration at a time when several machines start at once
_REBUILD = "run `stroke-coach library rebuild` to make it again from the recordings (the old file is kept)"

Problem = Literal["damaged", "foreign", "newer", "unreachable", "bad_url"]


class LibraryError(RuntimeError):
    """The library cannot be used; the message is one line: which database, what is wrong, what to do."""

    def __init__(self, message: str, problem: Problem):
        super().__init__(message)
        self.problem = problem


def library_url() -> str:
    """``STROKE_COACH_DB`` if set, else the SQLite file in the data folder."""
    return os.environ.get(DB_ENV) or f"sqlite:///{folders().data / LIBRARY_FILE}"


def _where(url: str) -> str:
    """The database for a message: the SQLite file's path, or the URL without its password."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return u.database or "an in-memory SQLite database"
    return u.render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None  # the driver's own transaction handling off: BEGIN below, DDL included
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.close()


def _sqlite_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    """An engine for the URL; an SQLite file's folder is made. Raises LibraryError for a URL it cannot use."""
    try:
        u = make_url(url)
        if u.get_backend_name() == "sqlite":
            if u.database and u.database != ":memory:":
                Path(u.database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(u)
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
            return engine
        return create_engine(u, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError, ValueError) as e:
        raise LibraryError(
            f"{DB_ENV}={url!r} is not a database URL Stroke Coach can use ({e}); give "
            "postgresql+psycopg://user:password@host/dbname, or unset it for the SQLite file in the data folder",
            "bad_url",
        ) from None
    except OSError as e:
        raise LibraryError(f"cannot make the library's folder for {url}: {e.strerror or e}", "unreachable") from None


def _config(connection=None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """This version's newest migration."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def _check_ours(conn, where: str) -> None:
    """Refuse a database with tables of someone else's, or one migrated by a newer Stroke Coach."""
    tables = set(inspect(conn).get_table_names())
    if not tables:
        return
    if "alembic_version" not in tables:
        shown = ", ".join(sorted(tables)[:4]) + (", ..." if len(tables) > 4 else "")
        raise LibraryError(
            f"{where} is not a Stroke Coach library (it holds other tables: {shown}); set {DB_ENV} to another "
            f"database, or move the file away (`stroke-coach library rebuild` sets a file aside and starts anew)",
            "foreign",
        )
    known = {s.revision for s in ScriptDirectory.from_config(_config()).walk_revisions()}
    found = {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}
    if found - known:
        raise LibraryError(
            f"{where} was made by a newer Stroke Coach (schema {', '.join(sorted(found - known))}); update Stroke Coach",
            "newer",
        )


def migrate(engine: Engine, revision: str = "head") -> None:
    """Check the database is ours and migrate it to ``revision`` (default: this version's), in one transaction."""
    where = _where(str(engine.url.render_as_string(hide_password=False)))
    with _plain_errors(where), engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        _check_ours(conn, where)
        command.upgrade(_config(conn), revision)


@contextmanager
def _plain_errors(where: str) -> Iterator[None]:
    """The driver's errors as a LibraryError: damaged file, server not answering."""
    try:
        yield
    except LibraryError:
        raise
    except OperationalError as e:
        first = str(e.orig).strip().splitlines()[0] if e.orig is not None else str(e).splitlines()[0]
        if "not a database" in first or "malformed" in first:
            raise LibraryError(f"{where} is damaged or not a database ({first}); {_REBUILD}", "damaged") from None
        raise LibraryError(
            f"cannot open the library at {where}: {first}; check that the database is there and {DB_ENV}",
            "unreachable",
        ) from None
    except DatabaseError as e:
        first = str(e.orig).strip().splitlines()[0] if e.orig is not None else str(e).splitlines()[0]
        raise LibraryError(f"{where} is damaged or not a database ({first}); {_REBUILD}", "damaged") from None


@dataclass(frozen=True)
class Library:
    """An open, migrated library. ``with lib.transaction() as s:`` one transaction (committed, or rolled back)."""

    engine: Engine
    where: str

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with _plain_errors(self.where), Session(self.engine, expire_on_commit=False) as s, s.begin():
            yield s

    def close(self) -> None:
        self.engine.dispose()

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"


def open_library(url: str | None = None, revision: str = "head") -> Library:
    """Open the library (``url``, default :func:`library_url`), migrated. Raises LibraryError (one line)."""
    url = url or library_url()
    engine = make_engine(url)
    try:
        migrate(engine, revision)
    except BaseException:
        engine.dispose()
        raise
    return Library(engine, _where(url))


def set_aside(url: str) -> Path | None:
    """Move an SQLite library file (and its -wal, -shm) aside, named with the time; its new name, or None
    if there was none. For a rebuild over a damaged file, or one not ours: nothing is deleted."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    path = Path(u.database)
    if not path.exists():
        return None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.set-aside-{stamp}")
    for suffix in ("-wal", "-shm"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            extra.rename(aside.with_name(aside.name + suffix))
    path.rename(aside)
    return aside

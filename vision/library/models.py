"""The session library's tables (SQLAlchemy 2, typed declarative), the same on SQLite and PostgreSQL.

What each holds:

- ``people``: students and teachers, by name (unique);
- ``classes`` and ``memberships``: a teacher's classes and who is in them;
- ``recordings``: one row per recording folder (its path is the key: the
  folder on disk is the truth the row is read from): who, routine, start
  step, settings, when, length, status;
- ``analyses``: a judging of a recording (the live one as recorded, or a
  re-judging): routine, step (null: the whole routine), sensitivity, score,
  per-step scores, counts by verdict, seconds per lane, the judging's version;
- ``teacher_references``: which recording is a teacher's reference for a routine.

Changing a table means a new migration in ``vision/library/migrations/versions``
(a test checks that the migrations give exactly these tables).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, MetaData, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = ["Analysis", "Base", "Class", "Membership", "Person", "RecordingRow", "Reference"]

ROLES = ("student", "teacher")
#: "missing": the row's folder is gone from disk (kept, so that its scores still count, until a rebuild)
STATUSES = ("complete", "interrupted", "missing")

# named constraints, so that migrations can name what they alter (SQLite's batch mode needs the names)
_NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=_NAMING)
    type_annotation_map = {dict[str, Any]: JSON, datetime: DateTime(timezone=True)}


class Person(Base):
    """A student or a teacher, known by name."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20), default="student")

    recordings: Mapped[list[RecordingRow]] = relationship(back_populates="person")


class Class(Base):
    """A teacher's class of students."""

    __tablename__ = "classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))

    members: Mapped[list[Person]] = relationship(secondary="memberships")


class Membership(Base):
    """Who is in which class."""

    __tablename__ = "memberships"

    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)


class RecordingRow(Base):
    """A recording folder as indexed. ``stamp`` is its session.json's (size, mtime): read again when it changes."""

    __tablename__ = "recordings"

    id: Mapped[int] = mapped_column(primary_key=True)
    folder: Mapped[str] = mapped_column(String(1000), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    routine: Mapped[str | None] = mapped_column(String(200))
    start_step: Mapped[str | None] = mapped_column(String(200))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    started_at: Mapped[datetime | None] = mapped_column(index=True)
    duration_s: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20))
    stamp: Mapped[str] = mapped_column(String(100))

    person: Mapped[Person | None] = relationship(back_populates="recordings")
    analyses: Mapped[list[Analysis]] = relationship(
        back_populates="recording", cascade="all, delete-orphan", passive_deletes=True
    )


class Analysis(Base):
    """A judging of a recording. ``source``: "live" (as it was judged while recording) or "rejudged"."""

    __tablename__ = "analyses"

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recordings.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(20))
    routine: Mapped[str | None] = mapped_column(String(200))
    step: Mapped[str | None] = mapped_column(String(200))  # null: the whole routine, followed step by step
    sensitivity: Mapped[str] = mapped_column(String(20))
    score: Mapped[int | None] = mapped_column(Integer)
    step_scores: Mapped[dict[str, Any]] = mapped_column(default=dict)  # step id -> its last attempt's score
    verdict_counts: Mapped[dict[str, Any]] = mapped_column(default=dict)  # verdict name -> events with it
    lane_s: Mapped[dict[str, Any]] = mapped_column(default=dict)  # lane -> seconds of events mostly there
    events: Mapped[int] = mapped_column(Integer, default=0)
    flagged: Mapped[int] = mapped_column(Integer, default=0)
    judging_version: Mapped[int] = mapped_column(Integer)

    recording: Mapped[RecordingRow] = relationship(back_populates="analyses")


class Reference(Base):
    """The recording a teacher made as the reference for a routine (one per teacher and routine)."""

    __tablename__ = "teacher_references"
    __table_args__ = (UniqueConstraint("teacher_id", "routine"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    routine: Mapped[str] = mapped_column(String(200))
    recording_id: Mapped[int] = mapped_column(ForeignKey("recordings.id", ondelete="CASCADE"))

"""People, classes and teachers' references: what the library holds that no recording folder says."""

from __future__ import annotations

from sqlalchemy import select

from vision.library.db import Library
from vision.library.index import person_named
from vision.library.models import ROLES, Class, Person, RecordingRow, Reference

__all__ = ["add_person", "class_names", "people_names", "set_reference"]


def add_person(lib: Library, name: str, role: str = "student", classes: tuple[str, ...] = ()) -> None:
    """Add a person (or change their role) and put them in the classes named (made if new), in one transaction.
    A teacher's class gets them as its teacher."""
    if role not in ROLES:
        raise ValueError(f"role {role!r}: expected one of {', '.join(ROLES)}")
    if not name.strip():
        raise ValueError("a person needs a name")
    with lib.transaction() as s:
        p = person_named(s, name, role)
        p.role = role
        for cname in classes:
            c = s.scalar(select(Class).where(Class.name == cname.strip()))
            if c is None:
                c = Class(name=cname.strip())
                s.add(c)
            if role == "teacher":
                c.teacher_id = p.id
            elif p not in c.members:
                c.members.append(p)


def people_names(lib: Library, role: str | None = None) -> list[str]:
    """The people's names, sorted (only those of ``role`` if given)."""
    with lib.transaction() as s:
        q = select(Person.name).order_by(Person.name)
        if role is not None:
            q = q.where(Person.role == role)
        return list(s.scalars(q))


def class_names(lib: Library) -> list[str]:
    with lib.transaction() as s:
        return list(s.scalars(select(Class.name).order_by(Class.name)))


def set_reference(lib: Library, teacher: str, routine: str, recording: str) -> None:
    """Make the recording (its folder's name) the teacher's reference for the routine. Raises ValueError."""
    with lib.transaction() as s:
        t = s.scalar(select(Person).where(Person.name == teacher))
        if t is None or t.role != "teacher":
            raise ValueError(
                f"{teacher!r} is not a teacher in the library; add them: stroke-coach library person "
                f"{teacher!r} --teacher"
            )
        rec = s.scalar(select(RecordingRow).where(RecordingRow.name == recording))
        if rec is None:
            raise ValueError(f"no recording {recording!r} in the library; index it: stroke-coach library rebuild")
        ref = s.scalar(select(Reference).where(Reference.teacher_id == t.id, Reference.routine == routine))
        if ref is None:
            s.add(Reference(teacher_id=t.id, routine=routine, recording_id=rec.id))
        else:
            ref.recording_id = rec.id


def references(lib: Library, routine: str) -> list[tuple[str, str]]:
    """The teachers' reference recordings for a routine (its key, as recordings name it): (teacher, folder)."""
    with lib.transaction() as s:
        rows = s.execute(
            select(Person.name, RecordingRow.folder)
            .join(Reference, Reference.teacher_id == Person.id)
            .join(RecordingRow, RecordingRow.id == Reference.recording_id)
            .where(Reference.routine == routine)
            .order_by(Person.name)
        ).all()
    return [(teacher, folder) for teacher, folder in rows]

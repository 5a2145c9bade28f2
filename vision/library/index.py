"""The recordings on disk into the library: indexing, import, rebuild. The folders stay the truth.

- :func:`facts_of`: what a recording folder says, as plain data for its row
  and its live analysis (pure: no database);
- :func:`sync`: the recordings folder into the library, in one transaction:
  new folders added, changed ones (their session.json rewritten at stop)
  read again, vanished ones marked "missing"; the app runs it at start, and
  after each recording;
- :func:`import_folder`: a folder of handed-in recordings copied into the
  recordings folder (so that a rebuild finds them too) and indexed, each
  with the student named;
- :func:`rebuild`: every row of a recording read again from disk, those gone
  dropped; a damaged SQLite file (or one not ours) is set aside first.
  People, classes and references (not on disk) are kept when the old
  library can be read.
"""

from __future__ import annotations

import logging
import shutil
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vision.files.events import final_events
from vision.files.jsonl import RecordingError
from vision.files.recording import Recording, find_recordings, open_recording
from vision.files.session import SESSION_FILE, read_session, write_session
from vision.files.video import VideoError
from vision.library.db import Library, LibraryError, library_url, open_library, set_aside
from vision.library.models import Analysis, Person, RecordingRow

__all__ = [
    "AnalysisFacts",
    "ImportResult",
    "RecordingFacts",
    "SyncResult",
    "facts_of",
    "import_folder",
    "person_named",
    "rebuild",
    "snapshot",
    "sync",
]

log = logging.getLogger(__name__)

#: Video files a folder may hold beside recordings: not imported (they need tracking and a calibration).
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".webm", ".mkv", ".avi", ".m4v"})


@dataclass(frozen=True)
class AnalysisFacts:
    """A judging of a recording as the library keeps it (see :class:`~vision.library.models.Analysis`)."""

    source: str
    routine: str | None
    step: str | None
    sensitivity: str
    score: int | None
    step_scores: dict[str, int | None]
    verdict_counts: dict[str, int]
    lane_s: dict[str, float]
    events: int
    flagged: int
    judging_version: int


@dataclass(frozen=True)
class RecordingFacts:
    """What a recording folder says, for its row; ``live``: the judging made while it was recorded."""

    folder: str
    name: str
    person: str | None
    routine: str | None
    start_step: str | None
    settings: dict[str, Any]
    started_at: datetime | None
    duration_s: float | None
    status: str
    stamp: str
    live: AnalysisFacts


def _stamp(folder: Path) -> str:
    """Changes when session.json is rewritten (at stop, by an import naming the student)."""
    st = (folder / SESSION_FILE).stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


def parse_utc(iso: str | None) -> datetime | None:
    """ISO 8601 as UTC (the library's times are UTC: SQLite keeps no time zone)."""
    if not iso:
        return None
    try:
        t = datetime.fromisoformat(iso)
    except ValueError:
        return None
    return (t if t.tzinfo else t.astimezone()).astimezone(UTC)


def utc_naive(t: datetime | None) -> datetime | None:
    """A time read back from the library as naive UTC: SQLite gives naive UTC, PostgreSQL an aware time."""
    return t.astimezone(UTC).replace(tzinfo=None) if t is not None and t.tzinfo else t


def _step_scores(steps: Any) -> dict[str, int | None]:
    """step id -> its last attempt's score (as the routine's score counts a repeated step)."""
    out: dict[str, int | None] = {}
    for s in steps if isinstance(steps, list) else []:
        if isinstance(s, dict) and isinstance(s.get("step_id"), str):
            score = s.get("score")
            out[s["step_id"]] = score if isinstance(score, int) else None
    return out


def facts_of(rec: Recording) -> RecordingFacts:
    """A recording's row and live analysis, from its session.json and events.jsonl.

    A damaged events.jsonl gives an analysis with no counts (logged), not an error: the rest still counts.
    """
    s = rec.session
    try:
        events = final_events(rec.events())
    except RecordingError as problem:
        log.warning("%s", problem)
        events = []
    verdicts = Counter(v.name for ev in events for v in ev.verdicts)
    lanes: dict[str, float] = {}
    for ev in events:
        lanes[ev.lane] = lanes.get(ev.lane, 0.0) + ev.duration_s
    extra = s.extra or {}
    score = extra.get("score")
    version = extra.get("judging_version")
    live = AnalysisFacts(
        source="live",
        routine=s.routine,
        step=None,  # live practice follows the routine from its start step
        sensitivity=s.settings.sensitivity or "standard",
        score=score if isinstance(score, int) else None,
        step_scores=_step_scores(extra.get("steps")),
        verdict_counts=dict(sorted(verdicts.items())),
        lane_s={k: round(v, 3) for k, v in sorted(lanes.items())},
        events=len(events),
        flagged=sum(1 for ev in events if ev.flagged_at is not None),
        # recordings from before the version was written were judged by the first
        judging_version=version if isinstance(version, int) else 1,
    )
    return RecordingFacts(
        folder=str(rec.folder.resolve()),
        name=rec.folder.name,
        person=s.person,
        routine=s.routine,
        start_step=s.step,
        settings=s.settings.model_dump(mode="json"),
        started_at=parse_utc(s.started_at),
        duration_s=s.duration_s,
        status=rec.status,
        stamp=_stamp(rec.folder),
        live=live,
    )


def person_named(s: Session, name: str, role: str = "student") -> Person:
    """The person of that name (made, as ``role``, if new)."""
    name = name.strip()
    p = s.scalar(select(Person).where(Person.name == name))
    if p is None:
        p = Person(name=name, role=role)
        s.add(p)
        s.flush()
    return p


def _write_row(s: Session, row: RecordingRow | None, f: RecordingFacts) -> RecordingRow:
    if row is None:
        row = RecordingRow(folder=f.folder)
        s.add(row)
    row.name, row.routine, row.start_step = f.name, f.routine, f.start_step
    row.settings, row.started_at, row.duration_s = f.settings, f.started_at, f.duration_s
    row.status, row.stamp = f.status, f.stamp
    row.person = person_named(s, f.person) if f.person else None
    s.flush()
    for a in [a for a in row.analyses if a.source == "live"]:
        row.analyses.remove(a)
    row.analyses.append(Analysis(**asdict(f.live)))
    return row


@dataclass
class SyncResult:
    """What a sync (or rebuild) did: folder names added, read again, marked missing or dropped; the damaged."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    damaged: list[tuple[str, str]] = field(default_factory=list)  # (folder, the problem, one line)

    def summary(self) -> str:
        parts = [f"{len(self.added)} added", f"{len(self.updated)} read again"]
        if self.missing:
            parts.append(f"{len(self.missing)} gone from disk")
        if self.damaged:
            parts.append(f"{len(self.damaged)} cannot be opened")
        return ", ".join(parts)


def _under(folder: str, root: Path) -> bool:
    try:
        Path(folder).relative_to(root)
    except ValueError:
        return False
    return True


def sync(lib: Library, root: str | Path, *, force: bool = False, drop_missing: bool = False) -> SyncResult:
    """The recordings in ``root`` into the library, in one transaction (see the module docstring).

    force: read every folder again, changed or not; drop_missing: delete the rows of folders (under
    ``root``) gone from disk, rather than mark them "missing".
    """
    root = Path(root).resolve()
    found = find_recordings(root)
    out = SyncResult(damaged=[(str(d), why) for d, why in found.damaged])
    with lib.transaction() as s:
        rows = {r.folder: r for r in s.scalars(select(RecordingRow))}
        seen = set()
        for rec in found.recordings:
            key = str(rec.folder.resolve())
            seen.add(key)
            row = rows.get(key)
            if row is not None and not force and row.stamp == _stamp(rec.folder) and row.status != "missing":
                continue
            _write_row(s, row, facts_of(rec))
            (out.added if row is None else out.updated).append(rec.name)
        for key, row in rows.items():
            if key in seen or not _under(key, root):
                continue
            if drop_missing:
                s.delete(row)
                out.missing.append(row.name)
            elif row.status != "missing" and not Path(key, SESSION_FILE).is_file():
                row.status = "missing"
                out.missing.append(row.name)
    return out


def index_recording(lib: Library, folder: str | Path) -> RecordingRow:
    """One recording folder into the library (a recording just made), in one transaction."""
    rec = open_recording(folder)
    f = facts_of(rec)
    with lib.transaction() as s:
        row = s.scalar(select(RecordingRow).where(RecordingRow.folder == f.folder))
        return _write_row(s, row, f)


@dataclass
class ImportResult:
    imported: list[str] = field(default_factory=list)  # folder names in the recordings folder
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why), one line each


def _free_name(root: Path, name: str) -> Path:
    dest, n = root / name, 2
    while dest.exists():
        dest, n = root / f"{name}-{n}", n + 1
    return dest


def _candidates(path: Path) -> Iterable[Path]:
    if (path / SESSION_FILE).is_file():
        yield path
        return
    yield from sorted(p for p in path.iterdir())


def import_folder(
    lib: Library,
    path: str | Path,
    root: str | Path,
    person: str | None = None,
    *,
    record_video: Callable[[Path], Path] | None = None,
    on_item: Callable[[int, int, Path], None] | None = None,
) -> ImportResult:
    """Copy the recordings in ``path`` (a recording, or a folder of them) into ``root`` and index them.

    person: whose they are, written into each copy's session.json (the original is left as it was).
    Already in ``root``: indexed where it is (and named, if ``person``). ``record_video``: makes a
    recording under ``root`` of a handed-in video and returns its folder (tracking it is the caller's:
    :func:`vision.run.handed_in.record_video`); without it, videos are skipped with why, as are other
    files, and a video it cannot judge (no calibration beside it) gets its reason. ``on_item(i, n, path)``
    before each (for a progress bar). Raises RecordingError when ``path`` is not a folder.
    """
    path, root = Path(path), Path(root)
    if not path.is_dir():
        raise RecordingError(f"{path}: no such folder; give a recording folder, or a folder of recordings")
    out = ImportResult()
    found = list(_candidates(path))
    for i, p in enumerate(found):
        if on_item is not None:
            on_item(i, len(found), p)
        if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES:
            if record_video is None:
                out.skipped.append(
                    (str(p), "a video, not a recording: judge it with `stroke-coach analyze` and a calibration")
                )
                continue
            try:
                made = record_video(p)
            except (RecordingError, VideoError, ValueError, OSError) as e:  # its own problem: its row; the rest go on
                out.skipped.append((str(p), str(e)))
                continue
            index_recording(lib, made)
            out.imported.append(made.name)
            continue
        if not (p / SESSION_FILE).is_file():
            if p.is_dir() or p.suffix.lower() in VIDEO_SUFFIXES:
                out.skipped.append((str(p), f"not a recording ({SESSION_FILE} missing)"))
            continue
        try:
            info = read_session(p)
        except RecordingError as e:
            out.skipped.append((str(p), str(e)))
            continue
        if _under(str(p.resolve()), root.resolve()):
            dest = p
        else:
            root.mkdir(parents=True, exist_ok=True)
            dest = _free_name(root, p.name)
            shutil.copytree(p, dest)
        if person and info.person != person:
            write_session(dest / SESSION_FILE, info.model_copy(update={"person": person}))
        index_recording(lib, dest)
        out.imported.append(dest.name)
    return out


def rebuild(root: str | Path, url: str | None = None) -> tuple[Library, SyncResult, Path | None]:
    """The library made again from the recordings in ``root``: (the library, what changed, where a
    damaged or foreign SQLite file was set aside, or None). Raises LibraryError when it cannot be."""
    url = url or library_url()
    aside = None
    try:
        lib = open_library(url)
    except LibraryError as e:
        if e.problem not in ("damaged", "foreign"):
            raise
        aside = set_aside(url)
        if aside is None:  # a server's database: not ours to move
            raise
        lib = open_library(url)
    return lib, sync(lib, root, force=True, drop_missing=True), aside


def snapshot(lib: Library) -> list[dict[str, Any]]:
    """Every recording with its person and analyses as plain data, ids left out: to compare two libraries."""
    out = []
    with lib.transaction() as s:
        for r in s.scalars(select(RecordingRow).order_by(RecordingRow.folder)):
            started = utc_naive(r.started_at)
            out.append(
                {
                    "folder": r.folder,
                    "name": r.name,
                    "person": r.person.name if r.person else None,
                    "routine": r.routine,
                    "start_step": r.start_step,
                    "settings": r.settings,
                    "started_at": started,
                    "duration_s": r.duration_s,
                    "status": r.status,
                    "analyses": sorted(
                        (
                            {
                                k: v
                                for k, v in vars(a).items()
                                if not k.startswith("_") and k not in ("id", "recording_id", "recording")
                            }
                            for a in r.analyses
                        ),
                        key=lambda d: (d["source"], str(d["step"])),
                    ),
                }
            )
    return out

"""Grading a class in one run: every recording and handed-in video under some folders judged, one task each, on Dask.

- :func:`find_items`: what is to be graded under the paths given: recording
  folders (re-judged from their saved hands, no tracking), plain videos
  (tracked with the calibration saved beside them), and anything else that
  looks like work but cannot be (a folder with a damaged ``session.json``);
- :func:`grade_one`: one item graded (the task a Dask worker runs): its
  ``report.json`` (and the judging's files) into ``DIR/NAME/``, then
  ``DIR/NAME/grade.json``, the :class:`GradeRow` it returns. A file that
  cannot be graded gets its row with the reason, never an exception;
- :func:`grade`: the client: the items not yet graded (by this judging
  version, routine, start step and sensitivity; ``grade.json`` says) are
  submitted, and as each task ends (``as_completed``) its row goes into the
  library and ``DIR/grades.csv`` is written again, so an interrupted run keeps
  what finished and the next run does the rest;
- :func:`cluster_client`: a local cluster of processes, one per core (the
  default), or a school's scheduler by address (workers that see the same files).

The similarity to a teacher's reference (``--reference``) is the comparison's
(:mod:`vision.judging.compare`, another part of this issue): :func:`similarity_to`
is the one place it plugs in; until then the ``similarity`` column stays empty.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select

from vision.core.backframe import CalibrationError
from vision.core.types import VERDICTS
from vision.files.calibration import load_calibration_file
from vision.files.jsonfile import write_json_atomic
from vision.files.jsonl import RecordingError
from vision.files.recording import open_recording
from vision.files.report import Report, write_report
from vision.files.session import SESSION_FILE
from vision.files.video import VideoError, probe
from vision.judging import JUDGING_VERSION
from vision.judging.routines import Routine, RoutineError, find_routine
from vision.judging.settings import Settings
from vision.library.db import Library
from vision.library.index import VIDEO_SUFFIXES, index_recording, parse_utc, person_named
from vision.library.models import Analysis, Class, RecordingRow
from vision.run.analyze import AnalysisResult, analyze, rejudge
from vision.run.handed_in import CALIBRATION_FILE, calibration_beside
from vision.run.reference import compare_results, with_comparison

__all__ = [
    "CSV_FILE",
    "GRADE_FILE",
    "GradeItem",
    "GradeOptions",
    "GradeProgress",
    "GradeResult",
    "GradeRow",
    "cluster_client",
    "find_items",
    "grade",
    "grade_one",
    "similarity_to",
]

log = logging.getLogger(__name__)

CSV_FILE = "grades.csv"
GRADE_FILE = "grade.json"  # DIR/NAME/grade.json: the item's row, written last (the mark that it is done)
SOURCE = "graded"  # the library's Analysis.source of a grading's rows
TOPIC = "stroke-coach-grading"  # the workers say on it which file they start (the page shows it)
#: the verdicts that are flags, each a column of grades.csv
FLAGS = tuple(v for v in VERDICTS if v != "ok")

Kind = Literal["recording", "video"]


@dataclass(frozen=True)
class GradeItem:
    """One thing to grade: a recording folder or a video file (``path``, absolute), graded into ``DIR/name``."""

    path: str
    kind: Kind
    name: str
    student: str | None = None  # who, when the recording does not say: the folder it is in, or a video's name


@dataclass(frozen=True)
class GradeOptions:
    """How to grade, the same for every item. ``routine``: a routine's name or YAML file (found on the worker).

    step: follow the routine from this step (default: a recording's own start step, a video's routine's
    first). sensitivity: None: a recording's as recorded, a video's standard. detect_workers: MediaPipe
    instances per video inside one task (1: the cluster's processes already use every core).
    """

    routine: str
    out_dir: str
    step: str | None = None
    sensitivity: str | None = None
    reference: str | None = None
    routines_dir: str | None = None
    annotate: bool = False
    detect_workers: int = 1


@dataclass(frozen=True)
class GradeRow:
    """One row of grades.csv (and the item's grade.json). ``status``: "graded", or "failed" with ``problem``."""

    name: str
    source: str
    kind: str
    status: str
    student: str | None = None
    date: str | None = None  # when it was practised: ISO 8601
    length_s: float | None = None
    score: int | None = None
    step_scores: dict[str, int | None] = field(default_factory=dict)
    flags: dict[str, int] = field(default_factory=dict)  # flag -> events with it
    verdict_counts: dict[str, int] = field(default_factory=dict)  # every verdict, ok included
    lane_s: dict[str, float] = field(default_factory=dict)
    events: int = 0
    flagged: int = 0
    similarity: float | None = None
    problem: str | None = None
    routine: str | None = None
    start_step: str | None = None
    sensitivity: str | None = None
    judging_version: int = JUDGING_VERSION
    graded_at: str | None = None
    elapsed_s: float | None = None

    @property
    def ok(self) -> bool:
        return self.status == "graded"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> GradeRow:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})


# -- what to grade --------------------------------------------------------------------------------------------------


def _walk(root: Path, skip: Path | None) -> Iterator[tuple[Path, Kind]]:
    if (root / SESSION_FILE).is_file():
        yield root, "recording"
        return
    try:
        children = sorted(root.iterdir())
    except OSError as e:
        log.warning("cannot look in %s: %s", root, e.strerror or e)
        return
    for p in children:
        if skip is not None and p.resolve() == skip:
            continue
        if p.is_dir():
            yield from _walk(p, skip)
        elif p.suffix.lower() in VIDEO_SUFFIXES:
            yield p, "video"


def find_items(paths: Iterable[str | Path], out_dir: str | Path | None = None) -> list[GradeItem]:
    """Every recording folder and video file under ``paths`` (files or folders, searched all the way down;
    ``out_dir`` left out), each with a name of its own for ``DIR/NAME`` (its folder's or file's name, with a
    few letters of its path's hash when two share one). Raises RecordingError for a path that is not there."""
    skip = Path(out_dir).resolve() if out_dir is not None else None
    found: list[tuple[Path, Kind, Path]] = []
    for given in paths:
        root = Path(given).expanduser()
        if not root.exists():
            raise RecordingError(f"{root}: no such file or folder; give folders of recordings and videos")
        if root.is_file():
            if root.suffix.lower() not in VIDEO_SUFFIXES:
                raise RecordingError(f"{root}: not a video ({', '.join(sorted(VIDEO_SUFFIXES))}) or a recording")
            found.append((root.resolve(), "video", root.resolve().parent))
            continue
        found += [(p.resolve(), kind, root.resolve()) for p, kind in _walk(root, skip)]
    seen: set[Path] = set()
    unique = [(p, k, r) for p, k, r in found if not (p in seen or seen.add(p))]  # type: ignore[func-returns-value]
    stems = [p.stem if k == "video" else p.name for p, k, _ in unique]
    items = []
    for (p, kind, root), stem in zip(unique, stems):
        name = stem if stems.count(stem) == 1 else f"{stem}-{hashlib.sha1(str(p).encode()).hexdigest()[:6]}"
        student = p.parent.name if p.parent != root else (p.stem if kind == "video" else None)
        items.append(GradeItem(str(p), kind, name, student))
    return items


# -- one item (a task) ----------------------------------------------------------------------------------------------


def similarity_to(reference: str | None, result: AnalysisResult, routine: Routine, out: Path) -> float | None:
    """How like the teacher's reference recording the graded item is, 0..100 (None: no reference given).

    The reference is re-judged from its saved hands with the same routine (once per worker process), the
    item compared with it step by step (:mod:`vision.judging.compare`), and the comparison, with its plain
    words, written into the item's report.json."""
    if reference is None:
        return None
    comparison = compare_results(result, _reference_result(reference, routine), routine)
    write_report(with_comparison(result.report, comparison), out)
    return None if comparison.similarity is None else float(comparison.similarity)


_REFERENCES: dict[tuple[str, str], AnalysisResult] = {}  # (reference, routine) -> its judging, per process


def _reference_result(reference: str, routine: Routine) -> AnalysisResult:
    key = (reference, routine.name)
    if key not in _REFERENCES:  # judged from the step it was recorded from, as the items are
        recorded = open_recording(reference).session.step
        start = recorded if recorded in {st.id for st in routine.steps} else None
        _REFERENCES[key] = rejudge(Path(reference), routine=routine, annotate=False, start_step=start)
    return _REFERENCES[key]


def _announce(name: str) -> None:
    """Tell the client which file this worker starts (shown on the page); nothing outside a Dask worker."""
    try:
        from distributed import get_worker

        get_worker().log_event(TOPIC, {"start": name})
    except (ImportError, ValueError):
        pass


def _row_of(item: GradeItem, report: Report, **kw: Any) -> GradeRow:
    by_verdict = dict(sorted(report.summary.by_verdict.items()))
    lanes: dict[str, float] = {}
    for e in report.events:
        lanes[e.lane] = round(lanes.get(e.lane, 0.0) + e.duration_s, 3)
    return GradeRow(
        name=item.name,
        source=item.path,
        kind=item.kind,
        status="graded",
        length_s=round(report.duration_s, 2),
        score=report.score,
        step_scores={s.step_id: s.score for s in report.steps or []},  # a repeated step: its last attempt's
        flags={k: v for k, v in by_verdict.items() if k != "ok"},
        verdict_counts=by_verdict,
        lane_s=dict(sorted(lanes.items())),
        events=report.summary.events,
        flagged=report.summary.flagged,
        **kw,
    )


def _grade_recording(item: GradeItem, options: GradeOptions, routine: Routine, out: Path) -> GradeRow:
    rec = open_recording(item.path)
    recorded = rec.session.settings.to_settings()
    settings = Settings(options.sensitivity or recorded.sensitivity, recorded.smoothing)
    start = options.step or (rec.session.step if rec.session.step in {s.id for s in routine.steps} else None)
    result = rejudge(
        rec.folder, routine=routine, settings=settings, out_dir=out, annotate=options.annotate, start_step=start
    )
    return _row_of(
        item,
        result.report,
        student=rec.session.person or item.student,
        date=rec.session.started_at,
        routine=options.routine,
        start_step=start,
        sensitivity=settings.sensitivity,
        similarity=similarity_to(options.reference, result, routine, out),
    )


def no_calibration(video: Path) -> str:
    return (
        f"no calibration beside it; calibrate the camera it was filmed with (the Calibrate page) and save the "
        f"file as {video.stem}.calibration.json next to it (or {CALIBRATION_FILE} for the whole folder)"
    )


def _grade_video(item: GradeItem, options: GradeOptions, routine: Routine, out: Path) -> GradeRow:
    video = Path(item.path)
    cal_path = calibration_beside(video)
    if cal_path is None:
        raise RecordingError(no_calibration(video))
    info = probe(video)
    saved = load_calibration_file(cal_path, frame_wh=info.frame_wh)
    settings = Settings(options.sensitivity or "standard")
    result = analyze(
        video,
        saved.calibration,
        None,
        routine=routine,
        settings=settings,
        out_dir=out,
        annotate=options.annotate,
        workers=options.detect_workers,
        start_step=options.step,
    )
    made = datetime.fromtimestamp(video.stat().st_mtime).astimezone().isoformat(timespec="seconds")
    return _row_of(
        item,
        result.report,
        student=item.student,
        date=made,
        routine=options.routine,
        start_step=options.step,
        sensitivity=settings.sensitivity,
        similarity=similarity_to(options.reference, result, routine, out),
    )


def grade_one(item: GradeItem, options: GradeOptions) -> GradeRow:
    """Grade one recording or video into ``DIR/NAME/`` (report.json, strokes.csv, landmarks.jsonl, then
    grade.json) and return its row. A file that cannot be graded gives a "failed" row with why (one line);
    a folder that cannot be written to as well."""
    _announce(item.name)
    start = time.perf_counter()
    out = Path(options.out_dir) / item.name
    try:
        routine = find_routine(options.routine, options.routines_dir)
        if options.step is not None:
            routine.step(options.step)
        out.mkdir(parents=True, exist_ok=True)
        if item.kind == "recording":
            row = _grade_recording(item, options, routine, out)
        else:
            row = _grade_video(item, options, routine, out)
    except (RecordingError, VideoError, CalibrationError, RoutineError, KeyError, ValueError) as e:
        row = failed(item, options, _one_line(e))
    except OSError as e:
        problem = f"cannot read or write it: {e.strerror or e}" + (f" ({e.filename})" if e.filename else "")
        row = failed(item, options, problem)
    row = replace(
        row,
        graded_at=datetime.now(UTC).isoformat(timespec="seconds"),
        elapsed_s=round(time.perf_counter() - start, 2),
    )
    with contextlib.suppress(OSError):  # a folder not writable: the row says why (the client writes the CSV)
        out.mkdir(parents=True, exist_ok=True)
        write_json_atomic(out / GRADE_FILE, row.to_dict())
    return row


def failed(item: GradeItem, options: GradeOptions, problem: str) -> GradeRow:
    """The row of an item that could not be graded, with why (one line)."""
    return GradeRow(
        item.name,
        item.path,
        item.kind,
        "failed",
        student=item.student,
        problem=problem,
        routine=options.routine,
        start_step=options.step,
        sensitivity=options.sensitivity,
    )


def _one_line(e: BaseException) -> str:
    text = str(e).strip() or type(e).__name__
    if isinstance(e, KeyError):  # a step the routine has not: KeyError's str() is quoted
        text = str(e.args[0]) if e.args else text
    return " ".join(text.split())


# -- the client -----------------------------------------------------------------------------------------------------


def graded_before(item: GradeItem, options: GradeOptions) -> GradeRow | None:
    """The item's row from an earlier run into the same ``DIR``, if it was graded the same way (this judging
    version, routine, start step and sensitivity, the same file); None: grade it (again)."""
    path = Path(options.out_dir) / item.name / GRADE_FILE
    try:
        import json

        row = GradeRow.from_dict(json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None
    if not row.ok or row.source != item.path or row.judging_version != JUDGING_VERSION:
        return None
    if row.routine != options.routine or row.start_step != (options.step or row.start_step):
        return None
    if options.sensitivity is not None and row.sensitivity != options.sensitivity:
        return None
    if not (Path(options.out_dir) / item.name / "report.json").is_file():
        return None
    return row


def _video_row(s, row: GradeRow) -> RecordingRow:
    """A graded video's row in the library: keyed by the video file (it is no recording folder)."""
    rec = s.scalar(select(RecordingRow).where(RecordingRow.folder == row.source))
    if rec is None:
        rec = RecordingRow(folder=row.source)
        s.add(rec)
    st = Path(row.source).stat()
    rec.name, rec.routine, rec.start_step = Path(row.source).stem, row.routine, row.start_step
    rec.settings = {"sensitivity": row.sensitivity}
    rec.started_at, rec.duration_s = parse_utc(row.date), row.length_s
    rec.status, rec.stamp = "complete", f"video {st.st_size}:{st.st_mtime_ns}"
    rec.person = person_named(s, row.student) if row.student else None
    s.flush()
    return rec


def has_graded(lib: Library, row: GradeRow) -> bool:
    """Whether the library has this grading of the row's recording (or video): same routine, sensitivity and
    judging version."""
    with lib.transaction() as s:
        q = (
            select(Analysis.id)
            .join(RecordingRow)
            .where(
                RecordingRow.folder == row.source,
                Analysis.source == SOURCE,
                Analysis.routine == row.routine,
                Analysis.sensitivity == (row.sensitivity or "standard"),
                Analysis.judging_version == row.judging_version,
            )
        )
        return s.scalar(q) is not None


def write_to_library(lib: Library, row: GradeRow, class_name: str | None = None) -> None:
    """A graded row into the library: the recording indexed (a video: a row of its own), its analysis of this
    grading (replacing an earlier one of the same routine and sensitivity), the student put in the class."""
    if not row.ok:
        return
    if row.kind == "recording":
        index_recording(lib, row.source)
    with lib.transaction() as s:
        if row.kind == "recording":
            rec = s.scalar(select(RecordingRow).where(RecordingRow.folder == row.source))
            assert rec is not None
        else:
            rec = _video_row(s, row)
        sensitivity = row.sensitivity or "standard"
        for a in [a for a in rec.analyses if a.source == SOURCE]:
            if a.routine == row.routine and a.sensitivity == sensitivity and a.step is None:
                rec.analyses.remove(a)
        rec.analyses.append(
            Analysis(
                source=SOURCE,
                routine=row.routine,
                step=None,  # the whole routine, followed step by step (from the row's start step)
                sensitivity=sensitivity,
                score=row.score,
                step_scores=row.step_scores,
                verdict_counts=row.verdict_counts,
                lane_s=row.lane_s,
                events=row.events,
                flagged=row.flagged,
                judging_version=row.judging_version,
            )
        )
        if class_name and rec.person is not None:
            c = s.scalar(select(Class).where(Class.name == class_name.strip()))
            if c is None:
                c = Class(name=class_name.strip())
                s.add(c)
            if rec.person.role != "teacher" and rec.person not in c.members:
                c.members.append(rec.person)


def csv_columns(step_ids: Sequence[str]) -> list[str]:
    return [
        "name",
        "student",
        "date",
        "length_s",
        "score",
        *(f"step:{s}" for s in step_ids),
        *(f"flag:{f}" for f in FLAGS),
        "similarity",
        "status",
        "problem",
        "kind",
        "source",
    ]


def write_csv(path: Path, rows: Iterable[GradeRow], step_ids: Sequence[str]) -> None:
    """grades.csv, one row per item (by name), written whole and replaced at once (a reader never sees half)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(csv_columns(step_ids))
    for r in sorted(rows, key=lambda r: r.name):
        w.writerow(
            [
                r.name,
                r.student or "",
                r.date or "",
                "" if r.length_s is None else f"{r.length_s:g}",
                "" if r.score is None else r.score,
                *("" if r.step_scores.get(s) is None else r.step_scores[s] for s in step_ids),
                *(r.flags.get(f, 0) if r.ok else "" for f in FLAGS),
                "" if r.similarity is None else f"{r.similarity:.3f}",
                r.status,
                r.problem or "",
                r.kind,
                r.source,
            ]
        )
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(buf.getvalue(), newline="")
    os.replace(tmp, path)


@dataclass(frozen=True)
class GradeProgress:
    """Where a run is: ``done`` of ``total`` items; ``row`` the one just finished (None: a start or a tick);
    ``running``: the names the workers said they started and that have not finished."""

    done: int
    total: int
    row: GradeRow | None
    running: tuple[str, ...] = ()
    skipped: int = 0

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0


@dataclass
class GradeResult:
    rows: list[GradeRow]  # every item's, by name: graded now, graded before (skipped), failed
    graded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    csv: Path | None = None
    library_problems: list[str] = field(default_factory=list)


@contextlib.contextmanager
def cluster_client(scheduler: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """A Dask client: on ``scheduler`` (``tcp://HOST:8786``, a school's cluster), else on a local cluster of
    ``workers`` processes (default: one per core), one thread each (MediaPipe keeps a core busy)."""
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler, timeout="20s") as client:
            yield client
        return
    n = workers or os.cpu_count() or 1
    with (
        LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        yield client


def grade(
    items: Sequence[GradeItem],
    options: GradeOptions,
    client: Any,
    *,
    library: Library | None = None,
    class_name: str | None = None,
    on_progress: Callable[[GradeProgress], None] | None = None,
    tick_s: float = 0.5,
) -> GradeResult:
    """Grade the items on the Dask ``client``, each one task (:func:`grade_one`); those graded before into
    the same ``DIR`` the same way are skipped (their rows kept). As each task ends its row goes into the
    library (by this process) and ``DIR/grades.csv`` is written again. ``on_progress`` at the start, as each
    ends, and every ``tick_s`` (with the files being graded)."""
    from distributed import as_completed

    out = Path(options.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    routine = find_routine(options.routine, options.routines_dir)
    if options.step is not None:
        routine.step(options.step)  # a step the routine has not: raised before any work
    step_ids = [s.id for s in routine.steps]
    csv_path = out / CSV_FILE
    result = GradeResult(rows=[], csv=csv_path)
    rows: dict[str, GradeRow] = {}
    todo: list[GradeItem] = []
    for item in items:
        before = graded_before(item, options)
        if before is None:
            todo.append(item)
            continue
        rows[item.name] = before
        result.skipped.append(item.name)
        if library is not None and not has_graded(library, before):  # a run stopped between the two
            _library_write(library, before, class_name, result)
    write_csv(csv_path, rows.values(), step_ids)
    running: dict[str, float] = {}

    def started(event: Any) -> None:  # on the client's event loop: no more than a note
        _, msg = event
        if isinstance(msg, dict) and isinstance(msg.get("start"), str):
            running[msg["start"]] = time.monotonic()

    def report(row: GradeRow | None) -> None:
        if on_progress is not None:
            on_progress(
                GradeProgress(
                    len(rows), len(items), row, tuple(n for n in running if n not in rows), len(result.skipped)
                )
            )

    with contextlib.suppress(Exception):  # an older scheduler without events: no names while running
        client.subscribe_topic(TOPIC, started)
    report(None)
    futures = {
        client.submit(grade_one, item, options, pure=False, key=f"grade-{item.name}-{os.urandom(4).hex()}"): item
        for item in todo
    }
    pending = as_completed(list(futures))
    try:
        while not pending.is_empty():
            if not pending.has_ready():
                time.sleep(tick_s)
                report(None)
                continue
            for fut in pending.next_batch(block=False):
                item = futures[fut]
                try:
                    row = fut.result()
                except Exception as e:  # noqa: BLE001 - a worker lost, an error grade_one did not expect: its row
                    row = failed(item, options, f"the task failed: {_one_line(e)}")
                rows[item.name] = row
                running.pop(item.name, None)
                (result.graded if row.ok else result.failed).append(item.name)
                if library is not None:
                    _library_write(library, row, class_name, result)
                if row.ok:
                    _student_pdf(library, row, item, Path(options.out_dir), result)
                write_csv(csv_path, rows.values(), step_ids)
                report(row)
    finally:
        for fut in futures:
            if not fut.done():
                fut.cancel()
        with contextlib.suppress(Exception):
            client.unsubscribe_topic(TOPIC)
    result.rows = sorted(rows.values(), key=lambda r: r.name)
    return result


PDF_FILE = "report.pdf"  # each graded item's report for its student, in DIR/NAME/


def _student_pdf(lib: Library | None, row: GradeRow, item: GradeItem, out_dir: Path, result: GradeResult) -> None:
    """DIR/NAME/report.pdf for the student: the item's report, stills from its video, the trend against
    their earlier sessions in the library. A PDF that cannot be made is a problem of its own, not a failed
    grade (the row and the CSV stand)."""
    from vision.files.report import read_report
    from vision.library.history import sessions
    from vision.reports.pdf import PdfError, student_pdf

    folder = out_dir / row.name
    student = row.student or row.name
    try:
        video = open_recording(item.path).video if item.kind == "recording" else Path(item.path)
        history = sessions(lib, [student]) if lib is not None and row.student else None
        when = datetime.fromisoformat(row.date) if row.date else None
        student_pdf(
            read_report(folder / "report.json"),
            student=student,
            out=folder / PDF_FILE,
            video=video,
            history=history,
            when=when,
        )
    except (PdfError, RecordingError, VideoError, ValueError, OSError) as e:
        result.library_problems.append(f"{row.name}: no PDF report: {_one_line(e)}")


def _library_write(lib: Library, row: GradeRow, class_name: str | None, result: GradeResult) -> None:
    from vision.library.db import LibraryError

    try:
        write_to_library(lib, row, class_name)
    except (LibraryError, RecordingError, OSError) as e:
        result.library_problems.append(f"{row.name}: not put into the library: {_one_line(e)}")

"""The command line, ``stroke-coach`` (or ``python -m vision``).

- ``stroke-coach analyze CLIP --calibration CAL.json --out DIR``: judge a clip;
- ``stroke-coach rejudge RECORDING --out DIR``: judge a recording again from its saved hands;
- ``stroke-coach report REPORT_OR_RECORDING --student NAME --out FILE.pdf``: a student's PDF report;
- ``stroke-coach app``: the app in the browser (``streamlit run`` on the app's files);
- ``stroke-coach routines check [FILE...]``: validate routine files (default:
  every routine in the routine folders), one line per file, exit 2 if any is bad;
- ``stroke-coach routines show NAME``: a routine's steps, readable in a terminal;
- ``stroke-coach grade PATH... --routine R --out DIR``: grade a class's recordings and videos in one run
  (on Dask: a local cluster of processes, or ``--scheduler tcp://HOST:8786``), into the library and
  ``DIR/grades.csv``;
- ``stroke-coach library status|rebuild|import PATH|person NAME|reference``: the session library
  (where it is, made again from the recordings, handed-in recordings in, people and classes).

Every mistake in the input (a missing or corrupt video, a bad calibration, an
unknown routine or step) ends with one line on stderr and exit code 2, never a
traceback.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import textwrap
from pathlib import Path

from vision.core.backframe import CalibrationError

EXIT_INPUT = 2


def _progress_printer(name: str, doing: str = "analysing"):
    tty = sys.stderr.isatty()
    last = [-1.0]

    def show(p) -> None:
        frac = p.fraction
        fps = p.frame / p.elapsed_s if p.elapsed_s > 0 else 0.0
        done = frac is not None and frac >= 1.0
        if not tty and not done and p.elapsed_s - last[0] < 5.0:
            return  # in a log, a line every few seconds is enough
        last[0] = p.elapsed_s
        pct = f" ({100 * frac:3.0f}%)" if frac is not None else ""
        total = f"/{p.n_frames}" if p.n_frames else ""
        line = f"{doing} {name}: frame {p.frame}{total}{pct}, {fps:.1f} frames/s"
        print(("\r" if tty else "") + line, end="\n" if (done or not tty) else "", file=sys.stderr, flush=True)

    return show


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {text!r}")
    return n


def cmd_analyze(args) -> int:
    from vision.files.video import VideoError, probe
    from vision.judging.routines import RoutineError, find_routine
    from vision.judging.settings import Settings
    from vision.run.analyze import analyze

    try:
        info = probe(args.clip)
        calibration = _load_calibration(args.calibration, info.frame_wh)
        routine = find_routine(args.routine, args.routines_dir)
        step = routine.step(args.step) if args.step else None  # None: follow the routine step by step
    except (VideoError, CalibrationError, RoutineError) as e:
        return _fail(e)
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        return _fail(f"cannot write to {out}: {e.strerror or e}; choose another --out folder")
    try:
        result = analyze(
            args.clip,
            calibration,
            step,
            routine=routine,
            out_dir=out,
            annotate=not args.no_video,
            settings=Settings(args.sensitivity or "standard", args.smoothing or "standard"),
            on_progress=None if args.quiet else _progress_printer(Path(args.clip).name),
            workers=args.workers,
        )
    except VideoError as e:
        return _fail(e)
    except OSError as e:
        return _fail(f"cannot write to {out}: {e.strerror or e}")
    _print_result(result, out, video=not args.no_video)
    return 0


def _print_result(result, out: Path, video: bool) -> None:
    """What a judging found, for a terminal: events, flags, the steps and the score, the files written."""
    report = result.report
    s = report.summary
    flags = ", ".join(f"{k} {v}" for k, v in s.by_verdict.items() if k != "ok") or "none"
    print(
        f"{result.frames} frames in {result.elapsed_s:.1f} s; {s.events} events "
        f"({', '.join(f'{k} {v}' for k, v in s.by_kind.items()) or 'none'}); flags: {flags}"
    )
    for w in report.warnings:
        print(f"warning: {w}", file=sys.stderr)
    for st in report.steps or []:
        asked = st.asked
        target = f"/{asked.target:g} {asked.unit}" if asked.target is not None else f" {asked.unit}"
        score = "" if st.score is None else f", score {st.score}"
        flags = ", ".join(f"{k} {v}" for k, v in st.flags.items())
        print(
            f"  step {st.step_id}: {st.done:g}{target}{' done' if st.complete else ''}"
            f"{' (cut short)' if st.cut_short else ''}{score}" + (f"; flags: {flags}" if flags else "")
        )
    for note in report.cut_short:
        print(f"note: {note}")
    if report.following:
        print(f"routine score: {report.score}")
    print(f"wrote {out / 'report.json'}, {out / 'strokes.csv'}" + (f", {out / 'annotated.mp4'}" if video else ""))


def cmd_rejudge(args) -> int:
    from vision.files.jsonl import RecordingError
    from vision.files.recording import open_recording
    from vision.files.video import VideoError
    from vision.judging.routines import RoutineError, find_routine
    from vision.judging.settings import Settings
    from vision.run.analyze import rejudge

    src = Path(args.recording)
    try:
        rec = open_recording(src) if src.is_dir() else None
        name = args.routine or (rec.session.routine if rec is not None else None) or "swedish"
        routine = find_routine(name, args.routines_dir)
        recorded = rec.session.settings.to_settings() if rec is not None else Settings()
        settings = Settings(args.sensitivity or recorded.sensitivity, args.smoothing or recorded.smoothing)
        step = routine.step(args.step).id if args.step else None
        calibration = _load_calibration(args.calibration, None) if args.calibration else None
    except (RecordingError, RoutineError, CalibrationError, ValueError) as e:
        return _fail(e)
    out = Path(args.out)
    try:
        result = rejudge(
            src,
            calibration,
            step,
            routine=routine,
            settings=settings,
            out_dir=out,
            annotate=not args.no_video,
            on_progress=None if args.quiet else _progress_printer(src.name, "re-judging"),
        )
    except (RecordingError, VideoError, ValueError) as e:
        return _fail(e)
    except OSError as e:
        return _fail(f"cannot write to {out}: {e.strerror or e}; choose another --out folder")
    _print_result(result, out, video=not args.no_video and (out / "annotated.mp4").exists())
    return 0


#: Streamlit's options for the app, as .streamlit/config.toml gives them to `make run` (a test keeps them the same);
#: server.address is --address.
APP_OPTIONS = {
    "browser.gatherUsageStats": "false",
    "client.toolbarMode": "minimal",
    "client.showErrorDetails": "none",  # a generic message for an uncaught exception; the traceback: the log
    "logger.enableRich": "false",  # that traceback through Python's logging, where the app's log file gets it
    "server.maxUploadSize": "2000",
}


def app_command(port: int = 8501, address: str = "127.0.0.1", headless: bool = False) -> list[str]:
    """``streamlit run`` on the app's files, with the app's options."""
    from vision.core.folders import app_script

    cmd = [sys.executable, "-m", "streamlit", "run", str(app_script()), "--server.port", str(port)]
    cmd += ["--server.address", address]
    for name, value in APP_OPTIONS.items():
        cmd += [f"--{name}", value]
    if headless:
        cmd += ["--server.headless", "true"]
    return cmd


def cmd_app(args) -> int:
    import subprocess

    cmd = app_command(args.port, args.address, args.headless)
    print(f"Stroke Coach at http://{args.address}:{args.port} (Ctrl+C stops it)", file=sys.stderr)
    try:
        return subprocess.call(cmd)
    except KeyboardInterrupt:
        return 0


def _check_routines_dir(routines_dir: str | None) -> str | None:
    """An error message when ``--routines-dir`` names no folder (a typo would otherwise hide its routines)."""
    if routines_dir and not Path(routines_dir).is_dir():
        return f"--routines-dir {routines_dir}: no such folder"
    return None


def cmd_routines_check(args) -> int:
    from vision.core.folders import ROUTINES_ENV
    from vision.judging.routines import RoutineError, find_routine_path, load_routine, routine_files

    if problem := _check_routines_dir(args.routines_dir):
        return _fail(problem)
    env_dir = os.environ.get(ROUTINES_ENV)
    if not args.files and env_dir and not Path(env_dir).is_dir():
        print(f"warning: {ROUTINES_ENV} names {env_dir}, which is not a folder", file=sys.stderr)
    if args.files:
        paths: list = []
        for f in args.files:
            d = Path(f)
            if d.is_dir():
                paths += sorted(x for x in d.iterdir() if x.suffix in (".yaml", ".yml") and x.is_file())
            else:
                paths.append(f)
    else:
        paths = routine_files(args.routines_dir)
        if not paths:
            return _fail("no routine files (*.yaml) in the routine folders; name files to check")
    bad = 0
    for f in paths:
        try:
            path = find_routine_path(f, args.routines_dir)
            routine = load_routine(path)
        except RoutineError as e:
            bad += 1
            for line in str(e).splitlines():
                print(f"bad {line}")
            continue
        n = len(routine.steps)
        print(f"ok  {path.name}: {routine.name}, {n} step{'' if n == 1 else 's'}")
    return EXIT_INPUT if bad else 0


def _bounds_text(b, unit: str) -> str:
    if b.min is not None and b.max is not None:
        return f"{b.min:g} to {b.max:g} {unit}"
    return f"at least {b.min:g} {unit}" if b.min is not None else f"at most {b.max:g} {unit}"


def format_routine(routine, source: Path | None = None, width: int = 80) -> str:
    """A routine as text for a terminal: name, description, then each step's fields, ``width`` columns wide."""
    label_w = 14

    def field(label: str, text: str) -> list[str]:
        return textwrap.wrap(
            text, width, initial_indent=f"   {label:<{label_w}}", subsequent_indent=" " * (3 + label_w)
        ) or [f"   {label}"]

    n = len(routine.steps)
    head = f"{routine.name}" + (f"  ({source})" if source else "")
    lines = [head, "=" * min(len(head), width)]
    if routine.description:
        lines += textwrap.wrap(routine.description, width)
    lines.append(f"{n} step{'' if n == 1 else 's'}")
    for i, st in enumerate(routine.steps, 1):
        lines += ["", f"{i}. {st.id}: {st.title}"]
        if st.technique == "instruction":
            lines += field("technique", "instruction (nothing is judged)")
        else:
            lines += field("technique", st.technique)
            lines += field("hands", st.hands)
            lanes = ", ".join(st.lanes) + (f" (returns: {', '.join(st.return_lanes)})" if st.return_lanes else "")
            lines += field("lanes", lanes)
            lines += field("direction", st.direction)
            lines += field("contact", st.contact)
        if st.repetitions is not None:
            lines += field("repetitions", str(st.repetitions))
        if st.duration_s is not None:
            lines += field("duration", f"{st.duration_s:g} s")
        for label, bounds, unit in (
            ("speed", st.speed, "back lengths/s"),
            ("hold", st.hold_s, "s"),
            ("circle radius", st.circle_radius, "back lengths"),
        ):
            if bounds.is_set():
                lines += field(label, _bounds_text(bounds, unit))
        lines += field("instruction", st.instruction)
    return "\n".join(lines)


def cmd_routines_show(args) -> int:
    from vision.judging.routines import RoutineError, find_routine_path, load_routine

    if problem := _check_routines_dir(args.routines_dir):
        return _fail(problem)
    try:
        path = find_routine_path(args.name, args.routines_dir)
        routine = load_routine(path)
    except RoutineError as e:
        return _fail(e)
    try:
        source = path.resolve().relative_to(Path.cwd())
    except ValueError:
        source = path
    width = max(60, min(100, shutil.get_terminal_size((80, 24)).columns))
    print(format_routine(routine, source, width))
    return 0


def _load_calibration(path: str, frame_wh):
    """The calibration file (or a sample's labels) checked, corners far outside ``frame_wh`` refused."""
    from vision.files.calibration import load_calibration_file

    return load_calibration_file(path, frame_wh=frame_wh).calibration


def _fail(e) -> int:
    """One line on stderr (a routine's several problems each get their own line) and exit code 2."""
    print(f"error: {e}", file=sys.stderr)
    return EXIT_INPUT


def _judging_options(p: argparse.ArgumentParser, default: str = "default: standard") -> None:
    from vision.judging.settings import SENSITIVITIES, SMOOTHINGS

    p.add_argument(
        "--sensitivity", choices=SENSITIVITIES, help=f"how strict the judging is, applied to every step ({default})"
    )
    p.add_argument("--smoothing", choices=SMOOTHINGS, help=f"the hands' smoothing ({default})")


def _report_source(src: Path, routines_dir: str | None):
    """(report, judged events or None, video or None, when or None, recording name or None, person or None)
    of a recording folder (re-judged from its saved hands, as recorded), an analysis folder or a report.json."""
    from datetime import datetime

    from vision.files.jsonl import RecordingError
    from vision.files.recording import open_recording
    from vision.files.report import read_report
    from vision.judging.routines import find_routine
    from vision.run.analyze import rejudge

    def started(text: str | None):
        try:
            return datetime.fromisoformat(text) if text else None
        except ValueError:
            return None

    if src.is_dir() and (src / "session.json").is_file():
        rec = open_recording(src)
        s = rec.session
        routine = find_routine(s.routine or "swedish", routines_dir)
        result = rejudge(src, None, s.step, routine=routine, settings=s.settings.to_settings())
        return result.report, result.events, rec.video, started(rec.started_at), rec.name, s.person
    path = src / "report.json" if src.is_dir() else src
    report = read_report(path)
    video = next((v for v in (path.parent / "annotated.mp4", Path(report.video)) if v.is_file()), None)
    when, name, person = datetime.fromtimestamp(path.stat().st_mtime).astimezone(), None, None
    judged = Path(report.video)
    if judged.is_dir() and (judged / "session.json").is_file():  # a recording re-judged: its time and person
        try:
            found = open_recording(judged)
        except RecordingError:  # the report still makes a PDF, without the recording's time
            found = None
        if found is not None:
            video = video or found.video
            when, name, person = started(found.started_at) or when, found.name, found.session.person
    return report, None, video, when, name, person


def cmd_report(args) -> int:
    from vision.drawing.diagrams import samples_from_events
    from vision.files.jsonl import RecordingError
    from vision.files.report import ReportError
    from vision.files.video import VideoError
    from vision.judging.routines import RoutineError
    from vision.reports.pdf import PdfError, student_pdf

    src = Path(args.source)
    if not src.exists():
        return _fail(f"{src}: no such file or folder; give a report.json, an analysis folder or a recording folder")
    try:
        report, events, video, when, name, person = _report_source(src, args.routines_dir)
    except (ReportError, RecordingError, RoutineError, VideoError, CalibrationError, ValueError) as e:
        return _fail(e)
    student = args.student or person
    if not student:
        return _fail(f"{src}: whose work is it? give --student NAME (the recording does not say)")
    history = None
    if not args.no_history:
        from vision.library.db import LibraryError
        from vision.library.history import sessions

        try:
            history = sessions(_open_library(), [student])
        except LibraryError as e:
            print(f"warning: no trend (the library cannot be read: {e})", file=sys.stderr)
    try:
        out = student_pdf(
            report,
            student=student,
            out=args.out,
            video=video,
            history=history,
            samples=samples_from_events(events) if events is not None else None,
            when=when,
            recording=name,
        )
    except PdfError as e:
        return _fail(e)
    print(f"wrote {out}")
    return 0


def _open_library():
    from vision.library.db import open_library

    return open_library()


def cmd_library_status(args) -> int:
    from sqlalchemy import func, select

    from vision.library.db import LibraryError
    from vision.library.models import Analysis, Class, Person, RecordingRow

    try:
        lib = _open_library()
        with lib.transaction() as s:
            n = {
                m.__tablename__: s.scalar(select(func.count()).select_from(m))
                for m in (Person, Class, RecordingRow, Analysis)
            }
    except LibraryError as e:
        return _fail(e)
    print(f"library: {lib.where}")
    print(", ".join(f"{v} {k}" for k, v in n.items()))
    return 0


def cmd_library_rebuild(args) -> int:
    from vision.core.folders import folders
    from vision.library.db import LibraryError
    from vision.library.index import rebuild

    root = Path(args.recordings) if args.recordings else folders().recordings
    try:
        lib, result, aside = rebuild(root)
    except LibraryError as e:
        return _fail(e)
    if aside is not None:
        print(f"the old library file could not be used; it was set aside as {aside}", file=sys.stderr)
    for folder, problem in result.damaged:
        print(f"warning: left out {folder}: {problem}", file=sys.stderr)
    print(f"rebuilt {lib.where} from {root}: {result.summary()}")
    return 0


def cmd_library_import(args) -> int:
    from vision.core.folders import folders
    from vision.files.jsonl import RecordingError
    from vision.judging.routines import RoutineError, find_routine
    from vision.library.db import LibraryError
    from vision.library.index import import_folder
    from vision.run.handed_in import record_video

    try:
        routine = find_routine(args.routine)
        if args.step is not None:
            routine.step(args.step)  # a typo is named before any video is tracked
    except (RoutineError, KeyError, ValueError) as e:
        return _fail(e)

    def video(path: Path) -> Path:
        return record_video(
            path,
            routine,
            routine_key=args.routine,
            root=folders().recordings,
            person=args.student,
            start_step=args.step,
            on_progress=None if args.quiet else _progress_printer(path.name, "tracking"),
        )

    def item(i: int, n: int, path: Path) -> None:
        if not args.quiet:
            print(f"[{i + 1}/{n}] {path.name}", file=sys.stderr)

    try:
        result = import_folder(
            _open_library(), args.path, folders().recordings, person=args.student, record_video=video, on_item=item
        )
    except (LibraryError, RecordingError) as e:
        return _fail(e)
    except OSError as e:
        return _fail(
            f"cannot copy into {folders().recordings}: {e.strerror or e}; free some space or set "
            "STROKE_COACH_RECORDINGS"
        )
    for path, why in result.skipped:
        print(f"skipped {path}: {why}", file=sys.stderr)
    print(
        f"imported {len(result.imported)} recording{'' if len(result.imported) == 1 else 's'}"
        + (f" of {args.student}" if args.student else "")
        + (f": {', '.join(result.imported)}" if result.imported else "")
    )
    return 0 if result.imported or not result.skipped else EXIT_INPUT


def cmd_library_person(args) -> int:
    from vision.library.db import LibraryError
    from vision.library.people import add_person

    try:
        add_person(_open_library(), args.name, "teacher" if args.teacher else "student", tuple(args.class_ or ()))
    except (LibraryError, ValueError) as e:
        return _fail(e)
    print(
        f"{args.name}: {'teacher' if args.teacher else 'student'}"
        + (f", in {', '.join(args.class_)}" if args.class_ else "")
    )
    return 0


def cmd_library_reference(args) -> int:
    from vision.library.db import LibraryError
    from vision.library.people import set_reference

    try:
        set_reference(_open_library(), args.teacher, args.routine, args.recording)
    except (LibraryError, ValueError) as e:
        return _fail(e)
    print(f"{args.recording} is {args.teacher}'s reference for {args.routine}")
    return 0


def _grade_printer(quiet: bool):
    """The run's bar on stderr: items done of all, and what the workers are grading now."""
    tty = sys.stderr.isatty()
    width = 24

    def show(p) -> None:
        if p.row is not None and not quiet:
            r = p.row
            what = (
                f"score {r.score}" if r.ok and r.score is not None else ("graded" if r.ok else f"failed: {r.problem}")
            )
            print(("\r\033[K" if tty else "") + f"{r.name}: {what}", file=sys.stderr, flush=True)
        if quiet or (not tty and p.row is None):
            return
        filled = round(width * p.fraction)
        now = f"; grading {', '.join(p.running)}" if p.running else ""
        line = f"[{'#' * filled}{'.' * (width - filled)}] {p.done}/{p.total}{now}"
        if tty:
            print("\r\033[K" + line[:200], end="", file=sys.stderr, flush=True)
        else:
            print(line, file=sys.stderr, flush=True)

    return show


def cmd_grade(args) -> int:
    from vision.files.jsonl import RecordingError
    from vision.judging.routines import RoutineError, find_routine
    from vision.library.db import LibraryError
    from vision.run.grading import CSV_FILE, GradeOptions, cluster_client, find_items, grade

    out = Path(args.out)
    try:
        routine = find_routine(args.routine, args.routines_dir)
        if args.step is not None:
            routine.step(args.step)  # a typo is named before any work
        if args.reference is not None and not Path(args.reference).exists():
            raise RecordingError(f"--reference {args.reference}: no such recording")
        items = find_items(args.paths, out)
        out.mkdir(parents=True, exist_ok=True)
        lib = _open_library()
    except (RoutineError, RecordingError, LibraryError) as e:
        return _fail(e)
    except KeyError as e:
        return _fail(e.args[0] if e.args else e)
    except OSError as e:
        return _fail(f"cannot write to {out}: {e.strerror or e}; choose another --out folder")
    if not items:
        return _fail(f"no recordings or videos in {', '.join(args.paths)}")
    if args.reference is not None:  # a reference that is not a recording is named before anything is graded
        from vision.files.recording import open_recording

        try:
            open_recording(args.reference)
        except RecordingError as e:
            return _fail(f"--reference: {e}")
    options = GradeOptions(
        routine=args.routine,
        out_dir=str(out.resolve()),
        step=args.step,
        sensitivity=args.sensitivity,
        reference=args.reference,
        routines_dir=args.routines_dir,
        annotate=args.video,
    )
    where = args.scheduler or f"a local cluster of {args.workers or os.cpu_count() or 1} processes"
    if not args.quiet:
        print(f"grading {len(items)} recordings and videos on {where}", file=sys.stderr)
    try:
        with cluster_client(args.scheduler, args.workers) as client:
            result = grade(
                items, options, client, library=lib, class_name=args.class_name, on_progress=_grade_printer(args.quiet)
            )
    except OSError as e:  # the scheduler not answering (a timeout is an OSError)
        return _fail(f"cannot reach the Dask scheduler {args.scheduler}: {e}; check the address and that it runs")
    finally:
        lib.close()
    if sys.stderr.isatty() and not args.quiet:
        print(file=sys.stderr)
    for problem in result.library_problems:
        print(f"warning: {problem}", file=sys.stderr)
    print(
        f"graded {len(result.graded)}, skipped {len(result.skipped)} (graded before), failed {len(result.failed)}: "
        f"{out / CSV_FILE}"
    )
    return 0 if result.graded or result.skipped or not result.failed else EXIT_INPUT


def _library_parser(sub) -> None:
    lb = sub.add_parser("library", help="the session library: who practised what, when, how well")
    lsub = lb.add_subparsers(dest="library_command", metavar="{status,rebuild,import,person,reference}", required=True)
    st = lsub.add_parser("status", help="where the library is and what it holds")
    st.set_defaults(func=cmd_library_status)
    rb = lsub.add_parser("rebuild", help="make the library again from the recordings on disk (they are the truth)")
    rb.add_argument("--recordings", help="the recordings folder (default: the app's, $STROKE_COACH_RECORDINGS)")
    rb.set_defaults(func=cmd_library_rebuild)
    im = lsub.add_parser(
        "import",
        help="copy a folder of handed-in recordings into the recordings folder and index them; a handed-in "
        "video (its calibration saved beside it as NAME.calibration.json, or calibration.json) is tracked and "
        "judged into a recording",
    )
    im.add_argument("path", metavar="PATH", help="a recording folder, or a folder of them")
    im.add_argument("--student", help="whose recordings they are (written into the copies' session.json)")
    im.add_argument(
        "--routine",
        default="swedish",
        help="the routine a handed-in video followed (a name, or a YAML file; default swedish)",
    )
    im.add_argument("--step", help="the step a handed-in video starts at (default: the routine's first)")
    im.add_argument("--quiet", action="store_true", help="no progress")
    im.set_defaults(func=cmd_library_import)
    pe = lsub.add_parser("person", help="add a student (or a teacher) and put them in classes")
    pe.add_argument("name", metavar="NAME")
    pe.add_argument("--teacher", action="store_true", help="a teacher (default: a student)")
    pe.add_argument("--class", dest="class_", action="append", metavar="CLASS", help="a class to put them in (repeat)")
    pe.set_defaults(func=cmd_library_person)
    rf = lsub.add_parser("reference", help="make a recording a teacher's reference for a routine")
    rf.add_argument("teacher")
    rf.add_argument("routine")
    rf.add_argument("recording", help="the recording's folder name")
    rf.set_defaults(func=cmd_library_reference)


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="stroke-coach", description="Stroke Coach: judge back-massage strokes on video.")
    sub = ap.add_subparsers(dest="command", required=True)
    a = sub.add_parser("analyze", help="judge the strokes in a video clip; write a report and an annotated video")
    a.add_argument("clip", help="video file (MP4, MOV, WEBM, ...)")
    a.add_argument(
        "--calibration",
        required=True,
        help="calibration JSON (four corners of the back in pixels), or a sample's labels JSON",
    )
    a.add_argument("--routine", default="swedish", help="routine name or YAML file (default: swedish)")
    a.add_argument(
        "--step",
        help="judge the whole clip against this step (default: follow the routine from its "
        "first step, advancing as each is done)",
    )
    a.add_argument("--routines-dir", help="an extra folder of routines")
    a.add_argument("--out", required=True, help="output folder")
    a.add_argument("--no-video", action="store_true", help="skip the annotated video")
    a.add_argument("--quiet", action="store_true", help="no progress")
    a.add_argument(
        "--workers",
        type=_positive_int,
        default=None,
        help="MediaPipe instances, each on a stretch of the video (default: one per core, at most 4; "
        "1: the frames in one pass, as the live page sees them)",
    )
    _judging_options(a)
    a.set_defaults(func=cmd_analyze)

    j = sub.add_parser(
        "rejudge",
        help="judge a recording again from its saved hands (no tracking): another "
        "routine, step or sensitivity; write a report (and an annotated video)",
    )
    j.add_argument(
        "recording", help="a recording folder (data/recordings/...), or a landmarks.jsonl with --calibration"
    )
    j.add_argument("--out", required=True, help="output folder")
    j.add_argument("--routine", help="routine name or YAML file (default: the one it was recorded with)")
    j.add_argument("--step", help="judge it all against this step (default: follow the routine)")
    j.add_argument("--calibration", help="calibration JSON (default: the recording's)")
    j.add_argument("--routines-dir", help="an extra folder of routines")
    j.add_argument("--no-video", action="store_true", help="skip the annotated video")
    j.add_argument("--quiet", action="store_true", help="no progress")
    _judging_options(j, "default: as recorded")
    j.set_defaults(func=cmd_rejudge)

    rp = sub.add_parser(
        "report",
        help="a student's PDF report (score, steps, timeline, where the hands worked, the worst moments, the "
        "trend over their sessions), readable without the app",
    )
    rp.add_argument(
        "source",
        help="a report.json (or the analysis folder holding it), or a recording folder (re-judged from its "
        "saved hands as it was recorded)",
    )
    rp.add_argument("--student", help="whose work it is (default: the recording's person)")
    rp.add_argument("--out", required=True, help="the PDF file to write")
    rp.add_argument("--no-history", action="store_true", help="leave out the trend (do not read the library)")
    rp.add_argument("--routines-dir", help="an extra folder of routines")
    rp.set_defaults(func=cmd_report)

    p = sub.add_parser("app", help="open the app (practice, calibrate, replay, routines) in the browser")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument(
        "--address",
        default="127.0.0.1",
        help="where to listen (default 127.0.0.1: this machine only; a camera needs localhost or HTTPS)",
    )
    p.add_argument("--headless", action="store_true", help="do not open a browser")
    p.set_defaults(func=cmd_app)

    r = sub.add_parser("routines", help="check routine files, or show a routine's steps")
    rsub = r.add_subparsers(dest="routines_command", metavar="{check,show}", required=True)
    c = rsub.add_parser("check", help="validate routine files; one line per file; exit code 2 if any is bad")
    c.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="routine files, folders of them or routine names (default: every routine in the routine "
        "folders: routines/, $STROKE_COACH_ROUTINES and --routines-dir)",
    )
    c.add_argument("--routines-dir", help="an extra folder of routines")
    c.set_defaults(func=cmd_routines_check)
    s = rsub.add_parser("show", help="print a routine's name, description and steps")
    s.add_argument("name", metavar="NAME", help="routine name (swedish, ...) or YAML file")
    s.add_argument("--routines-dir", help="an extra folder of routines")
    s.set_defaults(func=cmd_routines_show)
    _library_parser(sub)

    g = sub.add_parser(
        "grade",
        help="grade a class's recordings (re-judged from their hands) and videos (tracked with the calibration "
        "beside them) in one run, on Dask; into the library and DIR/grades.csv",
    )
    g.add_argument(
        "paths", nargs="+", metavar="PATH", help="folders of recordings and videos (searched all the way down)"
    )
    g.add_argument("--routine", required=True, help="the routine they followed (a name, or a YAML file)")
    g.add_argument("--step", help="follow it from this step (default: a recording's own start step, a video's first)")
    g.add_argument("--class", dest="class_name", metavar="NAME", help="put the students graded into this class")
    g.add_argument("--reference", metavar="REC", help="a teacher's reference recording to compare with (similarity)")
    g.add_argument("--out", required=True, help="output folder: grades.csv, and NAME/report.json for each")
    g.add_argument("--scheduler", help="a Dask scheduler, tcp://HOST:8786 (default: a local cluster)")
    g.add_argument("--workers", type=_positive_int, help="the local cluster's processes (default: one per core)")
    g.add_argument("--routines-dir", help="an extra folder of routines")
    g.add_argument("--video", action="store_true", help="also draw each one's annotated video (slower)")
    g.add_argument("--quiet", action="store_true", help="no progress")
    from vision.judging.settings import SENSITIVITIES

    g.add_argument(
        "--sensitivity", choices=SENSITIVITIES, help="how strict the judging is (default: as recorded; videos standard)"
    )
    g.set_defaults(func=cmd_grade)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

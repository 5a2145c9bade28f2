"""The command line: ``python -m vision analyze CLIP --calibration CAL.json --out DIR``.

Every mistake in the input (a missing or corrupt video, a bad calibration, an
unknown routine or step) ends with one line on stderr and exit code 2, never a
traceback.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from vision.backframe import CalibrationError

EXIT_INPUT = 2


def _progress_printer(name: str):
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
        line = f"analysing {name}: frame {p.frame}{total}{pct}, {fps:.1f} frames/s"
        print(("\r" if tty else "") + line, end="\n" if (done or not tty) else "", file=sys.stderr, flush=True)

    return show


def cmd_analyze(args) -> int:
    from vision.analyze import analyze
    from vision.routines import RoutineError, find_routine
    from vision.video import VideoError, probe

    try:
        info = probe(args.clip)
        calibration = _load_calibration(args.calibration, info.frame_wh)
        routine = find_routine(args.routine, args.routines_dir)
        step = routine.step(args.step) if args.step else routine.first_judged_step()
    except (VideoError, CalibrationError, RoutineError) as e:
        return _fail(e)
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        return _fail(f"cannot write to {out}: {e.strerror or e}; choose another --out folder")
    try:
        result = analyze(args.clip, calibration, step, routine=routine, out_dir=out, annotate=not args.no_video,
                         on_progress=None if args.quiet else _progress_printer(Path(args.clip).name))
    except VideoError as e:
        return _fail(e)
    except OSError as e:
        return _fail(f"cannot write to {out}: {e.strerror or e}")
    s = result.report["summary"]
    flags = ", ".join(f"{k} {v}" for k, v in s["by_verdict"].items() if k != "ok") or "none"
    print(f"{result.frames} frames in {result.elapsed_s:.1f} s; {s['events']} events "
          f"({', '.join(f'{k} {v}' for k, v in s['by_kind'].items()) or 'none'}); flags: {flags}")
    for w in result.report["warnings"]:
        print(f"warning: {w}", file=sys.stderr)
    print(f"wrote {out / 'report.json'}, {out / 'strokes.csv'}" + ("" if args.no_video else f", {out / 'annotated.mp4'}"))
    return 0


def _load_calibration(path: str, frame_wh):
    from vision.backframe import Calibration

    return Calibration.load(path, frame_wh=frame_wh)


def _fail(e) -> int:
    """One line on stderr (a routine's several problems each get their own line) and exit code 2."""
    print(f"error: {e}", file=sys.stderr)
    return EXIT_INPUT


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m vision", description="Stroke Coach: judge back-massage strokes on video.")
    sub = ap.add_subparsers(dest="command", required=True)
    a = sub.add_parser("analyze", help="judge the strokes in a video clip; write a report and an annotated video")
    a.add_argument("clip", help="video file (MP4, MOV, WEBM, ...)")
    a.add_argument("--calibration", required=True,
                   help="calibration JSON (four corners of the back in pixels), or a sample's labels JSON")
    a.add_argument("--routine", default="swedish", help="routine name or YAML file (default: swedish)")
    a.add_argument("--step", help="step id within the routine (default: its first judged step)")
    a.add_argument("--routines-dir", help="an extra folder of routines")
    a.add_argument("--out", required=True, help="output folder")
    a.add_argument("--no-video", action="store_true", help="skip the annotated video")
    a.add_argument("--quiet", action="store_true", help="no progress")
    a.set_defaults(func=cmd_analyze)
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

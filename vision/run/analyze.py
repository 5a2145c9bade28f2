"""Analysing a clip or re-judging a recording: the pipeline, the routine and the outputs in one loop.

- :func:`analyze`: a video file's frames through MediaPipe and the pipeline;
- :func:`rejudge`: a recording's saved hands (its landmarks.jsonl) through the
  same pipeline without MediaPipe, with any routine or thresholds; seconds for
  a minute of recording.

Both go through :func:`_judge_frames`, so a re-judged recording gets exactly
the verdicts the live session (or :func:`analyze`) gave with the same step.
The command line and the app's replay call these.
"""
from __future__ import annotations

import json
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np
from numpy.typing import NDArray

from vision.core.backframe import Calibration
from vision.core.hands import HandObservation
from vision.core.types import FrameResult, JudgedEvent
from vision.drawing.overlay import Overlay
from vision.files.report import build_report, write_report
from vision.files.video import H264Writer, VideoReader, probe
from vision.judging.pipeline import Pipeline, PipelineConfig
from vision.judging.routines import Routine, Step
from vision.judging.session import RoutineSession


@dataclass(frozen=True)
class Progress:
    frame: int
    n_frames: int | None
    elapsed_s: float

    @property
    def fraction(self) -> float | None:
        return min(self.frame / self.n_frames, 1.0) if self.n_frames else None


@dataclass(frozen=True)
class AnalysisResult:
    report: dict
    events: list[JudgedEvent]
    out_dir: Path | None
    frames: int
    elapsed_s: float


def landmarks_line(frame_index: int, result: FrameResult) -> str:
    """One JSON line of a frame's hands as the detector found them: the recording's landmarks format.

    ``{"frame": i, "t": seconds, "hands": [{"score": s, "hand": h, "landmarks": [[x, y] * 21]}, ...]}``,
    image pixels of the unmirrored frame; ``hand`` is the giver's hand id the
    detection was tracked as (None for other hands, or a duplicate dropped).
    Feeding the hands back to :meth:`Pipeline.process_hands` reproduces the
    analysis without MediaPipe.
    """
    giver = {id(hs.observation): hs.hand for hs in result.hands if hs.observation is not None}
    # written as they are (the detector already rounds them), so that reading them back gives the same numbers
    hands = [{"score": h.score, "hand": giver.get(id(h)), "landmarks": h.landmarks_px.tolist()}
             for h in result.detections]
    return json.dumps({"frame": frame_index, "t": result.t_s, "hands": hands}, separators=(",", ":"))


def read_landmarks_line(line: str) -> tuple[int, float, list[HandObservation]]:
    """Parse one line written by :func:`landmarks_line`: (frame index, t seconds, hands)."""
    d = json.loads(line)
    return int(d["frame"]), float(d["t"]), [HandObservation(np.asarray(h["landmarks"], float), float(h["score"]))
                                             for h in d["hands"]]


class _Outputs:
    """Draws, encodes and writes the landmarks in a thread of its own, so MediaPipe never waits for it."""

    def __init__(self, out_dir: Path, fps: float, frame_wh: tuple[int, int], overlay: Overlay | None):
        self._writer = H264Writer(out_dir / "annotated.mp4", fps, frame_wh) if overlay is not None else None
        self._overlay = overlay
        self._landmarks = open(out_dir / "landmarks.jsonl", "w")
        self._q: queue.Queue = queue.Queue(maxsize=8)
        self._error: BaseException | None = None
        self.cpu_s = 0.0  # CPU time this thread spent drawing, encoding and writing
        self._thread = threading.Thread(target=self._run, name="analysis-outputs", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while (item := self._q.get()) is not None:
                i, frame, result, step = item
                self._landmarks.write(landmarks_line(i, result) + "\n")
                if self._writer is not None and frame is not None:
                    if step is not None and step is not self._overlay.back.step:
                        self._overlay.set_step(step)  # here, in the thread that draws
                    self._writer.write(self._overlay.annotate(frame, result))
        except BaseException as e:  # reported to the caller on close
            self._error = e
            while self._q.get() is not None:  # drain so the producer never blocks
                pass
        finally:
            self.cpu_s = time.thread_time()

    def put(self, i: int, frame, result, step: Step | None = None) -> None:
        self._q.put((i, frame, result, step))

    def close(self) -> None:
        self._q.put(None)
        self._thread.join()
        self._landmarks.close()
        if self._writer is not None:
            self._writer.close()
        if self._error is not None:
            raise self._error


@dataclass(frozen=True)
class _Judged:
    pipeline: Pipeline
    session: RoutineSession | None
    step: Step
    frames: int
    t_first: float
    t_last: float


def _judge_frames(items: Iterable[tuple[int, NDArray[np.uint8] | None, float, list[HandObservation] | None]],
                  calibration: Calibration, step: Step | None, routine: Routine | None, config: PipelineConfig,
                  out: Path | None, annotate: bool, fps: float, frame_wh: tuple[int, int] | None,
                  n_frames: int | None, on_progress: Callable[[Progress], None] | None, start: float) -> _Judged:
    """THE loop: each item ``(frame index, frame_bgr or None, t_s, hands or None)`` through the pipeline.

    hands None: find them in the frame with MediaPipe; else use them as they
    are (a recording's). Follows the routine (step None) with a
    :class:`RoutineSession`, and writes landmarks.jsonl (and annotated.mp4
    for the items that have a frame, if annotate) into ``out``.
    """
    session = None
    if step is None:  # the callers have checked there is a routine to follow
        session = RoutineSession(routine)
        step = session.current
    pipeline = Pipeline(calibration, step, config)
    writer = None
    n, t_first, t_last = 0, 0.0, 0.0
    try:
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            overlay = Overlay(pipeline.homography, step, pipeline.zones) if annotate and frame_wh else None
            writer = _Outputs(out, fps, frame_wh, overlay)
        for i, frame, t_s, hands in items:
            result = pipeline.process_frame(frame, t_s) if hands is None else pipeline.process_hands(hands, t_s)
            if session is not None:
                session.observe(result.finished, t_s)
                if session.current is not pipeline.step and not session.finished:
                    pipeline.set_step(session.current)
            if writer is not None:
                writer.put(i, frame, result, pipeline.step)
            if n == 0:
                t_first = t_s
            n += 1
            t_last = t_s
            if on_progress is not None and (n % 15 == 0):
                on_progress(Progress(n, n_frames, time.perf_counter() - start))
        last = pipeline.finish()
        if session is not None:
            session.observe(last.finished, t_last)
    finally:
        pipeline.close()
        if writer is not None:
            writer.close()
    if on_progress is not None:
        on_progress(Progress(n, n, time.perf_counter() - start))
    return _Judged(pipeline, session, step, n, t_first, t_last)


def _report(judged: _Judged, *, source: str, fps: float, frame_wh, duration_s: float, routine: Routine | None,
            calibration: Calibration, warnings: list[str]) -> dict:
    session = judged.session
    report = build_report(judged.pipeline.events, video=source, fps=fps, frame_size=frame_wh or (),
                          duration_s=duration_s, routine=routine.name if routine else None,
                          step=None if session is not None else judged.step.id,
                          calibration=calibration.to_dict(), warnings=warnings)
    if session is not None:
        summary = session.summary()
        report["steps"] = summary["steps"]
        report["score"] = summary["score"]
        report["routine_finished"] = summary["finished"]
    return report


def analyze(video: str | Path, calibration: Calibration, step: Step | None, *, routine: Routine | None = None,
            out_dir: str | Path | None = None, annotate: bool = True, config: PipelineConfig = PipelineConfig(),
            on_progress: Callable[[Progress], None] | None = None, max_frames: int | None = None) -> AnalysisResult:
    """Run the pipeline over a video file.

    With out_dir: write report.json, strokes.csv, landmarks.jsonl (each
    frame's hands) and, unless annotate is False, annotated.mp4.

    step None: follow the routine from its first step, advancing as each step
    is done (the same :class:`RoutineSession` the app uses); the report then
    has a per-step section and a score.

    Raises VideoError for a file that is not a usable video.
    """
    start = time.perf_counter()
    out = Path(out_dir) if out_dir is not None else None
    if step is None and routine is None:
        raise ValueError("analyze: give a step, or a routine to follow")
    with VideoReader(video, max_frames=max_frames) as reader:
        info = reader.info
        items = ((i, frame, t_s, None) for i, (frame, t_s) in enumerate(reader))
        judged = _judge_frames(items, calibration, step, routine, config, out, annotate, info.fps, info.frame_wh,
                               info.n_frames, on_progress, start)
        warnings = list(reader.warnings)
    duration = judged.t_last + 1.0 / info.fps if judged.frames else 0.0
    report = _report(judged, source=str(video), fps=info.fps, frame_wh=info.frame_wh, duration_s=duration,
                     routine=routine, calibration=calibration, warnings=warnings)
    if out is not None:
        write_report(report, out)
    return AnalysisResult(report, sorted(judged.pipeline.events, key=lambda e: e.event.t_start), out,
                          judged.frames, time.perf_counter() - start)


def _matched_video_frames(video: Path, frames: list[tuple[int, float, list[HandObservation]]],
                          warnings: list[str]) -> Iterator[NDArray[np.uint8] | None]:
    """For each landmarks frame, the video frame shown at its time: the last one at or before it (so a frame
    the recorder left out of the video, or one after a crash cut the video short, shows the one before).

    Video time 0 is the time of the first landmarks frame (the recorder writes it so).
    """
    t0 = frames[0][1] if frames else 0.0
    tol_s = 2e-3  # the video's 1/90000 time base and float rounding are far below this
    with VideoReader(video) as reader:
        it = iter(reader)
        nxt = next(it, None)
        shown = None
        for _, t_s, _ in frames:
            t_rel = t_s - t0
            while nxt is not None and nxt[1] <= t_rel + tol_s:
                shown = nxt[0]
                nxt = next(it, None)
            yield None if shown is None else shown.copy()  # a copy: the overlay draws on it
        warnings.extend(reader.warnings)


def rejudge(source: str | Path, calibration: Calibration | None = None, step: Step | None = None, *,
            routine: Routine | None = None, out_dir: str | Path | None = None, video: str | Path | None = None,
            annotate: bool = False, config: PipelineConfig = PipelineConfig(),
            on_progress: Callable[[Progress], None] | None = None) -> AnalysisResult:
    """Judge a recording again from its saved hands, without MediaPipe.

    source: a recording folder (see :mod:`vision.recording`) or a
    landmarks.jsonl file (a recording's, or one :func:`analyze` wrote).
    calibration: None to use the recording's. step/routine: as
    :func:`analyze` (step None follows the routine). With out_dir: report.json,
    strokes.csv and landmarks.jsonl (with the giver ids of this judging), and
    with annotate, annotated.mp4 drawn over ``video`` (default: the
    recording's video.mp4) from the re-judged results.

    Raises RecordingError for a folder that is not a recording or a damaged
    landmarks file, VideoError for a bad video, ValueError for missing
    arguments.
    """
    from vision.files.recording import LANDMARKS_FILE, RecordingError, open_recording, read_landmarks

    start = time.perf_counter()
    src = Path(source)
    rec = None
    if src.is_dir():
        rec = open_recording(src)
        landmarks = rec.landmarks_path
        if not landmarks.is_file():
            raise RecordingError(f"{src}: no {LANDMARKS_FILE} in the recording; nothing to re-judge")
    else:
        landmarks = src
        if not landmarks.is_file():
            raise RecordingError(f"{src}: no such file; give a recording folder or its {LANDMARKS_FILE}")
        try:
            rec = open_recording(src.parent)
        except RecordingError:
            rec = None  # a bare landmarks file (analyze's): the caller gives the calibration
    if calibration is None:
        if rec is None or rec.calibration is None:
            raise ValueError(f"rejudge: {src} has no calibration with it; give one")
        calibration = rec.calibration
    if step is None and routine is None:
        raise ValueError("rejudge: give a step, or a routine to follow")
    out = Path(out_dir) if out_dir is not None else None
    if out is not None and out.resolve() == landmarks.parent.resolve():
        raise ValueError(f"rejudge: out_dir {out} is where {landmarks.name} is read from; choose another folder")
    frames = list(read_landmarks(landmarks))
    warnings: list[str] = []
    if rec is not None and rec.status == "interrupted":
        warnings.append(f"{rec.folder}: the recording was interrupted (not stopped); re-judged what was saved")
    ts = [t for _, t, _ in frames]
    fps = (len(ts) - 1) / (ts[-1] - ts[0]) if len(ts) > 1 and ts[-1] > ts[0] else 30.0
    frame_wh = rec.frame_wh if rec is not None else None
    if video is None and annotate and rec is not None:
        video = rec.video
    video_frames: Iterator | None = None
    if annotate and video is not None and out is not None:
        video = Path(video)
        frame_wh = probe(video).frame_wh
        video_frames = _matched_video_frames(video, frames, warnings)
    annotate = video_frames is not None
    if annotate:
        # the video first in zip: it is resumed once more at the end, so its decoding warnings get in
        items = ((i, vf, t, hands) for vf, (i, t, hands) in zip(video_frames, frames))
    else:
        items = ((i, None, t, hands) for i, t, hands in frames)
    judged = _judge_frames(items, calibration, step, routine, config, out, annotate, fps, frame_wh, len(frames),
                           on_progress, start)
    duration = (judged.t_last - judged.t_first) + 1.0 / fps if judged.frames else 0.0
    report = _report(judged, source=str(rec.folder if rec is not None else landmarks), fps=fps, frame_wh=frame_wh,
                     duration_s=duration, routine=routine, calibration=calibration, warnings=warnings)
    report["rejudged"] = True
    # a live session's clock started with the camera, before the recording: the video starts at this time
    report["time_origin_s"] = round(judged.t_first, 4) if judged.frames else 0.0
    if out is not None:
        write_report(report, out)
    return AnalysisResult(report, sorted(judged.pipeline.events, key=lambda e: e.event.t_start), out,
                          judged.frames, time.perf_counter() - start)

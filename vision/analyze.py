"""Analysing a clip: the pipeline over a video file, with an annotated video
and a report. The command line and the app's replay both call :func:`analyze`.
"""
from __future__ import annotations

import json
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from vision.backframe import Calibration
from vision.hands import HandObservation
from vision.overlay import Overlay
from vision.pipeline import FrameResult, JudgedEvent, Pipeline, PipelineConfig
from vision.report import build_report, write_report
from vision.routines import Routine, Step
from vision.session import RoutineSession
from vision.video import H264Writer, VideoReader


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
                if self._writer is not None:
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
    session = None
    if step is None:
        if routine is None:
            raise ValueError("analyze: give a step, or a routine to follow")
        session = RoutineSession(routine)
        step = session.current
    with VideoReader(video, max_frames=max_frames) as reader:
        info = reader.info
        pipeline = Pipeline(calibration, step, config)
        writer = None
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            overlay = Overlay(pipeline.homography, step, pipeline.zones) if annotate else None
            writer = _Outputs(out, info.fps, info.frame_wh, overlay)
        n = 0
        t_last = 0.0
        try:
            for frame, t_s in reader:
                result = pipeline.process_frame(frame, t_s)
                if session is not None:
                    session.observe(result.finished, t_s)
                    if session.current is not pipeline.step and not session.finished:
                        pipeline.set_step(session.current)
                if writer is not None:
                    writer.put(n, frame, result, pipeline.step)
                n += 1
                t_last = t_s
                if on_progress is not None and (n % 15 == 0):
                    on_progress(Progress(n, info.n_frames, time.perf_counter() - start))
            last = pipeline.finish()
            if session is not None:
                session.observe(last.finished, t_last)
        finally:
            pipeline.close()
            if writer is not None:
                writer.close()
        warnings = list(reader.warnings)
    if on_progress is not None:
        on_progress(Progress(n, n, time.perf_counter() - start))
    duration = t_last + 1.0 / info.fps if n else 0.0
    report = build_report(pipeline.events, video=str(video), fps=info.fps, frame_size=info.frame_wh,
                          duration_s=duration, routine=routine.name if routine else None,
                          step=None if session is not None else step.id,
                          calibration=calibration.to_dict(), warnings=warnings)
    if session is not None:
        summary = session.summary()
        report["steps"] = summary["steps"]
        report["score"] = summary["score"]
        report["routine_finished"] = summary["finished"]
    if out is not None:
        write_report(report, out)
    return AnalysisResult(report, sorted(pipeline.events, key=lambda e: e.event.t_start), out, n,
                          time.perf_counter() - start)

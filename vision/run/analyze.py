"""Analysing a clip or re-judging a recording: the pipeline, the routine and the outputs in one loop.

- :func:`analyze`: a video file's frames through MediaPipe and the pipeline;
- :func:`rejudge`: a recording's saved hands (its landmarks.jsonl) through the
  same pipeline without MediaPipe, with any routine or thresholds; seconds for
  a minute of recording.

Both are compositions of :class:`~vision.run.runner.Runner`, as live practice
is, so a re-judged recording gets exactly the verdicts the live session (or
:func:`analyze`) gave with the same routine, step and settings.
The command line and the app's replay call these.
"""

from __future__ import annotations

import math
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from vision.core.backframe import Calibration
from vision.core.types import JudgedEvent
from vision.files.jsonl import RecordingError
from vision.files.landmarks import LANDMARKS_FILE, LandmarksFrame, read_landmark_frames
from vision.files.recording import open_recording
from vision.files.report import Report, build_report, write_report
from vision.files.video import VideoError, VideoReader, probe
from vision.judging.pipeline import Pipeline, PipelineConfig
from vision.judging.routines import Routine, Step
from vision.judging.settings import Settings
from vision.run.runner import AnnotatedVideoSink, Item, LandmarksSink, Progress, Runner, ThreadedSinks, prefetched


@dataclass(frozen=True)
class AnalysisResult:
    report: Report
    events: list[JudgedEvent]
    out_dir: Path | None
    frames: int
    elapsed_s: float


def _runner(
    calibration: Calibration,
    step: Step | str | None,
    routine: Routine | None,
    settings: Settings,
    config: PipelineConfig,
    calibration_wh: tuple[int, int] | None = None,
    start_step: str | None = None,
) -> Runner:
    if routine is None:  # a step on its own: judged as a routine of that one step
        if not isinstance(step, Step):
            raise ValueError("give a step, or a routine to follow")
        routine = Routine(name=step.id, steps=(step,))
    return Runner(
        calibration,
        routine,
        step=step,
        start_step=start_step,
        settings=settings,
        config=config,
        calibration_wh=calibration_wh,
    )


def _outputs(
    runner: Runner,
    out: Path | None,
    annotate: bool,
    fps: float,
    frame_wh: tuple[int, int] | None,
    ghost: Mapping[str, Sequence[JudgedEvent]] | None = None,
) -> None:
    """landmarks.jsonl (and annotated.mp4, with the reference's ghost) into ``out``, written in a thread
    beside the judging."""
    if out is None:
        return
    out.mkdir(parents=True, exist_ok=True)
    sinks: list = [LandmarksSink(out / LANDMARKS_FILE)]
    if annotate and frame_wh:
        sinks.append(AnnotatedVideoSink(out / "annotated.mp4", fps, frame_wh, runner.pipeline, ghost=ghost))
    runner.sinks.append(ThreadedSinks(sinks))


def _report(
    runner: Runner,
    *,
    source: str,
    fps: float,
    frame_wh,
    duration_s: float,
    routine: Routine | None,
    warnings: list[str],
    rejudged: bool | None = None,
    time_origin_s: float | None = None,
) -> Report:
    summary = runner.summary() if runner.following else {}  # steps, score and finished: following only
    return build_report(
        runner.events,
        video=source,
        fps=fps,
        frame_size=frame_wh or (),
        duration_s=duration_s,
        routine=routine.name if routine else None,
        step=None if runner.following else runner.routine.steps[0].id,
        calibration=runner.calibration.to_dict(),
        warnings=warnings,
        steps=summary.get("steps"),
        score=summary.get("score"),
        routine_finished=summary.get("finished"),
        rejudged=rejudged,
        time_origin_s=time_origin_s,
        unsure=runner.unsure,
    )


def _result(runner: Runner, report: Report, out: Path | None, start: float) -> AnalysisResult:
    if out is not None:
        write_report(report, out)
    return AnalysisResult(
        report, sorted(runner.events, key=lambda e: e.event.t_start), out, runner.frames, time.perf_counter() - start
    )


def analyze(
    video: str | Path,
    calibration: Calibration,
    step: Step | str | None,
    *,
    routine: Routine | None = None,
    settings: Settings = Settings(),
    out_dir: str | Path | None = None,
    annotate: bool = True,
    config: PipelineConfig = PipelineConfig(),
    on_progress: Callable[[Progress], None] | None = None,
    max_frames: int | None = None,
    workers: int | None = None,
    ghost: Mapping[str, Sequence[JudgedEvent]] | None = None,
    start_step: str | None = None,
) -> AnalysisResult:
    """Run the pipeline over a video file.

    workers: how many MediaPipe instances find the hands, each in a stretch of
    the video of its own (default: one per core, at most 4; 1: the frames one
    after another, as live practice sees them). The judging runs over all the
    hands in order either way (see :func:`_detected_in_parallel`).

    With out_dir: write report.json, strokes.csv, landmarks.jsonl (each
    frame's hands) and, unless annotate is False, annotated.mp4 (with ``ghost``,
    a teacher's reference events per step, drawn as a ghost: see
    :mod:`vision.run.reference`).

    step None: follow the routine from its first step, advancing as each step
    is done (the same :class:`RoutineSession` the app uses); the report then
    has a per-step section and a score; start_step: follow it from that step
    (a step id of the routine; default its first).

    Raises VideoError for a file that is not a usable video.
    """
    start = time.perf_counter()
    out = Path(out_dir) if out_dir is not None else None
    runner = _runner(calibration, step, routine, settings, config, start_step=start_step)
    with VideoReader(video, max_frames=max_frames) as reader:
        info = reader.info
        _outputs(runner, out, annotate, info.fps, info.frame_wh, ghost)
        n_workers = _workers(workers) if max_frames is None else 1
        spans = _spans(info.duration_s, n_workers)
        try:
            if len(spans) == 1:
                items: Iterator[Item] = (Item(i, t_s, frame) for i, (frame, t_s) in enumerate(reader))
            else:
                items = _detected_in_parallel(video, spans, n_workers, runner, reader, bool(annotate and out))
            runner.run(prefetched(items), n_frames=info.n_frames, on_progress=on_progress)
        finally:
            runner.close()
        warnings = list(reader.warnings)
    duration = runner.t_last + 1.0 / info.fps if runner.t_last is not None else 0.0
    report = _report(
        runner,
        source=str(video),
        fps=info.fps,
        frame_wh=info.frame_wh,
        duration_s=duration,
        routine=routine,
        warnings=warnings,
    )
    return _result(runner, report, out, start)


# Parallel detection: MediaPipe releases the GIL and one instance keeps about one core busy, so two
# instances on two stretches of a video find the hands in about half the time. Each stretch is at
# least MIN_SPAN_S long, and its detector starts WARMUP_S before it (those frames only start the
# tracking, so that it has settled at the seam; it is not the one pass's tracking, which depends on all
# the frames before: a stroke's end can move by a frame or two there).
MIN_SPAN_S = 6.0
MAX_SPAN_S = 60.0
WARMUP_S = 1.0


def _workers(workers: int | None) -> int:
    """How many detectors: as asked, else one per core, at most 4."""
    return workers if workers is not None else min(4, os.cpu_count() or 1)


def _spans(duration_s: float | None, n_workers: int) -> list[tuple[float, float]]:
    """The stretches (start, end) of a video of ``duration_s`` for ``n_workers`` detectors."""
    if n_workers <= 1 or duration_s is None or duration_s < 2 * MIN_SPAN_S:
        return [(0.0, math.inf)]
    n = max(n_workers, math.ceil(duration_s / MAX_SPAN_S))
    n = min(n, int(duration_s // MIN_SPAN_S))
    edges = [duration_s * k / n for k in range(n)]
    return [(a, b) for a, b in zip(edges, [*edges[1:], math.inf])]


def _detected_in_parallel(
    video: str | Path,
    spans: list[tuple[float, float]],
    n_workers: int,
    runner: Runner,
    reader: VideoReader,
    pictures: bool,
) -> Iterator[Item]:
    """The video's frames as items with their hands found, by one detector per stretch (``spans``) on a
    pool of ``n_workers`` threads, in order; with ``pictures``, each item has its picture too (from ``reader``, the
    whole video's, for the annotated video); the stretches' warnings go into ``reader.warnings``. Each detector works with a pipeline of its own, for what decides what
    the detector is shown (the back's margin, the hands kept out of its slots)."""
    template = runner.pipeline
    n_workers = min(len(spans), n_workers)
    stop = threading.Event()

    def detect(span: tuple[float, float], out: queue.Queue) -> None:
        """Each frame's hands into ``out`` as they are found (the judging follows close behind the first
        stretch), then ("end", warnings), or ("error", exception)."""
        start_s, end_s = span
        pipe = Pipeline(template.calibration, template.step, template.config)
        try:
            with VideoReader(video, start_s=max(0.0, start_s - WARMUP_S)) as reader:
                for frame, t_s in reader:
                    if t_s >= end_s or stop.is_set():
                        break
                    result = pipe.process_frame(frame, t_s)
                    if t_s >= start_s:
                        out.put(
                            ("frame", (t_s, list(result.detections), (frame.shape[1], frame.shape[0]), result.light))
                        )
                out.put(("end", [w for w in reader.warnings if start_s == 0.0 or "dropped" not in w]))
        except BaseException as e:  # noqa: BLE001 - raised where the stretch is read
            out.put(("error", e))
        finally:
            pipe.close()

    frames = iter(reader) if pictures else None
    index = 0
    with ThreadPoolExecutor(n_workers, thread_name_prefix="analyze-detect") as pool:
        try:
            queues: list[queue.Queue] = []
            for span in spans[: n_workers + 1]:
                queues.append(queue.Queue())
                pool.submit(detect, span, queues[-1])
            upcoming = iter(spans[n_workers + 1 :])
            while queues:
                q = queues.pop(0)
                while True:
                    kind, data = q.get()
                    if kind == "error":
                        raise data
                    if kind == "end":
                        reader.warnings.extend(w for w in data if w not in reader.warnings)
                        break
                    t_s, hands, frame_wh, light = data
                    picture = None
                    if frames is not None:
                        picture, t_pic = next(frames)
                        if abs(t_pic - t_s) > 1e-6:
                            raise VideoError(f"{video}: the frames at {t_pic:.3f} s and {t_s:.3f} s do not line up")
                    yield Item(index, t_s, picture, hands, frame_wh=frame_wh, light=light)
                    index += 1
                if (nxt := next(upcoming, None)) is not None:
                    queues.append(queue.Queue())
                    pool.submit(detect, nxt, queues[-1])
        finally:
            stop.set()  # stopped early (an error, the caller gave up): the detectors stop too


def _matched_video_frames(
    video: Path, frames: list[LandmarksFrame], warnings: list[str]
) -> Iterator[NDArray[np.uint8] | None]:
    """For each landmarks frame, the video frame shown at its time: the last one at or before it (so a frame
    the recorder left out of the video, or one after a crash cut the video short, shows the one before).

    Video time 0 is the time of the first landmarks frame (the recorder writes it so).
    """
    t0 = frames[0].t_s if frames else 0.0
    tol_s = 2e-3  # the video's 1/90000 time base and float rounding are far below this
    with VideoReader(video) as reader:
        it = iter(reader)
        nxt = next(it, None)
        shown = None
        for f in frames:
            t_rel = f.t_s - t0
            while nxt is not None and nxt[1] <= t_rel + tol_s:
                shown = nxt[0]
                nxt = next(it, None)
            yield None if shown is None else shown.copy()  # a copy: the overlay draws on it
        warnings.extend(reader.warnings)


def rejudge(
    source: str | Path,
    calibration: Calibration | None = None,
    step: Step | str | None = None,
    *,
    routine: Routine | None = None,
    settings: Settings = Settings(),
    out_dir: str | Path | None = None,
    video: str | Path | None = None,
    annotate: bool = False,
    config: PipelineConfig = PipelineConfig(),
    on_progress: Callable[[Progress], None] | None = None,
    ghost: Mapping[str, Sequence[JudgedEvent]] | None = None,
    start_step: str | None = None,
) -> AnalysisResult:
    """Judge a recording again from its saved hands, without MediaPipe.

    source: a recording folder (see :mod:`vision.recording`) or a
    landmarks.jsonl file (a recording's, or one :func:`analyze` wrote).
    calibration: None to use the recording's. step/routine: as
    :func:`analyze` (step None follows the routine, from ``start_step`` if given). With out_dir: report.json,
    strokes.csv and landmarks.jsonl (with the giver ids of this judging), and
    with annotate, annotated.mp4 drawn over ``video`` (default: the
    recording's video.mp4) from the re-judged results (with ``ghost``, a
    teacher's reference events per step drawn as a ghost, as :func:`analyze`).

    Raises RecordingError for a folder that is not a recording or a damaged
    landmarks file, VideoError for a bad video, ValueError for missing
    arguments.
    """
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
    frames = list(read_landmark_frames(landmarks))
    if not frames:
        raise RecordingError(
            f"{landmarks}: no frame in it (empty, or cut off before its first whole line); nothing to re-judge"
        )
    warnings: list[str] = []
    if rec is not None and rec.status == "interrupted":
        warnings.append(f"{rec.folder}: the recording was interrupted (not stopped); re-judged what was saved")
    ts = [f.t_s for f in frames]
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
    if video_frames is not None:
        # the video first in zip: it is resumed once more at the end, so its decoding warnings get in
        items = (Item(f.index, f.t_s, vf, f.hands, f.frame_wh, f.light) for vf, f in zip(video_frames, frames))
    else:
        items = (Item(f.index, f.t_s, None, f.hands, f.frame_wh, f.light) for f in frames)
    # the recording's calibration is for the size of its first frame; where the picture changed size
    # (WebRTC scaling it under load), the judging restarts there with it scaled, as it did live
    runner = _runner(
        calibration, step, routine, settings, config, calibration_wh=frames[0].frame_wh, start_step=start_step
    )
    _outputs(runner, out, annotate, fps, frame_wh, ghost)
    runner.run(items, n_frames=len(frames), on_progress=on_progress)
    t_first, t_last = runner.t_first, runner.t_last
    duration = (t_last - t_first) + 1.0 / fps if t_first is not None and t_last is not None else 0.0
    # a live session's clock started with the camera, before the recording: the video starts at time_origin_s
    report = _report(
        runner,
        source=str(rec.folder if rec is not None else landmarks),
        fps=fps,
        frame_wh=frame_wh,
        duration_s=duration,
        routine=routine,
        warnings=warnings,
        rejudged=True,
        time_origin_s=round(t_first, 4) if t_first is not None else 0.0,
    )
    return _result(runner, report, out, start)

"""The one runner: frames (or saved hands) in, the pipeline and the routine's session, sinks out.

Live practice, ``analyze``, ``rejudge`` and the benchmarks are compositions of
:class:`Runner`; none keeps a loop of its own, so what the tests prove is what
the user gets.

    source (camera callback | video file | recording's landmarks)
      -> Runner.feed(t, frame or hands)
           Pipeline (hands -> tracks -> back frame -> strokes -> verdicts)
           RoutineSession (the step's progress; moves the pipeline on)
      -> sinks (annotated video, landmarks file, recording, live tally)

The runner owns the settings: the sensitivity is applied to every step it
enters (:func:`~vision.judging.settings.adjust_step`), and the smoothing and
spine width to the pipeline (:func:`~vision.judging.pipeline.pipeline_config`),
so a session judged live at *strict* and re-judged at *strict* gets the same
verdicts whether it drills one step or follows the routine.

Following the routine, the session judges each event against the later steps
too (with the pipeline's :meth:`~vision.judging.pipeline.Pipeline.verdicts_under`)
and moves on when the giver has (:class:`~vision.judging.session.MoveOnRule`);
the runner then swaps the events it judged again into :attr:`Runner.events`,
sets the pipeline's step from where that stretch began, and hands the
:class:`~vision.core.types.MoveOn` to the sinks in the frame's result
(``FrameResult.moved_on``). Drilling one step never moves on.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol, TypeVar

import numpy as np
from numpy.typing import NDArray

from vision.core.backframe import Calibration
from vision.core.hands import HandObservation
from vision.core.types import FrameResult, JudgedEvent, MotionEvent, MoveOn, UnsureSpan, Verdict
from vision.drawing.ghost import GhostAnnotator
from vision.drawing.overlay import Overlay
from vision.files.landmarks import LandmarksWriter
from vision.files.video import H264Writer
from vision.judging.pipeline import Pipeline, PipelineConfig, pipeline_config
from vision.judging.routines import Routine, Step
from vision.judging.session import MoveOnRule, RoutineSession
from vision.judging.settings import Settings, adjust_step
from vision.stages.detection import HandDetector

log = logging.getLogger(__name__)
T = TypeVar("T")

PROGRESS_EVERY = 15  # frames between progress reports


class Sink(Protocol):
    """Where a runner's results go. Called in the runner's thread, in time order."""

    def frame(self, index: int, frame_bgr: NDArray[np.uint8] | None, result: FrameResult, step: Step) -> None:
        """One frame's result (``frame_bgr`` None when judging saved hands without their video)."""

    def ended(self, result: FrameResult, step: Step) -> None:
        """The motions ended with no frame of their own: at a restart of the judging, or the end of the stream."""

    def close(self) -> None: ...


@dataclass(frozen=True)
class Item:
    """One frame from a source: its index, its own timestamp, the picture and/or the hands already found.

    ``hands`` None: find them in ``frame_bgr`` with MediaPipe; else judge
    these (a recording's saved hands), and ``frame_bgr`` (if any) is only drawn on.
    """

    index: int
    t_s: float
    frame_bgr: NDArray[np.uint8] | None = None
    hands: list[HandObservation] | None = None
    frame_wh: tuple[int, int] | None = None  # the size the hands are in pixels of (default: the frame's)
    light: float | None = None  # with saved hands: the picture's brightness when they were found (if kept)

    @property
    def size(self) -> tuple[int, int] | None:
        if self.frame_wh is not None:
            return self.frame_wh
        return None if self.frame_bgr is None else (int(self.frame_bgr.shape[1]), int(self.frame_bgr.shape[0]))


@dataclass(frozen=True)
class Progress:
    frame: int
    n_frames: int | None
    elapsed_s: float

    @property
    def fraction(self) -> float | None:
        return min(self.frame / self.n_frames, 1.0) if self.n_frames else None


def scale_calibration(cal: Calibration, from_wh: tuple[int, int] | None, to_wh: tuple[int, int]) -> Calibration:
    """The calibration for frames of another size (the browser may scale the camera's picture)."""
    if from_wh is None or tuple(from_wh) == tuple(to_wh):
        return cal
    sx, sy = to_wh[0] / from_wh[0], to_wh[1] / from_wh[1]
    return Calibration.from_dict({k: [x * sx, y * sy] for k, (x, y) in cal.to_dict().items()})


def drill(routine: Routine, step: Step | str) -> Routine:
    """The routine reduced to one step that never completes: judging stays on it (``--step``, *Stay on this step*)."""
    st = routine.step(step) if isinstance(step, str) else step
    return routine.model_copy(update={"steps": (st.model_copy(update={"repetitions": None, "duration_s": None}),)})


class Runner:
    """The pipeline, the routine's session and the settings for ONE stream, in ONE thread.

    ``step``: drill this step (a step id of ``routine``, or a Step) for the
    whole stream; None: follow the routine from ``start_step`` (default its
    first), moving on as each step is done. ``config``: the pipeline's base
    configuration, which the settings adjust. ``detector``: a MediaPipe hand
    detector to use (handed over from another runner of the same stream);
    one is made on the first frame that needs it otherwise.
    ``calibration_wh``: the picture size the calibration was made on; a frame
    of another size (WebRTC scales the camera's picture under load) restarts
    the judging there with the calibration scaled to it, live and when the
    recording is re-judged alike (the landmarks file keeps each frame's size).
    ``move_on``: when, following the routine, the session moves on to a later
    step the giver has gone on to (None: never; drilling a step never does).
    """

    def __init__(
        self,
        calibration: Calibration,
        routine: Routine,
        *,
        step: Step | str | None = None,
        start_step: str | None = None,
        settings: Settings = Settings(),
        config: PipelineConfig = PipelineConfig(),
        detector: HandDetector | None = None,
        detector_factory: Callable[[], HandDetector] | None = None,
        sinks: Sequence[Sink] = (),
        calibration_wh: tuple[int, int] | None = None,
        move_on: MoveOnRule | None = MoveOnRule(),
    ):
        self.following = step is None
        self._move_on = move_on if self.following else None
        self.routine = routine if step is None else drill(routine, step)
        self._start_step = start_step if step is None else None
        self.calibration = calibration
        self._calibration0, self._calibration_wh = calibration, calibration_wh
        self.frame_wh = calibration_wh  # the size of the frames judged now
        self.settings = settings
        self._base_config = config
        self._detector = detector
        self._detector_factory = detector_factory or (lambda: HandDetector(self._pipeline_config().detector))
        self.sinks: list[Sink] = list(sinks)
        self.events: list[JudgedEvent] = []  # every event judged, across restarts
        self._unsure: list[UnsureSpan] = []  # the spans of unsure time of the pipelines finished
        self._finished_pipeline: Pipeline | None = None  # the last pipeline whose spans are in _unsure
        self.frames = 0
        self.t_first: float | None = None
        self.t_last: float | None = None
        self.session = self._new_session()
        self.pipeline = self._build()

    # -- state -----------------------------------------------------------------------------------

    @property
    def step(self) -> Step:
        """The step judged now, as adjusted by the settings."""
        return self.pipeline.step

    @property
    def detector(self) -> HandDetector | None:
        return self._detector

    def summary(self) -> dict:
        return self.session.summary()

    @property
    def unsure(self) -> list[UnsureSpan]:
        """Every span of time a giver hand was not seen well enough to judge, across restarts."""
        now = self.pipeline.unsure_spans if self.pipeline is not self._finished_pipeline else []
        return [*self._unsure, *now]

    # -- input -------------------------------------------------------------------------------------

    def feed(self, item: Item) -> FrameResult:
        """Judge one frame: find its hands (unless given), run the pipeline, move the routine on, tell the sinks."""
        size = item.size
        if size is not None:
            self.fit(item.t_s, size)
        if item.hands is None:
            if item.frame_bgr is None:
                raise ValueError(f"frame {item.index}: give a frame or its hands")
            if self._detector is None:
                self._detector = self._detector_factory()
                self.pipeline.use_detector(self._detector)
            result = self.pipeline.process_frame(item.frame_bgr, item.t_s)
        else:
            result = self.pipeline.process_hands(item.hands, item.t_s, size, item.light)
        self.events.extend(result.finished)
        self.session.observe(result.finished, item.t_s)
        step = self.pipeline.step
        result = self._moved_on(result)
        for sink in self.sinks:
            sink.frame(item.index, item.frame_bgr, result, step)
        self._follow_session()
        if self.t_first is None:
            self.t_first = item.t_s
        self.t_last = item.t_s
        self.frames += 1
        return result

    def run(
        self,
        items: Iterable[Item],
        *,
        n_frames: int | None = None,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> None:
        """Feed every item, then :meth:`finish`; progress every few frames and at the end."""
        start = time.perf_counter()
        for n, item in enumerate(items, 1):
            self.feed(item)
            if on_progress is not None and n % PROGRESS_EVERY == 0:
                on_progress(Progress(n, n_frames, time.perf_counter() - start))
        self.finish()
        if on_progress is not None:
            on_progress(Progress(self.frames, self.frames, time.perf_counter() - start))

    def fit(self, t_s: float, frame_wh: tuple[int, int]) -> bool:
        """Frames of another size from here on (WebRTC scaled the picture): restart the judging with the
        calibration scaled to them. True if it restarted. Nothing to do without ``calibration_wh``."""
        frame_wh = (int(frame_wh[0]), int(frame_wh[1]))
        if self._calibration_wh is None or frame_wh == self.frame_wh:
            return False
        self.frame_wh = frame_wh
        self.restart(t_s, calibration=scale_calibration(self._calibration0, self._calibration_wh, frame_wh))
        return True

    def next(self, t_s: float) -> None:
        """Skip on to the routine's next step."""
        self.session.next(t_s)
        self._follow_session()

    def repeat(self, t_s: float) -> None:
        """Start the current step again."""
        self.session.repeat(t_s)

    def restart(
        self,
        t_s: float,
        *,
        calibration: Calibration | None = None,
        settings: Settings | None = None,
        new_session: bool = False,
    ) -> FrameResult:
        """End the motions under way and judge afresh from here (the same detector): with another
        calibration (the picture changed size), other settings, or (``new_session``) the routine
        from its start step again. Returns the ended motions' result (already given to the sinks)."""
        last = self._end_motions(t_s)
        if calibration is not None:
            self.calibration = calibration
        if settings is not None:
            self.settings = settings
        if new_session:
            self.session = self._new_session()
        self.pipeline = self._build()
        return last

    def finish(self) -> FrameResult:
        """The stream ended: end the motions under way (given to the sinks) and close the sinks."""
        last = self._end_motions(self.t_last if self.t_last is not None else 0.0)
        for sink in self.sinks:
            sink.close()
        return last

    def close(self) -> None:
        """Free MediaPipe (when this runner has a detector: one handed over is closed too)."""
        if self._detector is not None:
            self._detector.close()
            self._detector = None

    def hand_over(self) -> HandDetector | None:
        """Give up the detector (for the stream's next runner); this runner must not be fed again."""
        detector, self._detector = self._detector, None
        return detector

    # -- internals ---------------------------------------------------------------------------------

    def _new_session(self) -> RoutineSession:
        return RoutineSession(self.routine, self._start_step, move_on=self._move_on, judge=self._judge_later)

    def _judge_later(self, step: Step, je: JudgedEvent, previous: MotionEvent | None) -> tuple[Verdict, ...]:
        """An event against a later step of the routine, as the pipeline would judge it at these settings."""
        return self.pipeline.verdicts_under(adjust_step(step, self.settings), je, previous)

    def _moved_on(self, result: FrameResult) -> FrameResult:
        """Apply the session's moving on (if it did): the events it judged again replace the ones in
        :attr:`events`, and the pipeline judges against the step moved on to from where its stretch began."""
        moves = self.session.take_moves()
        if not moves:
            return result
        for move in moves:
            self._apply(move)
        return replace(result, moved_on=(*result.moved_on, *moves))

    def _apply(self, move: MoveOn) -> None:
        again = {id(before): after for before, after in move.rejudged}
        self.events = [again.get(id(je), je) for je in self.events]
        self._judged = self.routine.step(move.to)
        self.pipeline.set_step(adjust_step(self._judged, self.settings), since_s=move.since_s)

    def _pipeline_config(self) -> PipelineConfig:
        return pipeline_config(self.settings, self._base_config)

    def _build(self) -> Pipeline:
        self._judged = self.session.current
        return Pipeline(
            self.calibration, adjust_step(self._judged, self.settings), self._pipeline_config(), detector=self._detector
        )

    def _follow_session(self) -> None:
        if self.session.current is not self._judged and not self.session.finished:
            self._judged = self.session.current
            self.pipeline.set_step(adjust_step(self._judged, self.settings))

    def _end_motions(self, t_s: float) -> FrameResult:
        step = self.pipeline.step
        last = self.pipeline.finish()
        self._unsure += self.pipeline.unsure_spans
        self._finished_pipeline = self.pipeline
        self.events.extend(last.finished)
        self.session.observe(last.finished, max(t_s, self.session.now_s or t_s))
        last = self._moved_on(last)
        for sink in self.sinks:
            sink.ended(last, step)
        return last


# -- sinks ------------------------------------------------------------------------------------------


class Recording(Protocol):
    """What the coach and the import need of a recorder (:class:`vision.files.recording.Recorder`)."""

    @property
    def folder(self) -> object: ...

    @property
    def errors(self) -> list[str]: ...

    def write(self, frame_bgr: NDArray[np.uint8], result: FrameResult, step_id: str) -> object: ...

    def log(self, result: FrameResult, step_id: str) -> None: ...

    def stop(self, extra: dict | None = None) -> object: ...


class RecordingSink:
    """A recorder as one of the runner's sinks: each frame raw with its result, the ended motions' events. The
    recorder's owner stops it (with the session's summary), not the runner."""

    def __init__(self, recorder: Recording):
        self.recorder = recorder

    def frame(self, index: int, frame_bgr, result: FrameResult, step: Step) -> None:
        self.recorder.write(frame_bgr, result, step.id)

    def ended(self, result: FrameResult, step: Step) -> None:
        self.recorder.log(result, step.id)

    def close(self) -> None:
        pass


class LandmarksSink:
    """Writes each frame's hands as the detector found them (``landmarks.jsonl``)."""

    def __init__(self, path: str | Path):
        self._writer = LandmarksWriter(path)

    def frame(self, index: int, frame_bgr, result: FrameResult, step: Step) -> None:
        self._writer.write(index, result)

    def ended(self, result: FrameResult, step: Step) -> None:
        pass

    def close(self) -> None:
        self._writer.close()


class AnnotatedVideoSink:
    """Draws the overlay on each frame and encodes it (H.264); frames without a picture are skipped.

    ghost: a teacher's reference events per step (``Comparison.reference_assigned``), drawn under the
    overlay, faintly, as a ghost (:class:`~vision.drawing.ghost.GhostAnnotator`)."""

    def __init__(
        self,
        path: str | Path,
        fps: float,
        frame_wh: tuple[int, int],
        pipeline: Pipeline,
        ghost: Mapping[str, Sequence[JudgedEvent]] | None = None,
    ):
        self._writer = H264Writer(path, fps, frame_wh)
        self._overlay = Overlay(pipeline.homography, pipeline.step, pipeline.zones)
        self._ghost = GhostAnnotator(pipeline.homography, ghost) if ghost else None

    def frame(self, index: int, frame_bgr, result: FrameResult, step: Step) -> None:
        if frame_bgr is None:
            return
        if step is not self._overlay.back.step:
            self._overlay.set_step(step)
        frame_bgr = self._overlay.annotate(frame_bgr, result)
        if self._ghost is not None:  # over the overlay (its arrows run along the lanes' middle too), faintly
            self._ghost.annotate(frame_bgr, result, step)
        self._writer.write(frame_bgr)

    def ended(self, result: FrameResult, step: Step) -> None:
        pass

    def close(self) -> None:
        self._writer.close()


def prefetched(items: Iterable[T], depth: int = 4) -> Iterator[T]:
    """``items``, made ahead on a thread of their own (decoding a video while MediaPipe works on the frame
    before). In order; an error in the thread is raised here, where that item would have come. Stopping
    early (``close()``, or the generator going away) stops the thread."""
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def put(entry: tuple[bool, object]) -> bool:
        while not stop.is_set():
            try:
                q.put(entry, timeout=0.1)
                return True
            except queue.Full:
                pass
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((True, item)):
                    return
            put((True, done))
        except BaseException as e:  # noqa: BLE001 - handed to the consumer
            put((False, e))

    thread = threading.Thread(target=produce, name="runner-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            ok, item = q.get()
            if not ok:
                raise item
            if item is done:
                return
            yield item
    finally:
        stop.set()
        thread.join()


class ThreadedSinks:
    """Runs other sinks in a thread of their own, so MediaPipe never waits for drawing, encoding or the disk.

    The frames handed over must not be changed by the caller afterwards. An
    error in the thread is raised by :meth:`close`.
    """

    def __init__(self, sinks: Sequence[Sink], max_pending: int = 8):
        self.sinks = list(sinks)
        self._q: queue.Queue = queue.Queue(maxsize=max_pending)
        self._error: BaseException | None = None
        self.cpu_s = 0.0  # CPU time the thread spent
        self._thread = threading.Thread(target=self._run, name="runner-sinks", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while (item := self._q.get()) is not None:
                kind, args = item
                for sink in self.sinks:
                    getattr(sink, kind)(*args)
        except BaseException as e:  # reported to the caller by close()
            log.exception("a sink failed; the rest of the stream is not written")
            self._error = e
            while self._q.get() is not None:  # drain, so the producer never blocks
                pass
        finally:
            self.cpu_s = time.thread_time()

    def frame(self, index: int, frame_bgr, result: FrameResult, step: Step) -> None:
        self._q.put(("frame", (index, frame_bgr, result, step)))

    def ended(self, result: FrameResult, step: Step) -> None:
        self._q.put(("ended", (result, step)))

    def close(self) -> None:
        self._q.put(None)
        self._thread.join()
        errors = []
        for sink in self.sinks:
            try:
                sink.close()
            except Exception as e:  # noqa: BLE001 - every sink is closed; the first error is raised
                errors.append(e)
        if self._error is not None:
            raise self._error
        if errors:
            raise errors[0]

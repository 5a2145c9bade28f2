"""Live practice: the pipeline, the routine's progress, the overlay and the
recorder for one camera stream, behind a lock so a page can read it.

The camera's frames arrive in a worker thread (streamlit-webrtc's callback)
and go through :meth:`LiveCoach.process`, the only place that touches the
pipeline and MediaPipe. The page, in its own thread, reads a
:class:`LiveSnapshot` and sends commands (next step, repeat, start or stop
recording, new settings); commands are queued and applied at the next frame,
so the pipeline is never used from two threads.

Time is the frames' own timestamps. When the camera restarts and its clock
starts again from zero, the coach carries on from where it was, so a session
keeps one clock.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Protocol

import cv2
import numpy as np
from numpy.typing import NDArray

from vision.core.backframe import Calibration
from vision.core.types import FrameResult, JudgedEvent
from vision.drawing.overlay import Overlay
from vision.judging.pipeline import Pipeline, pipeline_config
from vision.judging.routines import Routine
from vision.judging.session import RoutineSession, StepProgress
from vision.judging.settings import Settings, adjust_step
from vision.stages.checks import Advice, setup_advice
from vision.stages.detection import HandDetector

RECENT_FLAGS = 30
STATS_WINDOW_S = 5.0
CAMERA_STOPPED_S = 3.0  # no frame for this long while recording: the camera stopped (or the tab closed)


class Recording(Protocol):
    folder: object

    def write(self, frame_bgr: NDArray[np.uint8], result: FrameResult, step_id: str) -> None: ...

    def stop(self, extra: dict | None = None) -> None: ...


@dataclass(frozen=True)
class LiveFlag:
    t_s: float
    hand: int
    name: str
    message: str


@dataclass(frozen=True)
class LiveStats:
    fps: float  # frames reaching the callback per second, over the last few seconds
    latency_ms_median: float  # from a frame's arrival to its overlay being ready
    latency_ms_p95: float
    frames: int


@dataclass(frozen=True)
class LiveSnapshot:
    running: bool
    t_s: float | None
    step_index: int
    progress: StepProgress
    history: tuple[StepProgress, ...]
    finished: bool
    flags: tuple[LiveFlag, ...]  # newest last
    flags_total: int
    good_events: int
    judged_events: int
    hands_on_back: int
    advice: tuple[Advice, ...]
    stats: LiveStats
    recording: str | None  # the recording's folder while one is being written
    last_recording: str | None
    error: str | None = None
    score: int | None = None
    recording_problem: str | None = None  # the recorder's last error (disk full, encoder), if any


class HandNumbers:
    """Short numbers for the giver's hands on screen.

    The pipeline gives a hand a new id each time it is found again after
    being lost, so a long session counts hands 1, 2, 3, 5, ... A person has
    two: a hand found again takes the lowest number no hand seen in the last
    ``free_after_s`` seconds holds.
    """

    def __init__(self, free_after_s: float = 2.0):
        self.free_after_s = free_after_s
        self._number: dict[int, int] = {}
        self._seen: dict[int, float] = {}  # hand id -> when last seen

    def see(self, hand: int, t_s: float) -> int:
        if hand not in self._number:
            held = {self._number[h] for h, t in self._seen.items() if t_s - t <= self.free_after_s}
            self._number[hand] = next(n for n in range(1, len(held) + 2) if n not in held)
        self._seen[hand] = t_s
        return self._number[hand]

    def __call__(self, hand: int) -> int:
        return self._number.get(hand, hand + 1)


def scale_calibration(cal: Calibration, from_wh: tuple[int, int] | None, to_wh: tuple[int, int]) -> Calibration:
    """The calibration for frames of another size (the browser may scale the camera's picture)."""
    if from_wh is None or tuple(from_wh) == tuple(to_wh):
        return cal
    sx, sy = to_wh[0] / from_wh[0], to_wh[1] / from_wh[1]
    return Calibration.from_dict({k: [x * sx, y * sy] for k, (x, y) in cal.to_dict().items()})


@dataclass
class _Stats:
    arrivals: deque = field(default_factory=lambda: deque(maxlen=600))
    latencies: deque = field(default_factory=lambda: deque(maxlen=600))
    frames: int = 0

    def add(self, arrival: float, latency_s: float) -> None:
        self.arrivals.append(arrival)
        self.latencies.append(latency_s)
        self.frames += 1

    def snapshot(self) -> LiveStats:
        if not self.arrivals:
            return LiveStats(0.0, 0.0, 0.0, 0)
        last = self.arrivals[-1]
        recent = [a for a in self.arrivals if a > last - STATS_WINDOW_S]
        fps = (len(recent) - 1) / (recent[-1] - recent[0]) if len(recent) > 1 and recent[-1] > recent[0] else 0.0
        lat = np.asarray(self.latencies) * 1000
        return LiveStats(fps, float(np.median(lat)), float(np.percentile(lat, 95)), self.frames)


class LiveCoach:
    """Everything live practice does with a camera's frames, for one browser session.

    ``stay``: drill the start step alone (it never completes; the command
    line's ``--step``), instead of following the routine from it.

    One :class:`HandDetector` (MediaPipe) per coach, created on the first
    frame and kept for the coach's life: changing the step or the settings
    rebuilds the pipeline around the same detector.
    """

    def __init__(self, calibration: Calibration, routine: Routine, *, calibration_wh: tuple[int, int] | None = None,
                 start_step: str | None = None, settings: Settings = Settings(), mirror: bool = False,
                 stay: bool = False, detector: HandDetector | None = None,
                 detector_factory: Callable[[], HandDetector] = HandDetector):
        if stay:  # drill one step: it never completes, so the session stays on it
            step = routine.step(start_step) if start_step else routine.steps[0]
            routine = routine.model_copy(update={"steps": (step.model_copy(
                update={"repetitions": None, "duration_s": None}),)})
            start_step = None
        self.routine = routine
        self._calibration = calibration
        self._calibration_wh = calibration_wh
        self._start_step = start_step
        self._settings = settings
        self.mirror = mirror  # display only: read at each frame
        self._detector_factory = detector_factory
        self._detector: HandDetector | None = detector  # handed over from the session's previous coach
        self._lock = threading.Lock()  # guards what the page reads
        self._busy = threading.Lock()  # held while a frame is processed
        self._commands: deque[tuple[str, object]] = deque()
        self._stats = _Stats()
        self._pipeline: Pipeline | None = None
        self._frame_wh: tuple[int, int] | None = None
        self._t_offset = 0.0
        self._last_raw_t: float | None = None
        self._last_t: float | None = None
        self._last_frame: NDArray[np.uint8] | None = None
        self._last_arrival: float | None = None
        self._recorder: Recording | None = None
        self._stopping = False
        self._last_recording: str | None = None
        self._numbers = HandNumbers()
        self._flags: deque[LiveFlag] = deque(maxlen=RECENT_FLAGS)
        self._flags_total = 0
        self._good = 0
        self._judged = 0
        self._hands_on_back = 0
        self._palms: deque[float] = deque(maxlen=90)
        self._last_hand_t: float | None = None
        self._advice: tuple[Advice, ...] = ()
        self._advice_t = -1e9
        self._error: str | None = None
        self.session = RoutineSession(routine, start_step)
        self._watchdog = threading.Thread(target=self._watch, name="live-watchdog", daemon=True)
        self._closed = threading.Event()
        self._watchdog.start()

    # -- commands from the page ----------------------------------------------------------

    def command(self, name: str, arg: object = None) -> None:
        """Queue ``next``, ``repeat``, ``settings`` (a Settings), ``record`` (a factory
        ``(frame_wh, calibration) -> Recording``) or ``stop_recording``; applied at the next frame."""
        if name not in ("next", "repeat", "settings", "record", "stop_recording", "restart"):
            raise ValueError(f"unknown command {name!r}")
        with self._lock:
            running = self._last_arrival is not None and time.perf_counter() - self._last_arrival < 1.0
            if name != "stop_recording" or running:
                self._commands.append((name, arg))
                return
        self._stop_recording("stopped")  # no frames coming: stop at once

    def snapshot(self) -> LiveSnapshot:
        with self._lock:
            running = self._last_arrival is not None and time.perf_counter() - self._last_arrival < 1.0
            progress = self.session.progress()
            summary_score = self.session.summary()["score"] if self._last_t is not None else None
            return LiveSnapshot(running, self._last_t, self.session.index, progress, tuple(self.session.history()),
                                self.session.finished, tuple(self._flags), self._flags_total, self._good,
                                self._judged, self._hands_on_back, self._advice, self._stats.snapshot(),
                                None if self._recorder is None else str(self._recorder.folder),
                                self._last_recording, self._error, summary_score,
                                (self._recorder.errors[-1] if self._recorder is not None and self._recorder.errors
                                 else None))

    def last_frame(self) -> NDArray[np.uint8] | None:
        """A copy of the last raw frame (for calibration stills)."""
        with self._lock:
            return None if self._last_frame is None else self._last_frame.copy()

    @property
    def settings(self) -> Settings:
        return self._settings

    # -- the camera's thread --------------------------------------------------------------

    def process(self, frame_bgr: NDArray[np.uint8], t_s: float | None) -> NDArray[np.uint8]:
        """Judge one camera frame and return it annotated (BGR). Never raises: a
        failure is shown on the frame and in the snapshot's ``error``."""
        arrival = time.perf_counter()
        try:
            with self._busy:  # one frame at a time; hand_over waits for the frame under way
                if self._closed.is_set():  # handed over: the page is about to call the new coach
                    return frame_bgr
                out = self._process(frame_bgr, arrival if t_s is None else t_s)
        except Exception as e:  # the camera thread must go on; the page shows what went wrong
            with self._lock:
                self._error = f"{type(e).__name__}: {e}"
            out = frame_bgr.copy()
            cv2.putText(out, "Analysis error: see the page", (10, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.8,
                        (40, 40, 230), 2, cv2.LINE_AA)
        with self._lock:
            self._stats.add(arrival, time.perf_counter() - arrival)
            self._last_arrival = arrival
        return out

    def _clock(self, raw_t: float) -> float:
        """The session's time for a frame: the camera's clock, carried on across restarts."""
        if self._last_raw_t is not None and raw_t <= self._last_raw_t:
            # the camera restarted (its clock began again): continue from the last time
            self._t_offset = (self._last_t or 0.0) + 1 / 30 - raw_t
        self._last_raw_t = raw_t
        t = raw_t + self._t_offset
        if self._last_t is not None and t <= self._last_t:
            t = self._last_t + 1e-3
        self._last_t = t
        return t

    def _build(self, frame_wh: tuple[int, int]) -> None:
        if self._detector is None:
            self._detector = self._detector_factory()
        cal = scale_calibration(self._calibration, self._calibration_wh, frame_wh)
        step = adjust_step(self.session.current, self._settings)
        self._pipeline = Pipeline(cal, step, pipeline_config(self._settings), detector=self._detector)
        self._overlay = Overlay(self._pipeline.homography, step, self._pipeline.zones)
        self._overlay.hands.number = self._overlay.banner.number = self._numbers
        self._frame_wh = frame_wh
        self._judged_step = self.session.current

    def _process(self, frame_bgr: NDArray[np.uint8], raw_t: float) -> NDArray[np.uint8]:
        frame_wh = (frame_bgr.shape[1], frame_bgr.shape[0])
        with self._lock:
            commands = list(self._commands)
            self._commands.clear()
        t = self._clock(raw_t)
        finished: list[JudgedEvent] = []
        if self._pipeline is None or frame_wh != self._frame_wh:
            finished += self._finish_pipeline(t).finished
            self._build(frame_wh)
        for name, arg in commands:
            if name == "settings":
                finished += self._finish_pipeline(t).finished
                self._settings = arg
                self._build(frame_wh)
            elif name == "next":
                with self._lock:
                    self.session.next(t)
            elif name == "repeat":
                with self._lock:
                    self.session.repeat(t)
            elif name == "restart":
                finished += self._finish_pipeline(t).finished
                with self._lock:
                    self.session = RoutineSession(self.routine, self._start_step)
                    self._flags.clear()
                    self._flags_total = self._good = self._judged = 0
                self._build(frame_wh)
            elif name == "record" and self._recorder is None:
                # a recording starts the judging afresh (the motions under way end here), so that
                # re-judging its landmarks, which begin here, gives exactly what the live page shows
                finished += self._finish_pipeline(t).finished
                self._build(frame_wh)
                self._start_recording(arg, frame_wh)
            elif name == "stop_recording":
                # the motions under way end with the recording, as they do when it is re-judged
                step_id = self._pipeline.step.id
                last = self._finish_pipeline(t)
                finished += last.finished
                if self._recorder is not None and not self._stopping:
                    self._recorder.log(last, step_id)
                self._stop_recording("stopped")
                self._build(frame_wh)
        result = self._pipeline.process_frame(frame_bgr, t)
        finished += list(result.finished)
        with self._lock:
            self.session.observe(finished, t)
            self._count(finished, result, t)
        if self.session.current is not self._judged_step and not self.session.finished:
            self._judged_step = self.session.current
            step = adjust_step(self.session.current, self._settings)
            self._pipeline.set_step(step)
            self._overlay.set_step(step)
        with self._lock:
            rec = None if self._stopping else self._recorder
        if rec is not None:
            rec.write(frame_bgr, result, self._pipeline.step.id)
        with self._lock:
            self._last_frame = frame_bgr
        if t - self._advice_t >= 1.0:
            self._advise(frame_bgr, t)
        return self._draw(frame_bgr.copy(), result)

    def _draw(self, frame: NDArray[np.uint8], result: FrameResult) -> NDArray[np.uint8]:
        self._overlay.back.annotate(frame, result)
        self._overlay.hands.annotate(frame, result)
        if self.mirror:  # display only; the banner is written after, so it reads the right way
            frame = np.ascontiguousarray(frame[:, ::-1])
        self._overlay.banner.annotate(frame, result)
        return frame

    def _count(self, finished: list[JudgedEvent], result: FrameResult, t: float) -> None:
        for je in finished:
            self._judged += 1
            self._good += je.ok
        givers = [hs for hs in result.hands if hs.hand is not None and hs.observation is not None]
        for hs in givers:
            self._numbers.see(hs.hand, t)
        for f in result.flags:  # LiveFlag.hand: the hand's number on screen, counted from 0
            self._flags.append(LiveFlag(f.t_s, self._numbers(f.hand) - 1, f.verdict.name, f.verdict.message))
            self._flags_total += 1
        self._hands_on_back = len(givers)
        for hs in result.hands:
            if hs.observation is not None:
                self._palms.append(hs.observation.palm_size_px)
        if givers or self._last_hand_t is None:
            self._last_hand_t = t

    def _advise(self, frame_bgr: NDArray[np.uint8], t: float) -> None:
        palm = float(np.median(self._palms)) if self._palms else None
        advice = setup_advice(frame_bgr, self._pipeline.calibration, palm_px=palm,
                              seconds_without_hands=t - (self._last_hand_t if self._last_hand_t is not None else t))
        with self._lock:
            self._advice = tuple(advice)
            self._advice_t = t

    def _finish_pipeline(self, t: float) -> FrameResult:
        """End every motion under way (before the pipeline is rebuilt); counted like any frame's results."""
        if self._pipeline is None:
            return FrameResult.empty(t)
        last = self._pipeline.finish()
        with self._lock:
            self._count(list(last.finished), last, t)
        return last

    # -- recording ---------------------------------------------------------------------------

    def _start_recording(self, factory, frame_wh: tuple[int, int]) -> None:
        if self._recorder is not None:
            return
        rec = factory(frame_wh, self._pipeline.calibration, self)
        with self._lock:
            self._recorder = rec

    def _stop_recording(self, reason: str) -> None:
        with self._lock:
            rec = self._recorder
            if rec is None or self._stopping:
                return
            self._stopping = True  # the camera's thread writes no more; the page still shows it recording
            summary = self.session.summary()
            stats = self._stats.snapshot()
        try:
            rec.stop(extra={"stopped": reason, "steps": summary["steps"], "score": summary["score"],
                            "live": {"fps": round(stats.fps, 2), "latency_ms_median": round(stats.latency_ms_median, 2),
                                     "latency_ms_p95": round(stats.latency_ms_p95, 2), "frames": stats.frames}})
        finally:
            with self._lock:  # "Saved" only once the recording is complete
                self._recorder = None
                self._stopping = False
                self._last_recording = str(rec.folder)

    def _watch(self) -> None:
        """A recording whose camera stopped sending frames (stopped, or the tab closed) is closed properly."""
        while not self._closed.wait(1.0):
            with self._lock:
                stale = self._recorder is not None and self._last_arrival is not None and \
                    time.perf_counter() - self._last_arrival > CAMERA_STOPPED_S
            if stale:
                self._stop_recording("the camera stopped sending frames")

    def close(self) -> None:
        """Stop any recording and free MediaPipe."""
        detector = self.hand_over()
        if detector is not None:
            detector.close()

    def hand_over(self) -> HandDetector | None:
        """Stop any recording and give up the detector, for the next coach of the same browser session
        (MediaPipe is made once per session; it keeps its own clock, so a new pipeline can use it)."""
        self._stop_recording("closed")
        with self._busy:
            self._closed.set()
            detector, self._detector = self._detector, None
            self._pipeline = None
        return detector

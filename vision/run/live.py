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

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np
from numpy.typing import NDArray

from vision.core.backframe import Calibration
from vision.core.types import FrameResult, MoveOn, Unsure
from vision.drawing.overlay import Overlay
from vision.files.video import bgr_of
from vision.judging import JUDGING_VERSION
from vision.judging.pipeline import Pipeline
from vision.judging.routines import Routine, Step
from vision.judging.session import StepProgress
from vision.judging.settings import Settings
from vision.run.cues import HOLD_MARKS_S, Cue, CueGate, flag_cue, hold_cue, step_cue, unsure_cue
from vision.run.runner import Item, Recording, RecordingSink, Runner
from vision.stages.checks import Advice, setup_advice
from vision.stages.detection import HandDetector

log = logging.getLogger(__name__)

RECENT_FLAGS = 30
STATS_WINDOW_S = 5.0
CAMERA_STOPPED_S = 3.0  # no frame for this long while recording: the camera stopped (or the tab closed)
WITHDRAW_AFTER_END_S = 1.0  # a flag on an event judged again: raised at most this long after the event ended

# What the page says when something fails in the camera's thread: what to do, in plain words. The details (the
# exception, with its traceback) go to the log, and the recorder's also to the recording's session.json.
ANALYSIS_FAILED = (
    "The analysis stopped on a frame. Stop and start the camera; if it happens again, calibrate again, or report "
    "it with the log file (stroke-coach.log in the data folder), which has the details."
)
VIDEO_NOT_SAVED = (
    "The video is no longer being saved; the hands and flags still are, and can be re-judged. Stop and start the "
    "recording to try again; the details are in the recording's session.json."
)
RECORDING_NOT_SAVED = (
    "The recording cannot be written: free some disk space, or stop and start the recording again. The details "
    "are in the recording's session.json."
)


def recording_problem(error: str) -> str:
    """The recorder's error (:attr:`Recorder.errors`) as the page says it: what is lost and what to do."""
    return VIDEO_NOT_SAVED if error.startswith("video:") else RECORDING_NOT_SAVED


@dataclass(frozen=True)
class LiveFlag:
    t_s: float
    hand: int
    name: str
    message: str


STAGES = ("picture in", "detection", "judging", "drawing", "picture out")


@dataclass(frozen=True)
class LiveStats:
    fps: float  # frames reaching the callback per second, over the last few seconds
    latency_ms_median: float  # from a frame's arrival to its overlay being ready
    latency_ms_p95: float
    frames: int
    # the median milliseconds per frame of each of STAGES (the picture in and out: from and to the
    # video codec's frames, when the coach is given those)
    stage_ms: dict[str, float] = field(default_factory=dict)
    cpu_ms_per_frame: float | None = None  # the whole server process's CPU time per frame judged


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
    recording_problem: str | None = None  # the recorder's last error (disk full, encoder) in plain words, if any
    since_frame_s: float | None = None  # seconds since the camera's last frame arrived (None before the first)
    # the routine moved on because the giver had gone on to a later step: what was cut short, said on the
    # step line until the routine moves on again
    notice: str | None = None
    # the giver hands not seen well enough to judge now (no flag is raised on them), and why
    unsure: tuple[Unsure, ...] = ()


@dataclass
class _Stats:
    arrivals: deque = field(default_factory=lambda: deque(maxlen=600))
    latencies: deque = field(default_factory=lambda: deque(maxlen=600))
    cpu: deque = field(default_factory=lambda: deque(maxlen=600))  # the process's CPU time at each arrival
    stages: dict = field(default_factory=lambda: {k: deque(maxlen=600) for k in STAGES})
    frames: int = 0

    def add(self, arrival: float, latency_s: float, stages: dict[str, float]) -> None:
        self.arrivals.append(arrival)
        self.latencies.append(latency_s)
        self.cpu.append(time.process_time())
        for k, v in stages.items():
            self.stages[k].append(v)
        self.frames += 1

    def snapshot(self) -> LiveStats:
        if not self.arrivals:
            return LiveStats(0.0, 0.0, 0.0, 0)
        last = self.arrivals[-1]
        recent = [a for a in self.arrivals if a > last - STATS_WINDOW_S]
        fps = (len(recent) - 1) / (recent[-1] - recent[0]) if len(recent) > 1 and recent[-1] > recent[0] else 0.0
        lat = np.asarray(self.latencies) * 1000
        stage_ms = {k: float(np.median(v)) * 1000 for k, v in self.stages.items() if v}
        cpu = (self.cpu[-1] - self.cpu[0]) / (len(self.cpu) - 1) * 1000 if len(self.cpu) > 1 else None
        return LiveStats(fps, float(np.median(lat)), float(np.percentile(lat, 95)), self.frames, stage_ms, cpu)


class _Tally:
    """The live counts (flags, good events, hands on the back, palm sizes), as a sink of the runner."""

    def __init__(self, coach: LiveCoach):
        self._coach = coach

    def frame(self, index: int, frame_bgr, result: FrameResult, step: Step) -> None:
        self._coach._count(result)
        self._coach._see(result)

    def ended(self, result: FrameResult, step: Step) -> None:
        self._coach._count(result)

    def close(self) -> None:
        pass


class LiveCoach:
    """Everything live practice does with a camera's frames, for one browser session.

    A :class:`~vision.run.runner.Runner` does the judging (as for ``analyze``
    and ``rejudge``); the coach adds the camera's clock, the commands from the
    page, the overlay, the setup check, the recorder and what the page reads.

    ``stay``: drill the start step alone (it never completes; the command
    line's ``--step``), instead of following the routine from it.

    One :class:`HandDetector` (MediaPipe) per coach, created on the first
    frame and kept for the coach's life (or handed over to the browser
    session's next coach): changing the step or the settings restarts the
    judging around the same detector.
    """

    def __init__(
        self,
        calibration: Calibration,
        routine: Routine,
        *,
        calibration_wh: tuple[int, int] | None = None,
        start_step: str | None = None,
        settings: Settings = Settings(),
        mirror: bool = False,
        stay: bool = False,
        detector: HandDetector | None = None,
        detector_factory: Callable[[], HandDetector] = HandDetector,
    ):
        self.mirror = mirror  # display only: read at each frame
        self._lock = threading.Lock()  # guards what the page reads
        self._busy = threading.Lock()  # held while a frame is processed
        self._commands: deque[tuple[str, object]] = deque()
        self._stats = _Stats()
        self._stage: dict[str, float] = {}  # the current frame's stages' times (the camera's thread)
        self._t_offset = 0.0
        self._last_raw_t: float | None = None
        self._last_t: float | None = None
        self._last_frame: NDArray[np.uint8] | None = None
        self._last_arrival: float | None = None
        self._recorder: Recording | None = None
        self._stopping = False
        self._last_recording: str | None = None
        self._flags: deque[LiveFlag] = deque(maxlen=RECENT_FLAGS)
        self._flags_total = 0
        self._good = 0
        self._judged = 0
        self._hands_on_back = 0
        self._palms: deque[float] = deque(maxlen=90)
        self._last_hand_t: float | None = None
        self._cues = CueGate()  # what to say next (flags, a new step, the hold timer)
        self._resting: dict[int, float] = {}  # giver hand -> how long it has rested, at the last frame
        self._cue_step: int | None = None  # the step index the last step cue was for
        self._cut_short: str | None = None  # the title of the step cut short, for the next step cue
        self._notice: str | None = None  # what was cut short ...
        self._notice_index: int | None = None  # ... said while the routine is on this step
        self._advice: tuple[Advice, ...] = ()
        self._unsure: tuple[Unsure, ...] = ()
        self._advice_t = -1e9
        self._error: str | None = None
        step = (start_step or routine.steps[0].id) if stay else None
        self._runner = Runner(
            calibration,
            routine,
            step=step,
            start_step=None if stay else start_step,
            settings=settings,
            detector=detector,
            detector_factory=detector_factory,
            sinks=[_Tally(self)],
            calibration_wh=calibration_wh,
        )
        self.routine = self._runner.routine
        self._overlay_pipeline = self._runner.pipeline  # the pipeline the overlay draws for
        self._overlay = self._new_overlay(self._overlay_pipeline)
        self._publish()
        self._watchdog = threading.Thread(target=self._watch, name="live-watchdog", daemon=True)
        self._closed = threading.Event()
        self._watchdog.start()

    @property
    def session(self):
        """The routine's progress (the camera's thread changes it: read :meth:`snapshot` from another thread)."""
        return self._runner.session

    # -- commands from the page ----------------------------------------------------------

    def command(self, name: str, arg: object = None) -> None:
        """Queue ``next``, ``repeat``, ``settings`` (a Settings), ``record`` (a factory
        ``(frame_wh, calibration, coach) -> Recording``), ``stop_recording`` or ``restart``;
        applied at the next frame."""
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
            now = time.perf_counter()
            since = None if self._last_arrival is None else now - self._last_arrival
            running = since is not None and since < 1.0
            return LiveSnapshot(
                running,
                self._last_t,
                self._index,
                self._progress,
                self._history,
                self._finished,
                tuple(self._flags),
                self._flags_total,
                self._good,
                self._judged,
                self._hands_on_back,
                self._advice,
                self._stats.snapshot(),
                None if self._recorder is None else str(self._recorder.folder),
                self._last_recording,
                self._error,
                self._score,
                (
                    recording_problem(self._recorder.errors[-1])
                    if self._recorder is not None and self._recorder.errors
                    else None
                ),
                since,
                self._notice,
                self._unsure,
            )

    def take_cue(self) -> Cue | None:
        """The cue to say now, if any: at most one a second, the newest raised since the last one said."""
        with self._lock:
            return None if self._last_t is None else self._cues.take(self._last_t)

    def last_frame(self) -> NDArray[np.uint8] | None:
        """A copy of the last raw frame (for calibration stills)."""
        with self._lock:
            return None if self._last_frame is None else self._last_frame.copy()

    @property
    def settings(self) -> Settings:
        return self._runner.settings

    # -- the camera's thread --------------------------------------------------------------

    def process_video_frame(self, frame):
        """Judge one of the camera's ``av.VideoFrame`` and return the annotated picture as one (what
        streamlit-webrtc's callback gives and takes; the conversions are timed with the rest)."""
        import av

        arrival = time.perf_counter()
        img = bgr_of(frame)
        self._stage = {"picture in": time.perf_counter() - arrival}
        out = self._judge_frame(img, frame.time, arrival)
        if out is None:
            return frame
        done = time.perf_counter()
        new = av.VideoFrame.from_ndarray(out, format="bgr24")  # streamlit-webrtc gives it the input's time
        self._stage["picture out"] = time.perf_counter() - done
        self._add_stats(arrival)
        return new

    def process(self, frame_bgr: NDArray[np.uint8], t_s: float | None) -> NDArray[np.uint8]:
        """Judge one camera frame and return it annotated (BGR). Never raises: a
        failure is shown on the frame and in the snapshot's ``error``."""
        arrival = time.perf_counter()
        self._stage = {}
        out = self._judge_frame(frame_bgr, t_s, arrival)
        if out is None:
            return frame_bgr
        self._add_stats(arrival)
        return out

    def _judge_frame(self, frame_bgr: NDArray[np.uint8], t_s: float | None, arrival: float) -> NDArray[np.uint8] | None:
        """The frame judged and annotated; None once the coach is handed over. A failure is drawn on it."""
        try:
            with self._busy:  # one frame at a time; hand_over waits for the frame under way
                if self._closed.is_set():  # handed over: the page is about to call the new coach
                    return None
                return self._process(frame_bgr, arrival if t_s is None else t_s)
        except Exception as e:  # the camera thread must go on; the page shows what went wrong
            log.exception("live analysis failed on a frame: %s", type(e).__name__)
            with self._lock:
                self._error = ANALYSIS_FAILED
            out = frame_bgr.copy()
            cv2.putText(
                out,
                "Analysis error: see the page",
                (10, 30),
                cv2.FONT_HERSHEY_SIMPLEX,
                0.8,
                (40, 40, 230),
                2,
                cv2.LINE_AA,
            )
            return out

    def _add_stats(self, arrival: float) -> None:
        with self._lock:
            self._stats.add(arrival, time.perf_counter() - arrival, self._stage)
            self._last_arrival = arrival

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

    @staticmethod
    def _new_overlay(p: Pipeline) -> Overlay:
        return Overlay(p.homography, p.step, p.zones)

    def _follow_pipeline(self) -> None:
        """Draw for the pipeline judging now: a new overlay when the runner restarted with a new one
        (another picture size, settings, a recording), the new step when the routine moved on."""
        p = self._runner.pipeline
        if p is not self._overlay_pipeline:
            self._overlay_pipeline, self._overlay = p, self._new_overlay(p)
        elif self._overlay.back.step is not p.step:
            self._overlay.set_step(p.step)

    def _process(self, frame_bgr: NDArray[np.uint8], raw_t: float) -> NDArray[np.uint8]:
        frame_wh = (frame_bgr.shape[1], frame_bgr.shape[0])
        with self._lock:
            commands = list(self._commands)
            self._commands.clear()
        t = self._clock(raw_t)
        runner = self._runner
        runner.fit(t, frame_wh)  # WebRTC changed the picture's size: judged afresh from here (before any command)
        for name, arg in commands:
            if name == "settings":
                assert isinstance(arg, Settings), arg
                runner.restart(t, settings=arg)
            elif name == "next":
                runner.next(t)
            elif name == "repeat":
                runner.repeat(t)
            elif name == "restart":
                with self._lock:
                    self._flags.clear()
                    self._flags_total = self._good = self._judged = 0
                runner.restart(t, new_session=True)
            elif name == "record" and self._recorder is None:
                # a recording starts the judging afresh (the motions under way end here), so that
                # re-judging its landmarks, which begin here, gives exactly what the live page shows
                runner.restart(t)
                self._start_recording(arg, frame_wh)
            elif name == "stop_recording":
                # the motions under way end with the recording (logged in it), as they do when it is re-judged
                runner.restart(t)
                self._stop_recording("stopped")
        # a recording stopped (here, or from another thread when the camera stopped) gets no more frames
        runner.sinks = [s for s in runner.sinks if not isinstance(s, RecordingSink) or s.recorder is self._recorder]
        start = time.perf_counter()
        result = runner.feed(Item(runner.frames, t, frame_bgr))
        detector = runner.detector
        detect_s = detector.last_s if detector is not None else 0.0
        self._stage["detection"] = detect_s
        self._stage["judging"] = time.perf_counter() - start - detect_s
        self._follow_pipeline()
        self._publish()
        with self._lock:
            self._last_frame = frame_bgr
        if t - self._advice_t >= 1.0:
            self._advise(frame_bgr, t)
        start = time.perf_counter()
        out = self._draw(frame_bgr.copy(), result)
        self._stage["drawing"] = time.perf_counter() - start
        return out

    def _publish(self) -> None:
        """What the page reads of the routine's progress, copied in the camera's thread."""
        s = self._runner.session
        progress, history = s.progress(), tuple(s.history())
        score = s.summary()["score"] if self._last_t is not None else None
        with self._lock:
            self._index, self._progress, self._history = s.index, progress, history
            self._finished, self._score = s.finished, score
            if self._cue_step is not None and s.index != self._cue_step and not s.finished and self._last_t is not None:
                self._cues.offer(step_cue(s.current, self._last_t, self._cut_short))
            self._cue_step, self._cut_short = s.index, None
            if self._notice is not None:  # said until the routine moves on from where it moved on to
                if self._notice_index is None:
                    self._notice_index = s.index
                elif s.index != self._notice_index:
                    self._notice = self._notice_index = None

    def _draw(self, frame: NDArray[np.uint8], result: FrameResult) -> NDArray[np.uint8]:
        self._overlay.back.annotate(frame, result)
        self._overlay.hands.annotate(frame, result)
        if self.mirror:  # display only; the banner is written after, so it reads the right way
            frame = np.ascontiguousarray(frame[:, ::-1])
        self._overlay.banner.annotate(frame, result)
        return frame

    def _count(self, result: FrameResult) -> None:
        t = result.t_s
        givers = [hs for hs in result.hands if hs.hand is not None and hs.observation is not None]
        with self._lock:
            for je in result.finished:
                self._judged += 1
                self._good += je.ok
            for move in result.moved_on:
                self._moved_on(move)
            step = self._runner.pipeline.step
            for f in result.flags:
                self._flags.append(LiveFlag(f.t_s, f.hand, f.verdict.name, f.verdict.message))
                self._flags_total += 1
                self._cues.offer(flag_cue(f.verdict.name, step, t))
            self._hands_on_back = len(givers)
            if step.technique in ("hold", "press"):
                for hs in givers:
                    assert hs.hand is not None
                    before, now = self._resting.get(hs.hand, 0.0), hs.resting_s
                    for mark in HOLD_MARKS_S:
                        if before < mark <= now:
                            self._cues.offer(hold_cue(mark, t))
                    self._resting[hs.hand] = now
        for hs in result.hands:
            if hs.observation is not None:
                self._palms.append(hs.observation.palm_size_px)
        if givers or self._last_hand_t is None:
            self._last_hand_t = t

    def _see(self, result: FrameResult) -> None:
        """What is unsure now; a cue when a hand (or both) stops being seen well enough to judge."""
        with self._lock:
            before = {u.hand for u in self._unsure}
            for u in result.unsure:
                if u.hand not in before:
                    self._cues.offer(unsure_cue(u.reason, result.t_s))
                    break
            self._unsure = result.unsure

    def _moved_on(self, move: MoveOn) -> None:
        """The routine found the giver had moved on: the counts and the flags of the events it judged again
        as they are now (a flag withdrawn leaves the list), and the step line and cue say so. Under the lock."""
        withdrawn: list[tuple[int, set[str], float, float]] = []
        for before, after in move.rejudged:
            self._good += after.ok - before.ok
            names = {v.name for v in before.verdicts} - {v.name for v in after.verdicts} - {"ok"}
            if names:
                withdrawn.append((before.hand, names, before.event.t_start, before.event.t_end))
                self._flags_total = max(0, self._flags_total - len(names))

        def kept(f: LiveFlag) -> bool:
            # a flag is raised while its stroke moves, or in the frame that judges it, just after it ends
            return not any(
                f.hand == hand and f.name in names and t0 - 1e-6 <= f.t_s <= t1 + WITHDRAW_AFTER_END_S
                for hand, names, t0, t1 in withdrawn
            )

        self._flags = deque(filter(kept, self._flags), maxlen=RECENT_FLAGS)
        self._cut_short = self.routine.step(move.cut_short).title
        self._notice, self._notice_index = move.note, None

    def _advise(self, frame_bgr: NDArray[np.uint8], t: float) -> None:
        palm = float(np.median(self._palms)) if self._palms else None
        advice = setup_advice(
            frame_bgr,
            self._runner.calibration,
            palm_px=palm,
            seconds_without_hands=t - (self._last_hand_t if self._last_hand_t is not None else t),
        )
        with self._lock:
            self._advice = tuple(advice)
            self._advice_t = t

    # -- recording ---------------------------------------------------------------------------

    def _start_recording(self, factory, frame_wh: tuple[int, int]) -> None:
        if self._recorder is not None:
            return
        rec = factory(frame_wh, self._runner.calibration, self)
        self._runner.sinks.append(RecordingSink(rec))
        with self._lock:
            self._recorder = rec

    def _stop_recording(self, reason: str) -> None:
        with self._lock:
            rec = self._recorder
            if rec is None or self._stopping:
                return
            self._stopping = True  # the camera's thread writes no more; the page still shows it recording
            summary = self._runner.session.summary()
            stats = self._stats.snapshot()
        try:
            rec.stop(
                extra={
                    "stopped": reason,
                    "steps": summary["steps"],
                    "score": summary["score"],
                    "judging_version": JUDGING_VERSION,
                    "live": {
                        "fps": round(stats.fps, 2),
                        "latency_ms_median": round(stats.latency_ms_median, 2),
                        "latency_ms_p95": round(stats.latency_ms_p95, 2),
                        "frames": stats.frames,
                    },
                }
            )
        except Exception:
            log.exception("the recording in %s could not be finished", rec.folder)
            raise
        finally:
            with self._lock:  # "Saved" only once the recording is complete
                self._recorder = None
                self._stopping = False
                self._last_recording = str(rec.folder)

    def _watch(self) -> None:
        """A recording whose camera stopped sending frames (stopped, or the tab closed) is closed properly."""
        while not self._closed.wait(1.0):
            with self._lock:
                stale = (
                    self._recorder is not None
                    and self._last_arrival is not None
                    and time.perf_counter() - self._last_arrival > CAMERA_STOPPED_S
                )
            if stale:
                try:
                    self._stop_recording("the camera stopped sending frames")
                except Exception:  # noqa: BLE001 - logged; the watchdog goes on
                    pass

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
            return self._runner.hand_over()

"""Session recordings: a folder per session, written live and crash-safe, read back for replay and re-judging.

A recording is a folder ``<root>/<YYYYmmdd-HHMMSS>[-n]/`` holding:

- ``video.mp4``: the raw camera frames (never the overlay), H.264 yuv420p in a
  *fragmented* MP4 (``frag_keyframe+empty_moov+default_base_moof``, a keyframe
  about every second), so a file cut off by a crash still opens and plays up
  to its last whole fragment. Frame times come from the frames' own
  timestamps (time base 1/90000): video time 0 is the ``t`` of landmarks line 0.
  Faces are blurred unless ``blur_faces=False``.
- ``landmarks.jsonl``: one line per frame (:mod:`vision.files.landmarks`:
  the detector's hands and the giver's hand each became); feeding them to
  :meth:`Pipeline.process_hands` re-judges the session without MediaPipe
  (:func:`vision.run.analyze.rejudge`).
- ``events.jsonl``: the steps, judged events and flags, one JSON object per
  line (:mod:`vision.files.events`).

- ``session.json``: written when the recording starts (``status``
  "recording") and rewritten atomically when it stops (``status``
  "complete"); see :class:`Recorder`.

Text lines are flushed to the OS as soon as they are written, and every file
is fsync'ed about once a second, so a crash (or a closed tab killing the
server) loses at most about the last second.

:class:`Recorder` is called from the live app's frame callback (a worker
thread): :meth:`Recorder.write` only copies the frame and queues it; a thread
of its own blurs faces, encodes and writes. MediaPipe (the face detector) is
imported in that thread, only when faces are blurred.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import TracebackType

import cv2
import numpy as np
from numpy.typing import NDArray

from vision.core.backframe import Calibration
from vision.core.folders import RECORDINGS_ENV, folders
from vision.core.hands import HandObservation
from vision.core.types import FrameResult, JudgedEvent
from vision.files.calibration import Corners
from vision.files.events import (
    EVENTS_FILE,
    Line,
    dumps,
    event_line,
    flag_line,
    moved_on_line,
    read_events,
    rejudged_line,
    step_line,
)
from vision.files.jsonl import RecordingError
from vision.files.landmarks import LANDMARKS_FILE, LandmarksWriter, read_landmarks
from vision.files.session import (
    FORMAT,
    FORMAT_VERSION,
    SESSION_FILE,
    VIDEO_FILE,
    RecordedSettings,
    SessionFiles,
    SessionInfo,
    read_session,
    write_session,
)
from vision.files.video import TIMESTAMP_TIME_BASE, H264Writer
from vision.stages.detection import FaceDetector

log = logging.getLogger(__name__)

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "FoundRecordings",
    "RECORDINGS_ENV",
    "Recorder",
    "Recording",
    "RecordingError",
    "blur_regions",
    "default_root",
    "enlarge_box",
    "find_recordings",
    "list_recordings",
    "open_recording",
    "read_events",
    "read_landmarks",
]

VIDEO_TIME_BASE = TIMESTAMP_TIME_BASE


def default_root() -> Path:
    """Where recordings go: ``$STROKE_COACH_RECORDINGS``, else ``recordings/`` in the data folder."""
    return folders().recordings


# -- face blurring --------------------------------------------------------------------------------------------


def enlarge_box(
    box_px: tuple[float, float, float, float], factor: float, frame_wh: tuple[int, int]
) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) grown by ``factor`` about its centre, clipped to the frame; None if nothing is left."""
    x0, y0, x1, y1 = (float(c) for c in box_px)
    cx, cy = 0.5 * (x0 + x1), 0.5 * (y0 + y1)
    hw, hh = 0.5 * factor * (x1 - x0), 0.5 * factor * (y1 - y0)
    w, h = frame_wh
    ix0, iy0 = max(0, int(np.floor(cx - hw))), max(0, int(np.floor(cy - hh)))
    ix1, iy1 = min(w, int(np.ceil(cx + hw))), min(h, int(np.ceil(cy + hh)))
    if ix1 <= ix0 or iy1 <= iy0:
        return None
    return ix0, iy0, ix1, iy1


def blur_regions(frame_bgr: NDArray[np.uint8], boxes_px, cells: int = 6) -> NDArray[np.uint8]:
    """A copy of the frame with each box (x0, y0, x1, y1 image pixels, x1/y1 exclusive) pixelated.

    Each box becomes a mosaic of about ``cells`` blocks across its shorter
    side, then a box blur softens the block edges: a face is unrecognisable
    and cannot be sharpened back. Boxes are clipped to the frame; pixels
    outside every box are left exactly as they were.
    """
    if frame_bgr.ndim != 3 or frame_bgr.shape[2] != 3 or frame_bgr.dtype != np.uint8:
        raise ValueError(f"frame_bgr: expected a BGR uint8 array (H, W, 3), got {frame_bgr.dtype} {frame_bgr.shape}")
    out = frame_bgr.copy()
    h, w = out.shape[:2]
    for box in boxes_px:
        x0, y0, x1, y1 = (int(round(float(c))) for c in box)
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        roi = out[y0:y1, x0:x1]
        bw, bh = x1 - x0, y1 - y0
        cell = max(2, min(bw, bh) // max(1, cells))
        small = cv2.resize(roi, (max(1, bw // cell), max(1, bh // cell)), interpolation=cv2.INTER_AREA)
        mosaic = cv2.resize(small, (bw, bh), interpolation=cv2.INTER_NEAREST)
        k = max(3, cell // 2) | 1
        out[y0:y1, x0:x1] = cv2.blur(mosaic, (k, k))
    return out


class FaceBlurrer:
    """Blurs faces frame after frame: MediaPipe's face detector every ``every`` frames, boxes reused between.

    For ONE stream, in ONE thread. The boxes of the last two detections are
    both blurred, so a face the detector misses once is still covered.
    """

    def __init__(self, every: int = 3, enlarge: float = 1.25, min_confidence: float = 0.5):
        self.every = max(1, int(every))
        self.enlarge = enlarge
        self._det = FaceDetector(min_confidence)
        self._n = 0
        self._recent: list[list[tuple[int, int, int, int]]] = [[], []]
        self.frames_with_faces = 0

    def detect(self, frame_bgr: NDArray[np.uint8]) -> list[tuple[int, int, int, int]]:
        """Face boxes (x0, y0, x1, y1) in image pixels, already enlarged and clipped."""
        h, w = frame_bgr.shape[:2]
        boxes = []
        for box in self._det.detect(np.asarray(cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB), np.uint8)):
            b = enlarge_box(box, self.enlarge, (w, h))
            if b is not None:
                boxes.append(b)
        return boxes

    def __call__(self, frame_bgr: NDArray[np.uint8]) -> NDArray[np.uint8]:
        if self._n % self.every == 0:
            self._recent = [self._recent[-1], self.detect(frame_bgr)]
        self._n += 1
        boxes = self._recent[0] + self._recent[1]
        if not boxes:
            return frame_bgr
        self.frames_with_faces += 1
        return blur_regions(frame_bgr, boxes)

    def close(self) -> None:
        self._det.close()


# -- writing --------------------------------------------------------------------------------------------------


def _now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _make_folder(root: Path, when: datetime) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    stem = when.strftime("%Y%m%d-%H%M%S")
    for n in range(1, 1000):
        folder = root / (stem if n == 1 else f"{stem}-{n}")
        try:
            folder.mkdir()  # exclusive: two recorders started in the same second get different folders
            return folder
        except FileExistsError:
            continue
    raise RecordingError(f"{root}: cannot create a recording folder for {stem} (1000 already exist)")


def _even_size(frame_wh: tuple[int, int]) -> tuple[int, int]:
    return frame_wh[0] - frame_wh[0] % 2, frame_wh[1] - frame_wh[1] % 2


@dataclass
class _Item:
    index: int
    t_s: float
    result: FrameResult
    step_id: str | None
    frame: NDArray[np.uint8] | None = None
    landmarks: bool = True  # False: events and flags only (the results at stop)


class Recorder:
    """Records one live session into a new folder; see the module docstring for the files.

    ``write(frame_bgr, result, step_id)`` once per frame, from any one thread
    (the WebRTC frame callback): it copies the frame and queues it, and never
    waits for the disk or the encoder. When more than ``max_pending_frames``
    frames wait for the encoder, the frame is dropped from the video (counted
    in ``dropped_frames``) but its landmarks, events and flags are still
    written: those are never dropped.

    ``session.json`` holds, from the start: ``format``, ``version``,
    ``status`` ("recording"), ``routine`` (its name), ``step`` (the starting
    step id), ``calibration``, ``frame_size`` ([w, h], filled in at the first
    frame if not given), ``started_at`` (ISO 8601 with the time zone),
    ``person`` (who practises, if given), ``settings`` (the caller's), ``blur_faces``, ``files``; at stop it is
    rewritten with ``status`` "complete", ``frames`` (landmarks lines),
    ``video_frames``, ``dropped_frames``, ``fps`` (mean, as the frames
    came), ``duration_s``, ``ended_at``,
    ``errors`` and ``extra`` (the caller's, e.g. fps, step summary, score);
    :attr:`session` is it as a :class:`~vision.files.session.SessionInfo`.

    A problem in the writing thread (disk full, the encoder failing) does not
    stop the session: it is kept in :attr:`errors` and in ``session.json``.
    """

    def __init__(
        self,
        calibration: Calibration,
        *,
        routine=None,
        step_id: str | None = None,
        root: str | Path | None = None,
        settings: dict | None = None,
        person: str | None = None,
        blur_faces: bool = True,
        frame_wh: tuple[int, int] | None = None,
        max_pending_frames: int = 30,
        crf: int = 23,
        keyframe_s: float = 1.0,
        face_every: int = 3,
        sync_s: float = 1.0,
    ):
        started = datetime.now().astimezone()
        root = Path(root) if root is not None else default_root()
        try:
            self.folder = _make_folder(root, started)
        except OSError as e:
            raise RecordingError(
                f"{root}: cannot create a recording folder there ({e.strerror or e}); "
                f"choose a writable folder (or set {RECORDINGS_ENV})"
            ) from None
        self.blur_faces = bool(blur_faces)
        self._max_pending = max(1, int(max_pending_frames))
        self._crf, self._keyframe_s, self._face_every, self._sync_s = crf, keyframe_s, face_every, sync_s
        self.session = SessionInfo(
            format=FORMAT,
            version=FORMAT_VERSION,
            status="recording",
            routine=getattr(routine, "name", routine),
            step=step_id,
            calibration=Corners.from_calibration(calibration),
            frame_size=_even_size(frame_wh) if frame_wh else None,
            started_at=started.isoformat(timespec="seconds"),
            person=person or None,
            settings=RecordedSettings.model_validate(settings or {}),
            blur_faces=self.blur_faces,
            files=SessionFiles(video=VIDEO_FILE, landmarks=LANDMARKS_FILE, events=EVENTS_FILE),
            video_time_base=str(VIDEO_TIME_BASE),
        )
        try:
            write_session(self.folder / SESSION_FILE, self.session)
            self._landmarks = LandmarksWriter(self.folder / LANDMARKS_FILE)
            self._events = open(self.folder / EVENTS_FILE, "w", encoding="utf-8")
        except OSError as e:
            raise RecordingError(
                f"{self.folder}: cannot write the recording ({e.strerror or e}); choose a writable folder"
            ) from None
        self.errors: list[str] = []
        self.frames = 0  # frames given to write()
        self.dropped_frames = 0  # of those, left out of the video (the encoder was behind)
        self._pending = 0  # frames queued for the encoder
        self._lock = threading.Lock()
        self._stop_lock = threading.Lock()
        self._stopping = False
        self._stopped: Recording | None = None
        self._q: queue.Queue[_Item | None] = queue.Queue()  # unbounded: frames in it are bounded by _pending
        self._step_id = step_id
        self._steps: list[tuple[float, str | None]] = []  # (since t, step id), as Pipeline.step_at
        self._video: H264Writer | None = None
        self._video_failed = False
        self._blurrer: FaceBlurrer | None = None
        self._t0: float | None = None
        self._t_last: float | None = None
        self._thread = threading.Thread(target=self._run, name=f"recorder-{self.folder.name}", daemon=True)
        self._thread.start()

    # -- called by the frame callback ---------------------------------------------------------------

    def write(self, frame_bgr: NDArray[np.uint8] | None, result: FrameResult, step_id: str | None = None) -> bool:
        """Queue one frame (BGR uint8, raw: before any drawing) and its result; returns at once.

        ``step_id``: the step judged from this frame on (None: unchanged).
        Returns False if the frame was left out of the video (or the
        recording is stopped); its landmarks and events are kept all the same
        (not after stop).
        """
        with self._lock:
            if self._stopping:
                return False
            index = self.frames
            self.frames += 1
            keep = frame_bgr is not None and self._pending < self._max_pending
            if keep:
                self._pending += 1
            elif frame_bgr is not None:
                self.dropped_frames += 1
            # a copy: the caller goes on to draw its overlay on this very array
            self._q.put(
                _Item(
                    index,
                    float(result.t_s),
                    result,
                    step_id,
                    np.array(frame_bgr, dtype=np.uint8, copy=True) if keep else None,
                )
            )
        return keep

    def log(self, result: FrameResult, step_id: str | None = None) -> None:
        """Record the events and flags of a result that belongs to no frame (``Pipeline.finish()``'s)."""
        with self._lock:
            if not self._stopping:
                self._q.put(_Item(self.frames, float(result.t_s), result, step_id, None, landmarks=False))

    # -- stopping -----------------------------------------------------------------------------------

    def stop(self, extra: dict | None = None) -> Recording:
        """Finish the files and mark the recording complete; safe to call twice (the first ``extra`` counts)."""
        with self._stop_lock:
            if self._stopped is None:
                self._stopped = self._finish(extra)
            return self._stopped

    def _finish(self, extra: dict | None) -> Recording:
        with self._lock:
            self._stopping = True  # write() and log() from now on do nothing
        self._q.put(None)
        self._thread.join()
        t0, t1 = self._t0, self._t_last
        video_frames = self._video.n_frames_written if self._video is not None else 0
        if self._video is not None:
            try:
                self._video.close()
            except Exception as e:  # noqa: BLE001 - kept in session.json; the text files still count
                log.exception("recording %s: %s", self.folder.name, type(e).__name__)
                self.errors.append(f"video: cannot finish {VIDEO_FILE}: {e}")
        for f, name in ((self._landmarks, LANDMARKS_FILE), (self._events, EVENTS_FILE)):
            try:
                f.flush()
                os.fsync(f.fileno())
                f.close()
            except OSError as e:
                self.errors.append(f"cannot finish {name}: {e.strerror or e}")
        if self._blurrer is not None:
            self._blurrer.close()
        mean_interval_s = (
            (t1 - t0) / (self.frames - 1) if t0 is not None and t1 is not None and self.frames > 1 else 0.0
        )
        self.session = self.session.replaced(
            status="complete",
            frames=self.frames,
            video_frames=video_frames,
            dropped_frames=self.dropped_frames,
            fps=round(1.0 / mean_interval_s, 3) if mean_interval_s > 0 else None,  # mean, as received
            duration_s=round((t1 - t0) + mean_interval_s, 3) if t0 is not None and t1 is not None else 0.0,
            ended_at=_now_iso(),
            errors=list(self.errors),
            extra=dict(extra or {}),
            frames_with_faces_blurred=self._blurrer.frames_with_faces if self._blurrer is not None else None,
        )
        try:
            write_session(self.folder / SESSION_FILE, self.session)
        except OSError as e:
            raise RecordingError(f"{self.folder}: cannot finish session.json ({e.strerror or e})") from None
        return open_recording(self.folder)

    close = stop

    def __enter__(self) -> Recorder:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- the writing thread -------------------------------------------------------------------------

    def _run(self) -> None:
        last_sync = time.monotonic()
        while True:
            item: _Item | None | bool
            try:
                item = self._q.get(timeout=self._sync_s / 2)
            except queue.Empty:
                item = False  # nothing came: time to sync, perhaps
            if item is None:
                return
            if isinstance(item, _Item):
                try:
                    self._write_item(item)
                except Exception as e:  # noqa: BLE001 - never let the thread die with the session going on
                    log.exception("recording %s: %s", self.folder.name, type(e).__name__)
                    self._error(f"frame {item.index}: {type(e).__name__}: {e}")
                finally:
                    if item.frame is not None:
                        with self._lock:
                            self._pending -= 1
                if self._q.qsize() == 0:
                    self._flush()
            if time.monotonic() - last_sync >= self._sync_s:
                self._flush(sync=True)
                last_sync = time.monotonic()

    def _error(self, msg: str) -> None:
        if len(self.errors) < 20 and msg not in self.errors:  # a full disk must not fill memory with messages
            self.errors.append(msg)

    def _flush(self, sync: bool = False) -> None:
        try:
            for f in (self._landmarks, self._events):
                f.flush()
                if sync:
                    os.fsync(f.fileno())
            if sync and self._video is not None:
                self._video.sync()
        except OSError as e:
            log.warning("recording %s: cannot write: %s", self.folder.name, e)
            self._error(f"cannot write the recording: {e.strerror or e}")

    def _write_item(self, item: _Item) -> None:
        result = item.result
        if item.landmarks:
            if self._t0 is None:
                self._t0 = item.t_s
            self._t_last = item.t_s
            self._landmarks.write(item.index, result)
        lines = []
        if item.step_id is not None and item.step_id != self._step_id or not self._steps:
            self._step_id = item.step_id if item.step_id is not None else self._step_id
            self._steps.append((item.t_s if self._steps else float("-inf"), self._step_id))
            lines.append(step_line(item.t_s, item.index, self._step_id))
        frame_no = item.index if item.landmarks else None
        for je in result.finished:
            lines.append(self._event_line(je, frame_no))
        for move in result.moved_on:
            # the step moved on to was in force from `since` (the step line for it is this one)
            self._steps = [(t, s) for t, s in self._steps if t < move.since_s] or self._steps[:1]
            self._steps.append((move.since_s, move.to))
            self._step_id = move.to
            lines.append(moved_on_line(move, frame_no))
            lines.extend(rejudged_line(after, frame_no, move.to) for _, after in move.rejudged)
        for fl in result.flags:
            lines.append(flag_line(fl, frame_no, self._step_id))
        for d in lines:
            self._events.write(dumps(d) + "\n")
        if item.frame is not None and not self._video_failed:
            try:
                self._write_frame(item.frame, item.t_s)
            except Exception as e:  # noqa: BLE001 - the landmarks and events go on without the video
                log.exception("recording %s: %s", self.folder.name, type(e).__name__)
                self._video_failed = True
                self._error(
                    f"video: stopped at frame {item.index} ({type(e).__name__}: {e}); "
                    "recording landmarks and events only"
                )

    def _event_line(self, je: JudgedEvent, frame_no: int | None) -> dict:
        mid = 0.5 * (je.event.t_start + je.event.t_end)
        step = next((s for since, s in reversed(self._steps) if since <= mid), self._steps[0][1])
        return event_line(je, frame_no, step)

    def _write_frame(self, frame: NDArray[np.uint8], t_s: float) -> None:
        if self._video_failed:
            return
        if self._video is None:
            wh = self.session.frame_size or _even_size((frame.shape[1], frame.shape[0]))
            try:
                if self.blur_faces:
                    self._blurrer = FaceBlurrer(every=self._face_every)
                self._video = H264Writer(
                    self.folder / VIDEO_FILE,
                    30,
                    (int(wh[0]), int(wh[1])),
                    self._crf,
                    fragmented=True,
                    keyframe_s=self._keyframe_s,
                )
            except Exception as e:  # noqa: BLE001
                log.exception("recording %s: %s", self.folder.name, type(e).__name__)
                self._video_failed = True  # never write faces unblurred: no video rather than that
                what = "face blurring" if self.blur_faces and self._blurrer is None else "the video encoder"
                self._error(
                    f"video: {what} could not start ({type(e).__name__}: {e}); recording landmarks and events only"
                )
                return
            if self.session.frame_size is None:
                self.session = self.session.replaced(frame_size=(int(wh[0]), int(wh[1])))
                write_session(self.folder / SESSION_FILE, self.session)
        w, h = self._video.frame_wh
        if frame.shape[1] != w or frame.shape[0] != h:
            if frame.shape[1] - w in (0, 1) and frame.shape[0] - h in (0, 1):
                frame = frame[:h, :w]  # an odd size cropped to even, as 4:2:0 needs
            else:  # WebRTC changed the resolution mid-stream
                frame = np.asarray(cv2.resize(frame, (w, h), interpolation=cv2.INTER_AREA), np.uint8)
        frame = np.ascontiguousarray(frame)
        if self._blurrer is not None:
            frame = self._blurrer(frame)
        assert self._t0 is not None  # set by the frame's landmarks line, written just before its picture
        self._video.write(frame, t_s - self._t0)


# -- reading --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recording:
    """A recording folder as found on disk.

    status: "complete" (stopped cleanly) or "interrupted" (session.json still
    says "recording": the app or the machine stopped before the recorder did;
    the files hold everything up to about a second before that).
    video: the video file, None if there is none (or it is empty).
    """

    folder: Path
    session: SessionInfo = field(repr=False)
    status: str
    video: Path | None
    calibration: Calibration | None
    frame_wh: tuple[int, int] | None

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def landmarks_path(self) -> Path:
        return self.folder / LANDMARKS_FILE

    @property
    def events_path(self) -> Path:
        return self.folder / EVENTS_FILE

    @property
    def started_at(self) -> str | None:
        return self.session.started_at

    def frames(self) -> Iterator[tuple[int, float, list[HandObservation]]]:
        """(frame index, t seconds, hands) per frame; nothing if there is no landmarks file."""
        if not self.landmarks_path.exists():
            return iter(())
        return read_landmarks(self.landmarks_path)

    def events(self) -> list[Line]:
        """The events.jsonl lines, checked (``type`` "step", "event" or "flag"); [] if there is none."""
        return read_events(self.events_path) if self.events_path.exists() else []


def open_recording(folder: str | Path) -> Recording:
    """Open a recording folder (complete or interrupted). Raises RecordingError with what is wrong."""
    folder = Path(folder)
    session = read_session(folder)
    cal = None
    if session.calibration is not None:  # read_session checked it
        cal = session.calibration.to_calibration(source=str(folder / SESSION_FILE))
    video = folder / session.files.video
    status = "complete" if session.status == "complete" else "interrupted"
    return Recording(
        folder=folder,
        session=session,
        status=status,
        video=video if video.is_file() and video.stat().st_size > 0 else None,
        calibration=cal,
        frame_wh=session.frame_size,
    )


@dataclass(frozen=True)
class FoundRecordings:
    """The recordings of a folder, newest first, and the folders that look like recordings but cannot be opened."""

    recordings: list[Recording]
    damaged: list[tuple[Path, str]]  # (folder, what is wrong and what to do), by name, newest first


def find_recordings(root: str | Path | None = None) -> FoundRecordings:
    """The recordings in ``root`` (default :func:`default_root`): every folder with a session.json.

    One that cannot be opened (a hand-edited or damaged session.json) is
    listed in ``damaged`` with its one-line message, so that a page can say so
    and still offer the others; folders without a session.json are not
    recordings and are left out.
    """
    root = Path(root) if root is not None else default_root()
    if not root.is_dir():
        return FoundRecordings([], [])
    found, damaged = [], []
    for d in root.iterdir():
        if d.is_dir() and (d / SESSION_FILE).is_file():
            try:
                found.append(open_recording(d))
            except RecordingError as e:
                damaged.append((d, str(e)))
    found.sort(key=lambda r: (str(r.started_at or ""), r.name), reverse=True)
    damaged.sort(key=lambda fd: fd[0].name, reverse=True)
    return FoundRecordings(found, damaged)


def list_recordings(root: str | Path | None = None) -> list[Recording]:
    """The recordings in ``root`` (default :func:`default_root`), newest first; other folders are skipped."""
    return find_recordings(root).recordings

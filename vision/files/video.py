"""Video files in and out: a checked reader, an H.264 MP4 writer and a Y4M writer.

Everything here is plain PyAV + numpy + OpenCV (never streamlit or mediapipe).
Frames are BGR ``uint8`` arrays of shape (H, W, 3); times are seconds from the
start of the stream (``_s``); sizes are (width, height) in pixels (``_wh``).

- :class:`VideoReader` opens a clip, checks it (missing, empty, not a video,
  no video stream, truncated, no frames) and yields ``(frame_bgr, t_s)`` with
  strictly increasing timestamps taken from the frames themselves.
- :class:`H264Writer` writes an H.264 (Main profile, yuv420p, faststart) MP4
  that Chromium plays in ``st.video``; OpenCV's ``VideoWriter`` cannot.
- :func:`write_y4m` writes a YUV4MPEG2 4:2:0 file, usable as Chromium's fake
  camera (``--use-file-for-fake-video-capture``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import av.error
import cv2
import numpy as np

__all__ = [
    "VideoError",
    "VideoInfo",
    "VideoReader",
    "H264Writer",
    "write_y4m",
    "probe",
]

# Largest denominator used to turn a float frame rate into a fraction:
# 29.97 -> 30000/1001, 30.0 -> 30/1.
_RATE_MAX_DENOMINATOR = 1001
# A rate within this of N * 1000/1001 (29.97, 23.976, 59.94) is taken as exactly that.
_NTSC_TOLERANCE_FPS = 0.005

# Leading bytes of common video containers; used only to word an error
# ("truncated video" rather than "not a video") when FFmpeg cannot open a file.
_VIDEO_MAGIC_AT_0 = (
    b"\x1aE\xdf\xa3",  # Matroska / WebM
    b"RIFF",  # AVI
    b"YUV4MPEG2",  # Y4M
    b"OggS",  # Ogg (Theora)
    b"\x00\x00\x01\xba",  # MPEG program stream
    b"FLV",  # Flash video
)
_MP4_BOX_TYPES = (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip")

# FFmpeg demuxers that read a single still image, which opens as a
# one-frame "video"; we refuse it.
_IMAGE_FORMAT_SUFFIX = "_pipe"
_IMAGE_FORMATS = ("image2",)

_FIX_RECORD = "record or export the clip again"
_FIX_CHOOSE = "choose a video file such as .mp4, .mov or .webm"


class VideoError(Exception):
    """A video file cannot be read or written.

    The message is one line: the file, what was expected, what was found, and
    what to do.
    """


@dataclass(frozen=True)
class VideoInfo:
    """What is known about a video before decoding all of it.

    Attributes:
        path: the file, as given.
        fps: nominal frame rate in frames per second (> 0).
        frame_wh: (width, height) of decoded frames in pixels.
        n_frames: estimated number of frames, or None if unknown.
        duration_s: estimated duration in seconds, or None if unknown.
    """

    path: str
    fps: float
    frame_wh: tuple[int, int]
    n_frames: int | None
    duration_s: float | None


def _name(path: str | os.PathLike[str]) -> str:
    """The file's name as shown in messages (the path as given)."""
    return str(path)


def _ffmpeg_reason(exc: BaseException) -> str:
    """A short, single-line reason from a PyAV/FFmpeg exception."""
    if isinstance(exc, av.error.FFmpegError) and exc.strerror:
        reason = str(exc.strerror)
    else:
        reason = str(exc) or type(exc).__name__
    return " ".join(reason.split())


def _looks_like_video(head: bytes) -> bool:
    """True if ``head`` (the file's first bytes) starts like a video container."""
    if len(head) >= 8 and head[4:8] in _MP4_BOX_TYPES:
        return True
    return any(head.startswith(magic) for magic in _VIDEO_MAGIC_AT_0)


def _text_preview(head: bytes) -> str | None:
    """The first few characters if ``head`` is printable text, else None."""
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text or any(not (ch.isprintable() or ch in "\r\n\t") for ch in text):
        return None
    preview = " ".join(text.split())[:24].strip()
    return preview or None


def _check_path(path: str | os.PathLike[str]) -> None:
    """Refuse a missing path, a directory, an unreadable or empty file."""
    name = _name(path)
    p = Path(path)
    if not p.exists():
        raise VideoError(f"{name}: file not found; check the path or choose another video file")
    if p.is_dir():
        raise VideoError(f"{name}: is a directory, expected a video file; {_FIX_CHOOSE}")
    if not p.is_file():
        raise VideoError(f"{name}: is not a regular file, expected a video file; {_FIX_CHOOSE}")
    if not os.access(p, os.R_OK):
        raise VideoError(f"{name}: cannot read the file (permission denied); fix its permissions or copy it")
    if p.stat().st_size == 0:
        raise VideoError(f"{name}: file is empty (0 bytes); {_FIX_RECORD}")


def _open_error(path: str | os.PathLike[str], exc: BaseException) -> VideoError:
    """Turn a failure of ``av.open`` on an existing, non-empty file into a VideoError."""
    name = _name(path)
    with open(path, "rb") as fh:
        head = fh.read(64)
    reason = _ffmpeg_reason(exc)
    if _looks_like_video(head):
        return VideoError(
            f"{name}: video file is truncated or corrupt (cannot read its header: {reason}); {_FIX_RECORD}"
        )
    preview = _text_preview(head)
    found = f"it is text starting {preview!r}" if preview is not None else f"FFmpeg says: {reason}"
    return VideoError(f"{name}: not a video file ({found}); {_FIX_CHOOSE}")


def _to_rate(fps: float | Fraction) -> Fraction:
    """A frame rate as an exact fraction (29.97 -> 30000/1001); must be > 0."""
    if isinstance(fps, bool) or not isinstance(fps, (int, float, Fraction)):
        raise ValueError(f"fps: expected a number of frames per second, got {fps!r}")
    if not np.isfinite(float(fps)) or fps <= 0:
        raise ValueError(f"fps: expected a frame rate > 0, got {fps!r}")
    rate = Fraction(fps).limit_denominator(_RATE_MAX_DENOMINATOR)
    if rate.denominator != 1:
        # NTSC-style rates (23.976, 29.97, 59.94) are N * 1000/1001, which
        # limit_denominator alone would turn into 2997/100.
        ntsc = Fraction(round(float(fps) * 1001 / 1000) * 1000, 1001)
        if abs(float(ntsc) - float(fps)) < _NTSC_TOLERANCE_FPS:
            rate = ntsc
    if rate <= 0:
        raise ValueError(f"fps: expected a frame rate > 0, got {fps!r}")
    return rate


def _check_frame_wh(frame_wh: tuple[int, int], what: str) -> tuple[int, int]:
    """Validate an even, positive (width, height) for 4:2:0 video."""
    try:
        w, h = (int(v) for v in frame_wh)
    except (TypeError, ValueError):
        raise ValueError(f"{what}: expected (width, height) in pixels, got {frame_wh!r}") from None
    if w <= 0 or h <= 0:
        raise ValueError(f"{what}: expected a positive (width, height), got {frame_wh!r}")
    if w % 2 or h % 2:
        raise ValueError(
            f"{what}: 4:2:0 video needs an even width and height, got {w}x{h}; "
            f"crop or resize the frames to {w - w % 2}x{h - h % 2}"
        )
    return w, h


def _check_frame(frame_bgr: np.ndarray, frame_wh: tuple[int, int], what: str) -> np.ndarray:
    """Check a BGR uint8 (H, W, 3) frame against frame_wh; return it C-contiguous."""
    w, h = frame_wh
    if not isinstance(frame_bgr, np.ndarray):
        raise ValueError(f"{what}: expected a numpy array of shape ({h}, {w}, 3), got {type(frame_bgr).__name__}")
    if frame_bgr.shape != (h, w, 3):
        raise ValueError(
            f"{what}: expected a BGR frame of shape ({h}, {w}, 3) (frame_wh={w}x{h}), "
            f"got shape {frame_bgr.shape}; resize frames to the writer's size"
        )
    if frame_bgr.dtype != np.uint8:
        raise ValueError(f"{what}: expected dtype uint8, got {frame_bgr.dtype}; convert with .astype(np.uint8)")
    return np.ascontiguousarray(frame_bgr)


def bgr_of(frame: av.VideoFrame) -> np.ndarray:
    """A decoded frame as a BGR uint8 array (H, W, 3): the usual 4:2:0 pictures through OpenCV, which
    converts in half the time and lets other threads run meanwhile; anything else through PyAV."""
    if frame.format.name == "yuv420p" and frame.width % 2 == 0 and frame.height % 2 == 0:
        return cv2.cvtColor(frame.to_ndarray(), cv2.COLOR_YUV2BGR_I420)
    return frame.to_ndarray(format="bgr24")


class VideoReader:
    """Read a video file as ``(frame_bgr, t_s)`` pairs, after checking it.

    Opening decodes the first frame, so a file that is missing, a directory,
    empty, not a video, without a video stream, truncated or without frames
    raises :class:`VideoError` here, with a message naming the file.

    Iteration yields ``frame_bgr`` (BGR uint8, shape (H, W, 3)) and ``t_s``,
    the frame's presentation time in seconds from the first frame (from its
    pts; ``index / fps`` when it has none). ``t_s`` strictly increases: a frame
    whose time is not after the previous one is dropped (noted in
    ``warnings``). Corruption met after the first frame stops iteration
    cleanly: the frames before it are kept and a line is added to
    ``warnings``. At most ``max_frames`` frames are yielded (all if None).

    Iterating a second time starts again from the beginning.

    Usage::

        with VideoReader("clip.mp4") as reader:
            for frame_bgr, t_s in reader:
                ...
            print(reader.info.fps, reader.warnings)
    """

    def __init__(self, path: str | os.PathLike[str], max_frames: int | None = None, start_s: float = 0.0) -> None:
        """Open and check ``path``; decode its first frame.

        Args:
            path: the video file.
            max_frames: yield at most this many frames per pass (None: all).
            start_s: begin each pass at the first frame at or after this time (seconds from the first
                frame; the times yielded stay the file's own). The file is sought to the key frame
                before it when it can be, else decoded from the start.

        Raises:
            VideoError: the file cannot be read as a video (see class doc).
            ValueError: ``max_frames`` is not None and below 1.
        """
        if max_frames is not None and (
            isinstance(max_frames, bool) or not isinstance(max_frames, (int, np.integer)) or max_frames < 1
        ):
            raise ValueError(f"max_frames: expected None or an integer >= 1, got {max_frames!r}")
        self.path: str = _name(path)
        self.max_frames: int | None = None if max_frames is None else int(max_frames)
        self.start_s = float(start_s)
        self.warnings: list[str] = []
        self._container: av.container.InputContainer | None = None
        self._first_frame: av.VideoFrame | None = None
        _check_path(path)
        self._open()
        try:
            self.info: VideoInfo = self._make_info()
        except BaseException:
            self.close()
            raise
        # Warnings found on opening; kept when a new pass clears the others.
        self._open_warnings: tuple[str, ...] = tuple(self.warnings)

    # -- opening ---------------------------------------------------------

    def _open(self) -> None:
        """Open the container, pick the video stream, decode the first frame."""
        name = self.path
        try:
            container = av.open(self.path, mode="r")
        except av.error.FFmpegError as exc:
            if isinstance(exc, (FileNotFoundError, IsADirectoryError, PermissionError)):
                _check_path(self.path)  # raced with a change on disk: re-word it
            raise _open_error(self.path, exc) from exc
        self._container = container
        try:
            fmt = container.format.name
            if fmt in _IMAGE_FORMATS or fmt.endswith(_IMAGE_FORMAT_SUFFIX):
                kind = fmt.removesuffix(_IMAGE_FORMAT_SUFFIX)
                raise VideoError(f"{name}: is a still image ({kind}), not a video; {_FIX_CHOOSE}")
            if not container.streams.video:
                kinds = sorted({s.type for s in container.streams})
                if not kinds:
                    raise VideoError(
                        f"{name}: video file has no readable streams (it is truncated or corrupt, "
                        f"or was saved with no frames); {_FIX_RECORD}"
                    )
                raise VideoError(
                    f"{name}: no video stream (found only {', '.join(kinds)}); choose a file that contains video"
                )
            self._stream = container.streams.video[0]
            if self._stream.codec_context is None:
                raise VideoError(
                    f"{name}: cannot decode its video codec ({self._stream.codec_tag or 'unknown'}); "
                    "convert it to H.264 MP4"
                )
            # Decode on several threads; frames still come out in order.
            self._stream.thread_type = "AUTO"
            self._frames: Iterator[av.VideoFrame] = container.decode(self._stream)
            try:
                self._first_frame = next(self._frames)
            except StopIteration:
                n_header = int(self._stream.frames or 0)
                if n_header > 0:
                    raise VideoError(
                        f"{name}: video file is truncated or corrupt (its header lists {n_header} frames "
                        f"but none could be decoded); {_FIX_RECORD}"
                    ) from None
                raise VideoError(f"{name}: video stream has no frames (0 decoded); {_FIX_RECORD}") from None
            except av.error.FFmpegError as exc:
                raise VideoError(
                    f"{name}: video file is truncated or corrupt (no frame could be decoded: "
                    f"{_ffmpeg_reason(exc)}); {_FIX_RECORD}"
                ) from exc
        except BaseException:
            self.close()
            raise

    def _make_info(self) -> VideoInfo:
        """Build :class:`VideoInfo` from the stream header and the first frame."""
        assert self._first_frame is not None
        stream = self._stream
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        if rate is not None and rate > 0:
            fps = float(rate)
        else:
            fps = 30.0
            self.warnings.append(f"{self.path}: no frame rate in the file; assumed 30 frames/s")
        duration_s: float | None = None
        if stream.duration is not None and stream.time_base is not None and stream.duration > 0:
            duration_s = float(stream.duration * stream.time_base)
        elif self._container is not None and self._container.duration:
            duration_s = self._container.duration / av.time_base
        n_frames: int | None = int(stream.frames) if stream.frames else None
        if n_frames is None and duration_s is not None:
            n_frames = max(1, round(duration_s * fps))
        frame_wh = (int(self._first_frame.width), int(self._first_frame.height))
        return VideoInfo(path=self.path, fps=fps, frame_wh=frame_wh, n_frames=n_frames, duration_s=duration_s)

    # -- reading ---------------------------------------------------------

    def _restart(self) -> None:
        """Reopen the file for a new pass (the first frame is already used)."""
        self.close()
        self.warnings = list(self._open_warnings)
        self._open()

    def __iter__(self) -> Iterator[tuple[np.ndarray, float]]:
        """Yield ``(frame_bgr, t_s)``; see the class docstring."""
        if self._first_frame is None:
            self._restart()
        first = self._first_frame
        self._first_frame = None
        assert first is not None and self._container is not None
        time_base = self._stream.time_base
        fps = self.info.fps
        first_pts = first.pts
        if self.start_s > 0 and first_pts is not None and time_base is not None:
            try:  # to the key frame at or before start_s; the frames before start_s are skipped below
                self._container.seek(first_pts + int(self.start_s / time_base), stream=self._stream)
                self._frames = self._container.decode(self._stream)
                first = next(self._frames)
            except (av.error.FFmpegError, StopIteration):
                self._restart()  # decode from the start instead
                first = self._first_frame
                self._first_frame = None
                assert first is not None
        n_decoded = 0
        n_yielded = 0
        n_dropped = 0
        stopped_by_error = False
        last_t_s = -np.inf
        frame: av.VideoFrame | None = first
        while frame is not None:
            if self.max_frames is not None and n_yielded >= self.max_frames:
                break
            if frame.pts is not None and first_pts is not None and time_base is not None:
                t_s = float((frame.pts - first_pts) * time_base)
            else:
                t_s = n_decoded / fps
            n_decoded += 1
            if t_s < self.start_s - 1e-6:
                last_t_s = t_s
            elif t_s > last_t_s:
                last_t_s = t_s
                n_yielded += 1
                yield bgr_of(frame), t_s
            else:
                n_dropped += 1
            try:
                frame = next(self._frames)
            except StopIteration:
                frame = None
            except av.error.FFmpegError as exc:
                self.warnings.append(
                    f"{self.path}: decoding stopped after {n_decoded} frames (t={last_t_s:.3f} s): "
                    f"{_ffmpeg_reason(exc)}; the file is probably truncated or corrupt, kept the frames before it"
                )
                frame = None
                stopped_by_error = True
        if frame is None and not stopped_by_error and self.start_s <= 0:
            n_header = int(self._stream.frames or 0)
            if 0 < n_header and n_decoded < n_header:
                # The index (moov, at the front with faststart) survives a
                # truncation; the frame data at the end does not.
                self.warnings.append(
                    f"{self.path}: the file ends early: its header lists {n_header} frames but only "
                    f"{n_decoded} could be decoded; it is probably truncated, kept the frames decoded"
                )
        if n_dropped:
            self.warnings.append(
                f"{self.path}: dropped {n_dropped} frames whose timestamp was not after the previous frame's"
            )

    # -- closing ---------------------------------------------------------

    def close(self) -> None:
        """Close the file; safe to call twice."""
        container, self._container = self._container, None
        if container is not None:
            container.close()

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"VideoReader({self.path!r}, max_frames={self.max_frames!r})"


def probe(path: str | os.PathLike[str]) -> VideoInfo:
    """Open and check ``path`` (decoding one frame), close it, return its info.

    Raises:
        VideoError: as :class:`VideoReader`.
    """
    with VideoReader(path) as reader:
        return reader.info


TIMESTAMP_TIME_BASE = Fraction(1, 90000)  # frames at their own times: fine enough for uneven arrivals


class H264Writer:
    """Write BGR frames to an H.264 MP4 that Chromium plays (``st.video``).

    Main profile, yuv420p, ``movflags=+faststart`` (index at the front, so the
    browser can start playing before the whole file arrives). Frame ``i`` gets
    the exact time ``i / fps`` (``fps`` as a fraction: 29.97 -> 30000/1001);
    ``write(frame_bgr, t_s)`` puts a frame at its own slot ``round(t_s * fps) /
    fps`` instead, so frames left out (a camera that dropped them) leave their
    slots empty and the file keeps the uneven times, which :class:`VideoReader`
    gives back.

    Usage::

        with H264Writer("out.mp4", fps=30, frame_wh=(640, 480)) as writer:
            for frame_bgr in frames:
                writer.write(frame_bgr)

    ``fragmented=True`` is for recording live: a *fragmented* MP4
    (``frag_keyframe+empty_moov+default_base_moof``, packets handed to the OS
    at once, no encoder lookahead), so a file cut off by a crash still opens
    and plays up to its last whole fragment; a keyframe (a new fragment) about
    every ``keyframe_s`` seconds; each frame at its own time,
    ``write(frame_bgr, t_s)`` (seconds from the video's start, time base
    1/90000), since live frames arrive at uneven times. ``fps`` is then only
    a hint.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        fps: float | Fraction,
        frame_wh: tuple[int, int],
        crf: int = 23,
        preset: str = "ultrafast",
        fragmented: bool = False,
        keyframe_s: float = 1.0,
    ) -> None:
        """Create the file and open the encoder.

        Args:
            path: the MP4 file to write (overwritten if it exists).
            fps: frames per second (> 0).
            frame_wh: (width, height) in pixels, both even.
            crf: x264 constant rate factor, 0 (lossless) .. 51 (worst).
            preset: x264 speed preset; "ultrafast" (Constrained Baseline profile,
                3 ms a 640x480 frame here) costs a third of the default "medium"
                for a larger file; the slower presets give Main profile.

        Raises:
            ValueError: bad fps, odd or non-positive frame_wh, crf out of range.
            VideoError: the file or the encoder cannot be opened.
        """
        self.path: str = _name(path)
        self.rate: Fraction = _to_rate(fps)
        self.fps: float = float(self.rate)
        self.frame_wh: tuple[int, int] = _check_frame_wh(frame_wh, "frame_wh")
        if isinstance(crf, bool) or not isinstance(crf, (int, np.integer)) or not 0 <= crf <= 51:
            raise ValueError(f"crf: expected an integer 0..51 (lower is better quality), got {crf!r}")
        self.n_frames_written: int = 0
        self.fragmented = fragmented
        self.keyframe_s = keyframe_s
        self._frame_time_base = TIMESTAMP_TIME_BASE if fragmented else 1 / self.rate
        self._last_pts: int | None = None
        self._last_key_s: float | None = None
        self._container: av.container.OutputContainer | None = None
        folder = Path(self.path).parent
        if not folder.is_dir():
            raise VideoError(
                f"{self.path}: cannot create the video file (folder {str(folder)!r} does not exist); "
                "check that the folder exists and is writable"
            )
        try:
            options = (
                {"movflags": "frag_keyframe+empty_moov+default_base_moof", "flush_packets": "1"}
                if fragmented
                else {"movflags": "+faststart"}
            )
            self._container = av.open(self.path, mode="w", format="mp4", options=options)
        except (av.error.FFmpegError, OSError) as exc:
            raise VideoError(
                f"{self.path}: cannot create the video file ({_ffmpeg_reason(exc)}); "
                "check that the folder exists and is writable"
            ) from exc
        try:
            stream = self._container.add_stream("libx264", rate=self.rate)
            stream.width, stream.height = self.frame_wh
            stream.pix_fmt = "yuv420p"
            if fragmented:
                stream.time_base = self._frame_time_base
            stream.codec_context.time_base = self._frame_time_base
            # Main profile at most (ultrafast gives Constrained Baseline) and yuv420p:
            # what every browser's H.264 decoder accepts.
            stream.options = {"crf": str(int(crf)), "profile": "main", "preset": preset}
            if fragmented:  # no lookahead or B-frames: each frame leaves the encoder at once, nothing held back
                stream.options = {**stream.options, "tune": "zerolatency"}
            self._stream = stream
            self._container.start_encoding()  # opens the file and encoder now, not at the first frame
        except (av.error.FFmpegError, ValueError, TypeError) as exc:
            self._abort()
            if isinstance(exc, OSError):  # FFmpeg's file errors are also OSErrors
                raise VideoError(
                    f"{self.path}: cannot create the video file ({_ffmpeg_reason(exc)}); "
                    "check that the folder exists and is writable"
                ) from exc
            raise VideoError(
                f"{self.path}: cannot open the H.264 encoder (libx264) for {self.frame_wh[0]}x"
                f"{self.frame_wh[1]} at {self.fps:g} frames/s ({_ffmpeg_reason(exc)}); "
                "check that PyAV was installed from its wheel (it bundles libx264)"
            ) from exc

    def _abort(self) -> None:
        """Close the container without flushing (after a failed open)."""
        container, self._container = self._container, None
        if container is not None:
            try:
                container.close()
            except av.error.FFmpegError:
                pass

    def write(self, frame_bgr: np.ndarray, t_s: float | None = None) -> None:
        """Encode one BGR uint8 frame of shape (H, W, 3) matching ``frame_wh``.

        t_s: its time from the video's start. Required by a ``fragmented``
        writer (times that do not increase are nudged forward: live frames
        arrive as they do). Otherwise optional: the frame goes to the slot of
        the 1/fps grid nearest ``t_s``, which must come after the last frame's
        (None: the slot after it).

        Raises:
            ValueError: wrong shape or dtype, a missing t_s (fragmented), a t_s whose
                slot is not after the last frame's, or the writer is closed.
        """
        if self._container is None:
            raise ValueError(f"{self.path}: writer is closed; open a new H264Writer to write more frames")
        frame_bgr = _check_frame(frame_bgr, self.frame_wh, f"{self.path}: frame {self.n_frames_written}")
        frame = av.VideoFrame.from_ndarray(frame_bgr, format="bgr24")
        if self.fragmented:
            if t_s is None:
                raise ValueError(f"{self.path}: a fragmented writer takes each frame's time: write(frame, t_s)")
            pts = int(round(t_s / self._frame_time_base))
            if self._last_pts is not None and pts <= self._last_pts:
                pts = self._last_pts + 1
            if self._last_key_s is None or t_s - self._last_key_s >= self.keyframe_s:
                frame.pict_type = av.video.frame.PictureType.I  # a new fragment starts here
                self._last_key_s = t_s
        elif t_s is not None:
            pts = int(round(t_s / self._frame_time_base))
            if self._last_pts is not None and pts <= self._last_pts:
                raise ValueError(
                    f"{self.path}: frame {self.n_frames_written} at t={t_s:.4f} s: expected a time after the last "
                    f"frame's ({float(self._last_pts * self._frame_time_base):.4f} s, at {self.fps:g} frames/s)"
                )
        else:
            pts = 0 if self._last_pts is None else self._last_pts + 1
        self._last_pts = pts
        frame.pts = pts
        frame.time_base = self._frame_time_base
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self.n_frames_written += 1

    def sync(self) -> None:
        """Make what was written so far durable (fsync), so a crash keeps it."""
        fd = os.open(self.path, os.O_RDONLY)  # fsync works on any descriptor of the file
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def close(self) -> None:
        """Flush the encoder and finish the file; safe to call twice."""
        container = self._container
        if container is None:
            return
        try:
            for packet in self._stream.encode(None):
                container.mux(packet)
        finally:
            self._container = None
            container.close()
            if self.fragmented:
                self.sync()

    def __enter__(self) -> H264Writer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Also on error: keep the frames written so far in a playable file.
        self.close()

    def __repr__(self) -> str:
        return f"H264Writer({self.path!r}, fps={self.fps:g}, frame_wh={self.frame_wh})"


def write_y4m(frames_bgr: Iterable[np.ndarray], path: str | os.PathLike[str], fps: float | Fraction) -> int:
    """Write BGR frames to a YUV4MPEG2 4:2:0 file (Chromium's fake camera input).

    Header ``YUV4MPEG2 W{w} H{h} F{num}:{den} Ip A1:1 C420jpeg``, then per frame
    ``FRAME\\n`` + Y (w*h bytes) + U + V (w*h/4 bytes each). The file is large
    (w*h*1.5 bytes per frame): write it to a temporary folder.

    Args:
        frames_bgr: BGR uint8 frames of shape (H, W, 3), all the same even size.
        path: the .y4m file to write (overwritten).
        fps: frames per second (> 0); 29.97 is written as 30000:1001.

    Returns:
        The number of frames written (>= 1).

    Raises:
        ValueError: no frames, odd size, or a frame whose shape/dtype differs.
    """
    rate = _to_rate(fps)
    n_written = 0
    frame_wh: tuple[int, int] | None = None
    with open(path, "wb") as fh:
        for frame_bgr in frames_bgr:
            if frame_wh is None:
                if not isinstance(frame_bgr, np.ndarray) or frame_bgr.ndim != 3:
                    raise ValueError(
                        f"{_name(path)}: frame 0: expected a BGR array of shape (H, W, 3), "
                        f"got {getattr(frame_bgr, 'shape', type(frame_bgr).__name__)}"
                    )
                frame_wh = _check_frame_wh((frame_bgr.shape[1], frame_bgr.shape[0]), f"{_name(path)}: frame size")
                w, h = frame_wh
                fh.write(f"YUV4MPEG2 W{w} H{h} F{rate.numerator}:{rate.denominator} Ip A1:1 C420jpeg\n".encode("ascii"))
            frame_bgr = _check_frame(frame_bgr, frame_wh, f"{_name(path)}: frame {n_written}")
            # I420 from OpenCV: (h * 3/2, w) = Y rows, then U, then V planes.
            yuv = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2YUV_I420)
            fh.write(b"FRAME\n")
            fh.write(yuv.tobytes())
            n_written += 1
    if n_written == 0:
        Path(path).unlink(missing_ok=True)
        raise ValueError(f"{_name(path)}: no frames to write; a .y4m file needs at least one frame")
    return n_written

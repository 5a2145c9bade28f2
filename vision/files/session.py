"""A recording's ``session.json``: what the session was, written when it starts and again when it stops.

:class:`SessionInfo` is the file (its JSON Schema: ``docs/schemas/session.schema.json``):

- from the start: ``format`` ("stroke-coach-recording"), ``version``,
  ``status`` ("recording"), ``routine`` (its name), ``step`` (the starting
  step id), ``calibration`` (the four corners), ``frame_size`` ([w, h], null
  until the first frame if not known before), ``started_at`` (ISO 8601 with
  the time zone), ``person`` (who practised, when the app was told; left out
  when not), ``settings`` (:class:`RecordedSettings`: sensitivity,
  smoothing and any of the caller's), ``blur_faces``, ``files``,
  ``video_time_base``;
- at stop, with ``status`` "complete": ``frames`` (landmarks lines),
  ``video_frames``, ``dropped_frames``, ``fps`` (mean, as the frames came;
  null if unknown), ``duration_s``, ``ended_at``, ``errors``, ``extra`` (the
  caller's: the live frame rate, the steps, the score, ...) and, when faces
  were blurred, ``frames_with_faces_blurred``.

A session.json that still says "recording" is an interrupted recording: the
fields of the stop are missing. Fields this version does not know (another
writer's) are kept (``extra="allow"``): a session.json read and written back
loses nothing; the fields it lacks take their defaults.

:func:`write_session` writes it atomically; :func:`read_session` reads a
recording folder's, raising :class:`~vision.files.jsonl.RecordingError` with
what is wrong and what to do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import ConfigDict, Field, PositiveInt, ValidationError

from vision.core.backframe import CalibrationError
from vision.files.calibration import Corners
from vision.files.events import EVENTS_FILE
from vision.files.jsonfile import FileModel, describe, read_json, write_json_atomic
from vision.files.jsonl import RecordingError
from vision.files.landmarks import LANDMARKS_FILE
from vision.judging.settings import Sensitivity, Settings, Smoothing

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "SESSION_FILE",
    "VIDEO_FILE",
    "RecordedSettings",
    "SessionFiles",
    "SessionInfo",
    "read_session",
    "write_session",
]

FORMAT: Final = "stroke-coach-recording"
FORMAT_VERSION: Final = 1
SESSION_FILE = "session.json"
VIDEO_FILE = "video.mp4"

_NOT_A_RECORDING_FIX = "pick a folder made by Stroke Coach's recorder"
_BAD_CALIBRATION_FIX = "fix the corners in session.json, or re-judge with a calibration file (rejudge --calibration)"
# the fields written at stop (left out until then); fps among them, but written as null when unknown
_AT_STOP = ("frames", "video_frames", "dropped_frames", "duration_s", "ended_at", "errors", "extra")


class SessionFiles(FileModel):
    """The recording's files, by name within its folder."""

    video: str = VIDEO_FILE
    landmarks: str = LANDMARKS_FILE
    events: str = EVENTS_FILE


# checked on load, so that a hand-edited "sensitivity": "srict" is named (field, expected, found), not
# silently judged with the defaults
class RecordedSettings(FileModel):
    """The judging settings the session was recorded with, and any other settings of the caller's (kept)."""

    model_config = ConfigDict(frozen=True, extra="allow")

    sensitivity: Sensitivity | None = Field(default=None, description="Left out: standard.")
    smoothing: Smoothing | None = Field(default=None, description="Left out: standard.")

    omit_if_none = frozenset({"sensitivity", "smoothing"})

    def to_settings(self) -> Settings:
        """The :class:`Settings` to judge with as it was recorded (what was left out: standard)."""
        return Settings(self.sensitivity or "standard", self.smoothing or "standard")


class SessionInfo(FileModel):
    """A recording's session.json: what the session was; once stopped ("complete"), what it recorded.

    See the module docstring for the fields.
    """

    # another writer's fields are kept, so that a session.json read and written back loses nothing
    model_config = ConfigDict(frozen=True, extra="allow")

    format: Literal["stroke-coach-recording"]
    version: Annotated[int, Field(strict=True, ge=1, le=FORMAT_VERSION)]
    status: Literal["recording", "complete"] = Field(
        description='"recording" until it is stopped; a recording still saying so was interrupted.'
    )
    routine: str | None = Field(default=None, description="The routine's name.")
    step: str | None = Field(default=None, description="The starting step's id.")
    calibration: Corners | None = None
    frame_size: tuple[PositiveInt, PositiveInt] | None = Field(
        default=None, description="[width, height] of the video in pixels; null until the first frame if not known."
    )
    started_at: str | None = Field(default=None, description="ISO 8601 with the time zone.")
    person: str | None = Field(
        default=None, description="Who practised (the session library's person), left out when not known."
    )
    settings: RecordedSettings = Field(
        default_factory=RecordedSettings, description="The judging settings (sensitivity, smoothing) and the caller's."
    )
    blur_faces: bool | None = None
    files: SessionFiles = Field(default_factory=SessionFiles)
    video_time_base: str = Field(default="1/90000", description="The video's time base, seconds per tick.")
    frames: int | None = Field(default=None, ge=0, description="Landmarks lines (at stop).")
    video_frames: int | None = Field(default=None, ge=0, description="Frames in the video (at stop).")
    dropped_frames: int | None = Field(
        default=None, ge=0, description="Frames left out of the video, the encoder being behind (at stop)."
    )
    fps: float | None = Field(
        default=None, description="Mean frame rate as the frames came (at stop; null if unknown)."
    )
    duration_s: float | None = Field(default=None, description="At stop.")
    ended_at: str | None = Field(default=None, description="ISO 8601 with the time zone (at stop).")
    errors: list[str] | None = Field(default=None, description="Problems of the writing (at stop).")
    extra: dict[str, Any] | None = Field(
        default=None, description="The caller's, e.g. the live frame rate, the steps and the score (at stop)."
    )
    frames_with_faces_blurred: int | None = Field(default=None, ge=0, description="When faces were blurred.")

    omit_if_none = frozenset(
        {"calibration", "started_at", "person", "blur_faces", *_AT_STOP, "frames_with_faces_blurred"}
    )
    expected = {"frame_size": "[width, height] in pixels, two whole numbers above 0 (e.g. [640, 480])"}

    def _left_out(self) -> set[str]:
        out = super()._left_out()
        if self.fps is None and self.frames is None:  # not stopped: no fps yet (at stop an unknown one is null)
            out.add("fps")
        return out


def write_session(path: str | Path, info: SessionInfo) -> None:
    """Write session.json atomically: a reader (or a crash) sees the old file or the new one, never half."""
    write_json_atomic(Path(path), info.model_dump())


def read_session(folder: str | Path) -> SessionInfo:
    """The session.json of a recording folder, checked. Raises RecordingError with what is wrong and what to do."""
    folder = Path(folder)
    if not folder.exists():
        raise RecordingError(f"{folder}: no such folder; {_NOT_A_RECORDING_FIX}")
    if not folder.is_dir():
        raise RecordingError(f"{folder} is not a recording: it is a file, not a folder; {_NOT_A_RECORDING_FIX}")
    sp = folder / SESSION_FILE
    if not sp.is_file():
        raise RecordingError(f"{folder} is not a recording: {SESSION_FILE} missing; {_NOT_A_RECORDING_FIX}")
    data = read_json(
        sp,
        RecordingError,
        what=SESSION_FILE,
        fix="the recording's session.json is damaged; its landmarks.jsonl may still be re-judged with a "
        "calibration (stroke-coach rejudge --calibration), or delete the recording",
        name=f"{folder}: {SESSION_FILE}",
    )
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RecordingError(
            f"{folder} is not a recording: {SESSION_FILE} is not a Stroke Coach session "
            f'(expected "format": "{FORMAT}"); {_NOT_A_RECORDING_FIX}'
        )
    version = data.get("version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise RecordingError(
            f"{folder}: recording format version {version!r}, this Stroke Coach reads up to "
            f"{FORMAT_VERSION}; update Stroke Coach"
        )
    status = data.get("status")
    if status not in ("recording", "complete"):
        raise RecordingError(
            f'{folder}: {SESSION_FILE} has status {status!r}, expected "recording" or '
            '"complete"; the recording is damaged: set "status" to "complete", or delete the recording'
        )
    try:
        info = SessionInfo.model_validate(data)
    except ValidationError as e:
        problem = describe(e, data, SessionInfo)
        if e.errors()[0]["loc"][:1] == ("calibration",):
            raise RecordingError(
                f"{folder}: bad calibration in {SESSION_FILE}: {problem}; {_BAD_CALIBRATION_FIX}"
            ) from None
        raise RecordingError(
            f"{folder}: {SESSION_FILE}: {problem}; the recording's session.json is damaged: fix or remove that field"
        ) from None
    if info.calibration is not None:
        try:
            info.calibration.to_calibration(source=str(sp))
        except CalibrationError as e:
            raise RecordingError(f"{folder}: bad calibration in {SESSION_FILE}: {e}") from None
    return info

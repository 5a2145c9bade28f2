"""The landmarks file (``landmarks.jsonl``): each frame's hands as the detector found them.

One line per frame::

    {"frame": i, "t": seconds, "hands": [{"score": s, "hand": h, "landmarks": [[x, y] * 21]}, ...],
     "wh": [w, h], "light": l}

in image pixels of the unmirrored frame; ``hand`` is the giver's hand (1, 2,
...) the detection was tracked as, null for other hands or a duplicate
dropped. Feeding the hands back to
:meth:`~vision.judging.pipeline.Pipeline.process_hands` reproduces the
analysis without MediaPipe. Written by a live recording and by ``analyze``;
read for re-judging.

:class:`LandmarksLine` is one line (its JSON Schema:
``docs/schemas/landmarks.schema.json``); a line that is not one (a hand of 20
points, a time as text) is a one-line
:class:`~vision.files.jsonl.RecordingError`: the line, the field, what was
expected and found, what to do.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Annotated

import numpy as np
from pydantic import Field, ValidationError

from vision.core.hands import N_LANDMARKS, HandObservation
from vision.core.types import FrameResult
from vision.files.calibration import FrameSize, Point
from vision.files.jsonfile import FileModel, describe
from vision.files.jsonl import RecordingError, read_lines

LANDMARKS_FILE = "landmarks.jsonl"

_FIX = "delete that line to re-judge the other frames, or record the session again"


class DetectedHand(FileModel):
    """A hand as the detector found it: its 21 landmarks and the detector's confidence."""

    score: Annotated[float, Field(strict=True)] = Field(description="The detector's confidence, 0 to 1.")
    hand: Annotated[int, Field(strict=True, ge=1)] | None = Field(
        default=None, description="The giver's hand it was tracked as (1, 2, ...); null for another hand."
    )
    landmarks: Annotated[list[Point], Field(min_length=N_LANDMARKS, max_length=N_LANDMARKS)] = Field(
        description="MediaPipe's 21 hand landmarks, [x, y] image pixels of the unmirrored picture."
    )

    expected = {"landmarks": f"{N_LANDMARKS} points [x, y] in image pixels"}


class LandmarksLine(FileModel):
    """One line of landmarks.jsonl: a frame's index and time, the hands found, the picture's size."""

    frame: Annotated[int, Field(strict=True, ge=0)] = Field(description="The frame's index, from 0.")
    t: Annotated[float, Field(strict=True, allow_inf_nan=False)] = Field(description="The frame's time, seconds.")
    hands: list[DetectedHand]
    wh: FrameSize | None = Field(
        default=None, description="[width, height] of the picture the landmarks are in pixels of."
    )
    light: Annotated[float, Field(ge=0, le=255, allow_inf_nan=False)] | None = Field(
        default=None, description="The picture's mean brightness around the back, 0-255 (when it was seen)."
    )

    omit_if_none = frozenset({"wh", "light"})
    expected = {"wh": "[width, height] in pixels, two whole numbers above 0 (e.g. [640, 480])"}


@dataclass(frozen=True)
class LandmarksFrame:
    """One line of a landmarks file: the frame's index and time, its hands, and its size if written."""

    index: int
    t_s: float
    hands: list[HandObservation]
    frame_wh: tuple[int, int] | None = None  # the picture's (width, height): the browser may change it
    light: float | None = None  # the picture's brightness around the back (0-255), when written


def landmarks_line(frame_index: int, result: FrameResult, frame_wh: tuple[int, int] | None = None) -> str:
    """One JSON line of a frame's hands as the detector found them: the recording's landmarks format.

    ``{"frame": i, "t": seconds, "hands": [{"score": s, "hand": h, "landmarks": [[x, y] * 21]}, ...]}``,
    image pixels of the unmirrored frame; ``hand`` is the giver's hand id the
    detection was tracked as (None for other hands, or a duplicate dropped).
    Feeding the hands back to :meth:`Pipeline.process_hands` reproduces the
    analysis without MediaPipe. ``frame_wh`` (default: the result's), when
    known, is written as ``"wh": [w, h]``: the size of the picture the
    landmarks are in pixels of (WebRTC may scale the camera's picture mid-session);
    the picture's brightness around the back as ``"light"`` (when it was seen: it
    tells the judging when the hands are lost in the dark).
    """
    giver = {id(hs.observation): hs.hand for hs in result.hands if hs.observation is not None}
    # written as they are (the detector already rounds them), so that reading them back gives the same numbers
    hands = [
        {"score": h.score, "hand": giver.get(id(h)), "landmarks": h.landmarks_px.tolist()} for h in result.detections
    ]
    line: dict = {"frame": frame_index, "t": result.t_s, "hands": hands}
    frame_wh = frame_wh if frame_wh is not None else result.frame_wh
    if frame_wh is not None:
        line["wh"] = [int(frame_wh[0]), int(frame_wh[1])]
    if result.light is not None:
        line["light"] = result.light
    return json.dumps(line, separators=(",", ":"))


def read_landmarks_line(line: str) -> LandmarksFrame:
    """Parse one line written by :func:`landmarks_line`, checked (:class:`LandmarksLine`).

    Raises ValueError, "field: expected X, found Y" (or why it is not JSON).
    """
    try:
        m = LandmarksLine.model_validate_json(line)  # the usual case in one step, in pydantic's core
    except ValidationError as e:
        raise ValueError(_problem(e, line)) from None
    return LandmarksFrame(
        m.frame,
        m.t,
        [HandObservation(np.asarray(h.landmarks, float), h.score) for h in m.hands],
        m.wh,
        m.light,
    )


def _problem(error: ValidationError, line: str) -> str:
    """What is wrong with a line, in a file's words (the line parsed again only to say so)."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as e:
        return f"invalid JSON at column {e.colno}: {e.msg}"
    except (ValueError, RecursionError):  # a number of 5000 digits, [[[[... nested thousands deep
        return "invalid JSON"
    if not isinstance(data, dict):
        return f"expected a JSON object (a frame), found {json.dumps(data)[:40]}"
    return describe(error, data, LandmarksLine)


def read_landmark_frames(path: str | Path) -> Iterator[LandmarksFrame]:
    """Each frame of a landmarks.jsonl. A truncated last line is ignored.

    Raises RecordingError for a damaged line elsewhere: the line, the field,
    what was expected and found, what to do.
    """
    path = Path(path)
    for n, line in read_lines(path):
        try:
            yield read_landmarks_line(line)
        except ValueError as e:
            raise RecordingError(f"{path}: line {n} is damaged: {e}; {_FIX}") from None


def read_landmarks(path: str | Path) -> Iterator[tuple[int, float, list[HandObservation]]]:
    """Each frame of a landmarks.jsonl as (frame index, t seconds, hands); see :func:`read_landmark_frames`."""
    for f in read_landmark_frames(path):
        yield f.index, f.t_s, f.hands


class LandmarksWriter:
    """Writes a landmarks file line by line; :meth:`flush` hands the lines to the OS."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._f: IO[str] = open(self.path, "w", encoding="utf-8")

    def write(self, frame_index: int, result: FrameResult, frame_wh: tuple[int, int] | None = None) -> None:
        self._f.write(landmarks_line(frame_index, result, frame_wh) + "\n")

    def fileno(self) -> int:
        return self._f.fileno()

    def flush(self) -> None:
        self._f.flush()

    def close(self) -> None:
        self._f.close()

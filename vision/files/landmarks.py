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
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from vision.core.hands import HandObservation
from vision.core.types import FrameResult
from vision.files.jsonl import RecordingError, read_lines

LANDMARKS_FILE = "landmarks.jsonl"


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
    """Parse one line written by :func:`landmarks_line`."""
    d = json.loads(line)
    if not isinstance(d, dict):
        raise TypeError(f"a JSON {type(d).__name__}, not an object")
    wh = d.get("wh")
    return LandmarksFrame(
        int(d["frame"]),
        float(d["t"]),
        [HandObservation(np.asarray(h["landmarks"], float), float(h["score"])) for h in d["hands"]],
        (int(wh[0]), int(wh[1])) if wh is not None else None,
        float(d["light"]) if d.get("light") is not None else None,
    )


def read_landmark_frames(path: str | Path) -> Iterator[LandmarksFrame]:
    """Each frame of a landmarks.jsonl. A truncated last line is ignored.

    Raises RecordingError for a damaged line elsewhere.
    """
    path = Path(path)
    for n, line in read_lines(path):
        try:
            yield read_landmarks_line(line)
        except (ValueError, KeyError, TypeError, IndexError) as e:
            raise RecordingError(
                f"{path}: line {n} is damaged ({type(e).__name__}: {e}); expected one JSON "
                "object per frame as the recorder writes them"
            ) from None


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

"""The landmarks file (``landmarks.jsonl``): each frame's hands as the detector found them.

One line per frame::

    {"frame": i, "t": seconds, "hands": [{"score": s, "hand": h, "landmarks": [[x, y] * 21]}, ...]}

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
from pathlib import Path
from typing import IO

import numpy as np

from vision.core.hands import HandObservation
from vision.core.types import FrameResult
from vision.files.jsonl import RecordingError, read_lines

LANDMARKS_FILE = "landmarks.jsonl"


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
    hands = [
        {"score": h.score, "hand": giver.get(id(h)), "landmarks": h.landmarks_px.tolist()} for h in result.detections
    ]
    return json.dumps({"frame": frame_index, "t": result.t_s, "hands": hands}, separators=(",", ":"))


def read_landmarks_line(line: str) -> tuple[int, float, list[HandObservation]]:
    """Parse one line written by :func:`landmarks_line`: (frame index, t seconds, hands)."""
    d = json.loads(line)
    return (
        int(d["frame"]),
        float(d["t"]),
        [HandObservation(np.asarray(h["landmarks"], float), float(h["score"])) for h in d["hands"]],
    )


def read_landmarks(path: str | Path) -> Iterator[tuple[int, float, list[HandObservation]]]:
    """Each frame of a landmarks.jsonl: (frame index, t seconds, hands). A truncated last line is ignored.

    Raises RecordingError for a damaged line elsewhere.
    """
    path = Path(path)
    for n, line in read_lines(path):
        try:
            yield read_landmarks_line(line)
        except (ValueError, KeyError, TypeError) as e:
            raise RecordingError(
                f"{path}: line {n} is damaged ({type(e).__name__}: {e}); expected one JSON "
                "object per frame as the recorder writes them"
            ) from None


class LandmarksWriter:
    """Writes a landmarks file line by line; :meth:`flush` hands the lines to the OS."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._f: IO[str] = open(self.path, "w", encoding="utf-8")

    def write(self, frame_index: int, result: FrameResult) -> None:
        self._f.write(landmarks_line(frame_index, result) + "\n")

    def fileno(self) -> int:
        return self._f.fileno()

    def flush(self) -> None:
        self._f.flush()

    def close(self) -> None:
        self._f.close()

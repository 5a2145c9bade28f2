"""The calibration file: the four corners of the back, as the app saves them and ``--calibration`` reads them.

::

    {"base_left": [x, y], "base_right": [x, y], "top_right": [x, y], "top_left": [x, y],
     "frame_size": [w, h], "saved_at": "2026-01-31T10:00:00+01:00"}

Corners in image pixels of the unmirrored picture (x right, y down), named for
the recipient's left and right; ``frame_size`` (the picture the corners were
clicked on) and ``saved_at`` are optional. A sample clip's labels JSON, which
holds the corners under ``"calibration"``, is read too (its other fields are
not the calibration's).

Two checks, each a one-line :class:`~vision.core.backframe.CalibrationError`
naming the file: :class:`CalibrationFile` checks the file's shape (the field,
what was expected, what was found, what to do), then
:class:`~vision.core.backframe.Calibration` checks the geometry (corners in a
line, crossed, left and right swapped, far outside the picture).

:class:`Corners` alone is the calibration inside report.json and session.json.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError

from vision.core.backframe import CORNER_NAMES, Calibration, CalibrationError
from vision.files.jsonfile import FileModel, describe, parse_json, read_json, write_json_atomic

__all__ = [
    "CalibrationFile",
    "Corners",
    "FrameSize",
    "SavedCalibration",
    "calibration_from_bytes",
    "load_calibration_file",
    "parse_calibration",
    "save_calibration_file",
]

# strict: a corner is numbers, never "120" or true; a picture's size is whole pixels
Coordinate = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Point = tuple[Coordinate, Coordinate]
Pixels = Annotated[int, Field(strict=True, gt=0)]
FrameSize = tuple[Pixels, Pixels]

_FIX = "fix the file or calibrate again"
_CORNER_EXPECTED = "two numbers [x, y] in image pixels (e.g. [120, 400])"


class Corners(FileModel):
    """The four corners of the back in image pixels [x, y] (x right, y down); left and right are the recipient's."""

    base_left: Point = Field(description="At the hips, on the recipient's left of the spine's base: [x, y] pixels.")
    base_right: Point = Field(description="At the hips, on the recipient's right of the spine's base: [x, y] pixels.")
    top_right: Point = Field(description="At the shoulders, on the recipient's right of the neck: [x, y] pixels.")
    top_left: Point = Field(description="At the shoulders, on the recipient's left of the neck: [x, y] pixels.")

    expected = {name: _CORNER_EXPECTED for name in CORNER_NAMES}

    @classmethod
    def from_calibration(cls, calibration: Calibration) -> Corners:
        return cls.model_validate(calibration.to_dict())

    def to_dict(self) -> dict[str, list[float]]:
        """``{"base_left": [x, y], ...}``, as :meth:`Calibration.to_dict`."""
        return {name: [float(c) for c in getattr(self, name)] for name in CORNER_NAMES}

    def to_calibration(self, frame_wh: tuple[int, int] | None = None, source: str = "calibration") -> Calibration:
        """The checked :class:`Calibration` (geometry; corners far outside ``frame_wh`` if given).

        Raises CalibrationError prefixed with ``source``.
        """
        return Calibration.from_dict(self.to_dict(), frame_wh=frame_wh, source=source)


class CalibrationFile(Corners):
    """A calibration file: the four corners, the picture size they were clicked on and when they were saved."""

    frame_size: FrameSize | None = Field(
        default=None, description="[width, height] in pixels of the picture the corners were clicked on."
    )
    saved_at: str | None = Field(default=None, description="When it was saved: ISO 8601 with the time zone.")

    omit_if_none = frozenset({"frame_size", "saved_at"})
    expected = {
        **Corners.expected,
        "frame_size": "[width, height] in pixels, two whole numbers above 0 (e.g. [640, 480])",
        "saved_at": 'a date and time as text (e.g. "2026-01-31T10:00:00+01:00")',
    }


@dataclass(frozen=True)
class SavedCalibration:
    """A calibration file read and checked."""

    calibration: Calibration
    frame_wh: tuple[int, int] | None  # the picture size the corners were clicked on, if the file says
    saved_at: str | None


def parse_calibration(data: Any, source: str, frame_wh: tuple[int, int] | None = None) -> SavedCalibration:
    """Check a calibration file's parsed JSON (or a sample's labels); ``source`` names it in the errors.

    ``frame_wh``: the video's (width, height): corners far outside it are
    refused. Raises CalibrationError.
    """
    if not isinstance(data, Mapping):
        raise CalibrationError(
            f"{source}: expected a JSON object with base_left, base_right, top_right, top_left, "
            f"found {type(data).__name__}; write the calibration as an object"
        )
    where = ""
    if "calibration" in data:  # a sample clip's labels: the corners are under "calibration"
        inner = data["calibration"]
        if not isinstance(inner, Mapping):
            raise CalibrationError(
                f"{source}: calibration: expected an object with the four corners, found "
                f'{type(inner).__name__}; fix the "calibration" entry'
            )
        data, where = inner, "calibration."
    try:
        model = CalibrationFile.model_validate(data)
    except ValidationError as e:
        raise CalibrationError(
            f"{source}: {where}{describe(e, data, CalibrationFile)}; fix it in the file, or calibrate again"
        ) from None
    calibration = model.to_calibration(frame_wh=frame_wh, source=source)
    return SavedCalibration(calibration, model.frame_size, model.saved_at)


def load_calibration_file(
    path: str | Path, frame_wh: tuple[int, int] | None = None, name: str | None = None
) -> SavedCalibration:
    """Read and check a calibration file (or a sample's labels JSON); see :func:`parse_calibration`.

    Raises CalibrationError, one line naming the file (``name``, default its path).
    """
    path = Path(path)
    source = str(path) if name is None else name
    data = read_json(path, CalibrationError, what="calibration file", fix=_FIX, name=source)
    return parse_calibration(data, source, frame_wh)


def calibration_from_bytes(data: bytes, name: str, frame_wh: tuple[int, int] | None = None) -> SavedCalibration:
    """A calibration file's contents (an upload's) read and checked as :func:`load_calibration_file` reads a file.

    Raises CalibrationError, one line naming ``name``.
    """
    parsed = parse_json(data, CalibrationError, what="calibration file", fix=_FIX, name=name)
    return parse_calibration(parsed, name, frame_wh)


def save_calibration_file(
    path: str | Path, calibration: Calibration, frame_wh: tuple[int, int] | None, saved_at: str | None = None
) -> CalibrationFile:
    """Write the calibration file atomically (a reader never sees half of it); ``saved_at`` default: now."""
    model = CalibrationFile.model_validate(
        {
            **calibration.to_dict(),
            "frame_size": [int(v) for v in frame_wh] if frame_wh else None,
            "saved_at": saved_at or dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        }
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(path, model.model_dump())
    return model

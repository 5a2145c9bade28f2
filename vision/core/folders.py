"""Where Stroke Coach keeps its files: one settings object, read from the environment.

=========================  =========================================================
variable                   what it names (default)
=========================  =========================================================
``STROKE_COACH_DATA``      the data folder: the saved calibration, analysed replays,
                           uploads, the log (``data/`` in a checkout, else
                           ``$XDG_DATA_HOME/stroke-coach`` or ``~/.local/share/stroke-coach``)
``STROKE_COACH_RECORDINGS``  recorded sessions (``<data>/recordings``)
``STROKE_COACH_ROUTINES``  an extra folder of routines, a teacher's own (none); the
                           routines that come with Stroke Coach are always read
=========================  =========================================================

:func:`folders` reads the environment each time it is called, so a test (or a
page) that sets a variable sees it at once.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The checkout this package runs from, or None when it is installed (site-packages).
_ROOT = Path(__file__).resolve().parents[2]
CHECKOUT: Path | None = _ROOT if (_ROOT / "routines").is_dir() and (_ROOT / "vision").is_dir() else None

DATA_ENV = "STROKE_COACH_DATA"
RECORDINGS_ENV = "STROKE_COACH_RECORDINGS"
ROUTINES_ENV = "STROKE_COACH_ROUTINES"


def _installed(package: str, what: str) -> Path:
    """The folder of a data package of the installed copy (a folder without __init__.py: its search location)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{what} are missing from this install of Stroke Coach; reinstall it")
    return Path(next(iter(spec.submodule_search_locations)))


def builtin_routines_dir() -> Path:
    """The routines that come with Stroke Coach: ``routines/`` in a checkout, package data when installed."""
    return CHECKOUT / "routines" if CHECKOUT is not None else _installed("vision.builtin_routines", "the routines")


def app_script() -> Path:
    """The app's main script (``app.py``, its pages in ``ui/`` beside it): the checkout's, or the installed copy."""
    return (CHECKOUT if CHECKOUT is not None else _installed("vision.app_files", "the app's files")) / "app.py"


def _default_data() -> Path:
    if CHECKOUT is not None:
        return CHECKOUT / "data"
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "stroke-coach"


class Folders(BaseSettings):
    """The folders, from ``STROKE_COACH_*`` variables (an empty variable counts as unset)."""

    model_config = SettingsConfigDict(env_prefix="STROKE_COACH_", env_ignore_empty=True, frozen=True)

    data: Path = Field(default_factory=_default_data)
    recordings_: Path | None = Field(default=None, alias="STROKE_COACH_RECORDINGS")
    routines_: Path | None = Field(default=None, alias="STROKE_COACH_ROUTINES")

    @property
    def recordings(self) -> Path:
        return self.recordings_ if self.recordings_ is not None else self.data / "recordings"

    @property
    def extra_routines(self) -> Path | None:
        """The teacher's own routine folder, if one is named."""
        return self.routines_

    @property
    def calibration(self) -> Path:
        return self.data / "calibration.json"

    @property
    def replays(self) -> Path:
        return self.data / "replays"

    @property
    def uploads(self) -> Path:
        return self.data / "uploads"

    @property
    def log(self) -> Path:
        return self.data / "stroke-coach.log"


def folders() -> Folders:
    """The folders as the environment names them now."""
    return Folders()

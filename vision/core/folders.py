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

import os
import importlib.util
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The checkout this package runs from, or None when it is installed (site-packages).
CHECKOUT: Path | None = Path(__file__).resolve().parents[2]
if not (CHECKOUT / "routines").is_dir() or not (CHECKOUT / "vision").is_dir():
    CHECKOUT = None

DATA_ENV = "STROKE_COACH_DATA"
RECORDINGS_ENV = "STROKE_COACH_RECORDINGS"
ROUTINES_ENV = "STROKE_COACH_ROUTINES"


def builtin_routines_dir() -> Path:
    """The routines that come with Stroke Coach: ``routines/`` in a checkout, package data when installed."""
    if CHECKOUT is not None:
        return CHECKOUT / "routines"
    # a folder without __init__.py: its spec's search location is the folder itself
    spec = importlib.util.find_spec("vision.builtin_routines")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the routines that come with Stroke Coach are missing from this install; reinstall it")
    return Path(next(iter(spec.submodule_search_locations)))


def app_script() -> Path:
    """The app's main script (``app.py``, its pages in ``ui/`` beside it): the checkout's, or the installed copy."""
    if CHECKOUT is not None:
        return CHECKOUT / "app.py"
    spec = importlib.util.find_spec("vision.app_files")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the app's files are missing from this install; reinstall Stroke Coach")
    return Path(next(iter(spec.submodule_search_locations))) / "app.py"


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

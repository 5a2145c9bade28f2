"""What the app's pages share: where its files live, the saved calibration, routines, the session library.

Only small helpers with Streamlit's caches; the work is done in ``vision``.

Files: where :func:`vision.core.folders.folders` says (``STROKE_COACH_DATA``,
``STROKE_COACH_RECORDINGS``, ``STROKE_COACH_ROUTINES``; README: The app).
"""
from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

from vision.core.backframe import Calibration, CalibrationError
from vision.core.folders import folders
from vision.files.calibration import SavedCalibration, load_calibration_file, save_calibration_file
from vision.judging.routines import Routine, RoutineError, load_routine, routine_files
from vision.library.db import Library, LibraryError, library_url, open_library
from vision.library.index import sync

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

# The camera, for every page that streams it. localhost needs no STUN server; an empty dict would fall back
# to Google's, so the list is empty. Another machine needs a TURN server here (README: The app).
CAMERA = {"rtc_configuration": {"iceServers": []},
          "media_stream_constraints": {"video": {"width": 640, "height": 480}, "audio": False}}


def data_dir() -> Path:
    return folders().data


def recordings_dir() -> Path:
    return folders().recordings


def calibration_path() -> Path:
    return folders().calibration


def load_saved_calibration() -> tuple[SavedCalibration | None, str | None]:
    """(the saved calibration, None), or (None, what is wrong with it / None if there is none).

    The file is checked by :func:`vision.files.calibration.load_calibration_file`: a hand-edited one that
    is wrong gives a message naming the file, the field, what was expected and found, never a traceback.
    """
    path = calibration_path()
    if not path.exists():
        return None, None
    try:
        return load_calibration_file(path), None
    except CalibrationError as e:
        return None, f"The saved calibration cannot be used ({e}). Calibrate again."


def save_calibration(cal: Calibration, frame_wh: tuple[int, int]) -> Path:
    """Save the calibration (atomically) with the picture size it was made on; the file's path."""
    path = calibration_path()
    save_calibration_file(path, cal, frame_wh)
    return path


def _routine_stamp() -> tuple:
    """Changes when a routine file is added, removed or edited: the cache key."""
    return tuple((str(f), f.stat().st_mtime_ns) for f in routine_files())


@st.cache_data(show_spinner=False)
def _load_routines(stamp: tuple) -> tuple[dict[str, Routine], dict[str, str]]:
    good: dict[str, Routine] = {}
    bad: dict[str, str] = {}
    for f, _ in stamp:
        path = Path(f)
        try:
            routine = load_routine(path)
        except RoutineError as e:
            bad[path.name] = str(e)
            continue
        good.setdefault(path.stem, routine)
    return good, bad


def routines() -> tuple[dict[str, Routine], dict[str, str]]:
    """The usable routines by file name (stem), and the files that have errors (name -> message)."""
    return _load_routines(_routine_stamp())


def sample_clips() -> list[str]:
    """Names of the sample clips that have a video and labels."""
    return sorted(p.stem for p in SAMPLES.glob("*.mp4") if p.with_suffix(".json").exists())


def sample_labels(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text())


def routine_picker(container, key: str, default: str | None = None) -> Routine | None:
    """A select box of the routines; None (with a message) if none loads."""
    good, bad = routines()
    if bad:
        container.warning("Some routine files have errors and are left out; see the Routines page.")
    if not good:
        container.error("No routine could be loaded. Fix the files in routines/ (see the Routines page).")
        return None
    names = list(good)
    index = names.index(default) if default in names else (names.index("swedish") if "swedish" in names else 0)
    name = container.selectbox("Routine", names, index=index, key=key, format_func=lambda n: good[n].name)
    return good[name]


@st.cache_resource(show_spinner="Opening the session library…")
def _library(url: str, recordings: str) -> Library:
    """Opened (migrated) once per app process and database, with the recordings folder indexed: what was
    recorded while the app was not running (or by another copy of it) is found at start."""
    lib = open_library(url)
    sync(lib, recordings)
    return lib


def library() -> tuple[Library | None, str | None]:
    """(the session library, None), or (None, what is wrong with it and what to do: one line)."""
    try:
        return _library(library_url(), str(recordings_dir())), None
    except LibraryError as e:
        return None, f"The session library cannot be used: {e}"


def _practice_file() -> Path:
    return data_dir() / "practice.json"


def last_person() -> str | None:
    """Who practised last on this machine (remembered between visits), or None."""
    try:
        name = json.loads(_practice_file().read_text()).get("person")
    except (OSError, ValueError, AttributeError):
        return None
    return name if isinstance(name, str) and name.strip() else None


def remember_person(name: str | None) -> None:
    """Remember who practises, for the next visit (a machine's, not the shared library's: one laptop, one student)."""
    path = _practice_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"person": name}))
        tmp.replace(path)
    except OSError:
        pass  # not remembered: asked again next time

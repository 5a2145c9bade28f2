"""Import: a folder of handed-in work into the library, for a student. Recordings are copied in; plain videos
(their calibration saved beside them) are tracked and judged into recordings, as practised live. A file that
cannot be used gets its row with why; the rest go on."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.state import library, recordings_dir, routine_picker
from vision.files.jsonl import RecordingError
from vision.library.db import LibraryError
from vision.library.history import students
from vision.library.index import import_folder
from vision.run.handed_in import CALIBRATION_FILE, record_video

NEW = "Someone new…"

st.title("Import")
st.write("A folder of handed-in recordings (each a folder with its `session.json`), or of videos. A video is "
         "tracked and judged as if practised here, with the calibration saved beside it: `NAME.calibration.json` "
         f"next to `NAME.mp4`, or one `{CALIBRATION_FILE}` for the whole folder (make it on the Calibrate page "
         "with a still from the same camera).")
lib, problem = library()
if lib is None:
    st.error(problem)
    st.stop()
folder = st.text_input("Folder", key="import_folder", placeholder="/home/teacher/handed-in/week-49")
names = students(lib)
who = st.selectbox("Whose work", [*names, NEW], key="import_who")
if who == NEW:
    who = st.text_input("Name", key="import_new_name").strip()
routine = routine_picker(st, "import_routine")
if routine is None:
    st.stop()
start = st.selectbox("The videos start at step", [s.id for s in routine.steps], key="import_step",
                     format_func=lambda i: routine.step(i).title)

if st.button("Import", type="primary", disabled=not folder.strip() or not who):
    bar = st.progress(0.0, text="Looking in the folder…")

    def on_item(i: int, n: int, path: Path) -> None:
        bar.progress(i / max(n, 1), text=f"{i + 1} of {n}: {path.name}")

    def video(path: Path) -> Path:
        def frames(p) -> None:
            if p.fraction is not None:
                bar.progress(p.fraction, text=f"Tracking {path.name}: {100 * p.fraction:.0f}%")

        return record_video(path, routine, routine_key=st.session_state.import_routine, root=recordings_dir(),
                            person=who, start_step=start, on_progress=frames)

    try:
        result = import_folder(lib, Path(folder.strip()).expanduser(), recordings_dir(), person=who,
                               record_video=video, on_item=on_item)
    except (LibraryError, RecordingError) as e:
        bar.empty()
        st.error(str(e))
        st.stop()
    except OSError as e:
        bar.empty()
        st.error(f"Cannot copy into {recordings_dir()}: {e.strerror or e}. Free some space, or choose another "
                 "recordings folder.")
        st.stop()
    bar.progress(1.0, text="Done")
    if result.imported:
        st.success(f"Imported {len(result.imported)} of {who}'s: {', '.join(result.imported)}. "
                   "See them on the History page.")
    for path, why in result.skipped:
        st.warning(f"`{Path(path).name}`: {why}")
    if not result.imported and not result.skipped:
        st.info("Nothing to import in that folder.")

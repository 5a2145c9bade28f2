"""Grade: a class's recordings and handed-in videos judged in one run (the same as `stroke-coach grade`), on a local
Dask cluster or a school's scheduler; a bar with the file being graded, a table of the rows, grades.csv to download.
A file that cannot be graded gets its row with why; the rest go on. What was graded the same way before is skipped."""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import streamlit as st

from ui.state import data_dir, library, routine_picker
from vision.files.jsonl import RecordingError
from vision.library.db import LibraryError
from vision.library.people import class_names, references
from vision.run.grading import CSV_FILE, PDF_FILE, GradeOptions, GradeProgress, cluster_client, find_items, grade
from vision.run.handed_in import CALIBRATION_FILE

NEW = "A new class…"
NONE = "(no class)"

st.title("Grade")
st.write("Every recording under the folders (re-judged from its saved hands, no tracking) and every video (tracked "
         "with the calibration saved beside it: `NAME.calibration.json` next to `NAME.mp4`, or one "
         f"`{CALIBRATION_FILE}` for the whole folder) is judged, one task each on Dask. The scores go into the library "
         "(see History) and into `grades.csv` in the output folder, with each one's report.")
lib, problem = library()
if lib is None:
    st.error(problem)
    st.stop()
folders_text = st.text_area("Folders (one a line)", key="grade_folders", placeholder="/home/teacher/week-49")
routine = routine_picker(st, "grade_routine")
if routine is None:
    st.stop()
step = st.selectbox("Follow it from step", ["", *[s.id for s in routine.steps]], key="grade_step",
                    format_func=lambda i: routine.step(i).title if i else "a recording's own start (a video's first)")
refs = references(lib, st.session_state.grade_routine)
NO_REF = "(none)"
ref_pick = st.selectbox("Compare with a teacher's reference", [NO_REF, *[f"{t}: {Path(f).name}" for t, f in refs]],
                        key="grade_reference", index=1 if refs else 0,
                        help="The similarity to it goes into grades.csv, its plain words into each report. Mark a "
                             "recording as a routine's reference on the Replay page.")
reference = None if ref_pick == NO_REF else refs[[f"{t}: {Path(f).name}" for t, f in refs].index(ref_pick)][1]
out_text = st.text_input("Output folder", key="grade_out", value=str(data_dir() / "grades"))
classes = class_names(lib)
cls = st.selectbox("Class", [NONE, *classes, NEW], key="grade_class")
if cls == NEW:
    cls = st.text_input("Class name", key="grade_new_class").strip()
with st.expander("Where it runs"):
    scheduler = st.text_input("Dask scheduler (empty: a cluster on this machine)", key="grade_scheduler",
                              placeholder="tcp://HOST:8786").strip()
    workers = st.number_input("Processes on this machine", min_value=1, max_value=64, value=os.cpu_count() or 1,
                              key="grade_workers", disabled=bool(scheduler))

paths = [Path(p.strip()).expanduser() for p in folders_text.splitlines() if p.strip()]
if st.button("Grade", type="primary", disabled=not paths or not out_text.strip()):
    out = Path(out_text.strip()).expanduser()
    try:
        items = find_items(paths, out)
    except RecordingError as e:
        st.error(str(e))
        st.stop()
    if not items:
        st.info("No recordings or videos in those folders.")
        st.stop()
    bar = st.progress(0.0, text=f"Starting the workers for {len(items)} recordings and videos…")

    def on_progress(p: GradeProgress) -> None:
        now = f" Grading {', '.join(p.running)}." if p.running else ""
        bar.progress(p.fraction, text=f"{p.done} of {p.total} done.{now}")

    options = GradeOptions(routine=st.session_state.grade_routine, out_dir=str(out.resolve()), step=step or None,
                           reference=reference)
    try:
        with cluster_client(scheduler or None, int(workers)) as client:
            result = grade(items, options, client, library=lib, class_name=None if cls == NONE else cls or None,
                           on_progress=on_progress)
    except (LibraryError, RecordingError) as e:
        bar.empty()
        st.error(str(e))
        st.stop()
    except OSError as e:
        bar.empty()
        st.error(f"Cannot reach the Dask scheduler {scheduler} ({e}), or write to {out}. Check the address, "
                 "and that the folder can be written to.")
        st.stop()
    bar.progress(1.0, text="Done")
    st.session_state.grade_result = result
if (result := st.session_state.get("grade_result")) is not None:
    st.success(f"Graded {len(result.graded)}, skipped {len(result.skipped)} (graded before), "
               f"failed {len(result.failed)}. See them on the History page.")
    for r in result.rows:
        if not r.ok:
            st.warning(f"`{r.name}`: {r.problem}")
    for p in result.library_problems:
        st.warning(p)
    table = pd.DataFrame([{"name": r.name, "student": r.student, "date": r.date, "minutes":
                           None if r.length_s is None else round(r.length_s / 60, 1), "score": r.score,
                           "similarity": r.similarity,
                           "flags": ", ".join(f"{k} {v}" for k, v in r.flags.items()), "status": r.status}
                          for r in result.rows])
    st.dataframe(table, hide_index=True, key="grade_table")
    if result.csv is not None and result.csv.is_file():
        st.download_button("Download grades.csv", result.csv.read_bytes(), file_name=CSV_FILE, mime="text/csv")
    pdfs = {r.name: result.csv.parent / r.name / PDF_FILE for r in result.rows
            if r.ok and result.csv is not None and (result.csv.parent / r.name / PDF_FILE).is_file()}
    if pdfs:
        which = st.selectbox("A student's PDF report", list(pdfs), key="grade_pdf",
                             format_func=lambda n: f"{next(r.student or n for r in result.rows if r.name == n)}: {n}")
        st.download_button("Download the PDF", pdfs[which].read_bytes(), file_name=f"{which}-report.pdf",
                           mime="application/pdf", icon=":material/picture_as_pdf:", key="grade_pdf_download")

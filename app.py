"""Stroke Coach, the app (``make run``): practice live, calibrate, replay, history, import, grade, routines.

Each page is a script in ``ui/``; the work is done by the ``vision`` library,
the same code the command line and the tests run.
"""
from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# the pages import `ui...` from beside this file: in a checkout, and in an installed copy (vision/app_files)
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from vision.core.logs import log_to_file  # noqa: E402

# the worker threads' errors, and a page's uncaught exception (Streamlit logs it to streamlit.error_util; the page
# shows a generic message, client.showErrorDetails), with their tracebacks: the pages show plain messages
log_to_file(loggers=("vision", "streamlit.error_util"))

st.set_page_config(page_title="Stroke Coach", layout="wide")
# the session library opened (migrated) and the recordings folder indexed once, when the app starts; a problem with
# it is said on the pages that use it
from ui.state import library  # noqa: E402

library()
page = st.navigation([
    st.Page("ui/practice.py", title="Practice", icon=":material/play_circle:", default=True),
    st.Page("ui/calibrate.py", title="Calibrate", icon=":material/crop_free:"),
    st.Page("ui/replay.py", title="Replay", icon=":material/replay:"),
    st.Page("ui/history.py", title="History", icon=":material/insights:"),
    st.Page("ui/import_work.py", title="Import", icon=":material/upload_file:"),
    st.Page("ui/grade.py", title="Grade", icon=":material/grading:"),
    st.Page("ui/routines.py", title="Routines", icon=":material/list_alt:"),
])
page.run()

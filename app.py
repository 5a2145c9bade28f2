"""Stroke Coach, the app (``make run``).

The live practice page, calibration, recording and replay come with their own
issue; for now the app shows what the command line can already do, so that
``make run`` opens something true.
"""
from __future__ import annotations

import streamlit as st

from vision.routines import RoutineError, find_routine

st.set_page_config(page_title="Stroke Coach", layout="wide")
st.title("Stroke Coach")
st.write(
    "A webcam guide for practising back massage: it follows the giver's hands, maps them onto the back "
    "and flags strokes that go the wrong way, run on the spine or leave the back."
)
st.info(
    "Live practice in the browser is not ready yet. To judge a recorded clip now, run:\n\n"
    "`.venv/bin/python -m vision analyze CLIP.mp4 --calibration CAL.json --out OUT`\n\n"
    "and open `OUT/annotated.mp4` and `OUT/report.json`."
)
try:
    routine = find_routine("swedish")
except RoutineError as e:
    st.error(f"The Swedish routine could not be loaded: {e}")
else:
    st.subheader(routine.name)
    for s in routine.steps:
        st.markdown(f"**{s.title}** ({s.technique}): {s.instruction}")

"""Routines: every routine file with its steps, a drawing of each step's path, and any errors."""
from __future__ import annotations

import streamlit as st

from ui.state import routines
from vision.core.folders import ROUTINES_ENV
from vision.drawing.diagrams import step_diagram
from vision.judging.routines import ROUTINES_DIR, routine_dirs

st.title("Routines")
st.write(f"Routines are YAML files in `{ROUTINES_DIR.name}/` (and in the folder named by `{ROUTINES_ENV}`). "
         "Drop a file there and it appears here; the README explains how to write one.")
good, bad = routines()
for name, message in bad.items():
    st.error(f"**{name}** cannot be used:\n\n" + "\n".join(f"- {line}" for line in message.splitlines()))
if bad:
    st.caption("Fix the files named above (the README's Routines section describes every field), or move them out "
               "of the folder; the other routines can be used meanwhile.")
if not good:
    st.info("No routine loaded. Folders searched: " + ", ".join(str(d) for d in routine_dirs()))
    st.stop()

for key, routine in good.items():
    with st.expander(f"{routine.name} ({len(routine.steps)} steps)", expanded=key == "swedish"):
        if routine.description:
            st.write(routine.description)
        for i, step in enumerate(routine.steps):
            pic, text = st.columns([1, 4])
            pic.image(step_diagram(step), width=120)
            amount = (f"{step.repetitions} repetitions" if step.repetitions else
                      f"{step.duration_s:g} s" if step.duration_s else "until you move on")
            text.markdown(f"**{i + 1}. {step.title}** · {step.technique.replace('_', ' ')} · hands: {step.hands} · "
                          f"{amount}\n\n{step.instruction}")
            bounds = []
            if step.speed.is_set():
                bounds.append(f"speed {step.speed.min or 0:g}–{step.speed.max if step.speed.max is not None else '∞'} "
                              "back lengths/s")
            if step.hold_s.is_set():
                bounds.append(f"hold {step.hold_s.min or 0:g}–{step.hold_s.max if step.hold_s.max is not None else '∞'} s")
            if step.technique != "instruction":
                text.caption(f"lanes: {', '.join(step.lanes)} · direction: {step.direction} · contact: {step.contact}"
                             + (" · " + " · ".join(bounds) if bounds else ""))

"""History: a student's progress (scores, flags, minutes, where the hands worked, the last sessions, each
opening in Replay), and a class at a glance (one row per student, sortable, as CSV). From the session library."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.charts import coverage_chart, flags_chart, minutes_chart, scores_chart
from ui.state import library
from vision.library import history
from vision.library.people import class_names

NO_SESSIONS = "No sessions yet: record one on the Practice page (it asks who is practising)."
ALL_STUDENTS = "(all students)"
LAST_SESSIONS = 10

st.title("History")
lib, problem = library()
if lib is None:
    st.error(problem)
    st.stop()
view = st.radio("Show", ["A student", "A class"], horizontal=True, key="history_view")

if view == "A student":
    names = history.students(lib)
    if not names:
        st.info(NO_SESSIONS)
        st.stop()
    wanted = st.query_params.get("student")
    name = st.selectbox("Student", names, key="history_student", index=names.index(wanted) if wanted in names else 0)
    df = history.sessions(lib, [name])
    if df.empty:
        st.info(f"No sessions of {name} yet: record one on the Practice page, with {name} chosen as who is "
                "practising, or import their recordings (`stroke-coach library import FOLDER --student NAME`).")
        st.stop()
    st.subheader(f"{name}: {len(df)} session{'' if len(df) == 1 else 's'}")
    scored = df[df["score"].notna()]
    m = st.columns(4)
    m[0].metric("Sessions", len(df))
    m[1].metric("Minutes", f"{df['minutes'].sum():.1f}")
    m[2].metric("Last score", int(scored["score"].iloc[-1]) if len(scored) else "–")
    m[3].metric("Best score", int(scored["score"].max()) if len(scored) else "–")
    scores = history.scores_over_time(df)
    routines_done = sorted(scores["routine"].dropna().unique())
    if routines_done:
        routine = st.selectbox("Routine", routines_done, key="history_routine") if len(routines_done) > 1 \
            else routines_done[0]
        st.altair_chart(scores_chart(scores[scores["routine"] == routine], f"Score over time: {routine}"),
                        use_container_width=True)
    else:
        st.caption("No scores yet: a session is scored once a judged step of its routine has been practised.")
    left, right = st.columns(2)
    flags = history.flags_over_time(df)
    with left:
        if flags.empty:
            st.success("No flags in any session.")
        else:
            st.altair_chart(flags_chart(flags), use_container_width=True)
    with right:
        st.altair_chart(minutes_chart(history.minutes_per_week(df)), use_container_width=True)
    lanes = history.coverage(df)
    if not lanes.empty:
        st.altair_chart(coverage_chart(lanes), use_container_width=True)
    st.subheader("Last sessions")
    for r in df.iloc[::-1][:LAST_SESSIONS].itertuples():
        when = r.started_at.strftime("%Y-%m-%d %H:%M") if r.started_at is not None else "?"
        score = f"score {int(r.score)}" if pd.notna(r.score) else "no score"
        gone = " (its folder is gone from disk)" if r.status == "missing" else ""
        label = f"{when} · {r.routine or '?'} · {r.minutes:.1f} min · {score} · {r.flagged} flagged{gone}"
        if r.status == "missing":
            st.markdown(f"- {label}")
        else:
            st.page_link("ui/replay.py", label=label, icon=":material/replay:", query_params={"recording": r.recording})
else:
    classes = class_names(lib)
    choice = st.selectbox("Class", [ALL_STUDENTS, *classes], key="history_class",
                          help="Classes: `stroke-coach library person NAME --class CLASS`.")
    table = history.class_table(lib, None if choice == ALL_STUDENTS else choice)
    if table.empty:
        st.info(NO_SESSIONS if choice == ALL_STUDENTS else
                f"No students in {choice} yet: add them with `stroke-coach library person NAME --class \"{choice}\"`.")
        st.stop()
    if not table["sessions"].any():
        st.info(NO_SESSIONS)
    st.dataframe(table, hide_index=True, use_container_width=True, column_config={
        "trend": st.column_config.NumberColumn(help="Later half of the last six scores minus the earlier half: "
                                                    "above 0, improving"),
        "last session": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
    })
    st.caption("Click a column's header to sort by it.")
    st.download_button("Download as CSV", history.class_csv(table), mime="text/csv",
                       file_name=f"{'all-students' if choice == ALL_STUDENTS else choice}.csv", key="history_csv")

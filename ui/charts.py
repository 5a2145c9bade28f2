"""Charts and tables of a session report, for the app (Altair / pandas; no streamlit calls).

Input is a :class:`vision.files.report.Report` (:func:`~vision.files.report.build_report`'s,
or report.json read back by :func:`~vision.files.report.read_report`); its ``steps``, when
it follows the routine, are drawn too. Times are seconds on the recording's clock. Hands
are shown as "Hand 1", "Hand 2", ... (the events' ``hand``).
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from vision.files.report import EventRecord, Report, VerdictRecord

# the verdicts' colours and words, the same in the PDF report
from vision.reports.style import UNSURE_WORDS, VERDICT_COLOURS

__all__ = ["FLAG_COLUMNS", "UNSURE_WORDS", "VERDICT_COLOURS", "coverage_chart", "events_frame", "first_flag", "flags_chart",
           "flags_table", "minutes_chart", "scores_chart", "timeline_chart"]

#: Columns of :func:`flags_table`.
FLAG_COLUMNS = ("time (s)", "hand", "verdict", "message")

_EVENT_COLUMNS = ("hand", "kind", "direction", "lane", "t_start", "t_end", "t_end_shown", "duration_s", "verdict",
                  "verdicts", "messages", "flagged_at")
_MIN_BAR_S = 0.1  # a zero-length event is still drawn as a sliver


def _hand(hand) -> str:
    return f"Hand {int(hand)}"


def first_flag(event: EventRecord) -> VerdictRecord | None:
    """The event's first non-ok verdict, None if all is well."""
    return next((v for v in event.verdicts if v.name != "ok"), None)


def _origin(report: Report) -> float:
    """Times are shown from the video's start: a recording's report says when that was on the session's clock."""
    return float(report.time_origin_s or 0.0)


def events_frame(report: Report) -> pd.DataFrame:
    """One row per event: hand, kind, direction, lane, times (from the video's start), verdict (first non-ok
    or "ok"), messages."""
    rows = []
    origin = _origin(report)
    for e in report.events:
        flag = first_flag(e)
        flags = [v for v in e.verdicts if v.name != "ok"]
        t0, t1 = e.t_start - origin, e.t_end - origin
        rows.append({
            "hand": _hand(e.hand),
            "kind": e.kind,
            "direction": e.direction or "",
            "lane": e.lane or "",
            "t_start": t0,
            "t_end": t1,
            "t_end_shown": max(t1, t0 + _MIN_BAR_S),
            "duration_s": round(t1 - t0, 3),
            "verdict": flag.name if flag else "ok",
            "verdicts": ", ".join(v.name for v in flags) or "ok",
            "messages": " | ".join(v.message for v in flags) or "Good",
            "flagged_at": None if e.flagged_at is None else e.flagged_at - origin,
        })
    return pd.DataFrame(rows, columns=list(_EVENT_COLUMNS))


def _steps_frame(report: Report, end_s: float) -> pd.DataFrame:
    rows = []
    origin = _origin(report)
    for k, st in enumerate(report.steps or ()):
        if st.started_s is None:
            continue  # a step never reached
        t0 = st.started_s - origin
        t1 = end_s if st.ended_s is None else st.ended_s - origin
        if t1 <= t0:
            continue
        title = st.title or st.step_id or f"step {k + 1}"
        if st.attempt > 1:
            title = f"{title} ({st.attempt})"
        rows.append({"step": title, "started_s": float(t0), "ended_s": float(t1), "mid_s": 0.5 * (t0 + t1),
                     "band": k % 2})
    return pd.DataFrame(rows, columns=["step", "started_s", "ended_s", "mid_s", "band"])


def timeline_chart(report: Report, width: int | str = "container") -> alt.Chart | alt.LayerChart:
    """Events on a time line: one row per hand, a bar per event from t_start to t_end.

    Bars are coloured by the event's first non-ok verdict (``VERDICT_COLOURS``,
    ok green), with a tooltip giving kind, direction, lane, times and the
    verdict messages. If the report has ``steps``, their spans are shaded
    (alternately) behind the bars and labelled with the step title above. The
    spans when a hand was not seen well enough to judge (``unsure``) are grey
    on its row (on every row when no hand was seen). An empty report gives a
    valid, empty chart. Returns an ``alt.Chart``, or an ``alt.LayerChart`` when
    steps or unsure spans are drawn.
    """
    df = events_frame(report)
    hands = sorted(set(df["hand"]) | {"Hand 1", "Hand 2"}, key=lambda h: int(h.split()[-1]))
    end_s = max([float(report.duration_s or 0.0)] + df["t_end_shown"].tolist() + [1.0])
    x_scale = alt.Scale(domain=[0, end_s], nice=False)
    colour = alt.Color("verdict:N", title="verdict",
                       scale=alt.Scale(domain=list(VERDICT_COLOURS), range=list(VERDICT_COLOURS.values())),
                       legend=alt.Legend(orient="bottom", columns=4, symbolType="square",
                                         values=[v for v in VERDICT_COLOURS if v in set(df["verdict"])] or ["ok"]))
    bars = alt.Chart(df).mark_bar(cornerRadius=2, stroke="white", strokeWidth=0.5).encode(
        x=alt.X("t_start:Q", title="time (s)", scale=x_scale),
        x2="t_end_shown:Q",
        y=alt.Y("hand:N", title=None, scale=alt.Scale(domain=hands), sort=hands),
        color=colour,
        tooltip=[alt.Tooltip("hand:N"), alt.Tooltip("kind:N"), alt.Tooltip("direction:N"),
                 alt.Tooltip("lane:N"), alt.Tooltip("t_start:Q", title="start (s)", format=".2f"),
                 alt.Tooltip("t_end:Q", title="end (s)", format=".2f"),
                 alt.Tooltip("verdicts:N", title="verdict"), alt.Tooltip("messages:N", title="message")],
    )
    # a height per row: a fixed height in pixels collapses the rows in Streamlit 1.60's Vega-Lite
    height = alt.Step(34)
    steps = _steps_frame(report, end_s)
    unsure = unsure_frame(report, hands)
    doubt = alt.Chart(unsure).mark_rect(color="#9e9e9e", opacity=0.45).encode(
        x=alt.X("t_start:Q", scale=x_scale, title="time (s)"),
        x2="t_end:Q",
        y=alt.Y("hand:N", scale=alt.Scale(domain=hands), sort=hands, title=None),
        tooltip=[alt.Tooltip("hand:N"), alt.Tooltip("why:N", title="not judged"),
                 alt.Tooltip("t_start:Q", title="from (s)", format=".1f"),
                 alt.Tooltip("t_end:Q", title="to (s)", format=".1f")],
    )
    if steps.empty:
        if unsure.empty:
            return bars.properties(width=width, height=height)
        return alt.layer(doubt, bars).properties(width=width, height=height)
    spans = alt.Chart(steps).mark_rect(opacity=0.5).encode(
        x=alt.X("started_s:Q", scale=x_scale, title="time (s)"),
        x2="ended_s:Q",
        color=alt.Color("band:N", scale=alt.Scale(domain=[0, 1], range=["#eceff1", "#dde3e8"]), legend=None),
        tooltip=[alt.Tooltip("step:N"), alt.Tooltip("started_s:Q", title="from (s)", format=".1f"),
                 alt.Tooltip("ended_s:Q", title="to (s)", format=".1f")],
    )
    labels = alt.Chart(steps).mark_text(baseline="bottom", dy=-2, fontSize=10, color="#555", limit=120).encode(
        x=alt.X("mid_s:Q", scale=x_scale), y=alt.value(0), text="step:N")
    layers = [spans, *([doubt] if not unsure.empty else []), bars, labels]
    return alt.layer(*layers).resolve_scale(color="independent").properties(width=width, height=height)


def unsure_frame(report: Report, hands: list[str] | None = None) -> pd.DataFrame:
    """The report's unsure spans, one row per hand row of the timeline (a span of both hands on each of
    ``hands``): columns ``hand``, ``t_start``, ``t_end``, ``why``."""
    rows = []
    for sp in report.unsure:
        for hand in ([f"Hand {sp.hand}"] if sp.hand is not None else (hands or ["Hand 1", "Hand 2"])):
            rows.append({"hand": hand, "t_start": sp.t_start, "t_end": sp.t_end,
                         "why": UNSURE_WORDS.get(sp.reason, sp.reason)})
    return pd.DataFrame(rows, columns=["hand", "t_start", "t_end", "why"])


def flags_table(report: Report) -> pd.DataFrame:
    """Every non-ok event, in time order: columns ``time (s)``, ``hand``, ``verdict``, ``message``.

    ``time (s)`` is when the flag was raised (``flagged_at``, else the event's
    start); ``verdict`` and ``message`` list all the event's flags (", " and
    " | " separated). No flags: an empty frame with those columns.
    """
    df = events_frame(report)
    df = df[df["verdict"] != "ok"]
    out = pd.DataFrame({
        "time (s)": [round(float(f if f is not None and f == f else t), 2)
                     for f, t in zip(df["flagged_at"], df["t_start"])],
        "hand": df["hand"].tolist(),
        "verdict": df["verdicts"].tolist(),
        "message": df["messages"].tolist(),
    }, columns=list(FLAG_COLUMNS))
    return out.sort_values("time (s)", kind="stable").reset_index(drop=True)


# -- the History page: a student's sessions over time (tables from vision.library.history) ---------------------


# sessions' times as a teacher reads them ("Dec 01 15:56"), whatever the span (Vega's own pick gave ":23")
_WHEN_AXIS = alt.Axis(format="%b %d %H:%M", labelAngle=0, tickCount=6)


def scores_chart(scores: pd.DataFrame, title: str) -> alt.Chart:
    """Score (0..100) over time, a line per step (and the whole routine): scores_over_time's table."""
    return alt.Chart(scores, title=title).mark_line(point=True).encode(
        x=alt.X("started_at:T", title="session", axis=_WHEN_AXIS),
        y=alt.Y("score:Q", title="score", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("step:N", title="step"),
        tooltip=[alt.Tooltip("started_at:T", title="when", format="%Y-%m-%d %H:%M"), "step:N", "score:Q"],
    ).properties(height=260)


def flags_chart(flags: pd.DataFrame) -> alt.Chart:
    """Flags by kind per session, stacked, in the verdicts' colours: flags_over_time's table."""
    names = [n for n in VERDICT_COLOURS if n in set(flags["flag"])]
    return alt.Chart(flags, title="Flags by kind").mark_bar().encode(
        x=alt.X("started_at:T", title="session", axis=_WHEN_AXIS),
        y=alt.Y("sum(count):Q", title="flags"),
        color=alt.Color("flag:N", scale=alt.Scale(domain=names, range=[VERDICT_COLOURS[n] for n in names])),
        tooltip=[alt.Tooltip("started_at:T", title="when", format="%Y-%m-%d %H:%M"), "flag:N", "count:Q"],
    ).properties(height=220)


def minutes_chart(weeks: pd.DataFrame) -> alt.Chart:
    """Minutes practised per week (its Monday): minutes_per_week's table."""
    return alt.Chart(weeks, title="Minutes practised per week").mark_bar().encode(
        x=alt.X("yearmonthdate(week):O", title="week of"),
        y=alt.Y("minutes:Q", title="minutes"),
        tooltip=[alt.Tooltip("week:T", title="week of", format="%Y-%m-%d"), "minutes:Q"],
    ).properties(height=220)


def coverage_chart(lanes: pd.DataFrame) -> alt.Chart:
    """Seconds the hands worked in each lane, summed over the sessions: history.coverage's table."""
    return alt.Chart(lanes, title="Where the hands worked, all sessions").mark_bar().encode(
        y=alt.Y("lane:N", title=None, sort=["left", "right", "spine", "outside", "off_back"],
                axis=alt.Axis(labelOverlap=False)),
        x=alt.X("seconds:Q", title="seconds"),
        tooltip=["lane:N", alt.Tooltip("seconds:Q", format=".0f")],
    ).properties(height=alt.Step(30))  # a height per row (a fixed height collapses rows in Streamlit 1.60)

"""The PDF report's charts, drawn with matplotlib's Agg canvas (no display, no browser): PNG bytes.

:func:`timeline_png` is the app's timeline (``ui.charts.timeline_chart``) on paper: a row per hand,
a bar per event coloured by its first flag (green: fine), the spans when a hand was not seen well
enough to judge in grey, the routine's steps shaded behind with their titles, and numbered marks
on chosen events (the report's worst moments). :func:`trend_png`: a student's score over their
sessions, this one marked. Times in seconds from the start of the video.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from vision.files.report import Report
from vision.reports.style import UNSURE_WORDS, VERDICT_COLOURS, verdict_words

__all__ = ["first_flag_name", "timeline_png", "trend_png"]

_MIN_BAR_S = 0.12  # a zero-length event is still drawn as a sliver
_UNSURE_GREY = "#9e9e9e"
_STEP_BANDS = ("#eceff1", "#dde3e8")


def _png(fig: Figure, dpi: int) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def first_flag_name(verdicts) -> str:
    """The name of an event's first flag, "ok" when all is well."""
    return next((v.name for v in verdicts if v.name != "ok"), "ok")


def timeline_png(
    report: Report, marks: Mapping[int, str] | None = None, size_in: tuple[float, float] = (7.2, 2.3), dpi: int = 200
) -> bytes:
    """The events of ``report`` on a time line, as a PNG (see the module's docstring).

    marks: event index (into ``report.events``) -> a short label ("1") drawn above that event's bar.
    An empty report gives a valid chart saying so.
    """
    origin = float(report.time_origin_s or 0.0)
    hands = sorted({e.hand for e in report.events} | {sp.hand for sp in report.unsure if sp.hand} | {1, 2})
    row = {h: k for k, h in enumerate(reversed(hands))}  # hand 1 at the top
    ends = [report.duration_s] + [e.t_end - origin for e in report.events] + [sp.t_end - origin for sp in report.unsure]
    end_s = max(max(ends), 1.0)
    fig = Figure(figsize=size_in, layout="constrained")
    ax = fig.add_subplot()
    top = len(hands) - 0.5
    for k, st in enumerate(report.steps or ()):
        if st.started_s is None:
            continue  # never reached
        t0 = st.started_s - origin
        t1 = end_s if st.ended_s is None else st.ended_s - origin
        if t1 <= t0:
            continue
        ax.axvspan(t0, t1, color=_STEP_BANDS[k % 2], zorder=0)
        title = st.title + (f" ({st.attempt})" if st.attempt > 1 else "")
        ax.text(0.5 * (t0 + t1), top + 0.05, title, ha="center", va="bottom", fontsize=6.5, color="#444", clip_on=True)
    for sp in report.unsure:
        for h in [sp.hand] if sp.hand is not None else hands:
            y = row[h]
            ax.broken_barh(
                [(sp.t_start - origin, max(sp.t_end - sp.t_start, _MIN_BAR_S))],
                (y - 0.4, 0.8),
                facecolors=_UNSURE_GREY,
                alpha=0.45,
                hatch="///",
                edgecolor="white",
                linewidth=0,
                zorder=1,
            )
    seen = set()
    for i, e in enumerate(report.events):
        name = first_flag_name(e.verdicts)
        seen.add(name)
        t0 = e.t_start - origin
        y = row[e.hand]
        ax.broken_barh(
            [(t0, max(e.t_end - e.t_start, _MIN_BAR_S))],
            (y - 0.3, 0.6),
            facecolors=VERDICT_COLOURS.get(name, "#555"),
            edgecolor="white",
            linewidth=0.4,
            zorder=2,
        )
        if marks and i in marks:
            at = (e.flagged_at - origin) if e.flagged_at is not None else t0
            ax.text(
                at,
                y,
                marks[i],
                ha="center",
                va="center",
                fontsize=6.5,
                fontweight="bold",
                color="white",
                bbox={"boxstyle": "circle,pad=0.25", "fc": "#222", "ec": "white", "lw": 0.6},
                zorder=4,
            )
    if not report.events:
        ax.text(end_s / 2, (len(hands) - 1) / 2, "No movements were found", ha="center", va="center", color="#666")
    ax.set_xlim(0, end_s)
    ax.set_ylim(-0.6, top + (0.55 if report.steps else 0.35))
    ax.set_yticks([row[h] for h in hands], [f"Hand {h}" for h in hands], fontsize=7)
    ax.set_xlabel("time from the start of the video (seconds)", fontsize=7)
    ax.tick_params(axis="x", labelsize=7)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    legend = [Patch(color=VERDICT_COLOURS[n], label=verdict_words(n)) for n in VERDICT_COLOURS if n in seen]
    if report.unsure:
        reasons = sorted({UNSURE_WORDS.get(sp.reason, sp.reason) for sp in report.unsure})
        legend.append(
            Patch(facecolor=_UNSURE_GREY, alpha=0.45, hatch="///", label=f"not judged ({', '.join(reasons)})")
        )
    if legend:
        fig.legend(handles=legend, loc="outside lower center", ncols=min(len(legend), 5), fontsize=6.5, frameon=False)
    return _png(fig, dpi)


def trend_png(points: pd.DataFrame, size_in: tuple[float, float] = (7.2, 2.0), dpi: int = 200) -> bytes:
    """Score (0..100) over the sessions as a PNG: ``points`` has columns ``started_at`` (a time, may be
    missing), ``score`` and ``this`` (True for the session of this report, drawn larger and labelled)."""
    fig = Figure(figsize=size_in, layout="constrained")
    ax = fig.add_subplot()
    pts = points.reset_index(drop=True)
    xs = list(range(1, len(pts) + 1))
    ax.plot(xs, pts["score"].astype(float), color="#1f77b4", marker="o", markersize=3.5, linewidth=1.2)
    for x, r in zip(xs, pts.itertuples()):
        if r.this:
            ax.plot([x], [float(r.score)], marker="o", markersize=8, color="#d62728", zorder=3)
            ax.annotate(
                f"this session: {int(r.score)}",
                (x, float(r.score)),
                xytext=(0, 9),
                textcoords="offset points",
                ha="center",
                fontsize=7,
                color="#d62728",
            )
    labels = [
        t.strftime("%d %b") if isinstance(t, pd.Timestamp) and not pd.isna(t) else f"#{k}"
        for k, t in enumerate(pts["started_at"], 1)
    ]
    step = max(1, len(xs) // 12)
    ax.set_xticks(xs[::step], labels[::step], fontsize=6.5)
    ax.set_xlim(0.5, len(xs) + 0.5)
    ax.set_ylim(0, 109)
    ax.set_yticks([0, 25, 50, 75, 100])
    ax.tick_params(axis="y", labelsize=7)
    ax.set_ylabel("score (0 to 100)", fontsize=7)
    ax.set_xlabel("session (date)", fontsize=7)
    ax.grid(axis="y", color="#ddd", linewidth=0.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _png(fig, dpi)

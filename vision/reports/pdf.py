"""A student's report as a PDF, readable without the app: made with fpdf2, its charts with matplotlib.

:func:`student_pdf` writes one from a :class:`~vision.files.report.Report` (report.json), in plain words
with units: who, which routine, when and how long; the score and a table of the steps; the timeline;
where the hands worked (the coverage map); the three worst moments, each with a still from the video
at the flag and the flags' messages; and the score against the student's earlier sessions (the
library's :func:`vision.library.history.sessions` table). Every input is given; nothing is read but
the video (for the stills) and the fonts.

Times in the PDF count from the start of the video (a re-judged recording's report says when that
was on the session's clock, ``time_origin_s``).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace
from matplotlib import get_data_path
from numpy.typing import ArrayLike, NDArray
from PIL import Image

from vision.core.backframe import Calibration, CalibrationError, Homography
from vision.drawing.diagrams import coverage_map, coverage_seconds
from vision.files.report import EventRecord, Report, VerdictRecord
from vision.files.video import VideoError, VideoReader
from vision.reports.charts import timeline_png, trend_png
from vision.reports.style import SEVERITY, UNSURE_WORDS, verdict_words

__all__ = ["Moment", "PdfError", "report_score", "samples_from_report", "student_pdf", "trend_points", "worst_moments"]

Samples = Sequence[tuple[ArrayLike, ArrayLike]]

_FONT_DIR = Path(get_data_path()) / "fonts" / "ttf"  # DejaVu Sans, shipped with matplotlib: every character
_KIND_WORDS = {"stroke": "stroke", "hold": "hold", "circles": "set of circles", "cross_fiber": "cross-fibre pass"}
_LANE_WORDS = {
    "left": "in the left lane (the recipient's left)",
    "right": "in the right lane (the recipient's right)",
    "spine": "on the spine",
    "outside": "on the outer edge of the back",
    "off_back": "off the back",
}
_ZONE_WORDS = {"left": "left lane", "right": "right lane", "spine": "spine", "outside": "outer edges",
               "off_back": "off the back"}  # fmt: skip
_GREY = (110, 110, 110)
_DARK = (30, 30, 30)


class PdfError(ValueError):
    """A PDF report that cannot be made (the output cannot be written); the message says what to do."""


@dataclass(frozen=True)
class Moment:
    """A flagged event chosen as one of the worst: ``index`` into ``report.events``; ``at_s``: when its
    first flag was raised, seconds from the start of the video; ``flags``: its non-ok verdicts."""

    index: int
    event: EventRecord
    at_s: float
    flags: tuple[VerdictRecord, ...]


def _origin(report: Report) -> float:
    return float(report.time_origin_s or 0.0)


def worst_moments(report: Report, n: int = 3) -> list[Moment]:
    """The ``n`` flagged events with the most, then the most serious, flags (:data:`SEVERITY`), then the
    longest; earliest first among equals. Events whose flags were withheld (``unsure``) are left out."""
    origin = _origin(report)
    found = []
    for i, e in enumerate(report.events):
        flags = tuple(v for v in e.verdicts if v.name != "ok")
        if not flags or e.unsure is not None:
            continue
        at = (e.flagged_at if e.flagged_at is not None else e.t_start) - origin
        key = (-len(flags), -max(SEVERITY.get(v.name, 1) for v in flags), -e.duration_s, at)
        found.append((key, Moment(i, e, at, flags)))
    return [m for _, m in sorted(found, key=lambda km: km[0])[:n]]


def report_score(report: Report) -> int | None:
    """The routine's score when following it; judged against one step: that step's score (the share of
    events judged fine, 0..100, as a step's score is counted); None with no event to judge."""
    if report.following:
        return report.score
    if not report.events:
        return None
    return round(100 * sum(1 for e in report.events if e.ok) / len(report.events))


def samples_from_report(report: Report) -> list[tuple[NDArray[np.float64], NDArray[np.float64]]]:
    """(times_s, path_back) per event from report.json alone, for the coverage map: each event as a
    straight line from its start to its end (report.json keeps no paths; give the judged events'
    paths, :func:`vision.drawing.diagrams.samples_from_events`, when they are at hand)."""
    return [
        (np.array([e.t_start, e.t_end], np.float64), np.array([e.start_uv, e.end_uv], np.float64))
        for e in report.events
    ]


def trend_points(
    history: pd.DataFrame | None, report: Report, *, when: datetime | None = None, recording: str | None = None
) -> pd.DataFrame | None:
    """The scores to draw the trend with: columns ``started_at``, ``score``, ``this`` (the session of this
    report), oldest first; None without history or a score.

    history: :func:`vision.library.history.sessions`'s table for the student (columns ``started_at``,
    ``score``, ``routine``, ``recording``). Sessions of the report's routine only, when there are any.
    This session is the row named ``recording``, else the one started at ``when`` (within two
    seconds); if there is none, it is added (at ``when``) with the report's score.
    """
    score = report_score(report)
    if history is None or "score" not in history:
        return None
    h = history[history["score"].notna()].copy()
    if report.routine and "routine" in h and (h["routine"] == report.routine).any():
        h = h[h["routine"] == report.routine]
    h["started_at"] = pd.to_datetime(h["started_at"], utc=True) if len(h) else pd.Series(dtype="datetime64[ns, UTC]")
    this = pd.Series(False, index=h.index)
    if recording is not None and "recording" in h:
        this = h["recording"] == recording
    if not this.any() and when is not None and len(h):
        at = pd.Timestamp(when)
        at = at.tz_localize(datetime.now().astimezone().tzinfo) if at.tzinfo is None else at
        this = (h["started_at"] - at).abs() <= pd.Timedelta(seconds=2)
    out = pd.DataFrame({"started_at": h["started_at"], "score": h["score"].astype(float), "this": this.to_numpy()})
    if not this.any():
        if score is None:
            return out.reset_index(drop=True) if len(out) else None
        at = pd.Timestamp(when) if when is not None else pd.NaT
        if isinstance(at, pd.Timestamp) and not pd.isna(at):
            at = at.tz_localize(datetime.now().astimezone().tzinfo) if at.tzinfo is None else at
            at = at.tz_convert("UTC")
        out = pd.concat([out, pd.DataFrame({"started_at": [at], "score": [float(score)], "this": [True]})])
    out = out.sort_values("started_at", kind="stable", na_position="last").reset_index(drop=True)
    return out


def _still(video: Path, t_s: float) -> NDArray[np.uint8] | None:
    """The frame of ``video`` at (or just after) ``t_s`` seconds, BGR; None if it cannot be read."""
    try:
        with VideoReader(video, max_frames=1, start_s=max(0.0, t_s)) as reader:
            for frame, _t in reader:
                return frame
    except (VideoError, OSError):
        return None
    return None


def _mark_event(frame_bgr: NDArray[np.uint8], report: Report, e: EventRecord) -> NDArray[np.uint8]:
    """The event drawn over the still: an arrow from where it started to where it ended (a ring for a
    hold or circles), in the calibration's pixels scaled to the still's size."""
    try:
        cal = Calibration.from_dict(report.calibration.model_dump(mode="json"))
    except CalibrationError:
        return frame_bgr
    pts = Homography.from_calibration(cal).to_image(np.array([e.start_uv, e.end_uv], np.float64))
    if report.frame_size:
        w, h = report.frame_size
        pts = pts * [frame_bgr.shape[1] / w, frame_bgr.shape[0] / h]
    if not np.all(np.isfinite(pts)):
        return frame_bgr
    img = frame_bgr.copy()
    p0, p1 = (tuple(int(round(c)) for c in p) for p in pts)
    t = max(2, img.shape[1] // 200)
    if np.hypot(*(pts[1] - pts[0])) < 8:
        cv2.circle(img, p0, 6 * t, (255, 255, 255), 2 * t + 2, cv2.LINE_AA)
        cv2.circle(img, p0, 6 * t, (40, 40, 220), 2 * t, cv2.LINE_AA)
    else:
        cv2.arrowedLine(img, p0, p1, (255, 255, 255), 2 * t + 2, cv2.LINE_AA, tipLength=0.15)
        cv2.arrowedLine(img, p0, p1, (40, 40, 220), 2 * t, cv2.LINE_AA, tipLength=0.15)
    return img


def _rgb_image(img: NDArray[np.uint8], bgr: bool = False, max_w: int = 720) -> Image.Image:
    rgb = cv2.cvtColor(img, cv2.COLOR_BGR2RGB) if bgr else img
    out = Image.fromarray(np.ascontiguousarray(rgb))
    if out.width > max_w:
        out = out.resize((max_w, round(out.height * max_w / out.width)), Image.Resampling.LANCZOS)
    return out


def _duration(s: float) -> str:
    """17 s; 1 min 12 s; 1 h 02 min."""
    s = max(0.0, float(s))
    if s < 60:
        return f"{s:.0f} s" if s >= 10 else f"{s:.1f} s"
    m, sec = divmod(round(s), 60)
    if m < 60:
        return f"{m} min {sec:02d} s"
    h, m = divmod(m, 60)
    return f"{h} h {m:02d} min"


def _clock(t_s: float) -> str:
    """9.1 s (0:09)."""
    m, s = divmod(max(0.0, t_s), 60)
    return f"{t_s:.1f} s ({int(m)}:{int(s):02d})"


def _pace(e: EventRecord) -> str:
    """A stroke's speed as the time from the hips to the shoulders at that speed, in words."""
    if e.kind != "stroke" or e.speed < 0.05:
        return ""
    return f" (hips to shoulders in {1 / e.speed:.1f} s at that speed)"


def _date(when: datetime | None) -> str:
    if when is None:
        return "not known"
    return f"{when:%A} {when.day} {when:%B %Y, %H:%M}"


def _flags_words(counts: dict[str, int]) -> str:
    flags = {k: v for k, v in counts.items() if k != "ok" and v}
    return ", ".join(f"{verdict_words(k)} ({v})" for k, v in flags.items()) or "none"


def _asked(target, unit: str) -> str:
    if target is None:
        return "until you move on"
    return f"{target:g} {unit}" if isinstance(target, float) else f"{target} {unit}"


def _step_rows(report: Report) -> list[tuple[str, str, str, str, str]]:
    """(step, asked, done, score, flags) for the step table."""
    rows = []
    for st in report.steps or ():
        title = st.title + (f" (attempt {st.attempt})" if st.attempt > 1 else "")
        done = f"{st.done:g} {st.asked.unit}" if isinstance(st.done, float) else f"{st.done} {st.asked.unit}"
        state = "complete" if st.complete else ("cut short" if st.cut_short else "not finished")
        if st.started_s is None:
            done, state = "-", "not reached"
        score = "not scored" if st.score is None else f"{st.score} / 100"
        rows.append((title, _asked(st.asked.target, st.asked.unit), f"{done}, {state}", score, _flags_words(st.flags)))
    if not report.following:
        whole = report_score(report)
        rows.append(
            (
                report.step or "-",
                "the whole video judged against this step",
                f"{report.summary.events} movements",
                "not scored" if whole is None else f"{whole} / 100",
                _flags_words(report.summary.by_verdict),
            )
        )
    return rows


class _Doc(FPDF):
    """A4 with a footer line: who, and the page."""

    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=7.5)
        self.set_text_color(*_GREY)
        self.cell(0, 5, f"{self.footer_text}    page {self.page_no()} of {{nb}}", align="C")


def _new_doc(student: str) -> _Doc:
    pdf = _Doc(orientation="P", unit="mm", format="A4")
    pdf.add_font("DejaVu", "", str(_FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(_FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.add_font("DejaVu", "I", str(_FONT_DIR / "DejaVuSans-Oblique.ttf"))
    pdf.set_margins(15, 14, 15)
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_title(f"Stroke Coach report: {student}")
    pdf.set_author("Stroke Coach")
    pdf.set_creator("Stroke Coach (fpdf2)")
    return pdf


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 12)
    pdf.set_text_color(*_DARK)
    pdf.cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", size=9.5)


def _para(pdf: FPDF, text: str, size: float = 9.5, colour=_DARK, style: str = "") -> None:
    pdf.set_font("DejaVu", style, size)
    pdf.set_text_color(*colour)
    pdf.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*_DARK)


def _png_image(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png))


def _room(pdf: FPDF, height_mm: float) -> None:
    """A new page unless ``height_mm`` still fits on this one."""
    if pdf.get_y() + height_mm > pdf.h - pdf.b_margin:
        pdf.add_page()


def student_pdf(
    report: Report,
    *,
    student: str,
    out: str | Path,
    video: str | Path | None = None,
    history: pd.DataFrame | None = None,
    samples: Iterable[tuple[ArrayLike, ArrayLike]] | None = None,
    when: datetime | None = None,
    recording: str | None = None,
) -> Path:
    """Write ``out`` (a PDF of about two A4 pages) for ``student`` from ``report``; returns ``out``.

    video: the video the report's times are on (the annotated one, or the recording's), for a still at
    each worst moment (None: no stills). history: the student's sessions from the library
    (:func:`vision.library.history.sessions`) for the trend (None: not shown). samples: the judged
    events' (times_s, path_back) for the coverage map (default: each event's start and end, from
    report.json). when: when the session was practised. recording: its name in the library (to find
    it in ``history``). Raises PdfError when ``out`` cannot be written.
    """
    out = Path(out)
    origin = _origin(report)
    score = report_score(report)
    pdf = _new_doc(student)
    pdf.footer_text = f"Stroke Coach report for {student}, {report.routine or 'no routine'}, {_date(when)}"
    pdf.add_page()

    # -- who, what, when
    pdf.set_font("DejaVu", "B", 17)
    pdf.cell(0, 9, f"Massage practice report: {student}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", size=9.5)
    judged = "followed step by step" if report.following else f"the step {report.step!r} only"
    facts = [
        ("Student", student),
        ("Routine", f"{report.routine or 'none'} ({judged})"),
        ("Date", _date(when)),
        ("Length", _duration(report.duration_s)),
        ("Video", Path(report.video).name or report.video),
    ]
    for label, value in facts:
        pdf.set_font("DejaVu", "B", 9.5)
        pdf.cell(24, 5.2, label)
        pdf.set_font("DejaVu", size=9.5)
        pdf.cell(0, 5.2, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    # -- the score
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 22)
    pdf.cell(0, 11, f"Score: {score} out of 100" if score is not None else "Score: none", new_x=XPos.LMARGIN,
             new_y=YPos.NEXT)  # fmt: skip
    s = report.summary
    ok = sum(1 for e in report.events if e.ok)
    if s.events:
        _para(
            pdf,
            f"{s.events} movements were seen (strokes, holds, circles): {ok} judged fine, {s.flagged} flagged. "
            f"Flags: {_flags_words(s.by_verdict)}.",
        )
    else:
        _para(pdf, "No movements were found in this video: no stroke, hold or circle was seen on the back, so "
                   "nothing could be judged. Check that the hands are in the picture and that the calibration "
                   "matches the camera.", style="B")  # fmt: skip
    _para(
        pdf,
        "The score is the share of movements judged fine, out of 100 (a routine's score is the mean of its "
        "judged steps' scores). The camera judges where the hands are on the back, which way they move, how "
        "fast and for how long; it cannot feel pressure.",
        size=8,
        colour=_GREY,
    )
    if report.following and not report.routine_finished:
        _para(pdf, "The routine was not finished in this session.", size=9)
    for note in report.cut_short:
        _para(pdf, note, size=9)

    # -- the steps
    _heading(pdf, "Steps")
    pdf.set_font("DejaVu", size=8.5)
    with pdf.table(
        col_widths=(32, 34, 34, 20, 60),
        text_align=("LEFT", "LEFT", "LEFT", "RIGHT", "LEFT"),
        line_height=4.6,
        headings_style=FontFace(emphasis="BOLD", fill_color=(236, 239, 241)),
        borders_layout="HORIZONTAL_LINES",
        padding=1,
    ) as table:
        head = table.row()
        for text in ("Step", "Asked for", "Done", "Score", "Flags (how many)"):
            head.cell(text)
        for cells in _step_rows(report):
            row = table.row()
            for text in cells:
                row.cell(text)

    # -- the timeline
    moments = worst_moments(report)
    _room(pdf, 72)
    _heading(pdf, "Timeline")
    _para(pdf, "Each bar is one movement of one hand, coloured by its first flag (green: fine); the routine's steps "
               "are shaded behind; grey: the hand was not seen well enough to judge. The numbered dots mark "
               "the worst moments below, where their first flag was raised.", size=8, colour=_GREY)  # fmt: skip
    marks = {m.index: str(k) for k, m in enumerate(moments, 1)}
    pdf.image(_png_image(timeline_png(report, marks)), w=pdf.epw)
    if report.unsure:
        spans = "; ".join(
            f"{sp.t_start - origin:.1f} to {sp.t_end - origin:.1f} s "
            f"({'both hands' if sp.hand is None else f'hand {sp.hand}'}, {UNSURE_WORDS.get(sp.reason, sp.reason)})"
            for sp in report.unsure
        )
        _para(pdf, f"Not judged (no flags given then): {spans}.", size=8)

    # -- coverage
    pts = list(samples) if samples is not None else samples_from_report(report)
    _room(pdf, 80)
    _heading(pdf, "Where the hands worked")
    y0 = pdf.get_y()
    cov = _rgb_image(coverage_map(pts, size=(300, 420)))
    pdf.image(cov, x=pdf.l_margin, y=y0, w=52)
    secs = coverage_seconds(pts)
    total = sum(secs.values())
    pdf.set_xy(pdf.l_margin + 58, y0 + 2)
    lines = ["The back seen from above, hips at the bottom, shoulders at the top; darker: the hands spent longer "
             "there. Seconds in each part of the back:", ""]  # fmt: skip
    lines += [f"{_ZONE_WORDS[k]}: {v:.0f} s" + (f" ({100 * v / total:.0f}%)" if total else "") for k, v in secs.items()]
    if samples is None and report.events:
        lines += ["", "(drawn from where each movement started and ended)"]
    pdf.set_font("DejaVu", size=9)
    pdf.multi_cell(pdf.epw - 58, 4.8, "\n".join(lines), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(pdf.get_y(), y0 + 52 * cov.height / cov.width) + 2)

    # -- the worst moments
    _room(pdf, 60)
    _heading(pdf, "The worst moments" if len(moments) > 1 else "The worst moment")
    if not moments:
        _para(pdf, "No flags: every movement was judged fine." if report.events else "No movements, so no flags.")
    for k, m in enumerate(moments, 1):
        frame = _still(Path(video), m.at_s) if video is not None else None
        img_w = 76.0
        height = img_w * 0.75 if frame is not None else 18
        _room(pdf, height + 6)
        y = pdf.get_y()
        text_x = pdf.l_margin
        if frame is not None:
            still = _rgb_image(_mark_event(frame, report, m.event), bgr=True)
            pdf.image(still, x=pdf.l_margin, y=y, w=img_w)
            height = img_w * still.height / still.width
            text_x = pdf.l_margin + img_w + 5
        pdf.set_xy(text_x, y)
        w = pdf.epw - (text_x - pdf.l_margin)
        e = m.event
        pdf.set_font("DejaVu", "B", 10)
        pdf.multi_cell(w, 5, f"{k}. At {_clock(m.at_s)}", align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_font("DejaVu", size=9)
        kind = _KIND_WORDS.get(e.kind, e.kind)
        way = f" going {e.direction}" if e.direction in ("up", "down") else (" across" if e.direction else "")
        pdf.multi_cell(
            w,
            4.6,
            f"Hand {e.hand}, a {kind}{way} {_LANE_WORDS.get(e.lane, e.lane)}, {_duration(e.duration_s)} long, "
            f"at {e.speed:.2f} back lengths per second{_pace(e)}.",
            align="L",
            new_x=XPos.LEFT,
            new_y=YPos.NEXT,
        )
        for v in m.flags:
            pdf.set_font("DejaVu", "B", 9)
            pdf.multi_cell(
                w, 4.6, f"{verdict_words(v.name).capitalize()}: ", align="L", new_x=XPos.LEFT, new_y=YPos.NEXT
            )
            pdf.set_font("DejaVu", size=9)
            pdf.multi_cell(w, 4.6, v.message, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
        if frame is not None:
            pdf.set_font("DejaVu", "I", 7.5)
            pdf.set_text_color(*_GREY)
            pdf.multi_cell(w, 3.8, "The arrow on the still: the movement, from where it started to where it ended.",
                           align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)  # fmt: skip
            pdf.set_text_color(*_DARK)
        pdf.set_xy(pdf.l_margin, max(pdf.get_y(), y + height) + 4)

    # -- the trend
    points = trend_points(history, report, when=when, recording=recording)
    _room(pdf, 62)
    _heading(pdf, "Progress over the sessions")
    if history is None:
        _para(pdf, "No earlier sessions were given for this report.")
    elif points is None or len(points) == 0:
        _para(pdf, f"No scored session of {student} in the library yet.")
    else:
        _para(pdf, _trend_words(points, student, report.routine), size=9.5)
        pdf.image(_png_image(trend_png(points)), w=pdf.epw)

    # -- the teacher's reference, when compared with one
    if report.comparison is not None:
        cmp = report.comparison
        _room(pdf, 40)
        _heading(pdf, "Compared with the teacher's demonstration")
        similar = f"Similarity: {cmp.similarity} out of 100" if cmp.similarity is not None else "Similarity: none"
        _para(pdf, similar, style="B")
        _para(pdf, "How alike the strokes are in path, pace and reach, and how much of the back was worked as the "
                   "teacher did, step by step; doing the steps in the teacher's order counts too.", size=8,
              colour=_GREY)  # fmt: skip
        for line in cmp.feedback or ["Nothing differs enough to mention."]:
            _para(pdf, f"- {line}", size=9.5)
        rows = [s for s in cmp.steps if s.similarity is not None]
        if rows:
            _para(pdf, "By step: " + "; ".join(f"{s.title} {s.similarity}" for s in rows) + ".", size=9.5)

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        pdf.output(str(out))
    except OSError as e:
        raise PdfError(f"cannot write the PDF report {out}: {e.strerror or e}; choose another file") from None
    return out


def _trend_words(points: pd.DataFrame, student: str, routine: str | None) -> str:
    """One or two sentences: the earlier sessions' scores and this one's against them."""
    this_at = points.index[points["this"]].tolist()
    cut = this_at[0] if this_at else len(points)
    earlier = points.iloc[:cut]
    of = f" of {routine}" if routine else ""
    scores = [int(round(s)) for s in earlier["score"]]
    if not this_at:
        return f"Scores of {student}'s sessions{of}, oldest first: {', '.join(map(str, scores))}."
    now = int(round(points.loc[cut, "score"]))
    if not scores:
        return f"This is {student}'s first scored session{of} in the library: {now} out of 100."
    mean = sum(scores) / len(scores)
    diff = now - mean
    shown = scores[-8:]
    more = f"the last {len(shown)} of {len(scores)}: " if len(scores) > len(shown) else ""
    if abs(diff) < 1:
        change = "the same as"
    else:
        change = f"{abs(diff):.0f} points {'above' if diff > 0 else 'below'}"
    return (
        f"Earlier sessions{of}: {len(scores)}, scored {more}{', '.join(map(str, shown))} (oldest first). "
        f"This session scored {now}, {change} their mean ({mean:.0f})."
    )

"""Reports: the judged events of a session as JSON (report.json) and CSV (strokes.csv).

:class:`Report` is report.json (its JSON Schema: ``docs/schemas/report.schema.json``)::

    video, fps, frame_size [w, h] ([] when unknown), duration_s, routine, step (null when following
    the routine), calibration (the four corners), warnings,
    events: [EventRecord], unsure: [UnsureRecord] (when the hands were not seen well enough to judge),
    summary: Summary,
    steps, score, routine_finished    (only when following the routine; a step left unfinished because
                                       the giver had moved on to a later one has cut_short, moved_on_to
                                       and a note)
    rejudged, time_origin_s           (only for a re-judged recording)
    comparison                        (only when compared with a teacher's reference:
                                       :meth:`vision.judging.compare.Comparison.to_dict`)

Fields that do not apply are left out, never written as null (an event's
``count`` only for circles and cross-fibre passes, ...). :func:`build_report`
makes one from the judged events, :func:`write_report` writes it (and
strokes.csv), :func:`read_report` reads one back, with a one-line
:class:`ReportError` for a damaged or hand-edited file.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, PositiveInt, ValidationError

from vision.core.types import EventKind, JudgedEvent, UnsureReason, UnsureSpan, VerdictName
from vision.files.calibration import Corners
from vision.files.jsonfile import FileModel, describe, read_json

__all__ = [
    "CSV_COLUMNS",
    "Asked",
    "ComparisonRecord",
    "EventRecord",
    "Report",
    "ReportError",
    "StepComparisonRecord",
    "StepRecord",
    "Summary",
    "UnsureRecord",
    "VerdictRecord",
    "build_report",
    "event_dict",
    "read_report",
    "write_report",
]

CSV_COLUMNS = (
    "kind",
    "hand",
    "t_start",
    "t_end",
    "duration_s",
    "direction",
    "lane",
    "distance",
    "speed",
    "count",
    "flagged_at",
    "verdicts",
    "messages",
)

Lane = Literal["spine", "left", "right", "outside", "off_back"]  # vision.core.backframe.LANE_NAMES
Direction = Literal["up", "down", "lateral"]


class ReportError(ValueError):
    """A report.json that cannot be read; the message is one line: the file, the field, expected, found."""


class VerdictRecord(FileModel):
    """One verdict on an event: its stable name and the message shown for it."""

    name: VerdictName
    message: str


class EventRecord(FileModel):
    """One judged event of one hand. Times in seconds on the video's clock; (u, v) in the back frame."""

    kind: EventKind
    hand: int = Field(ge=1, description="The giver's hand: 1, 2, ...")
    t_start: float
    t_end: float
    duration_s: float
    direction: Direction | None = Field(description="Strokes and cross-fibre passes; null for holds and circles.")
    lane: Lane = Field(description="Where most of it was.")
    distance: float = Field(description="Path length, back lengths.")
    speed: float = Field(description="Mean speed, back lengths per second.")
    start_uv: tuple[float, float]
    end_uv: tuple[float, float]
    flagged_at: float | None = Field(description="When the first flag was raised (s), null if all is well.")
    verdicts: list[VerdictRecord]
    count: int | None = Field(default=None, description="Circles turned or cross-fibre passes (those kinds only).")
    radius: float | None = Field(default=None, description="Circles: mean radius, back lengths.")
    rate_hz: float | None = Field(default=None, description="Circles: turns per second.")
    surges: int | None = Field(default=None, description="Strokes: speed surges of the movement (1: one smooth push).")
    unsure: UnsureReason | None = Field(
        default=None, description="Its flags were withheld: the hand was not seen well enough (why)."
    )

    omit_if_none = frozenset({"count", "radius", "rate_hz", "surges", "unsure"})

    @classmethod
    def from_judged(cls, je: JudgedEvent) -> EventRecord:
        ev = je.event
        d: dict[str, Any] = {
            "kind": ev.kind,
            "hand": je.hand,
            "t_start": round(ev.t_start, 3),
            "t_end": round(ev.t_end, 3),
            "duration_s": round(ev.duration_s, 3),
            "direction": ev.direction,
            "lane": ev.lane,
            "distance": round(ev.distance, 4),
            "speed": round(ev.speed, 4),
            "start_uv": [round(float(x), 4) for x in ev.path_back[0]],
            "end_uv": [round(float(x), 4) for x in ev.path_back[-1]],
            "flagged_at": None if je.flagged_at is None else round(je.flagged_at, 3),
            "verdicts": [v.to_dict() for v in je.verdicts],
        }
        if ev.kind in ("circles", "cross_fiber"):
            d["count"] = ev.count
        if ev.kind == "circles":
            d["radius"] = round(ev.radius, 4)
            d["rate_hz"] = round(ev.rate_hz, 3)  # circles per second
        if ev.kind == "stroke":
            d["surges"] = ev.surges  # speed surges of its movement: 1 is one smooth push
        d["unsure"] = je.unsure
        return cls.model_validate(d)

    @property
    def ok(self) -> bool:
        return all(v.name == "ok" for v in self.verdicts)


class UnsureRecord(FileModel):
    """A span of time a giver hand (or both, ``hand`` null) was not seen well enough to judge; no flag
    was raised on what it did then."""

    hand: int | None = Field(ge=1, description="The giver's hand; null: both (no hand seen at all).")
    reason: UnsureReason
    t_start: float
    t_end: float

    @classmethod
    def from_span(cls, sp: UnsureSpan) -> UnsureRecord:
        return cls.model_validate(
            {"hand": sp.hand, "reason": sp.reason, "t_start": round(sp.t_start, 3), "t_end": round(sp.t_end, 3)}
        )


class Summary(FileModel):
    """Counts over the events: all of them, by kind, by verdict name, and those flagged."""

    events: int
    by_kind: dict[str, int]
    by_verdict: dict[str, int]
    flagged: int

    @classmethod
    def of(cls, events: Iterable[JudgedEvent]) -> Summary:
        events = list(events)
        by_kind = Counter(je.event.kind for je in events)
        by_verdict = Counter(v.name for je in events for v in je.verdicts)
        return cls(
            events=len(events),
            by_kind=dict(sorted(by_kind.items())),
            by_verdict=dict(sorted(by_verdict.items())),
            flagged=sum(1 for je in events if je.flagged_at is not None),
        )


class Asked(FileModel):
    """What a step asked for: its instruction, and a target in ``unit`` (null: done only when skipped on)."""

    instruction: str
    target: int | float | None
    unit: str = Field(description="strokes, circles, passes, presses, holds or s (seconds).")


class StepRecord(FileModel):
    """One attempt at one routine step (:meth:`vision.judging.session.StepProgress.to_dict`)."""

    step_id: str
    title: str
    technique: str
    attempt: int = Field(ge=1, description="1 for the first attempt, 2 after one repeat, ...")
    asked: Asked
    done: int | float = Field(description="How much was done, in the asked unit.")
    complete: bool
    flags: dict[str, int] = Field(description="Verdict name -> count, flags only (no ok).")
    events: int
    ok_events: int
    score: int | None = Field(description="0..100; null for an instruction step.")
    started_s: float | None
    ended_s: float | None = Field(description="Null while it is the current step.")
    cut_short: bool | None = Field(
        default=None,
        description="Left unfinished because the giver's movements had become a later step's (written only then).",
    )
    moved_on_to: str | None = Field(default=None, description="Cut short: the step moved on to.")
    note: str | None = Field(
        default=None,
        description='Cut short: what happened, in words ("Petrissage was cut short: 2 of 4 s done; moved on to ...").',
    )

    omit_if_none = frozenset({"cut_short", "moved_on_to", "note"})


class StepComparisonRecord(FileModel):
    """One step of a comparison with the teacher's reference (:class:`vision.judging.compare.StepComparison`).
    Similarities of the parts 0..1, null where they do not apply (reach: strokes only)."""

    step_id: str
    title: str
    technique: str
    similarity: int | None = Field(description="0-100; null when neither did anything this step asks for.")
    events: int = Field(description="The student's events this step asks for.")
    reference_events: int
    matched: int = Field(description="Student events matched to a teacher event of the same step and lane.")
    shape: float | None = Field(description="Path shape (dynamic time warping of (u, v) over normalised time).")
    tempo: float | None
    reach: float | None
    coverage: float | None = Field(description="Share of the grid cells the teacher worked that the student did.")
    speed_ratio: float | None = Field(description="Student / teacher, median over the matched events.")
    duration_ratio: float | None
    reach_u: float | None = Field(description="The student's strokes' median furthest u (1: the shoulders).")
    reference_reach_u: float | None
    lanes: list[str]
    reference_lanes: list[str]
    missed_cells: list[tuple[int, int]] = Field(
        description="[u band, v column] of a 5 x 4 grid of the back that the teacher worked and the student did not."
    )
    feedback: list[str]


class ComparisonRecord(FileModel):
    """A run compared with a teacher's reference run of the same routine (:mod:`vision.judging.compare`)."""

    reference: str | None = Field(description="The reference: a recording's folder or a clip.")
    similarity: int | None = Field(description="0-100 over the steps the teacher did, the order counting too.")
    same_order: bool
    order: list[str] = Field(description="The step ids in the order the student did them.")
    reference_order: list[str]
    feedback: list[str] = Field(description="What differs, in plain words.")
    steps: list[StepComparisonRecord]


class Report(FileModel):
    """report.json: what a judging of a clip or a recording found."""

    video: str = Field(description="The clip, or the recording's folder, that was judged.")
    fps: float
    frame_size: tuple[PositiveInt, PositiveInt] | tuple[()] = Field(
        description="[width, height] in pixels; [] when unknown (a landmarks file re-judged without its video)."
    )
    duration_s: float
    routine: str | None
    step: str | None = Field(description="The step the whole clip was judged against; null when following the routine.")
    calibration: Corners
    warnings: list[str]
    events: list[EventRecord]
    unsure: list[UnsureRecord] = Field(
        default_factory=list, description="When the hands were not seen well enough to judge (no flags then)."
    )
    summary: Summary
    steps: list[StepRecord] | None = Field(default=None, description="Following the routine only.")
    score: int | None = Field(
        default=None, description="The routine's score, following the routine only (null: no judged step was visited)."
    )
    routine_finished: bool | None = Field(default=None, description="Following the routine only.")
    rejudged: bool | None = Field(default=None, description="A recording re-judged from its landmarks only.")
    time_origin_s: float | None = Field(
        default=None, description="A re-judged recording only: when its video starts on the session's clock (s)."
    )
    comparison: ComparisonRecord | None = Field(
        default=None, description="Compared with a teacher's reference recording only."
    )

    omit_if_none = frozenset({"rejudged", "time_origin_s", "comparison"})
    expected = {"frame_size": "[width, height] in pixels (two whole numbers above 0), or [] when unknown"}

    def _left_out(self) -> set[str]:
        out = super()._left_out()
        if self.steps is None:  # not following the routine: no steps, and so no score either (not even null)
            out |= {"steps", "score", "routine_finished"}
        return out

    @property
    def cut_short(self) -> list[str]:
        """The notes of the steps cut short because the giver had moved on (none unless following)."""
        return [s.note or f"{s.title} was cut short" for s in self.steps or [] if s.cut_short]

    @property
    def following(self) -> bool:
        """Whether the clip followed the routine step by step (then it has ``steps`` and a ``score``)."""
        return self.steps is not None

    def to_json(self) -> str:
        """report.json's text."""
        return json.dumps(self.model_dump(), indent=1)


def event_dict(je: JudgedEvent) -> dict:
    """An event as report.json (and events.jsonl) hold it: plain JSON values."""
    return EventRecord.from_judged(je).model_dump(mode="json")


def build_report(
    events: list[JudgedEvent],
    *,
    video: str,
    fps: float,
    frame_size: tuple[int, int] | tuple[()],
    duration_s: float,
    routine: str | None,
    step: str | None,
    calibration: dict | Corners,
    warnings: Iterable[str] = (),
    steps: Iterable[dict | StepRecord] | None = None,
    score: int | None = None,
    routine_finished: bool | None = None,
    rejudged: bool | None = None,
    time_origin_s: float | None = None,
    unsure: Iterable[UnsureSpan] = (),
) -> Report:
    """The report of judged events. steps, score, routine_finished: when following the routine (steps as
    :meth:`StepProgress.to_dict`); rejudged, time_origin_s: for a re-judged recording."""
    events = sorted(events, key=lambda je: (je.event.t_start, je.hand))
    return Report.model_validate(
        {
            "video": video,
            "fps": round(fps, 3),
            "frame_size": tuple(frame_size),
            "duration_s": round(duration_s, 3),
            "routine": routine,
            "step": step,
            "calibration": calibration,
            "warnings": list(warnings),
            "events": [EventRecord.from_judged(je) for je in events],
            "unsure": [UnsureRecord.from_span(sp) for sp in sorted(unsure, key=lambda sp: sp.t_start)],
            "summary": Summary.of(events),
            "steps": None if steps is None else list(steps),
            "score": score,
            "routine_finished": routine_finished,
            "rejudged": rejudged,
            "time_origin_s": time_origin_s,
        }
    )


def write_report(report: Report, out_dir: Path) -> tuple[Path, Path]:
    """Write ``report.json`` and ``strokes.csv`` (one row per event) into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    jpath = out_dir / "report.json"
    jpath.write_text(report.to_json())
    cpath = out_dir / "strokes.csv"
    with cpath.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(CSV_COLUMNS)
        for e in report.events:
            w.writerow(
                [
                    e.kind,
                    e.hand,
                    e.t_start,
                    e.t_end,
                    e.duration_s,
                    e.direction or "",
                    e.lane,
                    e.distance,
                    e.speed,
                    "" if e.count is None else e.count,
                    "" if e.flagged_at is None else e.flagged_at,
                    ";".join(v.name for v in e.verdicts),
                    " | ".join(v.message for v in e.verdicts if v.name != "ok"),
                ]
            )
    return jpath, cpath


def read_report(path: str | Path) -> Report:
    """Read a report.json back. Raises ReportError (one line: the file, the field, expected, found)."""
    path = Path(path)
    again = "write it again with `stroke-coach analyze` (or rejudge)"
    data = read_json(path, ReportError, what="report", fix=f"the report is damaged: {again}")
    if not isinstance(data, dict):
        raise ReportError(f"{path}: expected a JSON object (a report), found {type(data).__name__}; {again}")
    try:
        return Report.model_validate(data)
    except ValidationError as e:
        raise ReportError(
            f"{path}: {describe(e, data, Report)}; the report is damaged or was edited: {again}"
        ) from None

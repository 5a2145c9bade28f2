"""The events file (``events.jsonl``) of a recording: one JSON object per line, each with a ``"type"``.

- ``{"type": "step", "t": s, "frame": i, "step": id}``: the step judged from
  frame ``i`` on (the first line names the starting step);
- ``{"type": "event", "frame": i, "step": id, **event_dict(je)}``: an event
  judged (``frame``: the frame whose result returned it, null for the events
  finished at stop); ``step``: the step in force at the event's middle, which
  is the step the pipeline judged it against; the other fields are the
  report's (:func:`vision.files.report.event_dict`);
- ``{"type": "flag", "t": s, "frame": i, "hand": h, "verdict": name,
  "message": text, "step": id}``: a flag raised on the picture;
- ``{"type": "moved_on", "t": s, "frame": i, "from": id, "skipped": [id, ...],
  "to": id, "since": s, "note": text}``: at frame ``i`` the routine found the
  giver had moved on to step ``to`` at ``since`` s, leaving ``from`` cut short
  (:class:`vision.core.types.MoveOn`), and judged the events since then again:
- ``{"type": "rejudged", "frame": i, "step": id, **event_dict(je)}``: an event
  written before (an ``event`` line with the same kind, hand and times) as it
  was judged again, against step ``to``. :func:`final_events` gives the events
  as they stand at the end, what re-judging the recording gives.

:func:`read_events` reads them back checked, as :class:`StepLine`,
:class:`EventLine`, :class:`FlagLine`, :class:`MovedOnLine` and
:class:`RejudgedLine` (their JSON Schema, one line:
``docs/schemas/events.schema.json``); a damaged line is a one-line
:class:`~vision.files.jsonl.RecordingError` naming the line and the field.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, RootModel, ValidationError

from vision.core.types import Flag, JudgedEvent, MoveOn, VerdictName
from vision.files.jsonfile import FileModel, describe
from vision.files.jsonl import RecordingError, read_lines
from vision.files.report import EventRecord, event_dict

EVENTS_FILE = "events.jsonl"

_FIX = "delete that line, or record the session again (its landmarks.jsonl re-judges it without this file)"


class StepLine(FileModel):
    """The step judged from ``frame`` on (the first line names the starting step)."""

    type: Literal["step"]
    t: float = Field(description="Seconds, on the session's clock.")
    frame: int = Field(ge=0)
    step: str | None = Field(description="The step's id.")


class EventLine(EventRecord):
    """An event judged: the report's fields (:class:`~vision.files.report.EventRecord`), its frame and step."""

    type: Literal["event"]
    frame: int | None = Field(ge=0, description="The frame whose result returned it; null for those at stop.")
    step: str | None = Field(description="The step in force at the event's middle: the one it was judged against.")


class FlagLine(FileModel):
    """A flag raised on the picture."""

    type: Literal["flag"]
    t: float = Field(description="Seconds, on the session's clock.")
    frame: int | None = Field(ge=0)
    hand: int = Field(ge=1, description="The giver's hand: 1, 2, ...")
    verdict: VerdictName
    message: str
    step: str | None


class MovedOnLine(FileModel):
    """The routine found the giver had moved on to a later step (:class:`vision.core.types.MoveOn`)."""

    type: Literal["moved_on"]
    t: float = Field(description="Seconds, on the session's clock: when it was found.")
    frame: int | None = Field(ge=0)
    cut_short: str = Field(alias="from", description="The step left unfinished.")
    skipped: list[str] = Field(description="The steps between, not done at all.")
    to: str = Field(description="The step moved on to.")
    since: float = Field(description="Seconds: when the movements became that step's.")
    note: str


class RejudgedLine(EventRecord):
    """An event written before (an ``event`` line with the same kind, hand and times), judged again."""

    type: Literal["rejudged"]
    frame: int | None = Field(ge=0)
    step: str = Field(description="The step it was judged again against.")


Line = StepLine | EventLine | FlagLine | MovedOnLine | RejudgedLine


class EventsLine(RootModel[Annotated[Line, Field(discriminator="type")]]):
    """One line of events.jsonl, by its ``type`` (for the JSON Schema)."""


# a line is checked against the model its "type" names (not the union: its "step" tag is also a field's name,
# and a message must name the field)
_MODELS: dict[str, type[Line]] = {
    "step": StepLine,
    "event": EventLine,
    "flag": FlagLine,
    "moved_on": MovedOnLine,
    "rejudged": RejudgedLine,
}


def step_line(t_s: float, frame: int, step_id: str | None) -> dict:
    return {"type": "step", "t": round(t_s, 4), "frame": frame, "step": step_id}


def event_line(je: JudgedEvent, frame: int | None, step_id: str | None) -> dict:
    return {"type": "event", "frame": frame, "step": step_id, **event_dict(je)}


def flag_line(flag: Flag, frame: int | None, step_id: str | None) -> dict:
    return {
        "type": "flag",
        "t": round(flag.t_s, 4),
        "frame": frame,
        "hand": flag.hand,
        "verdict": flag.verdict.name,
        "message": flag.verdict.message,
        "step": step_id,
    }


def moved_on_line(move: MoveOn, frame: int | None) -> dict:
    return {
        "type": "moved_on",
        "t": round(move.at_s, 4),
        "frame": frame,
        "from": move.cut_short,
        "skipped": list(move.skipped),
        "to": move.to,
        "since": round(move.since_s, 4),
        "note": move.note,
    }


def rejudged_line(je: JudgedEvent, frame: int | None, step_id: str) -> dict:
    return {"type": "rejudged", "frame": frame, "step": step_id, **event_dict(je)}


def _same_event(d: EventRecord) -> tuple:
    return (d.kind, d.hand, d.t_start, d.t_end)


def final_events(lines: list[Line]) -> list[EventLine]:
    """The ``event`` lines as they stand at the end: each one judged again (a later ``rejudged`` line of
    the same event) replaced by its last judging, typed ``event`` still."""
    last = {_same_event(d): d for d in lines if isinstance(d, RejudgedLine)}
    out = []
    for d in lines:
        if isinstance(d, EventLine):
            again = last.get(_same_event(d))
            out.append(d if again is None else EventLine.model_validate({**again.model_dump(), "type": "event"}))
    return out


def dumps(line: dict) -> str:
    return json.dumps(line, separators=(",", ":"))


def read_events(path: str | Path) -> list[Line]:
    """The lines of an events.jsonl, checked; a truncated last line is ignored.

    Raises RecordingError for a damaged line: the line, the field, what was
    expected and found, what to do.
    """
    path = Path(path)
    out = []
    for n, line in read_lines(path):
        try:
            data = json.loads(line)
        except (ValueError, RecursionError) as e:
            why = (
                f"invalid JSON at column {e.colno}: {e.msg}" if isinstance(e, json.JSONDecodeError) else "invalid JSON"
            )
            raise RecordingError(f"{path}: line {n} is damaged: {why}; {_FIX}") from None
        kind = data.get("type") if isinstance(data, dict) else None
        model = _MODELS.get(kind) if isinstance(kind, str) else None
        if model is None:
            raise RecordingError(
                f'{path}: line {n} is damaged: expected an object with a "type" ("step", "event", "flag", "moved_on" or "rejudged"), '
                f"found {json.dumps(data)[:40]}; {_FIX}"
            )
        try:
            out.append(model.model_validate(data))
        except ValidationError as e:
            raise RecordingError(f"{path}: line {n} is damaged: {describe(e, data, model)}; {_FIX}") from None
    return out

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
"""

from __future__ import annotations

import json
from pathlib import Path

from vision.core.types import Flag, JudgedEvent, MoveOn
from vision.files.jsonl import RecordingError, read_lines
from vision.files.report import event_dict

EVENTS_FILE = "events.jsonl"


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


def _same_event(d: dict) -> tuple:
    return (d["kind"], d["hand"], d["t_start"], d["t_end"])


def final_events(lines: list[dict]) -> list[dict]:
    """The ``event`` lines as they stand at the end: each one judged again (a later ``rejudged`` line of
    the same event) replaced by its last judging, typed ``event`` still."""
    last = {_same_event(d): d for d in lines if d["type"] == "rejudged"}
    return [
        {**last[_same_event(d)], "type": "event"} if _same_event(d) in last else d
        for d in lines
        if d["type"] == "event"
    ]


def dumps(line: dict) -> str:
    return json.dumps(line, separators=(",", ":"))


def read_events(path: str | Path) -> list[dict]:
    """The lines of an events.jsonl as dicts (each with a "type"); a truncated last line is ignored."""
    path = Path(path)
    out = []
    for n, line in read_lines(path):
        try:
            d = json.loads(line)
        except ValueError as e:
            raise RecordingError(f"{path}: line {n} is damaged ({e}); expected one JSON object per line") from None
        if not isinstance(d, dict) or "type" not in d:
            raise RecordingError(f'{path}: line {n}: expected an object with a "type", got {line[:40]!r}')
        out.append(d)
    return out

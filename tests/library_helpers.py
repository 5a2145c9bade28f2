"""Recording folders made in a test, quickly: a session.json and an events.jsonl, no video or landmarks."""
from __future__ import annotations

import json
from pathlib import Path

from vision.files.events import dumps
from vision.files.session import FORMAT, FORMAT_VERSION, SESSION_FILE, SessionInfo, write_session

CORNERS = {"base_left": [100, 400], "base_right": [500, 400], "top_right": [450, 80], "top_left": [150, 80]}


def event_line(verdict: str = "ok", lane: str = "left", t: float = 1.0, duration_s: float = 1.5) -> dict:
    flagged = None if verdict == "ok" else t + 0.5
    return {"type": "event", "frame": 10, "step": "effleurage", "kind": "stroke", "hand": 1, "t_start": t,
            "t_end": t + duration_s, "duration_s": duration_s, "direction": "up", "lane": lane, "distance": 0.6,
            "speed": 0.4, "start_uv": [0.1, -0.3], "end_uv": [0.7, -0.3], "flagged_at": flagged,
            "verdicts": [{"name": verdict, "message": "fine" if verdict == "ok" else "a flag"}]}


def make_recording(root: Path, name: str, *, person: str | None = "Ada", routine: str = "swedish",
                   started_at: str = "2026-11-30T10:00:00+01:00", score: int | None = 72,
                   steps: dict[str, int | None] | None = None, events: list[dict] | None = None,
                   duration_s: float = 95.0, complete: bool = True, sensitivity: str = "standard") -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    steps = {"effleurage": score, "petrissage": None} if steps is None else steps
    info = {"format": FORMAT, "version": FORMAT_VERSION, "status": "complete" if complete else "recording",
            "routine": routine, "step": "effleurage", "calibration": CORNERS, "frame_size": [640, 480],
            "started_at": started_at, "person": person, "settings": {"sensitivity": sensitivity}}
    if complete:
        info |= {"frames": 100, "video_frames": 100, "dropped_frames": 0, "fps": 30.0, "duration_s": duration_s,
                 "ended_at": started_at, "errors": [],
                 "extra": {"score": score, "judging_version": 1,
                           "steps": [{"step_id": k, "attempt": 1, "score": v} for k, v in steps.items()]}}
    write_session(folder / SESSION_FILE, SessionInfo.model_validate(info))
    lines = [{"type": "step", "t": 0.0, "frame": 0, "step": "effleurage"}]
    lines += events if events is not None else [event_line(), event_line("wrong_direction", "right", t=3.0)]
    (folder / "events.jsonl").write_text("".join(dumps(d) + "\n" for d in lines))
    return folder


def read_json(path: Path) -> dict:
    return json.loads(path.read_text())

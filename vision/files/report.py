"""Reports: the judged events of a session as JSON and CSV."""
from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

from vision.core.types import JudgedEvent

CSV_COLUMNS = ("kind", "hand", "t_start", "t_end", "duration_s", "direction", "lane", "distance", "speed",
               "count", "flagged_at", "verdicts", "messages")


def event_dict(je: JudgedEvent) -> dict:
    ev = je.event
    d = {
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
    return d


def summary(events: list[JudgedEvent]) -> dict:
    by_kind = Counter(je.event.kind for je in events)
    by_verdict = Counter(v.name for je in events for v in je.verdicts)
    return {"events": len(events), "by_kind": dict(sorted(by_kind.items())),
            "by_verdict": dict(sorted(by_verdict.items())),
            "flagged": sum(1 for je in events if je.flagged_at is not None)}


def build_report(events: list[JudgedEvent], *, video: str, fps: float, frame_size: tuple[int, int],
                 duration_s: float, routine: str | None, step: str, calibration: dict,
                 warnings: list[str] = ()) -> dict:
    events = sorted(events, key=lambda je: (je.event.t_start, je.hand))
    return {
        "video": video,
        "fps": round(fps, 3),
        "frame_size": list(frame_size),
        "duration_s": round(duration_s, 3),
        "routine": routine,
        "step": step,
        "calibration": calibration,
        "warnings": list(warnings),
        "events": [event_dict(je) for je in events],
        "summary": summary(events),
    }


def write_report(report: dict, out_dir: Path) -> tuple[Path, Path]:
    """Write ``report.json`` and ``strokes.csv`` (one row per event) into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    jpath = out_dir / "report.json"
    jpath.write_text(json.dumps(report, indent=1))
    cpath = out_dir / "strokes.csv"
    with cpath.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(CSV_COLUMNS)
        for e in report["events"]:
            w.writerow([e["kind"], e["hand"], e["t_start"], e["t_end"], e["duration_s"], e["direction"] or "",
                        e["lane"], e["distance"], e["speed"], e.get("count", ""),
                        "" if e["flagged_at"] is None else e["flagged_at"],
                        ";".join(v["name"] for v in e["verdicts"]),
                        " | ".join(v["message"] for v in e["verdicts"] if v["name"] != "ok")])
    return jpath, cpath

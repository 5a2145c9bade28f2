"""A student's and a class's progress, as tables (pandas) for the History page: no drawing here.

Every function reads the library once (:func:`sessions`) or works on that
table, so that the page's charts are pure functions of one query. Times are
shown in the machine's time zone; the library keeps UTC. A recording counts by
its live analysis (the judging made while it was recorded).
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import select

from vision.library.db import Library
from vision.library.index import utc_naive
from vision.library.models import Analysis, Class, Person, RecordingRow

__all__ = [
    "CLASS_COLUMNS",
    "class_csv",
    "class_members",
    "class_table",
    "coverage",
    "flags_over_time",
    "minutes_per_week",
    "scores_over_time",
    "sessions",
    "students",
]

SESSION_COLUMNS = [
    "recording", "folder", "person", "started_at", "routine", "minutes", "status", "score", "events", "flagged",
    "sensitivity", "verdict_counts", "step_scores", "lane_s",
]  # fmt: skip
CLASS_COLUMNS = [
    "student", "sessions this week", "sessions", "last score", "best score", "trend", "most frequent flag",
    "last session",
]  # fmt: skip
WHOLE_ROUTINE = "(whole routine)"


def _local(t: datetime | None) -> pd.Timestamp | None:
    t = utc_naive(t)
    return None if t is None else pd.Timestamp(t, tz="UTC").tz_convert(datetime.now().astimezone().tzinfo)


def students(lib: Library) -> list[str]:
    """Everyone who has a recording or is a student, by name."""
    with lib.transaction() as s:
        with_recordings = set(s.scalars(select(Person.name).join(RecordingRow)))
        listed = set(s.scalars(select(Person.name).where(Person.role == "student")))
    return sorted(with_recordings | listed, key=str.casefold)


def sessions(lib: Library, people: list[str] | None = None) -> pd.DataFrame:
    """One row per recording (of ``people``, default everyone's), oldest first: see SESSION_COLUMNS.
    Recordings gone from disk still count; ``score`` is the live analysis's (None: no judged step)."""
    rows = []
    with lib.transaction() as s:
        q = select(RecordingRow, Person.name).outerjoin(Person).order_by(RecordingRow.started_at)
        if people is not None:
            q = q.where(Person.name.in_(people))
        for rec, name in s.execute(q):
            live = next((a for a in rec.analyses if a.source == "live"), None) or Analysis(
                score=None, events=0, flagged=0, sensitivity="standard", verdict_counts={}, step_scores={}, lane_s={}
            )
            rows.append(
                {
                    "recording": rec.name,
                    "folder": rec.folder,
                    "person": name,
                    "started_at": _local(rec.started_at),
                    "routine": rec.routine,
                    "minutes": round((rec.duration_s or 0.0) / 60.0, 2),
                    "status": rec.status,
                    "score": live.score,
                    "events": live.events,
                    "flagged": live.flagged,
                    "sensitivity": live.sensitivity,
                    "verdict_counts": dict(live.verdict_counts),
                    "step_scores": dict(live.step_scores),
                    "lane_s": dict(live.lane_s),
                }
            )
    df = pd.DataFrame(rows, columns=SESSION_COLUMNS)
    df["score"] = df["score"].astype("Int64")
    return df


def scores_over_time(df: pd.DataFrame) -> pd.DataFrame:
    """Long table (started_at, routine, step, score): each session's routine score (step WHOLE_ROUTINE) and each
    step's; sessions and steps with no score are left out."""
    rows = []
    for r in df.itertuples():
        if pd.notna(r.score):
            rows.append(
                {"started_at": r.started_at, "routine": r.routine, "step": WHOLE_ROUTINE, "score": int(r.score)}
            )
        for step, score in r.step_scores.items():
            if score is not None:
                rows.append({"started_at": r.started_at, "routine": r.routine, "step": step, "score": score})
    return pd.DataFrame(rows, columns=["started_at", "routine", "step", "score"])


def flags_over_time(df: pd.DataFrame) -> pd.DataFrame:
    """Long table (started_at, flag, count): each session's flags by kind (``ok`` left out)."""
    rows = [
        {"started_at": r.started_at, "flag": name, "count": n}
        for r in df.itertuples()
        for name, n in r.verdict_counts.items()
        if name != "ok" and n
    ]
    return pd.DataFrame(rows, columns=["started_at", "flag", "count"])


def _week(t: pd.Timestamp) -> pd.Timestamp:
    """The Monday the week of ``t`` begins with, at midnight (local)."""
    return (t - pd.Timedelta(days=t.weekday())).normalize()


def minutes_per_week(df: pd.DataFrame) -> pd.DataFrame:
    """(week (its Monday), minutes), the weeks with practice only."""
    timed = df[df["started_at"].notna()]
    if timed.empty:
        return pd.DataFrame(columns=["week", "minutes"])
    out = timed.assign(week=timed["started_at"].map(_week)).groupby("week", as_index=False)["minutes"].sum()
    return out.assign(minutes=out["minutes"].round(1))


def coverage(df: pd.DataFrame) -> pd.DataFrame:
    """(lane, seconds): how long the hands' events were mostly in each lane, summed over the sessions."""
    total: dict[str, float] = {}
    for lanes in df["lane_s"]:
        for lane, sec in lanes.items():
            total[lane] = total.get(lane, 0.0) + sec
    return pd.DataFrame(sorted(total.items()), columns=["lane", "seconds"])


def _trend(scores: list[int]) -> int | None:
    """Mean of the later half of the last (up to) six scores minus the earlier half's: + improving."""
    last = scores[-6:]
    if len(last) < 2:
        return None
    half = len(last) // 2
    return round(sum(last[half:]) / len(last[half:]) - sum(last[:half]) / half)


def _most_frequent_flag(counts: list[dict]) -> str | None:
    total: dict[str, int] = {}
    for c in counts:
        for name, n in c.items():
            if name != "ok":
                total[name] = total.get(name, 0) + n
    return max(sorted(total), key=lambda k: total[k]) if total else None


def class_members(lib: Library, class_name: str | None) -> list[str]:
    """The students of a class, or every student (None)."""
    if class_name is None:
        return students(lib)
    with lib.transaction() as s:
        c = s.scalar(select(Class).where(Class.name == class_name))
        return sorted((p.name for p in c.members), key=str.casefold) if c is not None else []


def class_table(lib: Library, class_name: str | None = None, now: datetime | None = None) -> pd.DataFrame:
    """One row per student of the class (every student: None): see CLASS_COLUMNS. "This week": since Monday."""
    members = class_members(lib, class_name)
    df = sessions(lib, members)
    now_local = pd.Timestamp(now or datetime.now().astimezone())
    if now_local.tzinfo is None:
        now_local = now_local.tz_localize(datetime.now().astimezone().tzinfo)
    monday = _week(now_local)
    rows = []
    for name in members:
        mine = df[df["person"] == name]
        scores = [int(x) for x in mine["score"] if pd.notna(x)]
        started = mine["started_at"].dropna()
        rows.append(
            {
                "student": name,
                "sessions this week": int((started >= monday).sum()),
                "sessions": len(mine),
                "last score": scores[-1] if scores else None,
                "best score": max(scores) if scores else None,
                "trend": _trend(scores),
                "most frequent flag": _most_frequent_flag(list(mine["verdict_counts"])),
                "last session": started.iloc[-1] if len(started) else None,
            }
        )
    out = pd.DataFrame(rows, columns=CLASS_COLUMNS)
    for col in ("last score", "best score", "trend"):
        out[col] = out[col].astype("Int64")
    return out


def class_csv(table: pd.DataFrame) -> str:
    """The class table as CSV for a spreadsheet (times in ISO 8601)."""
    return table.assign(
        **{"last session": table["last session"].map(lambda t: "" if t is None or pd.isna(t) else t.isoformat())}
    ).to_csv(index=False)

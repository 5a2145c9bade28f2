"""Scoring an analysis against a clip's labels (the samples' ground truth, or
a teacher's own labels in the same format).

Strokes are matched one to one, same hand, when they overlap in time by an
IoU of at least 0.5. Stretches the labels mark ``"scored": false`` (a hand
lifting in or out of view) are neither rewarded nor punished.

An analysed frame is matched to the labels' frame by its time, not by its
place in the file: a clip whose camera dropped frames (the labels'
``frames_dropped``) has fewer frames than its labels, each at its own time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vision.core.backframe import Calibration, Homography
from vision.core.hands import CONTACT_LANDMARKS


def _f1(matched: int, found: int, true: int) -> float:
    """F1 of a one-to-one matching; an empty side counts as perfect on its own axis."""
    p = matched / found if found else 1.0
    r = matched / true if true else 1.0
    return 2 * p * r / (p + r) if p + r else 0.0


def _iou(a0, a1, b0, b1) -> float:
    inter = max(0.0, min(a1, b1) - max(a0, b0))
    union = max(a1, b1) - min(a0, b0)
    return inter / union if union > 0 else 0.0


@dataclass
class ClipScore:
    clip: str
    true_strokes: int = 0
    detected_strokes: int = 0
    matched: int = 0
    direction_ok: int = 0
    expected_flags: int = 0  # label strokes that should be flagged (any verdict but ok)
    caught_flags: int = 0  # ... and were, with the right verdict
    false_flags: int = 0  # strokes flagged that should not be (matched ok strokes, or false strokes)
    flags_raised: int = 0
    late_flags: int = 0  # wrong-direction flags raised only after the stroke ended
    contact_errors: list[float] = field(default_factory=list)  # fraction of the back's width, per frame
    non_stroke_false: int = 0  # strokes reported during holds, circles or cross-fibre passes
    unmatched_detail: list[str] = field(default_factory=list)
    # every kind of event (strokes, holds, circles, cross-fibre passes), matched by kind
    true_events: int = 0
    found_events: int = 0
    matched_events: int = 0
    verdicts_right: int = 0  # matched events whose non-ok verdicts are exactly the expected ones
    hold_errors_s: list[float] = field(default_factory=list)  # |found - true| hold durations
    count_errors: list[int] = field(default_factory=list)  # |found - true| circles or passes

    @property
    def event_f1(self) -> float:
        return _f1(self.matched_events, self.found_events, self.true_events)

    @property
    def precision(self) -> float:
        return self.matched / self.detected_strokes if self.detected_strokes else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.true_strokes if self.true_strokes else 1.0

    @property
    def f1(self) -> float:
        return _f1(self.matched, self.detected_strokes, self.true_strokes)

    @property
    def direction_accuracy(self) -> float:
        return self.direction_ok / self.matched if self.matched else 1.0

    @property
    def contact_error_median(self) -> float:
        return float(np.median(self.contact_errors)) if self.contact_errors else float("nan")

    def row(self) -> dict:
        return {
            "clip": self.clip,
            "true": self.true_strokes,
            "found": self.detected_strokes,
            "matched": self.matched,
            "F1": round(self.f1, 3),
            "direction": round(self.direction_accuracy, 3),
            "flags_expected": self.expected_flags,
            "flags_caught": self.caught_flags,
            "false_flags": self.false_flags,
            "late_flags": self.late_flags,
            "contact_err": round(self.contact_error_median, 4),
        }


def load_landmarks(path: Path) -> list[dict]:
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def label_frame(frame: dict, fps: float) -> int:
    """The labels' frame an analysed frame (a landmarks line) shows: the one at its time on the 1/fps grid.

    Not its number in the file, which runs on past a dropped frame."""
    return int(round(frame["t"] * fps))


def _hand_map(labels: dict, frames: list[dict], contact: str) -> dict[int, str]:
    """Which label hand each giver hand id is, by nearest mean position over the frames both are seen."""
    ids = list(CONTACT_LANDMARKS[contact])
    dist: dict[tuple[int, str], list[float]] = {}
    for fr in frames:
        i = label_frame(fr, labels["fps"])
        for h in fr["hands"]:
            if h.get("hand") is None:
                continue
            c = np.asarray(h["landmarks"])[ids].mean(axis=0)
            for name, lh in labels["hands"].items():
                if i < len(lh["path"]) and lh["path"][i][5]:
                    d = float(np.hypot(c[0] - lh["path"][i][1], c[1] - lh["path"][i][2]))
                    dist.setdefault((h["hand"], name), []).append(d)
    best: dict[int, str] = {}
    for hand in sorted({k[0] for k in dist}):
        options = {name: np.median(v) for (hh, name), v in dist.items() if hh == hand}
        best[hand] = min(options, key=options.__getitem__)
    return best


def score_clip(labels: dict, report: dict, frames: list[dict], contact: str = "palm") -> ClipScore:
    sc = ClipScore(labels["clip"])
    hand_of = _hand_map(labels, frames, contact)
    # contact-point error, per frame and labelled hand, as a fraction of the back's width
    hom = Homography.from_calibration(Calibration.from_dict(labels["calibration"]))
    width = hom.back_width_px(0.5)
    ids = list(CONTACT_LANDMARKS[contact])
    for fr in frames:
        i = label_frame(fr, labels["fps"])
        for h in fr["hands"]:
            name = hand_of.get(h.get("hand"))
            if name is None:
                continue
            row = labels["hands"][name]["path"][i] if i < len(labels["hands"][name]["path"]) else None
            if row and row[5]:
                c = np.asarray(h["landmarks"])[ids].mean(axis=0)
                sc.contact_errors.append(float(np.hypot(c[0] - row[1], c[1] - row[2])) / width)

    truth = [e for e in labels["events"] if e["kind"] == "stroke" and e["scored"]]
    ignore = [e for e in labels["events"] if not e["scored"]]
    non_strokes = [e for e in labels["events"] if e["kind"] != "stroke" and e["scored"]]
    found = [e for e in report["events"] if e["kind"] == "stroke"]
    sc.true_strokes = len(truth)

    def same_hand(d, t) -> bool:
        return hand_of.get(d["hand"]) == t["hand"]

    def ignored(d) -> bool:
        dur = max(d["t_end"] - d["t_start"], 1e-6)
        cover = sum(
            max(0.0, min(d["t_end"], e["t_end"]) - max(d["t_start"], e["t_start"])) for e in ignore if same_hand(d, e)
        )
        return cover / dur >= 0.5

    found = [d for d in found if not ignored(d)]
    sc.detected_strokes = len(found)
    pairs = sorted(
        (
            (_iou(d["t_start"], d["t_end"], t["t_start"], t["t_end"]), i, j)
            for i, d in enumerate(found)
            for j, t in enumerate(truth)
            if same_hand(d, t)
        ),
        reverse=True,
    )
    match: dict[int, int] = {}
    used_t: set[int] = set()
    for iou, i, j in pairs:
        if iou < 0.5:
            break
        if i in match or j in used_t:
            continue
        match[i] = j
        used_t.add(j)
    sc.matched = len(match)
    for j, t in enumerate(truth):
        if any(v != "ok" for v in t["verdicts"]):
            sc.expected_flags += 1
        if j not in used_t:
            sc.unmatched_detail.append(f"missed {t['hand']} {t['direction']} {t['t_start']}-{t['t_end']}")
    for i, d in enumerate(found):
        names = {v["name"] for v in d["verdicts"]} - {"ok"}
        if names:
            sc.flags_raised += 1
        if i not in match:
            sc.unmatched_detail.append(
                f"extra {d['hand']} {d['direction']} {d['t_start']}-{d['t_end']} {sorted(names)}"
            )
            if names:
                sc.false_flags += 1
            if any(
                same_hand(d, e) and _iou(d["t_start"], d["t_end"], e["t_start"], e["t_end"]) > 0.2 for e in non_strokes
            ):
                sc.non_stroke_false += 1
            continue
        t = truth[match[i]]
        sc.direction_ok += d["direction"] == t["direction"]
        expected = set(t["verdicts"]) - {"ok"}
        if names and not expected:
            sc.false_flags += 1
        if expected and expected <= names:
            sc.caught_flags += 1
            if "wrong_direction" in expected and (d["flagged_at"] is None or d["flagged_at"] > d["t_end"] - 1e-6):
                sc.late_flags += 1
    _score_all_kinds(sc, labels, report, same_hand, ignored)
    return sc


def _score_all_kinds(sc: ClipScore, labels: dict, report: dict, same_hand, ignored) -> None:
    """Match events of every kind (same kind, same hand, IoU >= 0.5) and check their verdicts and measures."""
    truth = [e for e in labels["events"] if e["scored"]]
    found = [d for d in report["events"] if not ignored(d)]
    # holds are only events from a second on; a labelled rest under that is not one
    truth = [e for e in truth if e["kind"] != "hold" or e["t_end"] - e["t_start"] >= 1.0]
    sc.true_events, sc.found_events = len(truth), len(found)
    pairs = sorted(
        (
            (_iou(d["t_start"], d["t_end"], t["t_start"], t["t_end"]), i, j)
            for i, d in enumerate(found)
            for j, t in enumerate(truth)
            if d["kind"] == t["kind"] and same_hand(d, t)
        ),
        reverse=True,
    )
    used_d: set[int] = set()
    used_t: set[int] = set()
    for iou, i, j in pairs:
        if iou < 0.5:
            break
        if i in used_d or j in used_t:
            continue
        used_d.add(i)
        used_t.add(j)
        d, t = found[i], truth[j]
        sc.matched_events += 1
        expected = set(t.get("verdicts", ["ok"])) - {"ok"}
        got = {v["name"] for v in d["verdicts"]} - {"ok"}
        sc.verdicts_right += expected == got
        if expected != got:
            sc.unmatched_detail.append(
                f"verdicts {t['hand']} {t['kind']} {t['t_start']}-{t['t_end']}: "
                f"expected {sorted(expected)}, got {sorted(got)}"
            )
        if t["kind"] == "hold":
            sc.hold_errors_s.append(abs((d["t_end"] - d["t_start"]) - (t["t_end"] - t["t_start"])))
        if t["kind"] in ("circles", "cross_fiber"):
            sc.count_errors.append(abs(d.get("count", 0) - t.get("count", t.get("passes", 0))))
    for j, t in enumerate(truth):
        if j not in used_t:
            sc.unmatched_detail.append(f"missed {t['hand']} {t['kind']} {t['t_start']}-{t['t_end']}")
    for i, d in enumerate(found):
        if i not in used_d and d["kind"] != "stroke":  # (extra strokes are listed above)
            sc.unmatched_detail.append(f"extra {d['hand']} {d['kind']} {d['t_start']}-{d['t_end']}")


def format_table(rows: list[dict]) -> str:
    if not rows:
        return "(no clips)"
    cols = list(rows[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in cols}
    lines = ["  ".join(c.ljust(widths[c]) for c in cols)]
    lines += ["  ".join(str(r[c]).ljust(widths[c]) for c in cols) for r in rows]
    return "\n".join(lines)

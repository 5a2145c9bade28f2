"""How MediaPipe sees two hands close together, by detector setting: ``python -m benchmarks.close_hands``.

For each sample clip where the giver's hands work side by side (``hands_side_by_side``: palms a hand's
width apart, the right one gliding up the spine, hands the tone of the back; ``on_spine``), and for each of
the lite and full hand models on the pipeline's crop of the back and on the whole frame, it prints:

- ``both``: the share of the frames where the labels have both hands in view that the detector found two;
- ``swaps``: the frames where a giver hand's id sat on the other labelled hand (an identity swap);
- ``flags``: the flags raised, against those the labels expect;
- ``looks``: the frames where a hand vanished beside its partner and was looked for again;
- ``ms``: MediaPipe's milliseconds per frame (median), the cost of the setting.

The pipeline's settings (``DetectorConfig``, ``PipelineConfig.roi_margin_*``) are what these figures chose.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from vision.core.backframe import Calibration
from vision.files.video import VideoReader
from vision.judging.pipeline import Pipeline, PipelineConfig
from vision.judging.routines import find_routine
from vision.stages.detection import DetectorConfig, HandDetector

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
CLIPS = ("hands_side_by_side", "on_spine")
WHOLE = 50.0  # a margin (back lengths) that takes in the whole picture


def study(clip: str, complexity: int, whole: bool) -> dict:
    labels = json.loads((SAMPLES / f"{clip}.json").read_text())
    step = find_routine(labels["routine"]).step(labels["step"])
    base = PipelineConfig()
    config = replace(base, detector=replace(base.detector, model_complexity=complexity))
    if whole:
        config = replace(config, roi_margin_u=WHOLE, roi_margin_v=WHOLE)
    detector = HandDetector(config.detector)
    pipe = Pipeline(Calibration.from_dict(labels["calibration"]), step, config, detector=detector)
    paths = {name: np.asarray([row[1:3] for row in h["path"]]) for name, h in labels["hands"].items()}
    seen = {name: [row[5] for row in h["path"]] for name, h in labels["hands"].items()}
    both = found_both = 0
    owner: dict[int, dict[str, int]] = {}  # giver hand -> labelled hand -> frames nearest it
    ms = []
    with VideoReader(SAMPLES / f"{clip}.mp4") as reader:
        for i, (frame, t) in enumerate(reader):
            result = pipe.process_frame(frame, t)
            ms.append(detector.last_s * 1000)
            if all(s[i] for s in seen.values()):
                both += 1
                found_both += len(result.detections) >= 2
            for hs in result.hands:
                if hs.hand is None or hs.observation is None:
                    continue
                nearest = min(paths, key=lambda n: float(np.linalg.norm(paths[n][i] - hs.contact_px)))
                owner.setdefault(hs.hand, {}).setdefault(nearest, 0)
                owner[hs.hand][nearest] += 1
    pipe.finish()
    looks = detector.looks
    detector.close()
    swaps = sum(sum(counts.values()) - max(counts.values()) for counts in owner.values())
    expected = sorted(v for e in labels["events"] if e.get("scored") for v in e.get("verdicts", []) if v != "ok")
    raised = sorted(v.name for je in pipe.events for v in je.verdicts if v.name != "ok")
    return {
        "clip": clip,
        "model": ("lite", "full")[complexity],
        "view": "whole frame" if whole else "crop",
        "both": round(found_both / max(both, 1), 3),
        "swaps": swaps,
        "flags": f"{','.join(raised) or '-'} (expected {','.join(expected) or '-'})",
        "looks": looks,
        "ms": round(statistics.median(ms), 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.close_hands", description=__doc__.splitlines()[0])
    ap.add_argument("clips", nargs="*", default=list(CLIPS))
    ap.add_argument("--json", action="store_true", help="one JSON object per row")
    args = ap.parse_args(argv)
    rows = [study(c, m, w) for c in args.clips for m in (0, 1) for w in (False, True)]
    if args.json:
        for r in rows:
            print(json.dumps(r))
        return 0
    cols = list(rows[0])
    widths = [max(len(c), *(len(str(r[c])) for r in rows)) for c in cols]
    print("  ".join(c.ljust(w) for c, w in zip(cols, widths)))
    for r in rows:
        print("  ".join(str(r[c]).ljust(w) for c, w in zip(cols, widths)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

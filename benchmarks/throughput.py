"""Throughput of the whole analysis against bare MediaPipe, on the same frames.

    python benchmarks/throughput.py [CLIP.mp4 ...] [--rounds 2]

Frames are decoded into memory first, so decoding is in neither figure. Then,
alternating so that the machine's noise falls on both alike:

- bare:     MediaPipe Hands (same settings) on each whole frame, RGB conversion
            included;
- pipeline: the whole analysis per frame (detection, tracks, back frame,
            smoothing, strokes, judging) plus the annotated video and the
            landmarks file written by the output thread, as ``analyze`` does;
            and again without the annotated video (``--no-video``).

The ratio pipeline/bare frames per second is the figure that matters. Our own
cost per frame is measured apart by replaying the detected hands through
``Pipeline.process_hands`` (no MediaPipe, no drawing).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402

from vision.analyze import _Outputs  # noqa: E402
from vision.backframe import Calibration  # noqa: E402
from vision.overlay import Overlay  # noqa: E402
from vision.pipeline import Pipeline, PipelineConfig  # noqa: E402
from vision.routines import find_routine  # noqa: E402
from vision.tracking import HandDetector  # noqa: E402
from vision.video import VideoReader  # noqa: E402


def decode(clip: Path, max_frames: int):
    with VideoReader(clip, max_frames=max_frames) as r:
        return [(f, t) for f, t in r], r.info


def bare(frames, config: PipelineConfig, roi=None) -> float:
    """MediaPipe alone on each frame (or on the same region of each frame the pipeline looks at)."""
    det = HandDetector(config.detector)
    x0, y0, x1, y1 = roi or (0, 0, frames[0][0].shape[1], frames[0][0].shape[0])
    start = time.perf_counter()
    for f, _ in frames:
        det.detect(cv2.cvtColor(f[y0:y1, x0:x1], cv2.COLOR_BGR2RGB))
    dt = time.perf_counter() - start
    det.close()
    return len(frames) / dt


def whole(frames, info, cal, step, config: PipelineConfig, out_dir: Path, video: bool = True):
    p = Pipeline(cal, step, config)
    p.detector  # created before the clock starts, as in bare()
    outputs = _Outputs(out_dir, info.fps, info.frame_wh, Overlay(p.homography, step, p.zones) if video else None)
    hands = []
    start = time.perf_counter()
    for i, (f, t) in enumerate(frames):
        r = p.process_frame(f, t)
        outputs.put(i, f.copy(), r)  # the output thread draws on its frame: keep the originals clean
        hands.append([h.observation for h in r.hands if h.observation is not None])
    p.finish()
    outputs.close()
    dt = time.perf_counter() - start
    p.close()
    return len(frames) / dt, hands


def own_cost_ms(frames, hands, cal, step, config: PipelineConfig, repeats: int = 5) -> float:
    best = float("inf")
    for _ in range(repeats):
        p = Pipeline(cal, step, config, detector=None)
        start = time.perf_counter()
        for (_, t), hs in zip(frames, hands):
            p.process_hands(hs, t)
        p.finish()
        best = min(best, (time.perf_counter() - start) / len(frames) * 1000)
    return best


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clips", nargs="*", type=Path,
                    default=[ROOT / "samples" / "effleurage_good.mp4", ROOT / "samples" / "fast_and_slow.mp4"])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--max-frames", type=int, default=150)
    args = ap.parse_args(argv)
    config = PipelineConfig()
    step = find_routine("swedish").step("effleurage")
    rows = []
    for clip in args.clips:
        frames, info = decode(clip, args.max_frames)
        cal = Calibration.load(clip.with_suffix(".json"), frame_wh=info.frame_wh)
        roi = Pipeline(cal, step, config).roi_px(info.frame_wh)
        b, w, nv = [], [], []
        with tempfile.TemporaryDirectory() as tmp:
            for _ in range(args.rounds):
                b.append(bare(frames, config))
                fps, hands = whole(frames, info, cal, step, config, Path(tmp))
                w.append(fps)
                nv.append(whole(frames, info, cal, step, config, Path(tmp), video=False)[0])
        own = own_cost_ms(frames, hands, cal, step, config)
        med = statistics.median
        rows.append((clip.name, f"{info.frame_wh[0]}x{info.frame_wh[1]}", len(frames), med(b), med(w), med(nv),
                     med(x / y for x, y in zip(w, b)), med(x / y for x, y in zip(nv, b)), own))
    print(f"{'clip':22s} {'size':>9s} {'frames':>6s} {'bare fps':>8s} {'pipeline fps':>12s} {'no video':>8s} "
          f"{'ratio':>6s} {'ratio, no video':>15s} {'own ms/frame':>12s}")
    for name, size, n, b, w, nv, r, rnv, own in rows:
        print(f"{name:22s} {size:>9s} {n:6d} {b:8.1f} {w:12.1f} {nv:8.1f} {r:6.2f} {rnv:15.2f} {own:12.3f}")
    print(f"(MediaPipe Hands: max {config.detector.max_hands} hands, model complexity "
          f"{config.detector.model_complexity}; {os.cpu_count()} CPUs; medians of {args.rounds} alternating rounds; "
          "ratio = pipeline / bare MediaPipe on whole frames; 'no video' = the pipeline writing the report and "
          "landmarks but no annotated video)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

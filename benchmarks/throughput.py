"""Throughput of the whole analysis against bare MediaPipe, on the same frames.

    python benchmarks/throughput.py [CLIP.mp4 ...] [--rounds 2]

Frames are decoded into memory first, so decoding is in no figure. Then, frame
by frame so that the machine's noise falls on both alike:

- bare:     MediaPipe Hands (same settings) on the whole frame, RGB conversion included;
- pipeline: ``Runner.feed`` (what analyze and live practice run): the region of the
            back cut out, MediaPipe, tracks, back frame, smoothing, strokes, judging, the routine.

The ratio of their frames per second is the headline figure. Apart from it:
our own cost per frame, by replaying the detected hands through
the runner (no MediaPipe, no drawing); and the CPU time of the
output thread that ``analyze`` runs beside MediaPipe (landmarks file, and the
annotated video drawn and encoded).
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

from vision.files.calibration import load_calibration_file  # noqa: E402
from vision.files.video import VideoReader  # noqa: E402
from vision.judging.pipeline import PipelineConfig  # noqa: E402
from vision.judging.routines import find_routine  # noqa: E402
from vision.run.runner import AnnotatedVideoSink, Item, LandmarksSink, Runner, ThreadedSinks  # noqa: E402
from vision.stages.detection import HandDetector  # noqa: E402


def decode(clip: Path, max_frames: int):
    with VideoReader(clip, max_frames=max_frames) as r:
        return [(f, t) for f, t in r], r.info


def interleaved(frames, cal, routine, step, config: PipelineConfig):
    """Bare MediaPipe and the runner on the same frame, one after the other, frame by frame.

    Alternating per frame puts the machine's noise on both alike, which whole
    runs one after another do not (on these machines two identical runs can
    differ by 30%). Returns (bare fps, runner fps, the hands the runner saw).
    """
    det = HandDetector(config.detector)
    runner = Runner(cal, routine, step=step, config=config, detector=HandDetector(config.detector))
    t_bare = t_pipe = 0.0
    hands = []
    for i, (f, t) in enumerate(frames):
        a = time.perf_counter()
        det.detect(cv2.cvtColor(f, cv2.COLOR_BGR2RGB))
        b = time.perf_counter()
        r = runner.feed(Item(i, t, f))
        c = time.perf_counter()
        t_bare += b - a
        t_pipe += c - b
        hands.append(list(r.detections))
    det.close()
    runner.close()
    return len(frames) / t_bare, len(frames) / t_pipe, hands


def outputs_cost_ms(frames, info, cal, routine, step, config: PipelineConfig, out_dir: Path, video: bool) -> float:
    """CPU time per frame of the output thread (annotated video and landmarks), which runs beside MediaPipe."""
    runner = Runner(cal, routine, step=step, config=config)
    sinks = [LandmarksSink(out_dir / "landmarks.jsonl")]
    if video:
        sinks.append(AnnotatedVideoSink(out_dir / "annotated.mp4", info.fps, info.frame_wh, runner.pipeline))
    outputs = ThreadedSinks(sinks)
    runner.sinks.append(outputs)
    runner.run(Item(i, t, f.copy()) for i, (f, t) in enumerate(frames))
    runner.close()
    return outputs.cpu_s / len(frames) * 1000


def bare_cpu_ms(frames, config: PipelineConfig) -> float:
    det = HandDetector(config.detector)
    start = time.process_time()
    for f, _ in frames:
        det.detect(cv2.cvtColor(f, cv2.COLOR_BGR2RGB))
    cpu = time.process_time() - start
    det.close()
    return cpu / len(frames) * 1000


def own_cost_ms(frames, hands, cal, routine, step, config: PipelineConfig, repeats: int = 5) -> float:
    """Our cost per frame after detection: the saved hands through the runner (no MediaPipe, no drawing)."""
    best = float("inf")
    for _ in range(repeats):
        runner = Runner(cal, routine, step=step, config=config)
        start = time.perf_counter()
        runner.run(Item(i, t, None, hs) for i, ((_, t), hs) in enumerate(zip(frames, hands)))
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
    routine = find_routine("swedish")
    step = "effleurage"
    rows = []
    for clip in args.clips:
        frames, info = decode(clip, args.max_frames)
        cal = load_calibration_file(clip.with_suffix(".json"), frame_wh=info.frame_wh).calibration
        b, w = [], []
        for _ in range(args.rounds):
            fb, fw, hands = interleaved(frames, cal, routine, step, config)
            b.append(fb)
            w.append(fw)
        own = own_cost_ms(frames, hands, cal, routine, step, config)
        with tempfile.TemporaryDirectory() as tmp:
            out_video = outputs_cost_ms(frames, info, cal, routine, step, config, Path(tmp), video=True)
            out_plain = outputs_cost_ms(frames, info, cal, routine, step, config, Path(tmp), video=False)
        mp_cpu = bare_cpu_ms(frames, config)
        med = statistics.median
        rows.append((clip.name, f"{info.frame_wh[0]}x{info.frame_wh[1]}", len(frames), med(b), med(w),
                     med(x / y for x, y in zip(w, b)), own, mp_cpu, out_plain, out_video))
    print(f"{'clip':22s} {'size':>9s} {'frames':>6s} {'bare fps':>8s} {'pipeline fps':>12s} {'ratio':>6s} "
          f"{'own ms':>7s} {'MediaPipe cpu ms':>16s} {'outputs cpu ms':>14s} {'+ video cpu ms':>14s}")
    for name, size, n, b, w, r, own, mp_cpu, plain, vid in rows:
        print(f"{name:22s} {size:>9s} {n:6d} {b:8.1f} {w:12.1f} {r:6.2f} {own:7.3f} {mp_cpu:16.1f} {plain:14.2f} "
              f"{vid:14.1f}")
    print(f"MediaPipe Hands: max {config.detector.max_hands} hands, model complexity "
          f"{config.detector.model_complexity}; {os.cpu_count()} CPUs; medians of {args.rounds} rounds.\n"
          "ratio: pipeline fps / bare MediaPipe fps, the two run frame by frame on the same frames.\n"
          "own ms: our cost per frame after detection (tracks, back frame, smoothing, strokes, judging), no drawing.\n"
          "outputs cpu ms: the output thread per frame (landmarks file), and with the annotated video drawn and\n"
          "encoded; it runs on the other core beside MediaPipe (MediaPipe cpu ms is bare MediaPipe's, per frame).")
    return 0


if __name__ == "__main__":
    sys.exit(main())

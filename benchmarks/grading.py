"""Grading a class with 1 and with 2 Dask workers: the sample recordings (re-judged from their hands) and videos
(tracked), the figure in the README.

    python benchmarks/grading.py [--recordings 6] [--videos 2] [--workers 1 2]

A folder is made in a temporary directory: ``--recordings`` recordings (one
sample clip tracked once into a recording, then copied, one per student) and
``--videos`` plain videos of sample clips with their calibration beside them.
Each is graded from scratch on a local cluster of N processes; the cluster's
start (spawning the processes, importing MediaPipe) is timed apart from the
grading itself.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vision.judging.routines import find_routine  # noqa: E402
from vision.run.grading import GradeOptions, cluster_client, find_items, grade  # noqa: E402
from vision.run.handed_in import record_video  # noqa: E402

SAMPLES = ROOT / "samples"
VIDEOS = ("friction_straight", "effleurage_good", "effleurage_wrong_way", "deep_strokes")


def make_class(root: Path, n_recordings: int, n_videos: int) -> Path:
    week = root / "week"
    week.mkdir(parents=True)
    src = root / "src"
    src.mkdir()
    shutil.copy(SAMPLES / "friction_straight.mp4", src / "clip.mp4")
    shutil.copy(SAMPLES / "friction_straight.json", src / "clip.calibration.json")
    rec = record_video(src / "clip.mp4", find_routine("swedish"), routine_key="swedish", root=root / "recs",
                       start_step="friction", blur_faces=False)
    for i in range(n_recordings):
        shutil.copytree(rec, week / f"student{i}")
    for i in range(n_videos):
        clip = VIDEOS[i % len(VIDEOS)]
        shutil.copy(SAMPLES / f"{clip}.mp4", week / f"video{i}.mp4")
        shutil.copy(SAMPLES / f"{clip}.json", week / f"video{i}.calibration.json")
    return week


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--recordings", type=int, default=6)
    ap.add_argument("--videos", type=int, default=2)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args()
    print(f"{os.cpu_count()} cores; {args.recordings} recordings of 7.2 s, {args.videos} videos "
          f"({', '.join(VIDEOS[i % len(VIDEOS)] for i in range(args.videos))})")
    print(f"{'workers':>7} {'cluster start s':>15} {'grading s':>9} {'graded':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        week = make_class(Path(tmp), args.recordings, args.videos)
        for n in args.workers:
            out = Path(tmp) / f"out{n}"
            items = find_items([week], out)
            t0 = time.perf_counter()
            with cluster_client(workers=n) as client:
                client.wait_for_workers(n)
                t1 = time.perf_counter()
                result = grade(items, GradeOptions(routine="swedish", out_dir=str(out), step="friction"), client)
                t2 = time.perf_counter()
            print(f"{n:>7} {t1 - t0:>15.1f} {t2 - t1:>9.1f} {len(result.graded):>6}", flush=True)


if __name__ == "__main__":
    main()

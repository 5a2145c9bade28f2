"""A long live session: does the app hold up for half an hour of practice?

    make bench-soak            # or: .venv/bin/python benchmarks/soak.py [--minutes 30] [--clip NAME]

The app runs in headless Chromium whose fake camera loops a sample clip, for --minutes. Every
--every seconds it notes the app's memory (its resident set), the page's own figures (frames/s
judged, arrival to overlay) and camera to screen over that stretch (frame numbers stamped into the
clip, read back off the page; see tests/browser.py). At the end it checks the three things a long
session must keep:

- memory: grown by less than 50 MB from the end of the first minute to the end;
- delay: the last minute's within 10 ms of the first minute's (arrival to overlay, median);
- no pile-up: the frames judged per second hold, and streamlit-webrtc never reported frames left
  unconsumed (its warning in the app's log).

Prints a line per sample and a verdict; exit 1 when a check fails. --json writes the samples.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser import camera_to_screen, practising  # noqa: E402

FIGURES = re.compile(r"(\d+) frames/s · delay (\d+) ms \(95%: (\d+) ms\)")
PILE_UP = "Not all the queued frames have been consumed"
MAX_GROWTH_MB = 50.0
MAX_DELAY_DRIFT_MS = 10.0


def rss_mb(pid: int) -> float:
    """The resident memory of a process and its children (MediaPipe's threads are in the process)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clip", default="effleurage_good")
    ap.add_argument("--minutes", type=float, default=30.0)
    ap.add_argument("--every", type=float, default=20.0, help="seconds between samples")
    ap.add_argument("--json", type=Path, help="write the samples to this file")
    args = ap.parse_args()
    samples: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        log = tmp / "app.log"
        procs: list = []
        with practising(args.clip, tmp, procs) as page:
            start = time.monotonic()
            end = start + args.minutes * 60
            while time.monotonic() < end:
                time.sleep(args.every)
                text = page.inner_text("body")
                m = FIGURES.search(text)
                seen = camera_to_screen(page, last_s=args.every)
                sample = {
                    "t_min": round((time.monotonic() - start) / 60, 2),
                    "rss_mb": round(rss_mb(procs[0].pid), 1),
                    "fps": int(m.group(1)) if m else None,
                    "overlay_ms_median": int(m.group(2)) if m else None,
                    "overlay_ms_p95": int(m.group(3)) if m else None,
                    "camera_to_screen_ms_median": round(seen.median_ms, 1),
                    "camera_to_screen_ms_p95": round(seen.p95_ms, 1),
                }
                samples.append(sample)
                print("  ".join(f"{k} {v}" for k, v in sample.items()), flush=True)
        pile_ups = log.read_text(errors="replace").count(PILE_UP)
    if args.json:
        args.json.write_text(json.dumps(samples, indent=1))
    first = [s for s in samples if s["t_min"] <= 1.0 + args.every / 60] or samples[:1]
    last = [s for s in samples if s["t_min"] >= samples[-1]["t_min"] - 1.0]
    growth = samples[-1]["rss_mb"] - first[-1]["rss_mb"]

    def mean(rows, key):
        vals = [r[key] for r in rows if r[key] is not None]
        return sum(vals) / len(vals) if vals else float("nan")

    drift = mean(last, "overlay_ms_median") - mean(first, "overlay_ms_median")
    c2s_drift = mean(last, "camera_to_screen_ms_median") - mean(first, "camera_to_screen_ms_median")
    fps_first, fps_last = mean(first, "fps"), mean(last, "fps")
    checks = {
        f"memory grew {growth:.1f} MB (< {MAX_GROWTH_MB:.0f})": growth < MAX_GROWTH_MB,
        f"delay, last minute against first: {drift:+.1f} ms (within {MAX_DELAY_DRIFT_MS:.0f}); camera to screen "
        f"{c2s_drift:+.1f} ms": abs(drift) <= MAX_DELAY_DRIFT_MS,
        f"frames judged per second, first minute {fps_first:.1f}, last {fps_last:.1f}; "
        f"frames left unconsumed reported {pile_ups} times": pile_ups == 0 and fps_last >= 0.8 * fps_first,
    }
    print(f"\n{args.minutes:.0f} minutes of {args.clip} as the camera:")
    for text, ok in checks.items():
        print(f"  {'ok  ' if ok else 'FAIL'} {text}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

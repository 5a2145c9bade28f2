"""Live figures: frames per second reaching the camera callback, and the delay
from a frame's arrival to its overlay, with the app running in headless
Chromium whose fake camera plays a sample clip.

    make bench-live            # or: .venv/bin/python benchmarks/live.py [--clip NAME] [--seconds S] [--record]

Needs Debian's chromium. The app measures both figures itself over its last
600 frames (see vision/live.py); this script reads them off the page.
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser import app_server, browser_with_camera, clip_to_y4m, start_camera, write_calibration  # noqa: E402
from tests.helpers import SAMPLES, labels_of  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clip", default="effleurage_good")
    ap.add_argument("--seconds", type=float, default=30.0, help="how long to let the camera run")
    ap.add_argument("--record", action="store_true", help="record the session meanwhile (video, faces blurred)")
    args = ap.parse_args()
    labels = labels_of(args.clip)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_calibration(tmp / "data", args.clip)
        y4m = clip_to_y4m(SAMPLES / f"{args.clip}.mp4", tmp / "cam.y4m")
        with app_server(tmp / "data", tmp / "app.log") as url, browser_with_camera(y4m) as page:
            page.goto(f"{url}/?routine={labels['routine']}&step={labels['step']}&stay=1")
            page.get_by_text("Drilling one step").wait_for(timeout=60_000)
            start_camera(page)
            if args.record:
                button = page.get_by_role("button", name="Start recording")
                while button.is_disabled():
                    time.sleep(0.3)
                button.click()
            time.sleep(args.seconds)
            text = page.inner_text("body")
    m = re.search(r"(\d+) frames/s · delay (\d+) ms \(95%: (\d+) ms\)", text)
    if not m:
        print("no figures on the page; its text ends:\n" + text[-1500:], file=sys.stderr)
        return 1
    w, h = labels["frame_size"]
    print(f"clip {args.clip} ({w}x{h}, {labels['fps']:.0f} fps) as the camera, {args.seconds:.0f} s"
          f"{', recording' if args.record else ''}:")
    print(f"  frames reaching the callback: {m.group(1)} per second")
    print(f"  arrival to overlay: median {m.group(2)} ms, 95th percentile {m.group(3)} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

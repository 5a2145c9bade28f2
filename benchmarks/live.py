"""Live figures, with the app running in headless Chromium whose fake camera plays a sample clip:
frames per second judged, the delay from a frame's arrival in the app to its overlay, camera to screen
as a person sees it, and where the app's CPU time goes.

    make bench-live            # or: .venv/bin/python benchmarks/live.py [--clip NAME] [--seconds S] [--record]

Camera to screen: each frame of the fake camera's clip carries its number (a row of black and white
squares, see tests/browser.py); the page reads it off every frame it shows, both of the camera's own
picture and of the picture coming back from the app, and the delay of a frame is the time between the
two. It holds the browser's encoding, the transport both ways, the app's decoding, queueing, judging,
drawing and encoding, the browser's jitter buffer and decoding: everything but the camera's own
capture and the screen's refresh, which a real camera and screen add (a frame or two).

Needs Debian's chromium. The app measures its own figures over its last 600 frames (vision/run/live.py,
shown under "Speed" on the Practice page); this script reads them off the page.
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
from tests.helpers import labels_of  # noqa: E402

FIGURES = re.compile(r"(\d+) frames/s · delay (\d+) ms \(95%: (\d+) ms\)")


def run(clip: str, seconds: float, record: bool, settle_s: float = 8.0) -> dict:
    """One run of the app in Chromium; the figures as a dict."""
    with tempfile.TemporaryDirectory() as tmp:
        with practising(clip, Path(tmp)) as page:
            if record:
                button = page.get_by_role("button", name="Start recording")
                while button.is_disabled():
                    time.sleep(0.3)
                button.click()
            time.sleep(seconds)
            text = page.inner_text("body")
            seen = camera_to_screen(page, last_s=max(5.0, seconds - settle_s))
            speed = ""
            for _ in range(5):  # the panel is drawn again twice a second, which can close the popover
                page.get_by_role("button", name="Speed").click()
                try:
                    page.get_by_text("Milliseconds per frame").wait_for(timeout=3_000)
                except Exception:  # noqa: BLE001 - try again
                    continue
                speed = page.inner_text("body")
                if "picture out" in speed:
                    break
    m = FIGURES.search(text)
    if not m:
        raise RuntimeError("no figures on the page; its text ends:\n" + text[-1500:])
    stages = {k: float(v) for k, v in re.findall(r"^(picture in|detection|judging|drawing|picture out): ([\d.]+)$",
                                                 speed, re.M)}
    cpu = re.search(r"video codecs included: (\d+) ms", speed)
    return {
        "clip": clip, "seconds": seconds, "recording": record,
        "fps_judged": int(m.group(1)), "overlay_ms_median": int(m.group(2)), "overlay_ms_p95": int(m.group(3)),
        "camera_to_screen_ms_median": round(seen.median_ms, 1), "camera_to_screen_ms_p95": round(seen.p95_ms, 1),
        "frames_compared": len(seen.delays_ms), "shown_fps": round(seen.shown_fps, 1),
        "camera_fps": round(seen.camera_fps, 1),
        "browser_decode_ms": seen.decode_ms and round(seen.decode_ms, 1),
        "browser_jitter_buffer_ms": seen.jitter_buffer_ms and round(seen.jitter_buffer_ms, 1),
        "browser_encode_ms": seen.encode_ms and round(seen.encode_ms, 1),
        "browser_webrtc": seen.webrtc,
        "app_stage_ms": stages, "app_cpu_ms_per_frame": int(cpu.group(1)) if cpu else None,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clip", default="effleurage_good")
    ap.add_argument("--seconds", type=float, default=30.0, help="how long to let the camera run")
    ap.add_argument("--record", action="store_true", help="record the session meanwhile (video, faces blurred)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()
    try:
        r = run(args.clip, args.seconds, args.record)
    except RuntimeError as e:
        print(e, file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(r, indent=1))
        return 0
    labels = labels_of(args.clip)
    w, h = labels["frame_size"]
    print(f"clip {args.clip} ({w}x{h}, {labels['fps']:.0f} fps) as the camera, {args.seconds:.0f} s"
          f"{', recording' if args.record else ''}:")
    print(f"  frames judged: {r['fps_judged']} per second (the page showed {r['shown_fps']} of the camera's "
          f"{r['camera_fps']} per second)")
    print(f"  arrival to overlay, in the app: median {r['overlay_ms_median']} ms, "
          f"95th percentile {r['overlay_ms_p95']} ms")
    print(f"  camera to screen: median {r['camera_to_screen_ms_median']} ms, 95th percentile "
          f"{r['camera_to_screen_ms_p95']} ms (over {r['frames_compared']} frames)")
    print("  the app per frame (median ms): " + ", ".join(f"{k} {v:.1f}" for k, v in r["app_stage_ms"].items())
          + f"; its CPU time per frame judged, codecs included: {r['app_cpu_ms_per_frame']} ms")
    print(f"  the browser: encoding {r['browser_encode_ms']} ms, jitter buffer {r['browser_jitter_buffer_ms']} ms, "
          f"decoding {r['browser_decode_ms']} ms per frame")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Driving the app in headless Chromium with a video file as its camera.

Used by the end-to-end test and by ``benchmarks/live.py``. Needs Debian's
``chromium`` (``apt-get install chromium``; ``.ci/run`` installs it) and the
``playwright`` Python package (in requirements.txt; its own browser download
is never used).
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tests.helpers import QUIET_ENV, ROOT, SAMPLES

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def chromium_path() -> str | None:
    env = os.environ.get("STROKE_COACH_CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    for p in CHROMIUM_CANDIDATES:
        if Path(p).exists():
            return p
    return shutil.which("chromium")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clip_to_y4m(clip: Path, out: Path, size: tuple[int, int] | None = None) -> Path:
    """The clip as a Y4M file for Chromium's fake camera (optionally resized)."""
    import cv2

    from vision.files.video import VideoReader, write_y4m

    with VideoReader(clip) as reader:
        fps = reader.info.fps
        frames = (cv2.resize(f, size, interpolation=cv2.INTER_AREA) if size else f for f, _ in reader)
        write_y4m(frames, out, fps)
    return out


def write_calibration(data_dir: Path, clip_name: str) -> Path:
    """Save a sample clip's calibration as the app's saved calibration."""
    labels = json.loads((SAMPLES / f"{clip_name}.json").read_text())
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "calibration.json"
    path.write_text(json.dumps({**labels["calibration"], "frame_size": labels["frame_size"],
                                "saved_at": "test"}))
    return path


@contextmanager
def app_server(data_dir: Path, log: Path):
    """``streamlit run app.py`` on a free localhost port, with its files in data_dir; yields the URL."""
    port = free_port()
    env = {**QUIET_ENV, "STROKE_COACH_DATA": str(data_dir)}
    with open(log, "w") as logf:
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
                                 "--server.headless", "true", "--server.port", str(port),
                                 "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
                                cwd=ROOT, env=env, stdout=logf, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the app did not start; its log:\n{log.read_text()[-3000:]}")
                time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextmanager
def browser_with_camera(y4m: Path):
    """A Playwright page in headless Chromium whose camera plays ``y4m`` (looping)."""
    from playwright.sync_api import sync_playwright

    exe = chromium_path()
    if exe is None:
        raise RuntimeError("Chromium not found: apt-get install chromium (or set STROKE_COACH_CHROMIUM)")
    args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={y4m}",
            "--autoplay-policy=no-user-gesture-required"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, headless=True, args=args)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1300})
            yield page
        finally:
            browser.close()


def start_camera(page, key_fragment: str = "webrtc_streamer", timeout_s: float = 60) -> None:
    """Press streamlit-webrtc's START button (it lives in an iframe)."""
    frame = page.frame_locator(f'iframe[title*="{key_fragment}"]').first
    frame.get_by_role("button", name="START").click(timeout=timeout_s * 1000)


def stop_camera(page, key_fragment: str = "webrtc_streamer") -> None:
    frame = page.frame_locator(f'iframe[title*="{key_fragment}"]').first
    frame.get_by_role("button", name="STOP").click(timeout=30_000)

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
from dataclasses import dataclass
from pathlib import Path

import numpy as np

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


# Each frame's number, stamped into the fake camera's picture as STAMP_BITS black or white squares of
# STAMP_CELL px in a row at its bottom left, between a white and a black square that say where it is
# and what black and white look like after the codecs. The page reads it back from both pictures.
STAMP_BITS = 12
STAMP_CELL = 12
STAMP_X, STAMP_Y_FROM_BOTTOM = 8, 8


def stamp_frame(frame, n: int) -> None:
    """Write the number n (mod 2**STAMP_BITS) into a BGR frame, in place."""
    h = frame.shape[0]
    y0, y1 = h - STAMP_Y_FROM_BOTTOM - STAMP_CELL, h - STAMP_Y_FROM_BOTTOM
    cells = [255, 0] + [255 if (n >> (STAMP_BITS - 1 - b)) & 1 else 0 for b in range(STAMP_BITS)]
    for i, value in enumerate(cells):
        x0 = STAMP_X + i * STAMP_CELL
        frame[y0 - 2 : y1 + 2, x0 - 2 if i == 0 else x0 : x0 + STAMP_CELL + 2] = 128  # a grey frame around
        frame[y0:y1, x0 : x0 + STAMP_CELL] = value


def clip_to_y4m(clip: Path, out: Path, size: tuple[int, int] | None = None, stamp: bool = False) -> Path:
    """The clip as a Y4M file for Chromium's fake camera (optionally resized; with stamp, each frame's
    number written into it, for :func:`camera_to_screen`)."""
    import cv2

    from vision.files.video import VideoReader, write_y4m

    def frames(reader):
        for n, (f, _) in enumerate(reader):
            f = cv2.resize(f, size, interpolation=cv2.INTER_AREA) if size else f.copy()
            if stamp:
                stamp_frame(f, n)
            yield f

    with VideoReader(clip) as reader:
        write_y4m(frames(reader), out, reader.info.fps)
    return out


# Runs in every frame of the page before its scripts: keeps the camera's stream (getUserMedia) and the
# peer connections, and reads the frame number off every frame shown of the camera's own picture
# ("local", in a video element of its own) and of the picture coming back from the app ("remote", the
# video element streamlit-webrtc shows), at the moment it is shown (requestVideoFrameCallback).
STAMP_READER_JS = """
(() => {
  const BITS = %(bits)d, CELL = %(cell)d, X0 = %(x0)d, YB = %(yb)d;
  window.__stamps = {local: [], remote: []};
  window.__pcs = [];
  const watched = new WeakSet();
  function watch(video, kind) {
    if (watched.has(video)) return;
    watched.add(video);
    const canvas = document.createElement('canvas');
    canvas.width = (BITS + 2) * CELL; canvas.height = CELL;
    const ctx = canvas.getContext('2d', {willReadFrequently: true});
    const onFrame = (now, meta) => {
      const w = video.videoWidth, h = video.videoHeight;
      if (w && h) {
        const sx = w / 640, sy = h / 480;  // the stamp was drawn on a 640x480 picture
        ctx.drawImage(video, X0 * sx, h - (YB + CELL) * sy, (BITS + 2) * CELL * sx, CELL * sy,
                      0, 0, canvas.width, canvas.height);
        const d = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        const at = i => { const o = ((CELL >> 1) * canvas.width + i * CELL + (CELL >> 1)) * 4;
                          return (d[o] + d[o + 1] + d[o + 2]) / 3; };
        const white = at(0), black = at(1);
        if (white - black > 80) {
          let n = 0;
          for (let b = 0; b < BITS; b++) n = (n << 1) | (at(2 + b) > (white + black) / 2 ? 1 : 0);
          const list = window.__stamps[kind];
          list.push([n, now, meta.presentedFrames]);
          if (list.length > 6000) list.splice(0, 1000);  // the last few minutes are enough
        }
      }
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  }
  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    const gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      const stream = await gum(constraints);
      const v = document.createElement('video');
      v.muted = true; v.playsInline = true; v.srcObject = stream;
      v.style.cssText = 'position:fixed;left:0;top:0;width:64px;height:48px;opacity:0.01;pointer-events:none';
      document.body.appendChild(v);
      v.play();
      watch(v, 'local');
      return stream;
    };
  }
  const PC = window.RTCPeerConnection;
  if (PC) {
    window.RTCPeerConnection = function (...args) {
      const pc = new PC(...args);
      window.__pcs.push(pc);
      pc.addEventListener('track', (ev) => {
        if (window.__lowLatency) { try { ev.receiver.playoutDelayHint = 0; ev.receiver.jitterBufferTarget = 0; } catch (e) {} }
        const look = () => {
          const v = [...document.querySelectorAll('video')].find(
            el => el.srcObject && el.srcObject.getTracks().some(t => pc.getReceivers().some(r => r.track === t)));
          if (v) watch(v, 'remote'); else setTimeout(look, 200);
        };
        look();
      });
      return pc;
    };
    window.RTCPeerConnection.prototype = PC.prototype;
  }
})();
""" % {"bits": STAMP_BITS, "cell": STAMP_CELL, "x0": STAMP_X, "yb": STAMP_Y_FROM_BOTTOM}


def write_calibration(data_dir: Path, clip_name: str) -> Path:
    """Save a sample clip's calibration as the app's saved calibration."""
    labels = json.loads((SAMPLES / f"{clip_name}.json").read_text())
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "calibration.json"
    path.write_text(json.dumps({**labels["calibration"], "frame_size": labels["frame_size"],
                                "saved_at": "test"}))
    return path


@contextmanager
def app_server(data_dir: Path, log: Path, processes: list | None = None):
    """``streamlit run app.py`` on a free localhost port, with its files in data_dir; yields the URL
    (and appends its ``subprocess.Popen`` to ``processes``, when given)."""
    port = free_port()
    env = {**QUIET_ENV, "STROKE_COACH_DATA": str(data_dir)}
    with open(log, "w") as logf:
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
                                 "--server.headless", "true", "--server.port", str(port),
                                 "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
                                cwd=ROOT, env=env, stdout=logf, stderr=subprocess.STDOUT)
        if processes is not None:
            processes.append(proc)
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
def browser_with_camera(y4m: Path, read_stamps: bool = False):
    """A Playwright page in headless Chromium whose camera plays ``y4m`` (looping); with read_stamps, the
    page reads the frame numbers :func:`clip_to_y4m` stamped (see :func:`camera_to_screen`)."""
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
            # a page of the app can take a while on two busy cores (its first run opens the library, a sample's
            # first frame is decoded): 30 s, playwright's default, was once too short in a full run
            page.set_default_timeout(90_000)
            if read_stamps:
                page.add_init_script(STAMP_READER_JS)
            yield page
        finally:
            browser.close()


_STAMPS_AND_STATS_JS = """
async () => {
  const out = {local: window.__stamps ? window.__stamps.local : [], remote: window.__stamps ? window.__stamps.remote : [],
               inbound: null, outbound: null};
  for (const pc of window.__pcs || []) {
    const stats = await pc.getStats();
    stats.forEach(r => {
      if (r.kind !== 'video') return;
      if (r.type === 'inbound-rtp') out.inbound = {framesDecoded: r.framesDecoded, totalDecodeTime: r.totalDecodeTime,
        jitterBufferDelay: r.jitterBufferDelay, jitterBufferEmittedCount: r.jitterBufferEmittedCount,
        framesDropped: r.framesDropped, framesReceived: r.framesReceived};
      if (r.type === 'outbound-rtp') out.outbound = {framesEncoded: r.framesEncoded, totalEncodeTime: r.totalEncodeTime,
        frameWidth: r.frameWidth, frameHeight: r.frameHeight, qualityLimitationReason: r.qualityLimitationReason};
    });
  }
  return out;
}
"""


@dataclass(frozen=True)
class CameraToScreen:
    """What the page saw: each frame the app sent back, against the same frame of the camera's own picture."""

    delays_ms: list[float]  # per frame shown from the app: shown time minus the time the camera's own was shown
    shown_fps: float  # distinct frames from the app shown per second
    camera_fps: float
    decode_ms: float | None  # the browser's mean decode time of the app's picture
    jitter_buffer_ms: float | None  # the browser's mean wait in its jitter buffer
    encode_ms: float | None  # the browser's mean encode time of the camera's picture
    webrtc: dict | None = None  # the browser's counters (frames received, decoded, dropped; encoded; why limited)

    @property
    def median_ms(self) -> float:
        return float(np.median(self.delays_ms)) if self.delays_ms else float("nan")

    @property
    def p95_ms(self) -> float:
        return float(np.percentile(self.delays_ms, 95)) if self.delays_ms else float("nan")


def camera_to_screen(page, key_fragment: str = "webrtc_streamer", last_s: float | None = None) -> CameraToScreen:
    """Camera to screen, as a person sees it, from the stamped frame numbers the page read (over the last
    ``last_s`` seconds, or all): for each frame shown of the app's picture, the time since the same
    frame was shown straight from the camera, and the browser's WebRTC figures."""
    frame = next(f for f in page.frames if key_fragment in f.url)
    data = frame.evaluate(_STAMPS_AND_STATS_JS)
    local, remote = data["local"], data["remote"]
    if last_s is not None and remote:
        cut = remote[-1][1] - last_s * 1000
        remote = [r for r in remote if r[1] >= cut]
    seen: dict[int, list[float]] = {}
    for n, t, _ in local:
        seen.setdefault(n, []).append(t)
    delays, shown = [], []
    previous = None
    for n, t, _ in remote:
        if n == previous:
            continue  # the same frame shown again
        previous = n
        before = [x for x in seen.get(n, []) if x <= t]
        if before and t - before[-1] < 3000:
            delays.append(t - before[-1])
            shown.append(t)

    def rate(ts: list[float]) -> float:
        return (len(ts) - 1) / ((ts[-1] - ts[0]) / 1000) if len(ts) > 1 and ts[-1] > ts[0] else 0.0

    inbound, outbound = data.get("inbound") or {}, data.get("outbound") or {}

    def mean_ms(total, count) -> float | None:
        return 1000 * total / count if total is not None and count else None

    return CameraToScreen(
        delays, rate(shown), rate(sorted({t for _, t, _ in local})),
        mean_ms(inbound.get("totalDecodeTime"), inbound.get("framesDecoded")),
        mean_ms(inbound.get("jitterBufferDelay"), inbound.get("jitterBufferEmittedCount")),
        mean_ms(outbound.get("totalEncodeTime"), outbound.get("framesEncoded")),
        {"in": inbound, "out": outbound},
    )


@contextmanager
def practising(clip: str, tmp: Path, processes: list | None = None):
    """The app (its files in ``tmp``) and headless Chromium whose camera loops the sample ``clip`` with
    each frame's number stamped in, on the Practice page drilling the clip's step, the camera started;
    yields the page (the app's log is ``tmp/app.log``; its process goes into ``processes``)."""
    from tests.helpers import labels_of

    labels = labels_of(clip)
    write_calibration(tmp / "data", clip)
    y4m = clip_to_y4m(SAMPLES / f"{clip}.mp4", tmp / "cam.y4m", stamp=True)
    with app_server(tmp / "data", tmp / "app.log", processes) as url, browser_with_camera(y4m, True) as page:
        page.goto(f"{url}/?routine={labels['routine']}&step={labels['step']}&stay=1")
        page.get_by_text("Drilling one step").wait_for(timeout=60_000)
        start_camera(page)
        yield page


def start_camera(page, key_fragment: str = "webrtc_streamer", timeout_s: float = 60) -> None:
    """Press streamlit-webrtc's START button (it lives in an iframe)."""
    frame = page.frame_locator(f'iframe[title*="{key_fragment}"]').first
    frame.get_by_role("button", name="START").click(timeout=timeout_s * 1000)


def stop_camera(page, key_fragment: str = "webrtc_streamer") -> None:
    frame = page.frame_locator(f'iframe[title*="{key_fragment}"]').first
    frame.get_by_role("button", name="STOP").click(timeout=30_000)

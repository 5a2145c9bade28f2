"""Calibrate: take a still, click the back's four corners, see the lanes at once, save."""
from __future__ import annotations

import threading

import cv2
import numpy as np
import streamlit as st
from streamlit_image_coordinates import streamlit_image_coordinates

from ui.state import CAMERA, SAMPLES, load_saved_calibration, sample_clips, save_calibration
from vision.core.backframe import CORNER_NAMES, Calibration, CalibrationError, Homography
from vision.drawing.overlay import BackAnnotator
from vision.files.video import VideoError, VideoReader
from vision.judging.routines import Step

PROMPTS = {
    "base_left": "the base of the spine (hips), on the recipient's LEFT side",
    "base_right": "the base of the spine (hips), on the recipient's RIGHT side",
    "top_right": "the top of the back (shoulders), on the recipient's RIGHT side",
    "top_left": "the top of the back (shoulders), on the recipient's LEFT side",
}
_PREVIEW = Step(id="preview", title="Preview", instruction="Glide up", technique="effleurage")
DISPLAY_W = 720


class _LastFrame:
    """The camera thread's latest frame, for the page to take as a still."""

    def __init__(self):
        self.lock = threading.Lock()
        self.frame = None

    def __call__(self, frame):
        img = frame.to_ndarray(format="rgb24")
        with self.lock:
            self.frame = img
        return frame


def _set_still(rgb: np.ndarray) -> None:
    st.session_state.calib_still = rgb
    st.session_state.calib_points = []
    st.session_state.calib_click = None


def _draw(rgb: np.ndarray, points: list, cal: Calibration | None) -> np.ndarray:
    img = rgb.copy()
    scale = max(1, round(img.shape[1] / 640))
    if cal is not None:
        bgr = np.ascontiguousarray(img[:, :, ::-1])
        BackAnnotator(Homography.from_calibration(cal), _PREVIEW, thickness=scale).annotate(bgr)
        img = np.ascontiguousarray(bgr[:, :, ::-1])
    for i, (x, y) in enumerate(points):
        c = (int(round(x)), int(round(y)))
        cv2.circle(img, c, 6 * scale, (255, 200, 0), -1, cv2.LINE_AA)
        cv2.putText(img, f"{i + 1}", (c[0] + 8 * scale, c[1] - 8 * scale), cv2.FONT_HERSHEY_SIMPLEX, 0.7 * scale,
                    (255, 255, 255), 2 * scale, cv2.LINE_AA)
    return img


st.title("Calibrate")
st.write("Stroke Coach needs to know where the back is in the camera's picture. Set the camera where it will stay, "
         "take a still, and click the four corners of the back in the order asked. The lanes appear at once; "
         "save when they lie either side of the spine.")
saved, problem = load_saved_calibration()
if problem:
    st.warning(problem)
elif saved is not None:
    st.caption(f"A calibration is saved (from {saved.saved_at or 'an earlier session'}); saving replaces it.")

source = st.radio("Take the still from", ["Camera", "A photo", "A sample clip"], horizontal=True, key="calib_source")
if source == "Camera":
    from streamlit_webrtc import WebRtcMode, webrtc_streamer

    grabber = st.session_state.setdefault("calib_grabber", _LastFrame())
    ctx = webrtc_streamer(key="calibrate-camera", mode=WebRtcMode.SENDRECV, video_frame_callback=grabber, **CAMERA)
    if st.button("Take still", disabled=not ctx.state.playing):
        with grabber.lock:
            frame = grabber.frame
        if frame is None:
            st.error("No picture from the camera yet: wait a moment after pressing START, then try again.")
        else:
            _set_still(frame)
elif source == "A photo":
    up = st.file_uploader("A photo from the camera's position (JPEG or PNG)", type=["jpg", "jpeg", "png"])
    if up is not None and st.session_state.get("calib_upload") != up.file_id:
        st.session_state.calib_upload = up.file_id
        img = cv2.imdecode(np.frombuffer(up.getvalue(), np.uint8), cv2.IMREAD_COLOR)
        if img is None:
            st.error(f"{up.name} is not an image that can be read; upload a JPEG or PNG.")
        else:
            _set_still(img[:, :, ::-1].copy())
else:
    name = st.selectbox("Sample clip", sample_clips(), key="calib_sample")
    if st.button("Use its first frame"):
        try:
            with VideoReader(SAMPLES / f"{name}.mp4", max_frames=1) as reader:
                frame, _ = next(iter(reader))
            _set_still(frame[:, :, ::-1].copy())
        except (VideoError, StopIteration) as e:
            st.error(f"Cannot read {name}.mp4: {e}")

still = st.session_state.get("calib_still")
if still is None:
    st.info("Take a still to begin.")
    st.stop()

points: list = st.session_state.setdefault("calib_points", [])
h, w = still.shape[:2]
cal, error = None, None
if len(points) == 4:
    try:
        cal = Calibration.from_dict(dict(zip(CORNER_NAMES, points)), frame_wh=(w, h), source="These corners")
    except CalibrationError as e:
        error = str(e)

if len(points) < 4:
    st.markdown(f"**Click {len(points) + 1} of 4:** {PROMPTS[CORNER_NAMES[len(points)]]}.")
else:
    st.markdown("**All four corners set.** Click near a corner to move it.")
display_w = min(DISPLAY_W, w)
click = streamlit_image_coordinates(_draw(still, points, cal), width=display_w, key="calib_image", cursor="crosshair")
if click and click.get("unix_time") != st.session_state.get("calib_click"):
    st.session_state.calib_click = click.get("unix_time")
    p = (click["x"] * w / click["width"], click["y"] * h / click["height"])
    if len(points) < 4:
        points.append(p)
    else:
        nearest = int(np.argmin([np.hypot(p[0] - q[0], p[1] - q[1]) for q in points]))
        points[nearest] = p
    st.rerun()

c1, c2, c3 = st.columns(3)
if c1.button("Undo last corner", disabled=not points):
    points.pop()
    st.rerun()
if c2.button("Clear corners", disabled=not points):
    points.clear()
    st.rerun()
if error:
    st.error(error)
if c3.button("Save calibration", type="primary", disabled=cal is None):
    path = save_calibration(cal, (w, h))
    st.success(f"Saved to {path}. The Practice page uses it from now on.")
    st.page_link("ui/practice.py", label="Go to Practice", icon=":material/play_circle:")

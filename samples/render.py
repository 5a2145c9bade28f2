"""Rendering for the sample clips: a back lying face down, seen by a laptop camera,
and the giver's hands gliding over it.

Everything lives on the table plane, in centimetres: the "world" frame has x
across the back (+x toward the recipient's right), y along the spine (0 at the
base, ``BACK_LENGTH_CM`` at the base of the neck), z up toward the camera. The
back frame of the product is then exact: u = y / L, v = x / (W / 2). A virtual
pinhole camera gives the homography world -> image; the static scene is drawn
once in a top-down texture and warped, the hands are drawn per frame directly
in the image (flat shapes on a plane map exactly through a homography).
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

BACK_LENGTH_CM = 56.0
BACK_HALF_WIDTH_CM = 19.0

# --- the hand -------------------------------------------------------------------

# MediaPipe's 21 landmarks for a RIGHT hand seen from its back (dorsal side),
# lying flat, fingers toward +y, in centimetres from the wrist. The thumb is on
# the -x side, as it is when you look down at your own right hand on a table.
_FINGERS = {  # base (MCP) point, direction (degrees from +y, clockwise), segment lengths, width
    "index": ((-2.9, 8.9), -9.0, (4.0, 2.4, 2.0), 1.85),
    "middle": ((-0.85, 9.5), -2.0, (4.4, 2.8, 2.1), 1.9),
    "ring": ((1.2, 9.0), 5.0, (4.1, 2.6, 2.0), 1.75),
    "pinky": ((3.05, 7.8), 13.0, (3.3, 1.9, 1.8), 1.5),
}
_THUMB = [(-2.1, 1.9), (-4.0, 4.1), (-5.4, 6.2), (-6.2, 8.1)]
_THUMB_WIDTH = 2.2
_PALM = [(-2.9, 0.2), (-3.9, 3.2), (-4.0, 6.5), (-3.8, 9.2), (-0.9, 10.0), (1.3, 9.5),
         (3.2, 8.4), (4.0, 6.6), (3.6, 1.5), (2.7, 0.2)]
_FOREARM_WIDTH = 6.0


def _finger_points(base, angle_deg, lengths):
    a = np.deg2rad(angle_deg)
    d = np.array([np.sin(a), np.cos(a)])
    pts = [np.array(base, float)]
    for i, seg in enumerate(lengths):
        # each segment bends a little further outward, as relaxed fingers do
        pts.append(pts[-1] + seg * d)
    return pts


# Landmarks are joint centres, not where the skin shows a joint: the knuckle
# (MCP) joints lie about 0.9 cm inside the palm from where the fingers part,
# and the wrist landmark sits in the heel of the hand, 1 cm above the crease.
_MCP_INSET_CM = 0.9
_WRIST_INSET_CM = 1.0


def right_hand_landmarks_cm() -> np.ndarray:
    """(21, 2) landmark (joint centre) positions of the model right hand, in cm, wrist crease at origin."""
    lm = [np.array([0.0, _WRIST_INSET_CM])]
    lm += [np.array(p, float) for p in _THUMB]
    for name in ("index", "middle", "ring", "pinky"):
        base, ang, lengths, _ = _FINGERS[name]
        pts = _finger_points(base, ang, lengths)
        d = (pts[1] - pts[0]) / np.linalg.norm(pts[1] - pts[0])
        lm += [pts[0] - _MCP_INSET_CM * d] + pts[1:]
    return np.array(lm)


PALM_CENTRE_IDS = (0, 5, 9, 13, 17)
_LM_RIGHT = right_hand_landmarks_cm()
_PALM_CENTRE_RIGHT = _LM_RIGHT[list(PALM_CENTRE_IDS)].mean(axis=0)


@dataclass
class HandPose:
    """Where a hand lies on the table plane.

    centre_cm: world position of the palm centre; heading_deg: direction the
    fingers point (0 = +y, toward the head; 90 = +x, toward the recipient's
    right); side: "right" or "left" (which of the giver's hands);
    forearm_deg: direction the forearm leaves toward (default opposite the
    fingers); scale: hand size factor.
    """

    centre_cm: np.ndarray
    heading_deg: float
    side: str = "right"
    forearm_deg: float | None = None
    scale: float = 1.0
    forearm_cm: float = 70.0  # forearm and upper arm, out toward the giver's shoulder


def _hand_to_world(pose: HandPose):
    """Return a function mapping hand-model cm (right-hand model) to world cm."""
    mirror = -1.0 if pose.side == "left" else 1.0
    a = np.deg2rad(pose.heading_deg)
    # rotate model +y onto heading (clockwise from +y toward +x)
    rot = np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])
    centre_model = _PALM_CENTRE_RIGHT * np.array([mirror, 1.0])

    def f(pts):
        p = (np.asarray(pts, float) * np.array([mirror, 1.0]) - centre_model) * pose.scale
        return p @ rot.T + pose.centre_cm

    return f


def hand_landmarks_world(pose: HandPose) -> np.ndarray:
    return _hand_to_world(pose)(_LM_RIGHT)


def _capsule(p0, p1, r, n=10):
    """Outline polygon of a capsule from p0 to p1 with radius r (same units)."""
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    d = p1 - p0
    ang = np.arctan2(d[1], d[0])
    t1 = np.linspace(ang - np.pi / 2, ang + np.pi / 2, n)
    t0 = np.linspace(ang + np.pi / 2, ang + 3 * np.pi / 2, n)
    return np.vstack([p1 + r * np.c_[np.cos(t1), np.sin(t1)], p0 + r * np.c_[np.cos(t0), np.sin(t0)]])


def hand_parts_world(pose: HandPose):
    """Polygons (world cm) of the hand: forearm, palm, thumb, four fingers, and nails."""
    f = _hand_to_world(pose)
    parts = []
    forearm_dir = pose.forearm_deg if pose.forearm_deg is not None else pose.heading_deg + 180.0
    a = np.deg2rad(forearm_dir)
    wrist = f([[0.0, 0.8]])[0]
    far = wrist + pose.forearm_cm * pose.scale * np.array([np.sin(a), np.cos(a)])
    parts.append(("forearm", _capsule(wrist, far, _FOREARM_WIDTH / 2 * pose.scale)))
    parts.append(("palm", f(_PALM)))
    thumb = f(_THUMB)
    parts.append(("finger", _capsule(thumb[0], thumb[1], _THUMB_WIDTH / 2 * pose.scale)))
    parts.append(("finger", _capsule(thumb[1], thumb[3], _THUMB_WIDTH / 2 * 0.92 * pose.scale)))
    nails = []
    for name in ("index", "middle", "ring", "pinky"):
        base, ang, lengths, width = _FINGERS[name]
        pts = f(_finger_points(base, ang, lengths))
        parts.append(("finger", _capsule(pts[0], pts[-1], width / 2 * pose.scale)))
        tip_dir = (pts[-1] - pts[-2]) / np.linalg.norm(pts[-1] - pts[-2])
        nails.append(_capsule(pts[-1] - tip_dir * 1.1 * pose.scale, pts[-1] - tip_dir * 0.35 * pose.scale,
                              width * 0.28 * pose.scale, n=6))
        # knuckle creases (dorsal view): a short dark line across each PIP joint
    nails.append(_capsule(thumb[3] - (thumb[3] - thumb[2]) / np.linalg.norm(thumb[3] - thumb[2]) * 1.2 * pose.scale,
                          thumb[3] - (thumb[3] - thumb[2]) / np.linalg.norm(thumb[3] - thumb[2]) * 0.4 * pose.scale,
                          _THUMB_WIDTH * 0.3 * pose.scale, n=6))
    return parts, nails


# --- the camera -----------------------------------------------------------------

def camera_homography(frame_wh, target_cm, azimuth_deg, elevation_deg, distance_cm, focal_px, roll_deg=0.0):
    """Homography from world cm (z = 0 plane) to image pixels for a pinhole camera.

    The camera sits ``distance_cm`` from ``target_cm`` (a world point on the
    plane), seen from the direction ``azimuth_deg`` (0: camera toward -y, i.e.
    at the recipient's feet looking toward the head; 180: at the head; 90: at
    the recipient's right side), ``elevation_deg`` above the table.
    """
    w, h = frame_wh
    az, el = np.deg2rad(azimuth_deg), np.deg2rad(elevation_deg)
    target = np.array([target_cm[0], target_cm[1], 0.0])
    # direction from the target to the camera
    back = np.array([np.sin(az) * np.cos(el), -np.cos(az) * np.cos(el), np.sin(el)])
    cam = target + distance_cm * back
    fwd = -back
    up_world = np.array([0.0, 0.0, 1.0])
    right = np.cross(fwd, up_world)
    right /= np.linalg.norm(right)
    down = np.cross(fwd, right)
    r = np.deg2rad(roll_deg)
    right, down = np.cos(r) * right + np.sin(r) * down, -np.sin(r) * right + np.cos(r) * down
    R = np.vstack([right, down, fwd])  # world -> camera (x right, y down, z forward)
    t = -R @ cam
    K = np.array([[focal_px, 0, w / 2], [0, focal_px, h / 2], [0, 0, 1.0]])
    H = K @ np.column_stack([R[:, 0], R[:, 1], t])
    return H / H[2, 2]


def project(H, pts):
    pts = np.atleast_2d(np.asarray(pts, float))
    ph = np.c_[pts, np.ones(len(pts))] @ H.T
    return ph[:, :2] / ph[:, 2:3]


# --- drawing --------------------------------------------------------------------

def shade_mask(mask: np.ndarray, radius_px: float) -> np.ndarray:
    """Rounded shading (0..1) from the distance to the mask's edge."""
    dist = cv2.distanceTransform(mask, cv2.DIST_L2, 3)
    return np.clip(dist / max(radius_px, 1.0), 0, 1) ** 0.5


def draw_hand(img: np.ndarray, H: np.ndarray, pose: HandPose, skin_bgr, light=1.0) -> None:
    """Draw a hand (and its forearm) lying on the plane into ``img`` in place."""
    parts, nails = hand_parts_world(pose)
    h, w = img.shape[:2]
    # bounding box to keep the per-part work small
    all_px = np.vstack([project(H, p) for _, p in parts])
    x0, y0 = np.floor(all_px.min(axis=0)).astype(int) - 4
    x1, y1 = np.ceil(all_px.max(axis=0)).astype(int) + 4
    x0, y0 = max(x0, 0), max(y0, 0)
    x1, y1 = min(x1, w), min(y1, h)
    if x1 <= x0 or y1 <= y0:
        return
    roi = img[y0:y1, x0:x1]
    off = np.array([x0, y0])
    palm_px = project(H, parts[1][1]) - off
    palm_scale = np.linalg.norm(palm_px.max(axis=0) - palm_px.min(axis=0)) / 12.0  # px per cm, roughly
    skin = np.array(skin_bgr, float) * light
    total = np.zeros(roi.shape[:2], np.float32)
    covered = np.zeros(roi.shape[:2], np.uint8)
    color = np.zeros(roi.shape, np.float32)
    rh, rw = roi.shape[:2]
    for kind, poly in parts:
        pts = np.round((project(H, poly) - off) * 4).astype(np.int32)  # 2 bits of subpixel precision
        # work inside the part's own box (with a margin of background, so the
        # distance transform sees the same edges as on the whole picture)
        bx0, by0 = np.maximum(pts.min(axis=0) // 4 - 3, 0)
        bx1, by1 = np.minimum(pts.max(axis=0) // 4 + 4, (rw, rh))
        if bx1 <= bx0 or by1 <= by0:
            continue
        m = np.zeros((by1 - by0, bx1 - bx0), np.uint8)
        cv2.fillPoly(m, [pts - 4 * np.array([bx0, by0])], 255, lineType=cv2.LINE_AA, shift=2)
        radius = {"forearm": 2.6, "palm": 2.4, "finger": 0.85}[kind] * palm_scale
        s = shade_mask((m > 127).astype(np.uint8), radius)
        # gentle shading, a little darker at the rim (a seam where fingers overlap
        # the palm). Stronger shading or a highlight made MediaPipe miss more
        # hands, dark ones most: 38 of 45 poses found at this setting, 14 with
        # the rim at 0.42 and a highlight.
        tone = (0.85 + 0.15 * s)[..., None] * skin
        if kind == "forearm":
            tone = tone * 0.93
        a = (m.astype(np.float32) / 255.0)[..., None]
        sub = color[by0:by1, bx0:bx1]
        sub[:] = sub * (1 - a) + tone * a
        covered[by0:by1, bx0:bx1] = np.maximum(covered[by0:by1, bx0:bx1], m)
    m = np.zeros(roi.shape[:2], np.uint8)
    for poly in nails:
        pts = np.round((project(H, poly) - off) * 4).astype(np.int32)
        cv2.fillPoly(m, [pts], 255, lineType=cv2.LINE_AA, shift=2)
    a = (m.astype(np.float32) / 255.0)[..., None] * 0.55
    color = color * (1 - a) + np.minimum(skin * 1.12 + 25, 255) * a
    # knuckle creases across the finger joints (the back of the hand shows them)
    lm_px = project(H, hand_landmarks_world(pose)) - off
    m = np.zeros(roi.shape[:2], np.uint8)
    for j in (6, 7, 10, 11, 14, 15, 18, 19, 3):
        d = lm_px[j + 1] - lm_px[j - 1]
        n = np.array([-d[1], d[0]]) / max(np.linalg.norm(d), 1e-6)
        half = 0.55 * palm_scale * pose.scale
        p0, p1 = lm_px[j] - n * half, lm_px[j] + n * half
        cv2.line(m, tuple(np.round(p0 * 4).astype(int)), tuple(np.round(p1 * 4).astype(int)), 255,
                 max(1, int(round(0.12 * palm_scale))), cv2.LINE_AA, shift=2)
    a = (m.astype(np.float32) / 255.0)[..., None] * 0.45
    color = color * (1 - a) + (skin * 0.45) * a
    a = (covered.astype(np.float32) / 255.0)[..., None]
    # soft contact shadow around the hand
    shadow = cv2.GaussianBlur(covered, (0, 0), max(palm_scale * 0.8, 1.0)).astype(np.float32)[..., None] / 255.0
    base = roi.astype(np.float32) * (1 - 0.35 * shadow)
    out = base * (1 - a) + color * a
    roi[:] = np.clip(out, 0, 255).astype(np.uint8)


# --- the scene ------------------------------------------------------------------

@dataclass
class SceneStyle:
    """Colours (BGR) and props of one clip's room."""

    floor_bgr: tuple = (70, 90, 110)
    sheet_bgr: tuple = (215, 220, 222)
    towel_bgr: tuple = (160, 120, 60)
    back_skin_bgr: tuple = (150, 180, 220)
    hair_bgr: tuple = (30, 35, 45)
    wall_bgr: tuple = (180, 190, 195)
    # the recipient's own arms: "beside" the body (hands below the hips), "close" (along the sides, the hands
    # resting on the table right beside the lower back), "above" the head, or "none" in view
    arms: str = "beside"
    seed: int = 0


_TEX_PX_PER_CM = 4.0
_TEX_X = (-110.0, 110.0)
_TEX_Y = (-110.0, 150.0)


def _tex_pts(pts_cm) -> np.ndarray:
    p = np.asarray(pts_cm, float)
    return np.c_[(p[:, 0] - _TEX_X[0]) * _TEX_PX_PER_CM, (_TEX_Y[1] - p[:, 1]) * _TEX_PX_PER_CM]


def _tex_to_world() -> np.ndarray:
    s = _TEX_PX_PER_CM
    return np.array([[1 / s, 0, _TEX_X[0]], [0, -1 / s, _TEX_Y[1]], [0, 0, 1.0]])


def _torso_outline_cm(n=40) -> np.ndarray:
    """The recipient's torso from the hips (y < 0) to the shoulders, world cm."""
    L, hw = BACK_LENGTH_CM, BACK_HALF_WIDTH_CM
    ys = np.linspace(-8, L + 2, n)
    # waist a little narrower, shoulders a little wider than the back frame's edge
    half = hw * (1.0 - 0.08 * np.exp(-((ys - 0.3 * L) / (0.25 * L)) ** 2) + 0.10 * np.clip((ys - 0.75 * L) / (0.25 * L), 0, 1))
    top = [(x, L + 2 + 6 * np.cos(np.pi * x / (2.4 * hw))) for x in np.linspace(half[-1], -half[-1], 12)]
    right = np.c_[half, ys]
    left = np.c_[-half[::-1], ys[::-1]]
    return np.vstack([right, top, left])


def render_background(frame_wh, H_world_to_img, style: SceneStyle) -> np.ndarray:
    """The static scene (room, table, recipient) as the camera sees it, BGR uint8."""
    rng = np.random.default_rng(style.seed)
    tw = int((_TEX_X[1] - _TEX_X[0]) * _TEX_PX_PER_CM)
    th = int((_TEX_Y[1] - _TEX_Y[0]) * _TEX_PX_PER_CM)
    tex = np.empty((th, tw, 3), np.float32)
    tex[:] = style.floor_bgr
    # floor boards
    for x in range(0, tw, int(18 * _TEX_PX_PER_CM)):
        cv2.line(tex, (x, 0), (x, th), [c * 0.8 for c in style.floor_bgr], 2)
    L, hw = BACK_LENGTH_CM, BACK_HALF_WIDTH_CM
    table = _tex_pts([(-38, -105), (38, -105), (38, 140), (-38, 140)]).astype(np.int32)
    cv2.fillPoly(tex, [table], style.sheet_bgr)
    # sheet folds
    for _ in range(6):
        y = rng.uniform(-100, 135)
        p = _tex_pts([(-38, y), (38, y + rng.uniform(-8, 8))]).astype(np.int32)
        cv2.line(tex, tuple(p[0]), tuple(p[1]), [c * 0.9 for c in style.sheet_bgr], 3)
    skin = np.array(style.back_skin_bgr, float)

    def body_part(poly_cm, color, radius_cm):
        m = np.zeros((th, tw), np.uint8)
        cv2.fillPoly(m, [_tex_pts(poly_cm).astype(np.int32)], 255)
        s = shade_mask(m, radius_cm * _TEX_PX_PER_CM)
        a = (m > 0)[..., None]
        val = (0.62 + 0.38 * s)[..., None] * np.asarray(color, float)
        tex[:] = np.where(a, val, tex)

    # arms, neck and head first, the torso over them
    if style.arms == "above":
        for sx in (-1, 1):
            body_part(_capsule((sx * 17, L - 4), (sx * 22, L + 38), 5.0), skin, 5)
    elif style.arms == "beside":
        for sx in (-1, 1):
            body_part(_capsule((sx * (hw + 6), L - 6), (sx * (hw + 8), -12), 4.8), skin, 5)
    elif style.arms == "close":
        for sx in (-1, 1):
            body_part(_capsule((sx * (hw + 4), L - 6), (sx * (hw + 4.5), 16), 4.6), skin, 5)
    body_part(_capsule((0, L - 4), (0, L + 10), 6.5), skin, 6)
    head = cv2.ellipse2Poly(tuple(int(v) for v in _tex_pts([(0, L + 22)])[0]),
                            (int(9 * _TEX_PX_PER_CM), int(12 * _TEX_PX_PER_CM)), 0, 0, 360, 10)
    body_part(np.c_[head[:, 0] / _TEX_PX_PER_CM + _TEX_X[0], _TEX_Y[1] - head[:, 1] / _TEX_PX_PER_CM], style.hair_bgr, 6)
    body_part(_torso_outline_cm(), skin, 9)
    # spine groove and shoulder blades: soft shading only
    shade = np.zeros((th, tw), np.float32)
    p = _tex_pts([(0, -2), (0, L + 1)]).astype(np.int32)
    cv2.line(shade, tuple(p[0]), tuple(p[1]), 1.0, int(1.6 * _TEX_PX_PER_CM))
    for sx in (-1, 1):
        c = _tex_pts([(sx * 9.5, 0.76 * L)])[0].astype(int)
        cv2.ellipse(shade, tuple(c), (int(5.5 * _TEX_PX_PER_CM), int(8 * _TEX_PX_PER_CM)), sx * 15, 0, 360, 0.45, 2)
    shade = cv2.GaussianBlur(shade, (0, 0), 1.2 * _TEX_PX_PER_CM)
    tex *= (1 - 0.5 * shade / max(shade.max(), 1e-6))[..., None]
    # towel over the hips, with stripes
    towel = _tex_pts([(-30, -40), (30, -40), (31, 1.5), (-31, 0.5)]).astype(np.int32)
    cv2.fillPoly(tex, [towel], style.towel_bgr)
    for y in (-30, -6):
        p = _tex_pts([(-30, y), (30, y)]).astype(np.int32)
        cv2.line(tex, tuple(p[0]), tuple(p[1]), [min(c * 1.4, 255) for c in style.towel_bgr], 6)
    tex += rng.normal(0, 3.0, tex.shape).astype(np.float32)
    tex = np.clip(tex, 0, 255).astype(np.uint8)
    M = H_world_to_img @ _tex_to_world()
    img = cv2.warpPerspective(tex, M, tuple(frame_wh), flags=cv2.INTER_AREA,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=style.wall_bgr)
    # the recipient's own hands, resting palm down: real hands for the tracker
    # to find, which are not the giver's and must not be judged
    for pose in recipient_hand_poses(style):
        draw_hand(img, H_world_to_img, pose, style.back_skin_bgr)
    return img


def recipient_hand_poses(style: SceneStyle) -> list[HandPose]:
    L, hw = BACK_LENGTH_CM, BACK_HALF_WIDTH_CM
    if style.arms == "none":  # arms hanging off the table, out of view
        return []
    if style.arms == "above":
        return [HandPose(np.array([sx * 23.0, L + 45.0]), sx * 8.0, side="left" if sx < 0 else "right",
                         forearm_deg=180.0 + sx * 8.0, scale=0.95, forearm_cm=20.0) for sx in (-1, 1)]
    if style.arms == "close":
        return [HandPose(np.array([sx * (hw + 5.0), 6.0]), 180.0 - sx * 3.0, side="right" if sx < 0 else "left",
                         forearm_deg=0.0, scale=0.95, forearm_cm=16.0) for sx in (-1, 1)]
    return [HandPose(np.array([sx * (hw + 8.5), -19.0]), 180.0 - sx * 4.0, side="right" if sx < 0 else "left",
                     forearm_deg=0.0, scale=0.95, forearm_cm=20.0) for sx in (-1, 1)]

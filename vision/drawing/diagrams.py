"""Schematic pictures for the app: the back, a step's path, where the hands worked.

Pure functions (OpenCV + numpy, no streamlit); each returns a new RGB uint8
image of shape (h, w, 3) for ``size = (w, h)``, deterministically.

Picture convention (all three pictures share it, see :func:`uv_to_px`):

- the back is seen from above with the HEAD AT THE TOP of the picture
  (``u = 1``, base of the neck) and the HIPS AT THE BOTTOM (``u = 0``);
- the recipient's LEFT (``v = -1``) is on the picture's LEFT, the
  recipient's right (``v = +1``) on its right, i.e. as a giver standing at
  the foot end sees the back. (This is the same handedness the calibration
  check expects: unmirrored.)

The back frame is the one of :mod:`vision.backframe` (``u`` along the spine,
``v`` across, zones from :class:`~vision.backframe.Zones`). The back is drawn
with a width/length ratio of ``2 * HALF_WIDTH_PER_LENGTH`` so that a cell
square in back lengths is square on the picture.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import ArrayLike, NDArray

from vision.core.backframe import HALF_WIDTH_PER_LENGTH, Zones
from vision.judging.routines import Step

__all__ = [
    "BackLayout",
    "CoverageGrid",
    "ZONE_NAMES",
    "back_diagram",
    "back_layout",
    "coverage_grid",
    "coverage_map",
    "coverage_seconds",
    "px_to_uv",
    "samples_from_events",
    "step_diagram",
    "uv_to_px",
]

# Colours, RGB (the overlay's are BGR on a camera frame; these sit on a light card).
BG = (248, 248, 246)
BODY = (240, 229, 218)
OUTLINE = (120, 104, 92)
LANE = (205, 226, 242)
LANE_ACTIVE = (160, 203, 236)
SPINE_ZONE = (243, 206, 206)
SPINE = (196, 84, 84)
TEXT = (105, 105, 105)
ARROW = (18, 100, 160)
RETURN = (135, 135, 135)
HOLD = (18, 100, 160)
FAINT = (175, 175, 175)

#: Keys of :func:`coverage_seconds`, in display order.
ZONE_NAMES = ("left", "right", "spine", "outside", "off_back")

_ASPECT = 2 * HALF_WIDTH_PER_LENGTH  # back width / back length on the picture
_SHIFT = 4  # cv2 fixed-point bits: sub-pixel positions for antialiased drawing
_ONE = 1 << _SHIFT
_FONT = cv2.FONT_HERSHEY_SIMPLEX
DEFAULT_CAP_S = 0.2  # a gap between samples longer than this counts as this (tracking lost, not work)


# ----------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class BackLayout:
    """Where the back sits on a picture of ``size = (w, h)`` pixels.

    ``x_left_px`` is v = -1, ``x_right_px`` v = +1, ``y_top_px`` u = 1 (head),
    ``y_base_px`` u = 0 (hips). ``font_scale`` and ``line_px`` scale with size.
    """

    size: tuple[int, int]
    x_left_px: float
    x_right_px: float
    y_top_px: float
    y_base_px: float
    font_scale: float
    line_px: int

    @property
    def half_width_px(self) -> float:
        return 0.5 * (self.x_right_px - self.x_left_px)

    @property
    def length_px(self) -> float:
        return self.y_base_px - self.y_top_px

    @property
    def centre_x_px(self) -> float:
        return 0.5 * (self.x_left_px + self.x_right_px)


def _check_size(size) -> tuple[int, int]:
    try:
        w, h = (int(s) for s in size)
    except (TypeError, ValueError):
        raise ValueError(f"size: expected (width_px, height_px), got {size!r}") from None
    if w < 60 or h < 80:
        raise ValueError(f"size: expected at least 60x80 px to draw a readable back, got {w}x{h}")
    return w, h


def back_layout(size: tuple[int, int]) -> BackLayout:
    """The back's placement on a (w, h) picture: margins for labels, aspect kept."""
    w, h = _check_size(size)
    pad_top = max(16.0, 0.095 * h)  # neck and "head"
    pad_bottom = max(12.0, 0.06 * h)  # "left  hips  right"
    pad_side = max(5.0, 0.05 * w)
    avail_w, avail_h = w - 2 * pad_side, h - pad_top - pad_bottom
    length = min(avail_h, avail_w / _ASPECT)
    width = length * _ASPECT
    cx = 0.5 * w
    y_top = pad_top + 0.5 * (avail_h - length)
    return BackLayout(
        size=(w, h),
        x_left_px=cx - 0.5 * width,
        x_right_px=cx + 0.5 * width,
        y_top_px=y_top,
        y_base_px=y_top + length,
        font_scale=float(np.clip(min(h, 1.45 * w) / 720.0, 0.3, 0.7)),
        line_px=max(1, int(round(min(w, h) / 110))),
    )


def uv_to_px(uv: ArrayLike, size: tuple[int, int]) -> NDArray[np.float64]:
    """Back-frame (u, v) -> picture pixels (x right, y down) on a (w, h) diagram.

    ``uv``: shape (N, 2) or (2,); returns float (N, 2) (or (2,)). u = 1 is at
    the top (head), u = 0 at the bottom (hips); v = -1 (recipient's left) on
    the picture's left. NaN in, NaN out.
    """
    lay = back_layout(size)
    arr = np.asarray(uv, dtype=np.float64)
    single = arr.ndim == 1
    pts = arr.reshape(-1, 2)
    x = lay.centre_x_px + pts[:, 1] * lay.half_width_px
    y = lay.y_base_px - pts[:, 0] * lay.length_px
    out = np.c_[x, y]
    return out[0] if single else out


def px_to_uv(px: ArrayLike, size: tuple[int, int]) -> NDArray[np.float64]:
    """Inverse of :func:`uv_to_px`: picture pixels (N, 2) or (2,) -> back (u, v)."""
    lay = back_layout(size)
    arr = np.asarray(px, dtype=np.float64)
    single = arr.ndim == 1
    pts = arr.reshape(-1, 2)
    u = (lay.y_base_px - pts[:, 1]) / lay.length_px
    v = (pts[:, 0] - lay.centre_x_px) / lay.half_width_px
    out = np.c_[u, v]
    return out[0] if single else out


# ----------------------------------------------------------------------------- drawing primitives


def _fx(p) -> tuple[int, int]:
    """A float pixel point as cv2 fixed point (``shift=_SHIFT``)."""
    return int(round(float(p[0]) * _ONE)), int(round(float(p[1]) * _ONE))


def _fxa(pts) -> NDArray[np.int32]:
    return np.round(np.asarray(pts, dtype=np.float64) * _ONE).astype(np.int32)


def _blend_poly(img: NDArray[np.uint8], pts_px, colour, alpha: float = 1.0) -> None:
    """Fill a polygon (float pixel points) with ``colour`` at ``alpha``, antialiased edges."""
    if alpha >= 1.0:
        cv2.fillPoly(img, [_fxa(pts_px)], colour, cv2.LINE_AA, shift=_SHIFT)
        return
    layer = img.copy()
    cv2.fillPoly(layer, [_fxa(pts_px)], colour, cv2.LINE_AA, shift=_SHIFT)
    cv2.addWeighted(layer, alpha, img, 1 - alpha, 0, dst=img)


def _line(img, p0, p1, colour, t: int) -> None:
    cv2.line(img, _fx(p0), _fx(p1), colour, t, cv2.LINE_AA, shift=_SHIFT)


def _polyline(img, pts, colour, t: int, closed: bool = False) -> None:
    cv2.polylines(img, [_fxa(pts)], closed, colour, t, cv2.LINE_AA, shift=_SHIFT)


def _head(img, tip, direction, colour, length_px: float) -> None:
    """A filled arrow head with its tip at ``tip`` pointing along ``direction``."""
    d = np.asarray(direction, np.float64)
    n = float(np.hypot(*d))
    if n == 0:
        return
    d = d / n
    normal = np.array([-d[1], d[0]])
    tip = np.asarray(tip, np.float64)
    base = tip - d * length_px
    half = 0.55 * length_px
    _blend_poly(img, [tip, base + normal * half, base - normal * half], colour)


def _arrow(img, p0, p1, colour, t: int, head_px: float, both: bool = False) -> None:
    """Arrow p0 -> p1 (pixels); ``both``: a head at each end."""
    p0, p1 = np.asarray(p0, np.float64), np.asarray(p1, np.float64)
    d = p1 - p0
    n = float(np.hypot(*d))
    if n == 0:
        return
    head_px = min(head_px, 0.45 * n)
    u = d / n
    a = p0 + u * head_px * 0.8 if both else p0
    b = p1 - u * head_px * 0.8
    _line(img, a, b, colour, t)
    _head(img, p1, d, colour, head_px)
    if both:
        _head(img, p0, -d, colour, head_px)


def _dashed(img, pts, colour, t: int, dash_px: float, gap_px: float) -> None:
    """A dashed polyline through float pixel points."""
    pts = np.asarray(pts, np.float64)
    seg = np.hypot(*np.diff(pts, axis=0).T)
    s = np.r_[0.0, np.cumsum(seg)]
    total = s[-1]
    start = 0.0
    while start < total:
        end = min(start + dash_px, total)
        ss = np.r_[start, s[(s > start) & (s < end)], end]
        xs = np.interp(ss, s, pts[:, 0])
        ys = np.interp(ss, s, pts[:, 1])
        _polyline(img, np.c_[xs, ys], colour, t)
        start = end + gap_px


def _text(img, text: str, centre, scale: float, colour=TEXT, anchor: str = "centre", thickness: int = 1) -> None:
    """Text centred on (or starting/ending at, by ``anchor``) the point ``centre``'s x, its middle at y."""
    (tw, th), _ = cv2.getTextSize(text, _FONT, scale, thickness)
    x = centre[0] - (tw / 2 if anchor == "centre" else (tw if anchor == "right" else 0))
    y = centre[1] + th / 2
    cv2.putText(img, text, (int(round(x)), int(round(y))), _FONT, scale, colour, thickness, cv2.LINE_AA)


def _stopwatch(img, centre, r: float, colour, t: int) -> None:
    """A small timer symbol: dial, crown, one hand."""
    c = np.asarray(centre, np.float64)
    cv2.circle(img, _fx(c), int(round(r * _ONE)), colour, t, cv2.LINE_AA, shift=_SHIFT)
    _line(img, c + (0, -r), c + (0, -r * 1.45), colour, t)
    _line(img, c + (-r * 0.35, -r * 1.5), c + (r * 0.35, -r * 1.5), colour, t)
    _line(img, c, c + (r * 0.5, -r * 0.45), colour, t)


# ----------------------------------------------------------------------------- the back


def _body_outline(lay: BackLayout) -> NDArray[np.float64]:
    """Closed outline of the torso (pixels): v = +-1 sides, rounded shoulders, straight hips."""
    xl, xr, yt, yb = lay.x_left_px, lay.x_right_px, lay.y_top_px, lay.y_base_px
    r_sh = 0.22 * (xr - xl)  # shoulder rounding
    r_hip = 0.06 * (xr - xl)
    pts = []

    def arc(cx, cy, r, a0, a1, n=10):
        for a in np.linspace(math.radians(a0), math.radians(a1), n):
            pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))

    # clockwise on screen from the hips' left corner (y grows downward)
    pts.append((xl, yb - r_hip))
    arc(xl + r_sh, yt + r_sh, r_sh, 180, 270)  # top-left shoulder
    arc(xr - r_sh, yt + r_sh, r_sh, 270, 360)  # top-right shoulder
    arc(xr - r_hip, yb - r_hip, r_hip, 0, 90)  # bottom-right hip
    arc(xl + r_hip, yb - r_hip, r_hip, 90, 180)  # bottom-left hip
    return np.array(pts)


def _band(lay: BackLayout, v0: float, v1: float, u0: float = 0.0, u1: float = 1.0) -> NDArray[np.float64]:
    """Rectangle (pixels) between v0..v1 and u0..u1."""
    size = lay.size
    return uv_to_px([[u0, v0], [u0, v1], [u1, v1], [u1, v0]], size)


def _draw_back(
    lay: BackLayout, zones: Zones, active_lanes: Iterable[str] = (), shade_lanes: bool = True
) -> NDArray[np.uint8]:
    w, h = lay.size
    img = np.full((h, w, 3), BG, np.uint8)
    outline = _body_outline(lay)
    t = lay.line_px
    # neck stub above the top edge
    cx, yt = lay.centre_x_px, lay.y_top_px
    neck_w = 0.26 * lay.half_width_px
    neck_h = max(4.0, 0.45 * yt)
    _blend_poly(
        img,
        [
            (cx - neck_w, yt + 2),
            (cx - neck_w * 0.9, yt - neck_h),
            (cx + neck_w * 0.9, yt - neck_h),
            (cx + neck_w, yt + 2),
        ],
        BODY,
    )
    _polyline(img, [(cx - neck_w, yt), (cx - neck_w * 0.9, yt - neck_h)], OUTLINE, t)
    _polyline(img, [(cx + neck_w, yt), (cx + neck_w * 0.9, yt - neck_h)], OUTLINE, t)
    _blend_poly(img, outline, BODY)

    # zones: lanes lightly shaded, the spine zone pink; clipped to the torso
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [_fxa(outline)], (255,), cv2.LINE_AA, shift=_SHIFT)
    zone_layer = img.copy()
    active = set(active_lanes)
    if shade_lanes:
        for name, s in (("left", -1), ("right", 1)):
            colour = LANE_ACTIVE if name in active else LANE
            _blend_poly(zone_layer, _band(lay, s * zones.lane_inner, s * zones.lane_outer), colour)
        if "outside" in active:
            for s in (-1, 1):
                _blend_poly(zone_layer, _band(lay, s * zones.outer_inner, s * zones.outer_outer), LANE)
    _blend_poly(zone_layer, _band(lay, -zones.spine, zones.spine), SPINE_ZONE)
    a = (mask.astype(np.float32) / 255.0)[..., None] * 0.85
    img[:] = np.round(zone_layer * a + img * (1 - a)).astype(np.uint8)

    # spine with vertebra ticks
    top, base = uv_to_px([[1.0, 0.0], [0.0, 0.0]], lay.size)
    _line(img, base + (0, -2), top + (0, 2), SPINE, t)
    tick = max(2.0, 0.45 * zones.spine * lay.half_width_px + 1.5)
    for uu in np.arange(0.06, 0.99, 0.075):
        p = uv_to_px([uu, 0.0], lay.size)
        _line(img, p - (tick, 0), p + (tick, 0), SPINE, 1)
    _polyline(img, outline, OUTLINE, t + 1 if min(w, h) >= 300 else t, closed=True)

    # labels: the recipient's left is on the picture's left (seen from the foot end)
    fs = lay.font_scale
    _text(img, "head", (cx, 0.5 * (yt - neck_h)), fs * 0.95)
    y_lab = 0.5 * (lay.y_base_px + h) + 1
    _text(img, "hips", (cx, y_lab), fs * 0.95)
    _text(img, "left", (lay.x_left_px, y_lab), fs * 0.85, anchor="left")
    _text(img, "right", (lay.x_right_px, y_lab), fs * 0.85, anchor="right")
    return img


def back_diagram(size: tuple[int, int] = (180, 260), zones: Zones = Zones()) -> NDArray[np.uint8]:
    """A schematic of the back seen from above; RGB uint8, shape (h, w, 3).

    Head at the TOP (u = 1), hips at the bottom (u = 0); the recipient's left
    (v = -1) on the picture's LEFT, as seen from the foot end. Drawn: the
    torso outline, the spine (with the spine zone |v| < zones.spine), the two
    lanes (zones.lane_inner..lane_outer) lightly shaded, and small labels
    "head", "hips", "left", "right". Map points with :func:`uv_to_px`.
    """
    return _draw_back(back_layout(size), zones)


# ----------------------------------------------------------------------------- step diagrams


def _lane_vs(lane: str, zones: Zones) -> list[float]:
    """Centre v of a step lane: one per side (outside has two)."""
    lane_c = 0.5 * (zones.lane_inner + zones.lane_outer)
    outer_c = 0.5 * (zones.outer_inner + zones.outer_outer)
    return {"left": [-lane_c], "right": [lane_c], "spine": [0.0], "outside": [-outer_c, outer_c]}.get(lane, [])


def _lane_half_width(lane: str, zones: Zones) -> float:
    if lane == "spine":
        return zones.spine
    if lane == "outside":
        return 0.5 * (zones.outer_outer - zones.outer_inner)
    return 0.5 * (zones.lane_outer - zones.lane_inner)


def _main_vs(step: Step, zones: Zones) -> list[tuple[float, float]]:
    """(v centre, v half width) of every lane the step works."""
    out = []
    for lane in step.lanes:
        for v in _lane_vs(lane, zones):
            out.append((v, _lane_half_width(lane, zones)))
    return out


class _Pen:
    """Drawing in back-frame coordinates on one diagram."""

    def __init__(self, img: NDArray[np.uint8], lay: BackLayout):
        self.img, self.lay = img, lay
        self.t = lay.line_px + 1
        self.head = max(5.0, 0.06 * lay.length_px)

    def p(self, u: float, v: float) -> NDArray[np.float64]:
        return uv_to_px([u, v], self.lay.size)

    def arrow(self, u0, v0, u1, v1, colour=ARROW, both=False, t=None, head=None) -> None:
        _arrow(self.img, self.p(u0, v0), self.p(u1, v1), colour, t or self.t, head or self.head, both)

    def dot(self, u, v, r_px, colour=ARROW) -> None:
        cv2.circle(self.img, _fx(self.p(u, v)), int(round(r_px * _ONE)), colour, -1, cv2.LINE_AA, shift=_SHIFT)


_U0, _U1 = 0.08, 0.92  # a long stroke's extent along the back


def _strokes(pen: _Pen, step: Step, zones: Zones) -> None:
    """Long strokes in the lanes for up/down/any; short across-arrows for lateral; effleurage return path."""
    d = step.direction
    for v, half in _main_vs(step, zones):
        if d == "lateral":
            for u in (0.25, 0.5, 0.75):
                pen.arrow(u, v - half * 0.95, u, v + half * 0.95, both=True, head=pen.head * 0.8)
        elif d in ("up", "down"):
            a, b = (_U0, _U1) if d == "up" else (_U1, _U0)
            pen.arrow(a, v, b, v)
        else:
            pen.arrow(_U0, v, _U1, v, both=True)
    if d not in ("up", "down") or not step.return_lanes:
        return
    # the return: the opposite way along the return lanes, joined to the stroke's end on the same side
    end_u, start_u = (_U1, _U0) if d == "up" else (_U0, _U1)
    sign_u = -1 if d == "up" else 1
    t = max(1, pen.t - 1)
    for lane in step.return_lanes:
        for rv in _lane_vs(lane, zones):
            if lane in step.lanes and rv in [v for v, _ in _main_vs(step, zones)]:
                rv += 0.12 if rv >= 0 else -0.12  # same lane both ways: draw the return beside it
            mains = [v for v, _ in _main_vs(step, zones) if (v < 0) == (rv < 0) and v != rv]
            pts = []
            if mains:  # from the stroke's end, a quarter turn out to the return lane
                mv = mains[0]
                for ang in np.linspace(0.15, 1.0, 8) * math.pi / 2:
                    pts.append(pen.p(end_u + sign_u * 0.1 * (1 - math.cos(ang)), mv + (rv - mv) * math.sin(ang)))
            pts.append(pen.p(end_u + sign_u * 0.1, rv))
            pts.append(pen.p(start_u - sign_u * 0.02, rv))
            path = np.array(pts)
            tip = path[-1]
            _dashed(
                pen.img,
                path[:-1].tolist() + [tip - (0, -sign_u * pen.head * 0.7)],
                RETURN,
                t,
                dash_px=max(4.0, pen.head * 0.8),
                gap_px=max(3.0, pen.head * 0.5),
            )
            _head(pen.img, tip, (0, -sign_u), RETURN, pen.head * 0.9)


def _petrissage(pen: _Pen, step: Step, zones: Zones) -> None:
    """Short back-and-forth strokes along the lane; a thin progression arrow if the step has a direction."""
    for v, half in _main_vs(step, zones):
        for k, u in enumerate((0.18, 0.38, 0.58, 0.78)):
            vv = v + (0.3 if k % 2 else -0.3) * half
            pen.arrow(u - 0.06, vv, u + 0.06, vv, both=True, head=pen.head * 0.7, t=max(1, pen.t - 1))
        if step.direction in ("up", "down"):
            a, b = (_U0, _U1) if step.direction == "up" else (_U1, _U0)
            edge = v + (half * 1.15 if v >= 0 else -half * 1.15)
            pen.arrow(a, edge, b, edge, colour=RETURN, t=1, head=pen.head * 0.7)


def _friction(pen: _Pen, step: Step, zones: Zones) -> None:
    """Small circles with a turning arrow head, over spots along each lane."""
    lay = pen.lay
    for v, half in _main_vs(step, zones):
        r = max(3.0, min(0.7 * half * lay.half_width_px, 0.07 * lay.length_px))
        for u in (0.3, 0.55, 0.8):
            c = pen.p(u, v)
            cv2.ellipse(
                pen.img,
                _fx(c),
                (int(r * _ONE), int(r * _ONE)),
                0,
                20,
                330,
                ARROW,
                max(1, pen.t - 1),
                cv2.LINE_AA,
                shift=_SHIFT,
            )
            a = math.radians(330)
            tip = c + r * np.array([math.cos(a), math.sin(a)])
            _head(pen.img, tip + (0, 0), (-math.sin(a), math.cos(a)), ARROW, max(3.5, 0.75 * r))


def _cross_fiber(pen: _Pen, step: Step, zones: Zones) -> None:
    """A zig-zag across the lane over a short stretch of it."""
    t = max(1, pen.t - 1)
    for v, half in _main_vs(step, zones):
        for u0 in (0.3, 0.62):
            n = 7
            us = np.linspace(u0, u0 + 0.18, n)
            vs = v + np.where(np.arange(n) % 2 == 0, -0.85, 0.85) * half
            _polyline(pen.img, uv_to_px(np.c_[us, vs], pen.lay.size), ARROW, t)


def _press(pen: _Pen, step: Step, zones: Zones) -> None:
    """Dots climbing the lane (press, move on), a thin arrow through them for the direction."""
    r = max(2.5, 0.022 * pen.lay.length_px)
    for v, _half in _main_vs(step, zones):
        if step.direction in ("up", "down"):
            a, b = (_U0, _U1) if step.direction == "up" else (_U1, _U0)
            pen.arrow(a, v, b, v, t=1, head=pen.head * 0.8)
        for u in (0.15, 0.33, 0.51, 0.69):
            pen.dot(u if step.direction != "down" else 1 - u, v, r)


def _hold(pen: _Pen, step: Step, zones: Zones) -> None:
    """A big dot per lane and a timer symbol, with the hold time asked for."""
    lay = pen.lay
    r = max(3.5, 0.035 * lay.length_px)
    for v, _half in _main_vs(step, zones):
        pen.dot(0.55, v, r, HOLD)
        cv2.circle(pen.img, _fx(pen.p(0.55, v)), int(round((r + 3) * _ONE)), HOLD, 1, cv2.LINE_AA, shift=_SHIFT)
    rs = max(5.0, 0.05 * lay.length_px)
    centre = pen.p(0.78, 0.0)
    pad = np.array([rs + 3, rs * 1.6 + 2])
    _blend_poly(pen.img, [centre - pad, centre + (pad[0], -pad[1]), centre + pad, centre + (-pad[0], pad[1])], BG, 0.9)
    _stopwatch(pen.img, centre + (0, rs * 0.25), rs, HOLD, max(1, pen.t - 1))
    lo, hi = step.hold_s.min, step.hold_s.max
    label = (
        f"{lo:g}-{hi:g} s"
        if lo is not None and hi is not None
        else f">= {lo:g} s"
        if lo is not None
        else f"<= {hi:g} s"
        if hi is not None
        else ""
    )
    if label:
        (tw, th), _ = cv2.getTextSize(label, _FONT, lay.font_scale * 0.85, 1)
        c = pen.p(0.3, 0.0)
        _blend_poly(
            pen.img,
            [c + (-tw / 2 - 3, -th), c + (tw / 2 + 3, -th), c + (tw / 2 + 3, th), c + (-tw / 2 - 3, th)],
            BG,
            0.9,
        )
        _text(pen.img, label, c, lay.font_scale * 0.85, HOLD)


def _instruction(pen: _Pen, step: Step, zones: Zones) -> None:
    """No path: a faint 'no check' mark (a slashed circle and the words)."""
    lay = pen.lay
    c = pen.p(0.55, 0.0)
    r = 0.16 * lay.length_px
    cv2.circle(pen.img, _fx(c), int(round(r * _ONE)), FAINT, pen.t, cv2.LINE_AA, shift=_SHIFT)
    k = r / math.sqrt(2)
    _line(pen.img, c + (-k, -k), c + (k, k), FAINT, pen.t)
    (tw, th), _ = cv2.getTextSize("no check", _FONT, lay.font_scale, 1)
    at = pen.p(0.3, 0.0)
    _blend_poly(
        pen.img,
        [at + (-tw / 2 - 3, -th), at + (tw / 2 + 3, -th), at + (tw / 2 + 3, th), at + (-tw / 2 - 3, th)],
        BG,
        0.9,
    )
    _text(pen.img, "no check", at, lay.font_scale, (150, 150, 150))


_DRAW = {
    "effleurage": _strokes,
    "deep_stroke": _strokes,
    "petrissage": _petrissage,
    "friction": _friction,
    "cross_fiber": _cross_fiber,
    "press": _press,
    "hold": _hold,
    "instruction": _instruction,
}


def step_diagram(step: Step, size: tuple[int, int] = (180, 260), zones: Zones = Zones()) -> NDArray[np.uint8]:
    """The back diagram with the path of one routine step; RGB uint8 (h, w, 3).

    Same convention as :func:`back_diagram` (head at the top, recipient's
    left on the left). The step's lanes are shaded a little darker, and by
    technique:

    - strokes (effleurage, deep stroke): an arrow along each lane for
      ``up``/``down``, double-headed for ``any``, short across-arrows for
      ``lateral``; the return path (``return_lanes``, e.g. the outer edges)
      dashed grey, the other way;
    - petrissage: short back-and-forth arrows along the lane;
    - friction: small circles with a turning arrow head;
    - cross_fiber: a zig-zag across the lane;
    - press: dots climbing the lane, a thin arrow for the direction;
    - hold: a dot per lane and a timer symbol with the hold time asked for;
    - instruction: the bare back with a faint "no check" mark.
    """
    lay = back_layout(size)
    img = _draw_back(lay, zones, active_lanes=() if step.technique == "instruction" else step.lanes)
    _DRAW.get(step.technique, _strokes)(_Pen(img, lay), step, zones)
    return img


# ----------------------------------------------------------------------------- coverage

Samples = Iterable[tuple[ArrayLike, ArrayLike]]


def _weighted_points(samples: Samples, cap_s: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """All samples as (M, 2) back points and (M,) seconds each stood for.

    Sample i of a series stands for the time to the next sample, capped at
    ``cap_s`` (a gap means tracking was lost, not work); the last sample of a
    series stands for nothing, so a series covers t[-1] - t[0] when there are
    no gaps.
    """
    if not (cap_s > 0):
        raise ValueError(f"cap_s: expected a positive number of seconds, got {cap_s!r}")
    pts, wts = [], []
    for k, item in enumerate(samples):
        try:
            times_s, path_back = item
        except (TypeError, ValueError):
            raise ValueError(
                f"samples[{k}]: expected a pair (times_s (N,), path_back (N, 2)), got {type(item).__name__}"
            ) from None
        t = np.asarray(times_s, np.float64).reshape(-1)
        p = np.asarray(path_back, np.float64)
        if p.size == 0 and t.size == 0:
            continue
        if p.ndim != 2 or p.shape[1] != 2 or p.shape[0] != t.shape[0]:
            raise ValueError(f"samples[{k}]: expected times_s (N,) and path_back (N, 2), got {t.shape} and {p.shape}")
        if t.shape[0] < 2:
            continue
        dt = np.diff(t)
        if np.any(dt < 0):
            raise ValueError(f"samples[{k}]: times_s must not go backwards")
        pts.append(p[:-1])
        wts.append(np.minimum(dt, cap_s))
    if not pts:
        return np.empty((0, 2)), np.empty(0)
    return np.concatenate(pts), np.concatenate(wts)


def samples_from_events(events: Iterable) -> list[tuple[NDArray[np.float64], NDArray[np.float64]]]:
    """(times_s, path_back) of each JudgedEvent (or MotionEvent), for the coverage functions."""
    out = []
    for e in events:
        ev = getattr(e, "event", e)
        out.append((ev.times_s, ev.path_back))
    return out


def coverage_seconds(samples: Samples, zones: Zones = Zones(), cap_s: float = DEFAULT_CAP_S) -> dict[str, float]:
    """Seconds the hands spent per zone: keys ``left``, ``right``, ``spine``, ``outside``, ``off_back``.

    ``samples``: (times_s (N,), path_back (N, 2) in back (u, v)) per series,
    e.g. each event's times and path. Time per sample as in
    :func:`coverage_map` (gap to the next sample, capped at ``cap_s``); NaN
    points count as off the back. The values sum to the total time covered.
    """
    pts, wts = _weighted_points(samples, cap_s)
    out = {name: 0.0 for name in ZONE_NAMES}
    if len(wts):
        lanes = zones.lane_of(pts[:, 0], pts[:, 1])
        for name in ZONE_NAMES:
            out[name] = float(np.sum(wts[lanes == name]))
    return out


@dataclass(frozen=True)
class CoverageGrid:
    """Seconds per back-frame cell: ``seconds[i, j]`` for u in u_edges[i:i+2], v in v_edges[j:j+2]."""

    seconds: NDArray[np.float64]  # (n_u, n_v)
    u_edges: NDArray[np.float64]  # (n_u + 1,)
    v_edges: NDArray[np.float64]  # (n_v + 1,)

    def hottest_uv(self) -> tuple[float, float] | None:
        """Centre (u, v) of the cell with the most time, None if there is none."""
        if not np.any(self.seconds > 0):
            return None
        i, j = np.unravel_index(int(np.argmax(self.seconds)), self.seconds.shape)
        return (0.5 * (self.u_edges[i] + self.u_edges[i + 1]), 0.5 * (self.v_edges[j] + self.v_edges[j + 1]))


def coverage_grid(
    samples: Samples, zones: Zones = Zones(), cell: float = 0.05, cap_s: float = DEFAULT_CAP_S
) -> CoverageGrid:
    """Time per cell over the back and a margin around it.

    ``cell``: the cell's edge in back lengths: ``cell`` in u, and the same
    physical width across, ``cell / HALF_WIDTH_PER_LENGTH`` in v (cells are
    square on the back and on the diagram). Cells are aligned on u = 0 and
    centred on the spine (v = 0). Points beyond the margin (u outside
    [-off_u - cell, 1 + off_u + cell], |v| beyond off_v + a cell) are left out.
    """
    if not (cell > 0 and math.isfinite(cell)):
        raise ValueError(f"cell: expected a positive size in back lengths, got {cell!r}")
    cell_v = cell / HALF_WIDTH_PER_LENGTH
    u_lo = -math.ceil((zones.off_u + cell) / cell) * cell
    u_hi = math.ceil((1 + zones.off_u + cell) / cell) * cell
    n_half_v = math.ceil((zones.off_v + cell_v) / cell_v - 0.5)
    u_edges = np.arange(u_lo, u_hi + cell / 2, cell)
    v_edges = (np.arange(-n_half_v, n_half_v + 2) - 0.5) * cell_v
    pts, wts = _weighted_points(samples, cap_s)
    ok = np.all(np.isfinite(pts), axis=1) if len(wts) else np.zeros(0, bool)
    # numpy's stub types histogram2d's bins as counts only, not the edge arrays it documents and takes
    seconds, _, _ = np.histogram2d(
        pts[ok, 0],
        pts[ok, 1],
        bins=[u_edges, v_edges],  # type: ignore[list-item]
        weights=wts[ok],
    )
    return CoverageGrid(seconds, u_edges, v_edges)


def _heat_rgb(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """0..1 -> RGB float: amber, orange, red, dark red (after ColorBrewer YlOrRd, more saturated)."""
    stops = np.array([0.0, 0.35, 0.7, 1.0])
    cols = np.array([[250, 205, 60], [250, 150, 40], [228, 70, 35], [165, 0, 38]], np.float64)
    return np.stack([np.interp(x, stops, cols[:, c]) for c in range(3)], axis=-1)


def coverage_map(
    samples: Samples,
    size: tuple[int, int] = (240, 340),
    zones: Zones = Zones(),
    cell: float = 0.05,
    cap_s: float = DEFAULT_CAP_S,
) -> NDArray[np.uint8]:
    """Where the hands worked and for how long, as heat over the back diagram; RGB uint8 (h, w, 3).

    ``samples``: an iterable of (times_s (N,), path_back (N, 2)) in back
    (u, v), e.g. ``[(je.event.times_s, je.event.path_back) for je in events]``
    (see :func:`samples_from_events`). Each sample stands for the time to the
    next one, capped at ``cap_s``; time is summed per cell (see
    :func:`coverage_grid`), cells with any time are coloured yellow (little)
    to dark red (the most), more opaque the hotter. A legend in the top right
    corner gives the seconds of the hottest cell. Same convention and
    :func:`uv_to_px` mapping as :func:`back_diagram`.
    """
    lay = back_layout(size)
    grid = coverage_grid(samples, zones, cell, cap_s)
    img = _draw_back(lay, zones)
    w, h = lay.size
    top = float(grid.seconds.max()) if grid.seconds.size else 0.0
    if top > 0:
        # each pixel looks up its cell; sampled at 3x and averaged for smooth cell edges
        ss = 3
        ys, xs = np.mgrid[0 : h * ss, 0 : w * ss]
        uv = px_to_uv(np.c_[(xs.ravel() + 0.5) / ss - 0.5, (ys.ravel() + 0.5) / ss - 0.5], lay.size)
        i = np.searchsorted(grid.u_edges, uv[:, 0], side="right") - 1
        j = np.searchsorted(grid.v_edges, uv[:, 1], side="right") - 1
        inside = (i >= 0) & (i < grid.seconds.shape[0]) & (j >= 0) & (j < grid.seconds.shape[1])
        val = np.zeros(len(uv))
        val[inside] = grid.seconds[i[inside], j[inside]] / top
        val = val.reshape(h * ss, w * ss)
        # sqrt: short visits stay visible next to a long hold; opacity grows with the time too
        a_hi = np.where(val > 0, 0.62 + 0.35 * np.sqrt(val), 0.0)
        rgb_a_hi = _heat_rgb(np.sqrt(val)) * a_hi[..., None]
        # averaged over each 3x3 block: smooth cell edges; colour weighted by opacity so empty
        # sub-pixels do not darken the edges
        alpha = a_hi.reshape(h, ss, w, ss).mean(axis=(1, 3))[..., None]
        rgb_a = rgb_a_hi.reshape(h, ss, w, ss, 3).mean(axis=(1, 3))
        colour = np.divide(rgb_a, alpha, out=np.zeros_like(rgb_a), where=alpha > 1e-6)
        # the spine line shows through the heat: less opacity on its pixels
        spine = np.zeros((h, w), np.uint8)
        p_top, p_base = uv_to_px([[1.0, 0.0], [0.0, 0.0]], lay.size)
        _line(spine, p_base, p_top, 255, lay.line_px)
        alpha = alpha * (1 - 0.7 * spine[..., None] / 255.0)
        img[:] = np.round(colour * alpha + img * (1 - alpha)).clip(0, 255).astype(np.uint8)
    _coverage_legend(img, lay, top)
    return img


def _coverage_legend(img: NDArray[np.uint8], lay: BackLayout, top_s: float) -> None:
    """A small colour bar in the top right corner: light = little, dark = ``top_s`` seconds."""
    w, _ = lay.size
    fs = lay.font_scale * 0.8
    label = f"{top_s:.1f} s" if top_s < 10 else f"{top_s:.0f} s"
    if top_s <= 0:
        label = "no data"
    (tw, th), _ = cv2.getTextSize(label, _FONT, fs, 1)
    bar_w = max(18, int(0.13 * w))
    bar_h = max(4, int(0.4 * th + 2))
    x1 = w - 4
    y_mid = max(th / 2 + 3, 0.42 * lay.y_top_px)
    _text(img, label, (x1, y_mid), fs, anchor="right")
    x_bar1 = x1 - tw - 4
    x_bar0 = x_bar1 - bar_w
    if top_s > 0:
        ramp = _heat_rgb(np.sqrt(np.linspace(0.02, 1, bar_w)))
        y0 = int(round(y_mid - bar_h / 2))
        img[y0 : y0 + bar_h, int(x_bar0) : int(x_bar0) + bar_w] = np.round(ramp).astype(np.uint8)[None]
        cv2.rectangle(img, (int(x_bar0) - 1, y0 - 1), (int(x_bar0) + bar_w, y0 + bar_h), OUTLINE, 1)
        _text(img, "0", (x_bar0 - 3, y_mid), fs, anchor="right")

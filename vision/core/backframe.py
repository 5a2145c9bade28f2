"""Back-frame geometry: calibration, image <-> back homography, zones.

Coordinate frames (see DESIGN.md, "Coordinates"):

- Image: pixels, ``x`` to the right, ``y`` down, on the unmirrored frame.
- Back: ``u`` along the spine, 0 at its base (hips), 1 at its top (base of
  the neck); ``v`` across, -1 at the recipient's left edge, 0 on the spine,
  +1 at the recipient's right edge. Left and right are always the
  RECIPIENT's, never the image's.

The four calibration corners map to the back frame as::

    base_left  -> (u=0, v=-1)     base_right -> (u=0, v=+1)
    top_left   -> (u=1, v=-1)     top_right  -> (u=1, v=+1)

Pure numpy, no I/O (the calibration file is :mod:`vision.files.calibration`'s). Never
imports streamlit or mediapipe.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "CORNER_NAMES",
    "CORNERS_BACK",
    "HALF_WIDTH_PER_LENGTH",
    "LANE_NAMES",
    "Calibration",
    "CalibrationError",
    "Homography",
    "Zones",
    "back_distance",
]

#: Corner names in their fixed order (a loop around the back).
CORNER_NAMES: tuple[str, str, str, str] = ("base_left", "base_right", "top_right", "top_left")

#: Back-frame (u, v) of each corner, same order as CORNER_NAMES; shape (4, 2).
CORNERS_BACK: NDArray[np.float64] = np.array([[0.0, -1.0], [0.0, 1.0], [1.0, 1.0], [1.0, -1.0]], dtype=np.float64)
CORNERS_BACK.setflags(write=False)

#: A typical adult back: half its width is about 0.35 of its length, so one
#: unit of ``v`` is about 0.35 units of ``u``.
HALF_WIDTH_PER_LENGTH: float = 0.35

# Calibration checks. Why these numbers: corners closer than a few pixels are
# a double click; a corner within ~2% of its neighbours' line gives a
# homography that blows small click errors up into huge back-frame errors.
_MIN_CORNER_GAP_PX = 5.0
_MIN_HEIGHT_FRACTION = 0.02
_MIN_HEIGHT_PX = 2.0
_MAX_OUTSIDE_FRACTION = 0.5

# Projective division guard: |w| below this fraction of |x_h|, |y_h| means the
# point sits on (or beyond) the horizon line; the result would be >~1e9.
_HORIZON_EPS = 1e-9


class CalibrationError(ValueError):
    """A calibration that cannot be used; the message is one line for the user."""


def _fmt_pt(p: tuple[float, float] | NDArray[np.float64]) -> str:
    return f"({float(p[0]):.1f}, {float(p[1]):.1f})"


def _is_number(value: Any) -> bool:
    # bool is an int subclass, but `true` is never a pixel coordinate.
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _parse_corner(name: str, raw: Any, source: str) -> tuple[float, float]:
    """Turn one raw corner value into ``(x_px, y_px)`` or raise CalibrationError."""
    if not isinstance(raw, (list, tuple)) or len(raw) != 2 or not all(_is_number(c) for c in raw):
        raise CalibrationError(
            f"{source}: corner {name!r} must be two numbers [x, y] in image pixels, "
            f'found {raw!r}; write it as e.g. "{name}": [120, 400]'
        )
    x_px, y_px = float(raw[0]), float(raw[1])
    if not (math.isfinite(x_px) and math.isfinite(y_px)):
        raise CalibrationError(
            f"{source}: corner {name!r} must be two finite numbers, found {raw!r}; re-do the calibration"
        )
    return (x_px, y_px)


def _turn_signs(pts_px: NDArray[np.float64]) -> NDArray[np.float64]:
    """z of the cross product of consecutive edges at each corner; shape (4,).

    Entry i is the turn at corner i (between edge i-1 -> i and edge i -> i+1).
    """
    prev_edge = pts_px - np.roll(pts_px, 1, axis=0)
    next_edge = np.roll(pts_px, -1, axis=0) - pts_px
    return prev_edge[:, 0] * next_edge[:, 1] - prev_edge[:, 1] * next_edge[:, 0]


def _segments_cross(a0: NDArray, a1: NDArray, b0: NDArray, b1: NDArray) -> bool:
    """True if the open segments a0-a1 and b0-b1 properly intersect."""

    def orient(p: NDArray, q: NDArray, r: NDArray) -> float:
        return float((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]))

    d1, d2 = orient(b0, b1, a0), orient(b0, b1, a1)
    d3, d4 = orient(a0, a1, b0), orient(a0, a1, b1)
    return d1 * d2 < 0 and d3 * d4 < 0


def _check_geometry(pts_px: NDArray[np.float64], source: str) -> None:
    """Raise CalibrationError unless the 4 corners make a usable back outline.

    ``pts_px``: shape (4, 2), image pixels, in CORNER_NAMES order.
    """
    names = CORNER_NAMES
    for i, j in combinations(range(4), 2):
        gap_px = float(np.hypot(*(pts_px[i] - pts_px[j])))
        if gap_px < _MIN_CORNER_GAP_PX:
            raise CalibrationError(
                f"{source}: corners {names[i]!r} {_fmt_pt(pts_px[i])} and {names[j]!r} "
                f"{_fmt_pt(pts_px[j])} are {gap_px:.1f} px apart, expected at least "
                f"{_MIN_CORNER_GAP_PX:.0f} px; click the four distinct corners of the back"
            )

    # Degenerate: any three corners (nearly) on one line, which includes zero area.
    for trio in combinations(range(4), 3):
        a, b, c = (pts_px[k] for k in trio)
        twice_area = abs(float((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])))
        longest_px = max(float(np.hypot(*(b - a))), float(np.hypot(*(c - b))), float(np.hypot(*(a - c))))
        height_px = twice_area / longest_px
        if height_px < max(_MIN_HEIGHT_PX, _MIN_HEIGHT_FRACTION * longest_px):
            trio_names = ", ".join(names[k] for k in trio)
            raise CalibrationError(
                f"{source}: corners {trio_names} are (nearly) in a line "
                f"({height_px:.1f} px off it), so the outline is degenerate; expected four "
                "corners spanning the back's outline, re-do the calibration"
            )

    turns = _turn_signs(pts_px)
    if not (np.all(turns > 0) or np.all(turns < 0)):
        # Self-intersecting ("bow tie") or with one corner pushed inward.
        if _segments_cross(pts_px[1], pts_px[2], pts_px[3], pts_px[0]):
            raise CalibrationError(
                f"{source}: the outline crosses itself: edge base_right->top_right crosses "
                "top_left->base_left; expected the corners in order around the back, "
                "probably top_left and top_right (or base_left and base_right) are exchanged"
            )
        if _segments_cross(pts_px[0], pts_px[1], pts_px[2], pts_px[3]):
            raise CalibrationError(
                f"{source}: the outline crosses itself: edge base_left->base_right crosses "
                "top_right->top_left; expected the corners in order around the back, "
                "probably a base corner and a top corner on the same side are exchanged"
            )
        majority = np.sign(np.sum(np.sign(turns)))
        odd = [names[k] for k in range(4) if np.sign(turns[k]) != majority]
        raise CalibrationError(
            f"{source}: the outline is not convex (corner {', '.join(odd)} points "
            "inward); expected the four outer corners of the back, re-do the calibration"
        )

    # Shoelace sum in image coordinates (y down): negative for a correct calibration,
    # because the camera sees the back from above (its left is on the viewer's left
    # when the head is up in the picture). Rotations keep the sign, a mirror flips it.
    x, y = pts_px[:, 0], pts_px[:, 1]
    shoelace = float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))
    if shoelace > 0:
        raise CalibrationError(
            f"{source}: the corners run the wrong way round: left and right look swapped "
            "(or base and top): base_left/top_left are the RECIPIENT's left side, not the "
            "image's left; swap them, and pick the corners on the unmirrored picture"
        )


@dataclass(frozen=True)
class Calibration:
    """Four image points outlining the back, in image pixels (x right, y down).

    Names are the recipient's left/right (lying face down), never the image's.
    A Calibration is always geometrically valid: construction checks it.
    """

    base_left: tuple[float, float]
    base_right: tuple[float, float]
    top_right: tuple[float, float]
    top_left: tuple[float, float]

    def __post_init__(self) -> None:
        for name in CORNER_NAMES:
            raw = getattr(self, name)
            # Accept numpy arrays and lists at construction; store plain float tuples.
            if isinstance(raw, np.ndarray):
                raw = raw.tolist()
            object.__setattr__(self, name, _parse_corner(name, raw, "Calibration"))
        _check_geometry(self.corners_px(), "Calibration")

    @classmethod
    def from_dict(
        cls,
        d: Any,
        frame_wh: tuple[int, int] | None = None,
        source: str = "calibration",
    ) -> Calibration:
        """Validate a raw mapping and build a Calibration.

        ``d`` is either ``{"base_left": [x, y], "base_right": [x, y],
        "top_right": [x, y], "top_left": [x, y]}`` (image pixels) or a sample
        clip's labels dict holding that under ``"calibration"``. If
        ``frame_wh = (width_px, height_px)`` is given, corners more than half a
        frame outside it are refused. Errors raise CalibrationError prefixed
        with ``source``.
        """
        if not isinstance(d, Mapping):
            raise CalibrationError(
                f"{source}: expected a JSON object with base_left, base_right, top_right, "
                f"top_left, found {type(d).__name__}; write the calibration as an object"
            )
        if "calibration" in d:
            inner = d["calibration"]
            source = f"{source}: calibration"
            if not isinstance(inner, Mapping):
                raise CalibrationError(
                    f"{source}: expected an object with the four corners, found "
                    f'{type(inner).__name__}; fix the "calibration" entry'
                )
            d = inner

        missing = [name for name in CORNER_NAMES if name not in d]
        if missing:
            found = ", ".join(sorted(map(str, d.keys()))) or "nothing"
            raise CalibrationError(
                f"{source}: missing corner(s) {', '.join(missing)}; expected all of "
                f"{', '.join(CORNER_NAMES)}, found {found}; add the missing corner(s)"
            )
        corners = {name: _parse_corner(name, d[name], source) for name in CORNER_NAMES}

        if frame_wh is not None:
            try:
                w_px, h_px = (float(s) for s in frame_wh)
            except (TypeError, ValueError):
                w_px = h_px = float("nan")
            if not (w_px > 0 and h_px > 0):
                raise CalibrationError(
                    f"{source}: expected frame_wh = (width_px, height_px), both > 0, found "
                    f"{frame_wh!r}; pass the video's frame size"
                )
            mx, my = _MAX_OUTSIDE_FRACTION * w_px, _MAX_OUTSIDE_FRACTION * h_px
            for name, (x_px, y_px) in corners.items():
                if not (-mx <= x_px <= w_px + mx and -my <= y_px <= h_px + my):
                    raise CalibrationError(
                        f"{source}: corner {name!r} at {_fmt_pt((x_px, y_px))} is far outside "
                        f"the {w_px:.0f}x{h_px:.0f} frame (more than half a frame); expected "
                        "corners in or near the picture, was this calibration made for "
                        "another camera or resolution? Re-do the calibration"
                    )

        pts_px = np.array([corners[name] for name in CORNER_NAMES], dtype=np.float64)
        _check_geometry(pts_px, source)
        return cls(**corners)

    def to_dict(self) -> dict[str, list[float]]:
        """Plain JSON-ready form: ``{"base_left": [x, y], ...}`` in image pixels."""
        return {name: [float(c) for c in getattr(self, name)] for name in CORNER_NAMES}

    def corners_px(self) -> NDArray[np.float64]:
        """Corners in image pixels, shape (4, 2), order base_left, base_right, top_right, top_left."""
        return np.array([getattr(self, name) for name in CORNER_NAMES], dtype=np.float64)


def _as_points(points: ArrayLike, what: str) -> NDArray[np.float64]:
    """Coerce to float64 shape (N, 2); a single (2,) point becomes (1, 2)."""
    arr = np.asarray(points, dtype=np.float64)
    if arr.ndim == 1 and arr.shape[0] == 2:
        return arr.reshape(1, 2)
    if arr.ndim == 2 and arr.shape[1] == 2:
        return arr
    if arr.size == 0:
        return np.empty((0, 2), dtype=np.float64)
    raise ValueError(f"{what}: expected shape (N, 2) or (2,), got {arr.shape}")


def _apply(h: NDArray[np.float64], pts: NDArray[np.float64]) -> NDArray[np.float64]:
    """Apply 3x3 ``h`` to (N, 2) points; NaN rows where the division is unsafe.

    ``h`` is scaled so that ``w > 0`` on the calibrated quadrilateral; points
    with ``w`` near zero (on the horizon line) or negative (past it, i.e. not
    on the back's plane as seen by this camera) give NaN instead of inf or a
    mirrored, meaningless point.
    """
    if pts.shape[0] == 0:
        return np.empty((0, 2), dtype=np.float64)
    xh = pts[:, 0] * h[0, 0] + pts[:, 1] * h[0, 1] + h[0, 2]
    yh = pts[:, 0] * h[1, 0] + pts[:, 1] * h[1, 1] + h[1, 2]
    w = pts[:, 0] * h[2, 0] + pts[:, 1] * h[2, 1] + h[2, 2]
    scale = np.maximum(np.abs(xh), np.abs(yh))
    # Also false for w <= 0 (scale >= 0) and for NaN input.
    ok = w > _HORIZON_EPS * scale
    out = np.full((pts.shape[0], 2), np.nan, dtype=np.float64)
    out[ok, 0] = xh[ok] / w[ok]
    out[ok, 1] = yh[ok] / w[ok]
    return out


def _solve_homography(src: NDArray[np.float64], dst: NDArray[np.float64]) -> NDArray[np.float64]:
    """3x3 H with dst ~ H @ src for 4 correspondences (shape (4, 2) each), in float64.

    Source points are normalised (centred, unit mean distance) first so the
    8x8 system stays well conditioned for pixel values in the thousands.
    cv2.getPerspectiveTransform would round the corners to float32.
    """
    centre = src.mean(axis=0)
    spread = float(np.mean(np.hypot(*(src - centre).T))) or 1.0
    t = np.array([[1 / spread, 0, -centre[0] / spread], [0, 1 / spread, -centre[1] / spread], [0, 0, 1]])
    s = (src - centre) / spread
    a = np.zeros((8, 8))
    b = np.zeros(8)
    for i in range(4):
        (x, y), (X, Y) = s[i], dst[i]
        a[2 * i] = [x, y, 1, 0, 0, 0, -X * x, -X * y]
        a[2 * i + 1] = [0, 0, 0, x, y, 1, -Y * x, -Y * y]
        b[2 * i], b[2 * i + 1] = X, Y
    h_norm = np.append(np.linalg.solve(a, b), 1.0).reshape(3, 3)
    return h_norm @ t


def _orient_positive(h: NDArray[np.float64], src: NDArray[np.float64]) -> NDArray[np.float64]:
    """Scale ``h`` (by +-1/|max|) so that w > 0 on the source quadrilateral."""
    w = src @ h[2, :2] + h[2, 2]
    h = h / np.max(np.abs(h))
    return -h if np.mean(w) < 0 else h


class Homography:
    """Image pixels <-> back frame (u, v), built once from a Calibration.

    Pure numpy; the forward and inverse 3x3 matrices are computed once.
    """

    def __init__(self, image_to_back: NDArray[np.float64], back_to_image: NDArray[np.float64]):
        """Prefer :meth:`from_calibration`; both matrices are 3x3 and w>0 on the back."""
        self._h = np.array(image_to_back, dtype=np.float64)
        self._h_inv = np.array(back_to_image, dtype=np.float64)
        if self._h.shape != (3, 3) or self._h_inv.shape != (3, 3):
            raise ValueError(f"Homography: expected two 3x3 matrices, got {self._h.shape} and {self._h_inv.shape}")
        self._h.setflags(write=False)
        self._h_inv.setflags(write=False)

    @classmethod
    def from_calibration(cls, cal: Calibration) -> Homography:
        """Map cal's corners to (u, v) = (0,-1), (0,+1), (1,+1), (1,-1)."""
        corners_px = cal.corners_px()
        h = _orient_positive(_solve_homography(corners_px, CORNERS_BACK), corners_px)
        h_inv = _orient_positive(np.linalg.inv(h), CORNERS_BACK)
        return cls(h, h_inv)

    @property
    def image_to_back(self) -> NDArray[np.float64]:
        """3x3 matrix (read-only), image pixels -> back (u, v), homogeneous."""
        return self._h

    @property
    def back_to_image(self) -> NDArray[np.float64]:
        """3x3 matrix (read-only), back (u, v) -> image pixels, homogeneous."""
        return self._h_inv

    def to_back(self, points_px: ArrayLike) -> NDArray[np.float64]:
        """Image pixels (x, y), shape (N, 2) or (2,) -> back (u, v), shape (N, 2) float64.

        A single (2,) point gives shape (1, 2). Rows on or past the horizon
        line of the back's plane are NaN. Empty (0, 2) in gives (0, 2) out.
        """
        return _apply(self._h, _as_points(points_px, "to_back"))

    def to_image(self, points_back: ArrayLike) -> NDArray[np.float64]:
        """Back (u, v), shape (N, 2) or (2,) -> image pixels (x, y), shape (N, 2) float64.

        Rows that would fall on or behind the camera's horizon are NaN.
        """
        return _apply(self._h_inv, _as_points(points_back, "to_image"))

    def back_width_px(self, u: float = 0.5) -> float:
        """Image distance in pixels from v=-1 to v=+1 at this u (the back's width there)."""
        ends_px = self.to_image(np.array([[u, -1.0], [u, 1.0]]))
        return float(np.hypot(*(ends_px[1] - ends_px[0])))


#: Every value Zones.lane_of can return.
LANE_NAMES: tuple[str, ...] = ("spine", "left", "right", "outside", "off_back")


@dataclass(frozen=True)
class Zones:
    """Zones of the back across (|v|) and along (u), in back-frame units.

    - spine: |v| < spine
    - lanes: lane_inner <= |v| <= lane_outer (left for v < 0, right for v > 0)
    - outer zone: outer_inner <= |v| <= outer_outer (where effleurage glides back)
    - off the back: |v| > off_v, or u < -off_u, or u > 1 + off_u
    """

    spine: float = 0.08
    lane_inner: float = 0.10
    lane_outer: float = 0.55
    outer_inner: float = 0.60
    outer_outer: float = 1.0
    off_v: float = 1.05
    off_u: float = 0.05

    def __post_init__(self) -> None:
        values = {
            "spine": self.spine,
            "lane_inner": self.lane_inner,
            "lane_outer": self.lane_outer,
            "outer_inner": self.outer_inner,
            "outer_outer": self.outer_outer,
            "off_v": self.off_v,
            "off_u": self.off_u,
        }
        for name, value in values.items():
            if not _is_number(value) or not math.isfinite(value):
                raise ValueError(f"Zones: {name} must be a finite number, got {value!r}")
        order = ["spine", "lane_inner", "lane_outer", "outer_inner", "outer_outer", "off_v"]
        if not self.spine > 0:
            raise ValueError(f"Zones: spine must be > 0, got {self.spine}")
        for lo, hi in zip(order, order[1:]):
            # Lanes and outer zone need width; the gaps between zones may be empty.
            strict = (lo, hi) in {("lane_inner", "lane_outer"), ("outer_inner", "outer_outer")}
            bad = values[lo] >= values[hi] if strict else values[lo] > values[hi]
            if bad:
                rel = "<" if strict else "<="
                raise ValueError(
                    f"Zones: expected {lo} {rel} {hi} (|v| grows from the spine outward), "
                    f"got {lo}={values[lo]} and {hi}={values[hi]}"
                )
        if self.off_u < 0:
            raise ValueError(f"Zones: off_u must be >= 0, got {self.off_u}")

    @property
    def lane_limit(self) -> float:
        """|v| up to which a point still counts as in a lane: midway lane_outer..outer_inner."""
        return 0.5 * (self.lane_outer + self.outer_inner)

    def is_on_back(self, u: ArrayLike, v: ArrayLike) -> NDArray[np.bool_]:
        """True where (u, v) is on the back (with the off_u/off_v margins); NaN is off."""
        u_arr, v_arr = np.broadcast_arrays(np.asarray(u, np.float64), np.asarray(v, np.float64))
        # NaN compares False, so NaN points are off the back.
        return (np.abs(v_arr) <= self.off_v) & (u_arr >= -self.off_u) & (u_arr <= 1 + self.off_u)

    def lane_of(self, u: ArrayLike, v: ArrayLike) -> NDArray[np.str_]:
        """Zone name per point: "spine", "left", "right", "outside" or "off_back".

        ``u``, ``v``: back-frame arrays (broadcast together); returns a string
        array of their broadcast shape (0-d for scalars). The gap between the
        spine zone and the lanes counts as the lane; the gap between a lane and
        the outer zone is split at its midpoint.
        """
        u_arr, v_arr = np.broadcast_arrays(np.asarray(u, np.float64), np.asarray(v, np.float64))
        abs_v = np.abs(v_arr)
        out = np.full(u_arr.shape, "outside", dtype="<U8")
        in_lane = abs_v <= self.lane_limit
        out[in_lane & (v_arr < 0)] = "left"
        out[in_lane & (v_arr > 0)] = "right"
        out[abs_v < self.spine] = "spine"
        out[~self.is_on_back(u_arr, v_arr)] = "off_back"
        return out

    @staticmethod
    def side_of(v: ArrayLike) -> NDArray[np.str_]:
        """ "left" where v < 0, else "right" (v == 0 counts as right); same shape as v."""
        v_arr = np.asarray(v, np.float64)
        return np.where(v_arr < 0, "left", "right").astype("<U5")


def back_distance(du: ArrayLike, dv: ArrayLike, aspect: float = HALF_WIDTH_PER_LENGTH) -> NDArray[np.float64] | float:
    """Distance in back lengths for steps (du, dv) in the back frame.

    ``v`` spans a half width per unit, so it is scaled by ``aspect`` (half
    width / length) before taking the Euclidean norm. Vectorised.
    """
    if not (aspect > 0 and math.isfinite(aspect)):
        raise ValueError(f"back_distance: aspect must be a positive finite number, got {aspect!r}")
    return np.hypot(du, np.multiply(dv, aspect))

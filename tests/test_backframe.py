"""Tests for vision.backframe: calibration checks, homography, zones."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from vision.core.backframe import (
    CORNERS_BACK,
    HALF_WIDTH_PER_LENGTH,
    Calibration,
    CalibrationError,
    Homography,
    Zones,
    back_distance,
)
from vision.files.calibration import load_calibration_file

# A known back (u, v, 1) -> image (x_h, y_h, w) homography for a laptop at the
# foot end, looking along the back: the top (u=1) is 1.8x farther, so narrower.
#   x = (256 u + 200 v + 320) / (0.8 u + 1),  y = (400 - 300 u) / (0.8 u + 1)
H_TRUE = np.array([[256.0, 200.0, 320.0], [-300.0, 0.0, 400.0], [0.8, 0.0, 1.0]])


def true_to_image(uv: np.ndarray) -> np.ndarray:
    """Ground truth back (N, 2) -> image (N, 2) through H_TRUE."""
    h = np.c_[uv, np.ones(len(uv))] @ H_TRUE.T
    return h[:, :2] / h[:, 2:]


def oblique_calibration() -> Calibration:
    c = true_to_image(CORNERS_BACK)
    return Calibration(tuple(c[0]), tuple(c[1]), tuple(c[2]), tuple(c[3]))


SQUARE = {
    "base_left": [100, 500],
    "base_right": [400, 500],
    "top_right": [400, 100],
    "top_left": [100, 100],
}


def with_corners(**changes: list[float]) -> dict:
    d = {k: list(v) for k, v in SQUARE.items()}
    d.update(changes)
    return d


# --- Homography --------------------------------------------------------------


def test_oblique_calibration_is_a_trapezoid():
    c = oblique_calibration().corners_px()
    base_w, top_w = c[1, 0] - c[0, 0], c[2, 0] - c[3, 0]
    assert base_w == pytest.approx(400.0)
    assert top_w == pytest.approx(400.0 / 1.8)


def test_corners_map_exactly_to_their_uv():
    cal = oblique_calibration()
    hom = Homography.from_calibration(cal)
    np.testing.assert_allclose(hom.to_back(cal.corners_px()), CORNERS_BACK, atol=1e-12)
    np.testing.assert_allclose(hom.to_image(CORNERS_BACK), cal.corners_px(), atol=1e-9)


def test_corners_exact_with_awkward_large_pixel_values():
    # float32 (as cv2.getPerspectiveTransform uses) would lose ~1e-4 px here.
    cal = Calibration.from_dict(
        {
            "base_left": [1234.5678, 2987.6543],
            "base_right": [3456.789, 2950.1234],
            "top_right": [3001.2345, 1010.9876],
            "top_left": [1500.4321, 1022.2222],
        }
    )
    hom = Homography.from_calibration(cal)
    np.testing.assert_allclose(hom.to_back(cal.corners_px()), CORNERS_BACK, atol=1e-10)


def test_point_between_corners_under_oblique_view():
    hom = Homography.from_calibration(oblique_calibration())
    # Middle of the back (u=0.5 on the spine) is at x=320, y=250/1.4 in the image ...
    mid_px = np.array([320.0, 250.0 / 1.4])
    np.testing.assert_allclose(hom.to_back(mid_px), [[0.5, 0.0]], atol=1e-12)
    # ... not at the image midpoint of the corners, which perspective pushes toward the top.
    naive_mid_px = oblique_calibration().corners_px().mean(axis=0)
    u_naive = hom.to_back(naive_mid_px)[0, 0]
    assert u_naive < 0.45


def test_random_points_match_known_homography():
    rng = np.random.default_rng(0)
    uv = np.c_[rng.uniform(-0.2, 1.2, 200), rng.uniform(-1.3, 1.3, 200)]
    hom = Homography.from_calibration(oblique_calibration())
    np.testing.assert_allclose(hom.to_back(true_to_image(uv)), uv, atol=1e-9)
    np.testing.assert_allclose(hom.to_image(uv), true_to_image(uv), atol=1e-7)


def test_round_trip_image_back_image():
    rng = np.random.default_rng(1)
    pts_px = np.c_[rng.uniform(0, 640, 500), rng.uniform(20, 480, 500)]
    hom = Homography.from_calibration(oblique_calibration())
    back = hom.to_back(pts_px)
    assert back.shape == (500, 2) and back.dtype == np.float64
    np.testing.assert_allclose(hom.to_image(back), pts_px, atol=1e-7)


@pytest.mark.parametrize("turns", [0, 1, 2, 3])
def test_rotated_camera_still_valid_and_exact(turns):
    # Laptop at the head end or beside the table: the back appears rotated.
    c = np.array([v for v in SQUARE.values()], dtype=float) - 300.0
    for _ in range(turns):
        c = c @ np.array([[0.0, 1.0], [-1.0, 0.0]])  # 90 degrees, no mirror
    cal = Calibration(*(tuple(p + 300.0) for p in c))
    hom = Homography.from_calibration(cal)
    np.testing.assert_allclose(hom.to_back(cal.corners_px()), CORNERS_BACK, atol=1e-12)


def test_empty_in_empty_out():
    hom = Homography.from_calibration(oblique_calibration())
    for out in (hom.to_back(np.empty((0, 2))), hom.to_image(np.empty((0, 2))), hom.to_back([])):
        assert out.shape == (0, 2) and out.dtype == np.float64


def test_single_point_gives_one_row():
    hom = Homography.from_calibration(oblique_calibration())
    assert hom.to_back((120.0, 400.0)).shape == (1, 2)


def test_bad_point_shape_raises():
    hom = Homography.from_calibration(oblique_calibration())
    with pytest.raises(ValueError, match=r"expected shape \(N, 2\)"):
        hom.to_back(np.zeros((4, 3)))


def test_horizon_gives_nan_not_inf():
    hom = Homography.from_calibration(oblique_calibration())
    # Vanishing point of the spine direction (u -> infinity): (256/0.8, -300/0.8).
    horizon_px = np.array([[320.0, -375.0], [0.0, -375.0], [320.0, -1000.0], [320.0, 200.0]])
    with np.errstate(all="raise"):  # no divide-by-zero warnings either
        back = hom.to_back(horizon_px)
    assert np.isnan(back[:3]).all()  # on the horizon, and beyond it
    assert np.isfinite(back[3]).all()
    # Back points at w = 0 (u = -1.25, behind the camera's plane) -> NaN in the image.
    assert np.isnan(hom.to_image([[-1.25, 0.3]])).all()


def test_back_width_px():
    hom = Homography.from_calibration(oblique_calibration())
    assert hom.back_width_px(0.0) == pytest.approx(400.0)
    assert hom.back_width_px(1.0) == pytest.approx(400.0 / 1.8)
    assert hom.back_width_px() == pytest.approx(400.0 / 1.4)


# --- Calibration -------------------------------------------------------------


def test_from_dict_plain_and_to_dict_round_trip():
    cal = Calibration.from_dict(SQUARE, frame_wh=(640, 480))
    assert cal.base_left == (100.0, 500.0)
    assert Calibration.from_dict(cal.to_dict()) == cal
    assert cal.corners_px().shape == (4, 2)
    assert cal.corners_px().dtype == np.float64
    np.testing.assert_array_equal(cal.corners_px()[2], [400.0, 100.0])


def test_labels_style_dict_loads(tmp_path: Path):
    labels = {"clip": "effleurage_01.mp4", "fps": 30, "calibration": SQUARE, "strokes": []}
    assert Calibration.from_dict(labels) == Calibration.from_dict(SQUARE)
    path = tmp_path / "effleurage_01.json"
    path.write_text(json.dumps(labels))
    assert load_calibration_file(path, name=path.name).calibration == Calibration.from_dict(SQUARE)


def test_calibration_is_frozen():
    cal = Calibration.from_dict(SQUARE)
    with pytest.raises(AttributeError):
        cal.base_left = (0.0, 0.0)  # type: ignore[misc]


@pytest.mark.parametrize(
    "data, pattern",
    [
        ([1, 2, 3], r"^calibration: expected a JSON object.*found list"),
        ({"calibration": [1, 2]}, r"expected an object with the four corners"),
        (
            {"base_left": [0, 0], "top_left": [0, 1]},
            r"missing corner\(s\) base_right, top_right; expected all of",
        ),
        (with_corners(top_left=[100]), r"corner 'top_left' must be two numbers"),
        (with_corners(top_left=["100", 100]), r"corner 'top_left' must be two numbers"),
        (with_corners(top_left=[True, 100]), r"corner 'top_left' must be two numbers"),
        (with_corners(base_right=[float("nan"), 3]), r"corner 'base_right' must be two finite"),
        (with_corners(top_left=[398, 102]), r"'top_right'.*'top_left'.*2\.8 px apart"),
        # base_right on the line from base_left to top_right -> three in a line.
        (with_corners(base_right=[250, 300]), r"base_left, base_right, top_right are \(nearly\) in a line"),
        # tops exchanged: a bow tie.
        (
            with_corners(top_right=[100, 100], top_left=[400, 100]),
            r"crosses itself.*top_left and top_right",
        ),
        # base_right and top_right exchanged: the other bow tie.
        (
            with_corners(base_right=[400, 100], top_right=[400, 500]),
            r"crosses itself.*base corner and a top corner",
        ),
        # top_left pushed inside the triangle of the other three.
        (with_corners(top_left=[300, 300]), r"not convex \(corner top_left points inward\)"),
        # Picked on a mirrored preview: left and right are the image's.
        (
            {
                "base_left": [400, 500],
                "base_right": [100, 500],
                "top_right": [100, 100],
                "top_left": [400, 100],
            },
            r"left and right look swapped.*RECIPIENT's left",
        ),
        # Base and top swapped: also the wrong way round.
        (
            {
                "base_left": [100, 100],
                "base_right": [400, 100],
                "top_right": [400, 500],
                "top_left": [100, 500],
            },
            r"wrong way round",
        ),
    ],
)
def test_calibration_errors(data, pattern):
    with pytest.raises(CalibrationError, match=pattern):
        Calibration.from_dict(data)


def test_error_messages_are_one_line_and_prefixed():
    with pytest.raises(CalibrationError) as info:
        Calibration.from_dict(with_corners(top_left=[300, 300]), source="session.json")
    message = str(info.value)
    assert message.startswith("session.json: ") and "\n" not in message


def test_corner_far_outside_frame():
    # 640 wide: x up to 960 is tolerated, 1000 is not.
    Calibration.from_dict(with_corners(base_right=[950, 500]), frame_wh=(640, 480))
    with pytest.raises(CalibrationError, match=r"'base_right' at \(1000\.0, 500\.0\) is far outside the 640x480"):
        Calibration.from_dict(with_corners(base_right=[1000, 500]), frame_wh=(640, 480))
    with pytest.raises(CalibrationError, match=r"'top_left' .* far outside"):
        Calibration.from_dict(with_corners(top_left=[100, -300]), frame_wh=(640, 480))
    with pytest.raises(CalibrationError, match=r"expected frame_wh = \(width_px, height_px\)"):
        Calibration.from_dict(SQUARE, frame_wh=(640,))


def test_direct_construction_is_validated_too():
    with pytest.raises(CalibrationError, match="left and right look swapped"):
        Calibration((400, 500), (100, 500), (100, 100), (400, 100))


def test_load_missing_file(tmp_path: Path):
    with pytest.raises(CalibrationError, match=r"^nope\.json: calibration file not found"):
        load_calibration_file(tmp_path / "nope.json", name="nope.json").calibration


def test_load_invalid_json_names_line(tmp_path: Path):
    path = tmp_path / "cal.json"
    path.write_text('{\n  "base_left": [0, 0],\n  "base_right": [1, 0\n}\n')
    with pytest.raises(CalibrationError, match=r"^cal\.json: invalid JSON at line 4"):
        load_calibration_file(path, name=path.name).calibration


def test_load_unreadable(tmp_path: Path):
    with pytest.raises(CalibrationError, match=r"cannot read the calibration file"):
        load_calibration_file(tmp_path).calibration  # a directory
    bad = tmp_path / "latin1.json"
    bad.write_bytes(b'{"base_left": "\xe9"}')
    with pytest.raises(CalibrationError, match=r"cannot read the calibration file"):
        load_calibration_file(bad).calibration


def test_load_uses_file_name_as_source_and_checks_frame(tmp_path: Path):
    path = tmp_path / "mycal.json"
    path.write_text(json.dumps(with_corners(top_left=[100, 5000])))
    with pytest.raises(CalibrationError, match=r"^mycal\.json: corner 'top_left'"):
        load_calibration_file(path, frame_wh=(640, 480), name=path.name).calibration


# --- Zones ---------------------------------------------------------------------


def test_lane_of_chosen_points():
    z = Zones()
    u = np.array([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, -0.06, 1.06, 1.04, 0.5])
    v = np.array([0.0, 0.079, -0.09, 0.09, -0.3, 0.55, 0.574, -0.576, 0.8, 1.05, -1.06, 0.3, 0.3, 0.3, np.nan])
    expected = [
        "spine",  # on the spine
        "spine",  # just inside the spine zone
        "left",  # gap between spine and lane counts as lane
        "right",
        "left",  # middle of the left lane
        "right",  # lane edge
        "right",  # gap lane..outer, below its midpoint 0.575
        "outside",  # gap lane..outer, above the midpoint
        "outside",  # outer zone
        "outside",  # the margin up to off_v
        "off_back",  # beyond off_v
        "off_back",  # below the hips
        "off_back",  # above the neck
        "right",  # within the off_u margin
        "off_back",  # NaN (e.g. past the horizon)
    ]
    assert z.lane_of(u, v).tolist() == expected


def test_lane_of_broadcasts_and_scalars():
    z = Zones()
    assert z.lane_of(0.5, -0.3) == "left"
    assert z.lane_of(0.5, np.array([[-0.3, 0.3]])).shape == (1, 2)


def test_side_of_and_is_on_back():
    z = Zones()
    assert z.side_of(np.array([-0.2, 0.0, 0.4])).tolist() == ["left", "right", "right"]
    assert z.is_on_back(np.array([0.5, -0.1, 0.5]), np.array([1.0, 0.0, -1.2])).tolist() == [
        True,
        False,
        False,
    ]


def test_custom_zones():
    z = Zones(spine=0.15, lane_inner=0.2, lane_outer=0.5, outer_inner=0.7)
    assert z.lane_of(0.5, np.array([0.12, 0.59, 0.61])).tolist() == ["spine", "right", "outside"]


@pytest.mark.parametrize(
    "kwargs, pattern",
    [
        ({"spine": 0.0}, r"spine must be > 0"),
        ({"spine": 0.2}, r"expected spine <= lane_inner"),
        ({"lane_outer": 0.05}, r"expected lane_inner < lane_outer"),
        ({"outer_inner": 0.5}, r"expected lane_outer <= outer_inner"),
        ({"off_v": 0.9}, r"expected outer_outer <= off_v"),
        ({"off_u": -0.1}, r"off_u must be >= 0"),
        ({"spine": float("nan")}, r"spine must be a finite number"),
    ],
)
def test_zones_validation(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        Zones(**kwargs)


def test_back_distance():
    assert back_distance(0.3, 0.0) == pytest.approx(0.3)
    assert back_distance(0.0, 1.0) == pytest.approx(HALF_WIDTH_PER_LENGTH)
    assert back_distance(0.3, 0.4, aspect=1.0) == pytest.approx(0.5)
    np.testing.assert_allclose(
        back_distance(np.array([0.0, 0.1]), np.array([2.0, 0.0])), [0.7, 0.1]
    )
    with pytest.raises(ValueError, match="aspect must be a positive"):
        back_distance(0.1, 0.1, aspect=0.0)
    assert math.isnan(back_distance(np.nan, 0.0))

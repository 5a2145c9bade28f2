"""Tests for vision.diagrams (step pictures, coverage heat) and ui.charts (timeline, flags table)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.helpers import SAMPLES
from ui.charts import FLAG_COLUMNS, VERDICT_COLOURS, flags_table, timeline_chart
from vision.core.backframe import Zones
from vision.core.types import OK, VERDICTS, JudgedEvent, MotionEvent, Verdict
from vision.drawing.diagrams import (
    ARROW,
    back_diagram,
    back_layout,
    coverage_grid,
    coverage_map,
    coverage_seconds,
    px_to_uv,
    samples_from_events,
    step_diagram,
    uv_to_px,
)
from vision.files.report import Report, build_report
from vision.judging.routines import Step, load_routine, routine_files

LANE_V = 0.5 * (Zones().lane_inner + Zones().lane_outer)  # centre of a lane


def effleurage(direction: str) -> Step:
    return Step(id=f"eff_{direction}", title="Effleurage", instruction="Glide.", technique="effleurage",
                direction=direction, return_lanes=[])


def arrow_pixels(img: np.ndarray, size, u0: float, u1: float, v: float, half_v: float = 0.2) -> int:
    """Pixels of the arrow colour in the box u0..u1 x (v +- half_v) of a diagram."""
    (x0, y0), (x1, y1) = uv_to_px([[u1, v - half_v], [u0, v + half_v]], size)
    box = img[int(y0):int(y1) + 1, int(x0):int(x1) + 1].astype(int)
    return int(np.sum(np.abs(box - np.array(ARROW)).sum(axis=2) < 60))


def hold_series(u: float, v: float, seconds: float, fps: float = 30.0):
    t = np.arange(0.0, seconds + 1e-9, 1.0 / fps)
    return t, np.c_[np.full_like(t, u), np.full_like(t, v)]


def glide(u0: float, u1: float, v: float, seconds: float, t0: float = 0.0, fps: float = 30.0):
    t = t0 + np.arange(0.0, seconds + 1e-9, 1.0 / fps)
    return t, np.c_[np.linspace(u0, u1, len(t)), np.full_like(t, v)]


# ----------------------------------------------------------------------------- layout


def test_uv_to_px_convention_head_up_left_on_left():
    size = (180, 260)
    head, hips, left, right = uv_to_px([[1, 0], [0, 0], [0.5, -1], [0.5, 1]], size)
    assert head[1] < hips[1], "u = 1 (head) is at the top of the picture"
    assert left[0] < right[0], "v = -1 (recipient's left) is on the picture's left"
    assert abs(head[0] - 90) < 1 and abs(left[1] - right[1]) < 1e-9
    # aspect: the back is 2 * 0.35 as wide as long, so cells square on the back are square in pixels
    lay = back_layout(size)
    assert (lay.x_right_px - lay.x_left_px) / lay.length_px == pytest.approx(0.7)
    uv = np.array([[0.3, -0.4], [0.9, 0.7]])
    np.testing.assert_allclose(px_to_uv(uv_to_px(uv, size), size), uv)


def test_back_diagram_is_rgb_deterministic_and_sized():
    a, b = back_diagram((200, 300)), back_diagram((200, 300))
    assert a.shape == (300, 200, 3) and a.dtype == np.uint8
    assert np.array_equal(a, b)
    with pytest.raises(ValueError, match="size"):
        back_diagram((10, 10))


# ----------------------------------------------------------------------------- step diagrams


def all_steps():
    files = routine_files(SAMPLES / "routines")
    assert len(files) >= 4
    return [(f.stem, st) for f in files for st in load_routine(f).steps]


@pytest.mark.parametrize("routine,step", all_steps(), ids=lambda x: getattr(x, "id", x))
def test_step_diagram_renders_every_routine_step(routine, step):
    size = (180, 260)
    img = step_diagram(step, size)
    assert img.shape == (260, 180, 3) and img.dtype == np.uint8
    assert np.array_equal(img, step_diagram(step, size)), "deterministic"
    changed = np.abs(img.astype(int) - back_diagram(size).astype(int)).sum(axis=2) > 30
    # every step adds its path (an instruction step its faint mark) to the bare back
    assert changed.sum() > 150, f"{routine}/{step.id}: only {changed.sum()} pixels drawn"
    if step.technique != "instruction":
        assert arrow_pixels(img, size, 0.0, 1.0, -LANE_V) > 30, "path drawn in the left lane"
        assert arrow_pixels(img, size, 0.0, 1.0, LANE_V) > 30, "path drawn in the right lane"


def test_up_and_down_arrows_point_their_way():
    size = (180, 260)
    up, down = step_diagram(effleurage("up"), size), step_diagram(effleurage("down"), size)
    assert not np.array_equal(up, down)
    for v in (-LANE_V, LANE_V):
        # the arrow head (wider than the shaft) sits at the head end for up, the hips end for down
        up_top, up_bottom = arrow_pixels(up, size, 0.84, 0.95, v), arrow_pixels(up, size, 0.05, 0.16, v)
        down_top, down_bottom = arrow_pixels(down, size, 0.84, 0.95, v), arrow_pixels(down, size, 0.05, 0.16, v)
        assert up_top > 1.3 * up_bottom, (up_top, up_bottom)
        assert down_bottom > 1.3 * down_top, (down_top, down_bottom)
        assert up_top == pytest.approx(down_bottom, rel=0.15), "the same arrow, mirrored"


def test_effleurage_return_path_on_outer_edges_only_when_asked():
    size = (180, 260)
    outer_v = 0.5 * (Zones().outer_inner + Zones().outer_outer)
    bare = step_diagram(effleurage("up"), size)
    with_return = step_diagram(Step(id="e", title="E", instruction="i", technique="effleurage"), size)
    for v in (-outer_v, outer_v):
        box = uv_to_px([[0.6, v - 0.1], [0.3, v + 0.1]], size).astype(int)
        region = (slice(box[0, 1], box[1, 1]), slice(box[0, 0], box[1, 0]))
        assert np.array_equal(bare[region], back_diagram(size)[region]), "no return without return_lanes"
        assert not np.array_equal(with_return[region], bare[region]), "dashed return on the outer edge"


# ----------------------------------------------------------------------------- coverage


def test_coverage_hottest_cell_is_the_long_hold():
    hold = hold_series(0.5, -LANE_V, 8.0)
    strokes = [glide(0.05, 0.95, LANE_V, 2.0, t0=10 + 3 * k) for k in range(3)]
    samples = [hold, *strokes]
    grid = coverage_grid(samples)
    u, v = grid.hottest_uv()
    assert abs(u - 0.5) <= 0.05 and abs(v + LANE_V) <= 0.15
    assert grid.seconds.max() == pytest.approx(8.0, abs=0.05)

    size = (240, 340)
    img = coverage_map(samples, size).astype(int)
    hx, hy = np.round(uv_to_px([0.5, -LANE_V], size)).astype(int)
    sx, sy = np.round(uv_to_px([0.5, LANE_V], size)).astype(int)
    # the heat runs from amber to dark red: less green (and less red) the hotter
    assert img[hy, hx, 1] < img[sy, sx, 1] - 60
    assert img[hy, hx, 0] > img[hy, hx, 2], "heat colour, not the lane's blue"


def test_coverage_left_lane_drawn_on_the_picture_left():
    size = (240, 340)
    img = coverage_map([glide(0.1, 0.9, -LANE_V, 3.0)], size).astype(int)
    base = back_diagram(size).astype(int)
    lay = back_layout(size)
    # heat: changed from the bare back and warm (red over blue); the lanes and body are not
    changed = (np.abs(img - base).sum(axis=2) > 60) & (img[..., 0] - img[..., 2] > 80)
    changed[: int(lay.y_top_px)] = False  # the legend lives in the top band
    ys, xs = np.nonzero(changed)
    assert len(xs) > 200
    assert xs.max() < lay.centre_x_px - 3, "recipient's left is on the picture's left"
    assert ys.min() < uv_to_px([0.8, 0], size)[1] and ys.max() > uv_to_px([0.2, 0], size)[1]


def test_coverage_seconds_sum_to_sample_time_and_split_by_zone():
    zones = Zones()
    samples = [hold_series(0.5, -LANE_V, 4.0), glide(0.1, 0.9, LANE_V, 2.0), hold_series(0.4, 0.0, 1.0),
               hold_series(0.4, 0.8, 1.5), hold_series(0.4, 1.3, 0.5)]
    secs = coverage_seconds(samples, zones)
    total = sum(t[-1] - t[0] for t, _ in samples)
    assert sum(secs.values()) == pytest.approx(total, abs=1e-6)
    assert secs["left"] == pytest.approx(4.0, abs=0.05)
    assert secs["right"] == pytest.approx(2.0, abs=0.05)
    assert secs["spine"] == pytest.approx(1.0, abs=0.05)
    assert secs["outside"] == pytest.approx(1.5, abs=0.05)
    assert secs["off_back"] == pytest.approx(0.5, abs=0.05)
    # the grid holds the same time, except what lies beyond its margin (the off-back sample at v = 1.3)
    assert coverage_grid(samples, zones).seconds.sum() == pytest.approx(total - 0.5, abs=1e-6)


def test_coverage_gaps_are_capped_and_empty_input_is_fine():
    t = np.array([0.0, 0.1, 5.1, 5.2])  # tracking lost for 5 s
    path = np.tile([0.5, -LANE_V], (4, 1))
    assert coverage_seconds([(t, path)])["left"] == pytest.approx(0.1 + 0.2 + 0.1)
    assert coverage_seconds([]) == {"left": 0.0, "right": 0.0, "spine": 0.0, "outside": 0.0, "off_back": 0.0}
    img = coverage_map([], (240, 340))
    assert img.shape == (340, 240, 3)
    with pytest.raises(ValueError, match="expected times_s"):
        coverage_seconds([(np.arange(3.0), np.zeros((4, 2)))])


def test_samples_from_events_feeds_coverage():
    je = JudgedEvent(event=motion(0, "up", 0.0, 1.0), hand=0, verdicts=(OK,), flagged_at=None)
    secs = coverage_seconds(samples_from_events([je]))
    assert secs["left"] == pytest.approx(1.0)


# ----------------------------------------------------------------------------- charts


def motion(track: int, direction: str, t0: float, t1: float, v: float = -LANE_V) -> MotionEvent:
    times_s = np.linspace(t0, t1, 11)
    du = {"up": 0.6, "down": -0.6, None: 0.0}[direction]
    u_start = 0.2 if du >= 0 else 0.8
    path = np.c_[u_start + np.linspace(0, du, 11), np.full(11, v)]
    return MotionEvent(kind="stroke" if direction else "hold", track=track, t_start=t0, t_end=t1, times_s=times_s,
                       path_back=path, direction=direction, lane="left" if v < 0 else "right", distance=abs(du),
                       speed=abs(du) / max(t1 - t0, 1e-9))


WRONG = Verdict("wrong_direction", "Stroke went down toward the hips; effleurage glides up toward the shoulders")
FAST = Verdict("too_fast", "Too fast")


CORNERS = {"base_left": [200.0, 400.0], "base_right": [440.0, 400.0], "top_right": [440.0, 100.0],
           "top_left": [200.0, 100.0]}


def step_dict(step_id: str, title: str, started_s: float | None, ended_s: float | None) -> dict:
    """A step of a report's ``steps`` (as StepProgress.to_dict gives it): only its span matters to the chart."""
    return {"step_id": step_id, "title": title, "technique": "effleurage", "attempt": 1,
            "asked": {"instruction": "Glide.", "target": 3, "unit": "strokes"}, "done": 0, "complete": False,
            "flags": {}, "events": 0, "ok_events": 0, "score": 0, "started_s": started_s, "ended_s": ended_s}


def empty_report(**fields) -> Report:
    return build_report([], video="v.mp4", fps=30.0, frame_size=(640, 480), routine=None, step="effleurage",
                        calibration=CORNERS, **{"duration_s": 0.0, **fields})


def sample_report(with_steps: bool = True) -> Report:
    events = [
        JudgedEvent(motion(0, "up", 0.5, 1.5), 1, (OK,), None),
        JudgedEvent(motion(1, "up", 0.6, 1.6, LANE_V), 2, (OK,), None),
        JudgedEvent(motion(0, "down", 2.0, 3.0), 1, (WRONG,), 2.4),
        JudgedEvent(motion(1, "up", 2.1, 2.4, LANE_V), 2, (FAST, WRONG), 2.3),
        JudgedEvent(motion(0, None, 4.0, 4.0), 1, (OK,), None),  # zero length: still a bar
    ]
    steps = [
        step_dict("effleurage", "Effleurage (warm-up)", 0.0, 3.5),
        step_dict("petrissage", "Petrissage", 3.5, None),
        step_dict("friction", "Friction", None, None),
    ]
    return build_report(events, video="v.mp4", fps=30.0, frame_size=(640, 480), duration_s=5.0,
                        routine="Swedish massage", step="effleurage", calibration=CORNERS,
                        steps=steps if with_steps else None)


def datasets(spec: dict) -> list[list[dict]]:
    return list(spec.get("datasets", {}).values())


def test_verdict_colours_cover_every_verdict():
    assert set(VERDICT_COLOURS) == set(VERDICTS)
    assert len(set(VERDICT_COLOURS.values())) == len(VERDICT_COLOURS), "distinct colours"


@pytest.mark.parametrize("with_steps", [False, True])
def test_timeline_chart_has_one_datum_per_event(with_steps):
    report = sample_report(with_steps)
    spec = timeline_chart(report).to_dict()  # validates against the Vega-Lite schema
    event_rows = [d for d in datasets(spec) if d and "t_start" in d[0]]
    assert len(event_rows) == 1 and len(event_rows[0]) == len(report.events) == 5
    rows = event_rows[0]
    assert [r["verdict"] for r in rows] == ["ok", "ok", "wrong_direction", "too_fast", "ok"]
    assert {r["hand"] for r in rows} == {"Hand 1", "Hand 2"}
    assert all(r["t_end_shown"] > r["t_start"] for r in rows)
    text = str(spec)
    assert VERDICT_COLOURS["wrong_direction"] in text and VERDICT_COLOURS["ok"] in text
    step_rows = [d for d in datasets(spec) if d and "started_s" in d[0]]
    if with_steps:
        assert [r["step"] for r in step_rows[0]] == ["Effleurage (warm-up)", "Petrissage"]
        assert step_rows[0][1]["ended_s"] == pytest.approx(5.0), "the current step runs to the end"
    else:
        assert not step_rows


def test_timeline_chart_and_flags_table_of_an_empty_report():
    for report in (empty_report(), empty_report(duration_s=12.0, steps=[])):
        spec = timeline_chart(report).to_dict()
        assert all(len(d) == 0 for d in datasets(spec))
        table = flags_table(report)
        assert list(table.columns) == list(FLAG_COLUMNS) and table.empty


def test_flags_table_lists_exactly_the_flagged_events():
    report = sample_report()
    table = flags_table(report)
    assert isinstance(table, pd.DataFrame) and list(table.columns) == list(FLAG_COLUMNS)
    flagged = [e for e in report.events if any(v.name != "ok" for v in e.verdicts)]
    assert len(table) == len(flagged) == 2
    assert table["time (s)"].tolist() == [2.3, 2.4]  # when each flag was raised, in time order
    assert table["hand"].tolist() == ["Hand 2", "Hand 1"]
    assert table["verdict"].tolist() == ["too_fast, wrong_direction", "wrong_direction"]
    assert "toward the hips" in table["message"].iloc[1]


def test_a_recordings_times_are_shown_from_its_video_start():
    report = sample_report(with_steps=True)
    plain = flags_table(report)
    shifted = report.replaced(rejudged=True, time_origin_s=1.5)
    moved = flags_table(shifted)
    assert list(moved["time (s)"]) == pytest.approx([t - 1.5 for t in plain["time (s)"]])
    bars = [d for d in timeline_chart(shifted).to_dict()["datasets"].values() if d and "t_start" in d[0]]
    assert bars and min(d["t_start"] for d in bars[0]) == pytest.approx(
        min(e.t_start for e in report.events) - 1.5)


@pytest.mark.parametrize("with_steps", [False, True])
def test_timeline_chart_greys_the_spans_not_judged(with_steps):
    from vision.core.types import UnsureSpan

    base = sample_report(with_steps)
    report = base.replaced(unsure=[UnsureSpan(2, "out_of_view", 1.0, 2.0).__dict__,
                                   UnsureSpan(None, "dark", 3.0, 4.5).__dict__])
    spec = timeline_chart(report).to_dict()
    [rows] = [d for d in datasets(spec) if d and "why" in d[0]]
    # hand 2's span on its row; the span of both hands (none seen, in the dark) on every row
    assert [(r["hand"], r["t_start"], r["why"]) for r in rows] == [
        ("Hand 2", 1.0, "out of the picture"), ("Hand 1", 3.0, "too dark"), ("Hand 2", 3.0, "too dark")]
    assert "#9e9e9e" in str(spec)

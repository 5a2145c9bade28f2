"""Segmentation on paths made in the test: up, down, reversals, pauses, jitter,
circles, cross-fibre passes and holds."""
import numpy as np
import pytest

from vision.core.backframe import HALF_WIDTH_PER_LENGTH
from vision.stages.motion import Course, returns_on_course, to_lengths, turn_angle
from vision.stages.strokes import HandSegmenter

FPS = 30.0


def min_jerk(tau):
    tau = np.clip(tau, 0, 1)
    return tau ** 3 * (10 - 15 * tau + 6 * tau ** 2)


class PathBuilder:
    """A hand's (u, v) path sampled at FPS, built from glides and rests."""

    def __init__(self, u=0.1, v=0.3):
        self.pts = [np.array([u, v])]

    @property
    def t(self):
        return (len(self.pts) - 1) / FPS

    def glide(self, u, v, dur):
        p0, p1 = self.pts[-1], np.array([u, v], float)
        n = int(round(dur * FPS))
        for k in range(1, n + 1):
            self.pts.append(p0 + min_jerk(k / n) * (p1 - p0))
        return self

    def rest(self, dur):
        self.pts += [self.pts[-1].copy() for _ in range(int(round(dur * FPS)))]
        return self

    def circles(self, n_turns, radius, dur):
        c = self.pts[-1] + np.array([radius, 0.0])
        n = int(round(dur * FPS))
        for k in range(1, n + 1):
            a = 2 * np.pi * n_turns * k / n
            self.pts.append(c + np.array([-radius * np.cos(a), radius * np.sin(a) / HALF_WIDTH_PER_LENGTH]))
        return self

    def run(self, noise=0.0, seed=0, drop=()):
        rng = np.random.default_rng(seed)
        seg = HandSegmenter(track=0)
        events = []
        for i, p in enumerate(self.pts):
            if i in drop:
                continue
            events += seg.update(i / FPS, p + rng.normal(0, noise, 2))
        return events + seg.flush()


def strokes(events):
    return [e for e in events if e.kind == "stroke"]


def test_one_glide_up_is_one_up_stroke_with_its_timing():
    ev = PathBuilder().rest(0.5).glide(0.9, 0.3, 2.0).rest(0.5).run()
    s = strokes(ev)
    assert len(s) == 1
    assert s[0].direction == "up" and s[0].lane == "right"
    assert s[0].t_start == pytest.approx(0.5, abs=0.1)
    assert s[0].t_end == pytest.approx(2.5, abs=0.1)
    assert s[0].distance == pytest.approx(0.8, abs=0.02)
    assert s[0].speed == pytest.approx(0.4, abs=0.03)


def test_up_then_down_with_no_pause_is_two_strokes():
    ev = PathBuilder(v=-0.3).glide(0.9, -0.3, 1.5).glide(0.1, -0.3, 1.5).run()
    s = strokes(ev)
    assert [x.direction for x in s] == ["up", "down"]
    assert all(x.lane == "left" for x in s)
    assert s[0].t_end == pytest.approx(1.5, abs=0.12)
    assert s[1].t_start == pytest.approx(1.5, abs=0.12)


def test_glide_then_lateral_then_return_outside():
    ev = PathBuilder(v=0.3).glide(0.9, 0.3, 2).glide(0.9, 0.8, 0.7).glide(0.1, 0.8, 1.7).run()
    s = strokes(ev)
    assert [(x.direction, x.lane) for x in s] == [("up", "right"), ("lateral", "outside"), ("down", "outside")]


def test_a_stroke_on_the_spine_and_one_off_the_back():
    ev = PathBuilder(v=0.0).glide(0.9, 0.02, 2).rest(0.5).glide(0.9, 1.6, 1.0).glide(0.1, 1.6, 1.5).run()
    s = strokes(ev)
    assert s[0].lane == "spine"
    assert s[-1].lane == "off_back" and s[-1].direction == "down"


def test_jitter_at_rest_makes_no_stroke_but_a_hold():
    ev = PathBuilder(u=0.5, v=0.3).rest(6.0).run(noise=0.004)
    assert strokes(ev) == []
    holds = [e for e in ev if e.kind == "hold"]
    assert len(holds) == 1 and holds[0].duration_s == pytest.approx(6.0, abs=0.1)


def test_tiny_motions_are_not_strokes():
    ev = PathBuilder(u=0.5, v=0.3).rest(0.5).glide(0.53, 0.3, 0.5).rest(0.5).glide(0.5, 0.33, 0.5).rest(0.5).run()
    assert strokes(ev) == []


def test_hold_between_strokes_is_timed():
    ev = PathBuilder(u=0.1, v=0.3).glide(0.5, 0.3, 1.5).rest(3.0).glide(0.9, 0.3, 1.5).run()
    kinds = [e.kind for e in ev]
    assert kinds == ["stroke", "hold", "stroke"]
    assert ev[1].duration_s == pytest.approx(3.0, abs=0.25)


def test_short_pause_between_strokes_is_not_a_hold():
    ev = PathBuilder().glide(0.5, 0.3, 1.0).rest(0.4).glide(0.9, 0.3, 1.0).run()
    assert [e.kind for e in ev] == ["stroke", "stroke"]


def test_circles_are_counted_not_strokes():
    ev = PathBuilder(u=0.4, v=-0.3).rest(0.5).circles(5, 0.045, 4.0).rest(0.5).run(noise=0.001)
    assert strokes(ev) == []
    circles = [e for e in ev if e.kind == "circles"]
    assert len(circles) == 1
    assert abs(circles[0].count - 5) <= 1
    assert circles[0].radius == pytest.approx(0.045, rel=0.35)


def test_cross_fibre_passes_are_grouped():
    b = PathBuilder(u=0.6, v=-0.45).rest(0.5)
    for k in range(8):
        b.glide(0.6, -0.45 + (0.36 if k % 2 == 0 else 0.0), 0.45)
    ev = b.rest(0.5).run(noise=0.001)
    assert strokes(ev) == []
    cross = [e for e in ev if e.kind == "cross_fiber"]
    assert len(cross) == 1 and cross[0].count == 8


def test_two_lateral_moves_stay_strokes():
    ev = PathBuilder(u=0.5, v=0.3).glide(0.5, 0.8, 0.6).rest(0.3).glide(0.5, 0.3, 0.6).rest(1.2).run()
    s = strokes(ev)
    assert [x.direction for x in s] == ["lateral", "lateral"]


def test_missing_frames_do_not_break_a_stroke():
    b = PathBuilder().rest(0.3).glide(0.9, 0.3, 2.0).rest(0.3)
    ev = b.run(drop=set(range(30, 40)))  # a third of a second unseen mid-stroke
    s = strokes(ev)
    assert len(s) == 1 and s[0].direction == "up"


def test_active_motion_reports_direction_while_moving():
    b = PathBuilder(u=0.9, v=0.3).rest(0.3).glide(0.1, 0.3, 2.0)
    seg = HandSegmenter(track=0)
    seen = []
    for i, p in enumerate(b.pts):
        seg.update(i / FPS, p)
        a = seg.active()
        if a is not None and a.distance >= 0.1:
            seen.append((i / FPS, a.direction, a.lane))
    assert seen, "the stroke was never reported under way"
    t_first, direction, lane = seen[0]
    assert direction == "down" and lane == "right"
    assert t_first < 1.3  # well before the stroke ends at 2.3 s


def test_time_must_increase():
    seg = HandSegmenter(track=0)
    seg.update(1.0, np.array([0.5, 0.3]))
    assert seg.update(1.0, np.array([0.5, 0.3])) == []
    with pytest.raises(ValueError, match="timestamps must increase"):
        seg.update(0.5, np.array([0.5, 0.3]))


def test_frame_rate_does_not_change_segmentation():
    def run(fps):
        seg = HandSegmenter(track=0)
        ev = []
        t = np.arange(0, 4.0, 1 / fps)
        u = 0.1 + 0.8 * min_jerk((t - 0.5) / 2.0)
        for ti, ui in zip(t, u):
            ev += seg.update(float(ti), np.array([ui, 0.3]))
        return strokes(ev + seg.flush())

    a, b = run(15.0), run(60.0)
    assert len(a) == len(b) == 1
    assert a[0].t_start == pytest.approx(b[0].t_start, abs=0.1)
    assert a[0].t_end == pytest.approx(b[0].t_end, abs=0.1)


# --- jerky: speed surges of a stroke's movement, on smoothed noisy paths -----------------

from vision.judging.pipeline import PipelineConfig  # noqa: E402
from vision.stages.smoothing import OneEuroFilter  # noqa: E402
from vision.stages.strokes import count_surges  # noqa: E402

BACK_WIDTH = 2 * HALF_WIDTH_PER_LENGTH  # back lengths


def _tracked(u_of_t, fps, noise_bw, seed, dur, v=-0.35):
    """Strokes from a path u(t) along the left lane, with tracking jitter (a fraction of the
    back's width, per frame) smoothed by the pipeline's One Euro filter, as in the app."""
    cfg = PipelineConfig()
    f = OneEuroFilter(cfg.min_cutoff_hz, cfg.beta, cfg.d_cutoff_hz)
    rng = np.random.default_rng(seed)
    seg = HandSegmenter(track=0)
    ev = []
    for t in np.arange(0.0, dur, 1 / fps):
        jitter = rng.normal(0, noise_bw * BACK_WIDTH, 2) / np.array([1.0, HALF_WIDTH_PER_LENGTH])
        ev += seg.update(float(t), f.update(float(t), np.array([u_of_t(t), v]) + jitter))
    return strokes(ev + seg.flush())


def _smooth(dist, dur, lead=0.5):
    return lambda t: 0.1 + dist * min_jerk((t - lead) / dur)


def _stop_and_go(dist, dur, n, pause, lead=0.5):
    """n smooth pushes of dist / n each, stopping dead for `pause` s between them."""
    piece = (dur - (n - 1) * pause) / n
    return lambda t: 0.1 + sum(dist / n * min_jerk((t - lead - k * (piece + pause)) / piece) for k in range(n))


def test_count_surges_of_speed_profiles():
    t = np.linspace(0, 1, 61)
    bell = np.sin(np.pi * t) ** 2
    assert count_surges(0.4 * bell) == 1
    assert count_surges(0.4 * np.r_[bell, bell, bell]) == 3
    assert count_surges(0.4 * bell + 0.03 * np.sin(2 * np.pi * 9 * t)) == 1  # ripple is not a surge
    assert count_surges(0.4 * (0.3 + 0.7 * np.sin(np.pi * 2 * t) ** 2)) == 2  # dips to 30% and surges on
    assert count_surges(0.03 * np.r_[bell, bell]) == 1  # too slow to tell surges from jitter
    assert count_surges(np.array([])) == 0


@pytest.mark.parametrize("fps", [30.0, 15.0])
@pytest.mark.parametrize("noise_bw", [0.003, 0.006, 0.01])
@pytest.mark.parametrize("dist,dur", [(0.75, 4.0), (0.75, 1.4), (0.82, 2.0), (0.14, 0.5)])
def test_smooth_strokes_with_tracking_jitter_are_one_surge(fps, noise_bw, dist, dur):
    found = []
    for seed in range(8):
        found += [s.surges for s in _tracked(_smooth(dist, dur), fps, noise_bw, seed, dur + 1.0)]
    assert found and all(n == 1 for n in found), found


@pytest.mark.parametrize("fps", [30.0, 15.0])
@pytest.mark.parametrize("noise_bw", [0.0, 0.003, 0.006])
@pytest.mark.parametrize("n,pause", [(3, 0.15), (3, 0.0), (4, 0.1)])
def test_stop_and_go_strokes_add_up_their_surges(fps, noise_bw, n, pause):
    """The segmenter cuts a stop-and-go stroke at its stops; each push after the first
    continues the movement and carries its count of surges."""
    worst = []
    for seed in range(6 if noise_bw else 1):
        s = _tracked(_stop_and_go(0.75, 4.0, n, pause), fps, noise_bw, seed, 5.0)
        assert all(x.direction == "up" for x in s)
        worst.append(max(x.surges for x in s))
        assert s[0].surges == 1  # the first push cannot know yet
    assert min(worst) >= 2, worst  # every stop-and-go movement shows
    if not noise_bw:
        assert worst == [n]


def test_a_reversal_or_a_hold_starts_the_count_afresh():
    b = PathBuilder(u=0.1, v=-0.35).rest(0.5).glide(0.5, -0.35, 1.0).glide(0.3, -0.35, 0.8).glide(0.7, -0.35, 1.0)
    b.rest(1.5).glide(0.9, -0.35, 1.0).rest(0.5)
    assert [(x.direction, x.surges) for x in strokes(b.run())] == [("up", 1), ("down", 1), ("up", 1), ("up", 1)]
    # the same pushes with a short stop between them: stop-and-go
    b = PathBuilder(u=0.1, v=-0.35).rest(0.5).glide(0.4, -0.35, 1.0).rest(0.2).glide(0.7, -0.35, 1.0).rest(0.5)
    assert [(x.direction, x.surges) for x in strokes(b.run())] == [("up", 1), ("up", 2)]


def test_a_push_and_its_step_back_in_one_motion_are_not_two_surges():
    # kneading: a push down and a small step back up, too quick for the segmenter to part them
    ts = np.linspace(0.0, 0.9, 14)
    u = 0.8 - 0.14 * min_jerk(ts / 0.5) + 0.07 * min_jerk((ts - 0.5) / 0.4)
    seg = HandSegmenter(track=0)
    ev = seg._classify(ts, np.c_[u, np.full_like(u, -0.33)])
    assert [(e.direction, e.surges) for e in ev] == [("down", 1)]


def test_a_step_back_merged_into_the_next_push_does_not_carry_a_movement_on():
    seg = HandSegmenter(track=0)
    ts = np.linspace(0.0, 0.5, 8)
    push = 0.8 - 0.14 * min_jerk(ts / 0.5)
    assert [e.surges for e in seg._classify(ts, np.c_[push, np.full_like(ts, 0.33)])] == [1]
    # straight on from it: the step back up, then the next push down, as one motion
    ts2 = np.linspace(0.5, 1.4, 14)
    u = 0.66 + 0.07 * min_jerk((ts2 - 0.5) / 0.4) - 0.14 * min_jerk((ts2 - 0.9) / 0.5)
    assert [(e.direction, e.surges) for e in seg._classify(ts2, np.c_[u, np.full_like(ts2, 0.33)])] == [("down", 1)]


def _drifting_hold(seconds: float, drift_u: float, seed: int = 0):
    """A thumb on one spot: tremor (about 0.004 back lengths) and a slow drift along the spine, through the
    pipeline's One Euro filter, then a glide away."""
    from vision.judging.pipeline import PipelineConfig
    from vision.stages.smoothing import OneEuroFilter

    rng = np.random.default_rng(seed)
    cfg = PipelineConfig()
    f = OneEuroFilter(cfg.min_cutoff_hz, cfg.beta, cfg.d_cutoff_hz)
    seg = HandSegmenter(track=0)
    events, n = [], int(seconds * FPS)
    start = np.array([0.4, 0.3])
    for i in range(n + 45):
        t = i / FPS
        if i < n:
            p = start + [drift_u * i / n, 0.0] + rng.normal(0, 0.004, 2) * [1, 1 / HALF_WIDTH_PER_LENGTH]
        else:  # leaves the spot: a glide up
            p = start + [drift_u + 0.4 * min_jerk((i - n) / 30), 0.0]
        events += seg.update(t, f.update(t, p))
    return [e for e in events if e.kind == "hold"], events + seg.flush()


@pytest.mark.parametrize("drift_cm", [0.0, 1.4, 2.5])
def test_a_hold_that_drifts_slowly_stays_one_hold(drift_cm):
    """A real thumb drifts a centimetre or two over half a minute (a 56 cm back: 1 cm is 0.018): one hold,
    timed whole, ended when the hand leaves the spot."""
    holds, events = _drifting_hold(22.0, drift_cm / 56.0)
    assert len(holds) == 1, [(e.kind, round(e.t_start, 2), round(e.t_end, 2)) for e in events]
    assert holds[0].duration_s == pytest.approx(22.0, abs=0.5)
    assert [e.kind for e in events if e.t_start > holds[0].t_end - 0.1] == ["stroke"]


def test_leaving_the_spot_slowly_still_ends_the_hold():
    """Moving off at a deliberate (slow deep-stroke) speed is not drift: the hold ends, a stroke begins."""
    events = PathBuilder(0.3, 0.3).rest(3.0).glide(0.6, 0.3, 4.0).rest(0.5).run(noise=0.002)  # 0.075 lengths/s
    assert [e.kind for e in events] == ["hold", "stroke"]
    # the glide sets off slowly (minimum jerk): 0.012 back lengths (the hold's radius) away at about 3.73 s
    assert 3.0 <= events[0].t_end <= 3.75


# -- the motion model a gap is judged on -----------------------------------------------------------------------


def test_the_motion_model_finds_the_hand_on_its_course_or_not():
    # moving up at 0.5 back lengths/s, last seen at (0.4, 0.1) back lengths at 1.0 s; found 0.4 s later
    course = Course(1.0, np.array([0.4, 0.1]), np.array([0.5, 0.0]))
    assert course.speed == pytest.approx(0.5)
    np.testing.assert_allclose(course.predict(1.4), [0.6, 0.1])
    rules = dict(tolerance=0.05, off_line=0.15, min_speed=0.05, max_speed=5.0)

    def found(du, dv):
        return returns_on_course(course, 1.4, course.position + (du, dv), **rules)

    assert found(0.2, 0.0)  # where it was heading
    assert found(0.05, 0.01)  # ahead, having slowed down: a glide's end
    assert found(0.5, 0.08)  # further, a little off its line (0.05 + 15% of the way)
    assert found(0.02, -0.03)  # back on its spot
    assert not found(-0.2, 0.0)  # gone back
    assert not found(0.2, 0.2)  # off to the side
    assert not found(2.5, 0.0)  # further than a hand moves in 0.4 s
    at_rest = Course(1.0, np.array([0.4, 0.1]), np.array([0.01, 0.0]))
    assert returns_on_course(at_rest, 1.4, np.array([0.42, 0.1]), **rules)
    assert not returns_on_course(at_rest, 1.4, np.array([0.6, 0.1]), **rules)  # at rest, and elsewhere now


def test_turn_angles_and_what_a_course_is_made_of():
    assert turn_angle(np.array([1.0, 0.0]), np.array([2.0, 0.0])) == pytest.approx(0.0)
    assert turn_angle(np.array([1.0, 0.0]), np.array([0.0, -0.5])) == pytest.approx(np.pi / 2)
    assert turn_angle(np.array([0.0, 1.0]), np.array([0.0, -3.0])) == pytest.approx(np.pi)
    with pytest.raises(ValueError, match="zero length has no direction"):
        turn_angle(np.array([1.0, 0.0]), np.zeros(2))
    with pytest.raises(ValueError, match=r"Course.velocity: expected shape \(2,\) in back lengths, got \(3,\)"):
        Course(0.0, np.zeros(2), np.zeros(3))
    np.testing.assert_allclose(to_lengths(np.array([0.5, 1.0])), [0.5, HALF_WIDTH_PER_LENGTH])


# -- a gap: the hand unseen for a moment ------------------------------------------------------------------------


def _unseen(b, t0, t1):
    """The frames of a PathBuilder's path from t0 to t1 (seconds): dropped, or the hand hidden."""
    return {i for i in range(len(b.pts)) if t0 <= i / FPS < t1}


def test_a_corner_hidden_in_a_gap_ends_the_motion_where_the_hand_was_last_seen():
    """Out over the shoulder, then down the outer edge; unseen from just before the corner until the hand
    is well on its way down. The speed across the gap (0.15 back lengths/s) shows no valley between the
    two motions, but the hand came back going another way: two strokes, not one."""
    corner = 0.3 + 0.7
    b = PathBuilder(u=0.88, v=0.33).rest(0.3).glide(0.88, 0.8, 0.7).glide(0.06, 0.8, 1.7).rest(0.3)
    s = strokes(b.run(drop=_unseen(b, corner - 0.15, corner + 0.45)))
    assert [(x.direction, x.lane) for x in s] == [("lateral", "right"), ("down", "outside")]
    last_seen = np.floor((corner - 0.15) * FPS - 1e-9) / FPS
    assert s[0].t_end == pytest.approx(last_seen) and s[1].t_start == pytest.approx(last_seen)


def test_a_reversal_hidden_in_a_gap_cuts_where_the_hand_came_back():
    """Out and back across the lane, the turn unseen: across the gap the hand still went out, so the gap
    belongs to the motion out, which ends where the hand came back."""
    turn = 0.3 + 0.7
    b = PathBuilder(u=0.5, v=0.33).rest(0.3).glide(0.5, 0.8, 0.7).glide(0.5, 0.33, 0.7).rest(0.5)
    s = strokes(b.run(drop=_unseen(b, turn - 0.3, turn + 0.15)))
    assert [x.direction for x in s] == ["lateral", "lateral"]
    assert np.dot(s[0].displacement, s[1].displacement) < 0
    back = np.ceil((turn + 0.15) * FPS - 1e-9) / FPS
    assert s[0].t_end == pytest.approx(back) and s[1].t_start == pytest.approx(back)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("gap", [(0.8, 0.2), (1.2, 0.5), (1.6, 0.3)])
def test_a_glide_seen_again_on_its_way_stays_one_stroke(gap, seed):
    b = PathBuilder().rest(0.3).glide(0.9, 0.3, 2.0).rest(0.3)
    t0, dur = gap
    s = strokes(b.run(noise=0.001, seed=seed, drop=_unseen(b, t0, t0 + dur)))
    assert len(s) == 1 and s[0].direction == "up"


@pytest.mark.parametrize("t0", [1.0, 1.5, 2.0, 2.5])
def test_circles_turn_as_they_go_and_a_gap_does_not_cut_them(t0):
    b = PathBuilder(u=0.4, v=-0.3).rest(0.5).circles(5, 0.045, 4.0).rest(0.5)
    ev = b.run(drop=_unseen(b, t0, t0 + 0.25))
    assert [(e.kind, e.count) for e in ev] == [("circles", 5)]

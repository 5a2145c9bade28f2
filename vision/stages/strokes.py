"""Online segmentation of a hand's path on the back into strokes, holds,
circles and cross-fibre passes.

Causal: each update sees only the past. A hand's smoothed back-frame position
arrives frame by frame; a motion starts when the hand leaves the spot where it
rested, and ends at a speed valley (the hand slows to a fraction of its peak
speed, as it does at the end of a glide or at a reversal). A finished motion
is a stroke, a set of circles (its heading turned through most of a full
turn), or, with its neighbours, a set of cross-fibre passes (short lateral
motions that reverse one after another). A rest of at least
``min_hold_s`` is a hold.

A gap (the hand unseen for a moment: hidden, frames dropped) can hide the
speed valley where one motion ends and the next begins, as at a corner of
the effleurage loop. So a motion is also cut at a gap when, after it, the
hand moves on another way than the motion was going (turned by more than
``max_turn_rad``): where the hand was last seen, or where it came back if
it went on its way across the gap.

Units: time in seconds (the frames' own timestamps), positions in the back
frame (u, v); distances and speeds in back lengths (v scaled by
:data:`vision.backframe.HALF_WIDTH_PER_LENGTH`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from vision.core.backframe import HALF_WIDTH_PER_LENGTH, Zones
from vision.core.types import ActiveMotion, MotionEvent
from vision.stages.motion import turn_angle

_SCALE = np.array([1.0, HALF_WIDTH_PER_LENGTH])  # (u, v) -> back lengths


@dataclass(frozen=True)
class SegmenterConfig:
    speed_window_s: float = 0.1  # speed from the displacement over this long
    start_distance: float = 0.025  # leaving the resting spot by this much starts a motion
    stop_speed: float = 0.04  # a motion ends below this speed ...
    stop_speed_rel: float = 0.22  # ... or below this fraction of its peak speed,
    stop_dwell_s: float = 0.05  # held this long
    min_stroke_distance: float = 0.06  # shorter motions are not strokes (repositioning, jitter)
    min_hold_s: float = 1.0
    hold_radius: float = 0.012  # a hold is where the hand stays within this of its spot (tremor is ~0.005)
    # A resting hand's spot follows it this fast at most (back lengths/s): a thumb on a point drifts a
    # centimetre or two over half a minute (about 0.001 a second), which must not end the hold; leaving
    # the spot, even at the slowest deep stroke's pace (0.05 and more), outruns it.
    rest_drift_speed: float = 0.005
    hold_trend_s: float = 1.0  # a hold's samples are those within hold_radius of their mean over this long
    circle_turn_rad: float = 1.5 * np.pi  # turning that makes a motion circles
    cross_max_pass: float = 0.3  # a cross-fibre pass is a lateral motion shorter than this
    cross_min_passes: int = 3
    cross_max_gap_s: float = 0.6
    # stop-and-go: a stroke that sets off again in the same direction (up or down,
    # same lane) within this long of the hand's last motion ending continues its
    # movement, and adds its surges to it. Measured from the end of one motion to the
    # start of the next, which takes in their slow tails: two slow pushes with no pause
    # between them measure up to ~0.55 s apart. A hold (1 s) is always longer.
    chain_gap_s: float = 0.6
    surge_window_s: float = 0.2  # speed for counting surges: displacement over this long, centred
    surge_rel: float = 0.5  # a surge: the speed rises (and falls) by this fraction of the stroke's peak ...
    surge_min_speed: float = 0.06  # ... and by at least this much (back lengths/s): tracking noise is less
    surge_max_winding: float = 1.5  # a straight push: path length at most this times its net displacement
    # A gap: the hand unseen longer than this (two frames dropped in a row at 15 frames/s, four at 30; a
    # steady camera's frames are never a gap down to 7.5 frames/s). The motion under way is cut at the
    # gap when the hand moves on from its return (once it has gone start_distance) turned by more than
    # max_turn_rad from the way the motion went since it set off: halfway between a glide carrying on
    # straight (its heading within a few degrees) and a corner of the loop (a right angle, the speed
    # valley between the two motions hidden in the gap); a reversal turns pi. A motion whose path has
    # turned through half a circle already (circles) turns as it goes, and is not cut for it.
    gap_s: float = 0.15
    max_turn_rad: float = np.pi / 4
    zones: Zones = field(default_factory=Zones)


def _direction(d_back: NDArray[np.float64]) -> str:
    du, dv_len = d_back[0], d_back[1] * HALF_WIDTH_PER_LENGTH
    if abs(du) >= abs(dv_len):
        return "up" if du > 0 else "down"
    return "lateral"


def _lane(path_back: NDArray[np.float64], zones: Zones) -> str:
    """Where most of a path lies: off_back or spine if half of it is there, else its median's lane."""
    lanes = zones.lane_of(path_back[:, 0], path_back[:, 1])
    if np.mean(lanes == "off_back") >= 0.5:
        return "off_back"
    if np.mean(lanes == "spine") >= 0.5:
        return "spine"
    on = lanes != "off_back"
    med = np.median(path_back[on], axis=0) if on.any() else np.median(path_back, axis=0)
    lane = str(zones.lane_of(med[0], med[1]))
    if lane == "spine":  # mostly beside the spine, median on it: the side with more samples
        lane = "left" if np.mean(path_back[on, 1] < 0) > 0.5 else "right"
    return lane


def _turning(path_back: NDArray[np.float64], step: float = 0.008) -> float:
    """Total signed turning (radians) of a path, resampled every ``step`` back lengths."""
    p = path_back * _SCALE
    seg = np.linalg.norm(np.diff(p, axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    if s[-1] < 3 * step:
        return 0.0
    grid = np.arange(0.0, s[-1], step)
    q = np.c_[np.interp(grid, s, p[:, 0]), np.interp(grid, s, p[:, 1])]
    d = np.diff(q, axis=0)
    ang = np.arctan2(d[:, 1], d[:, 0])
    turn = np.diff(ang)
    turn = (turn + np.pi) % (2 * np.pi) - np.pi
    return float(turn.sum())


def speed_profile(
    times_s: NDArray[np.float64],
    path_back: NDArray[np.float64],
    window_s: float,
    along: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """(N,) speed in back lengths/s at each sample: displacement over a window centred on it.

    along: a unit (2,) direction in back lengths: the signed speed along it instead (a
    motion that turns back within a stroke is negative there, not a second surge).
    """
    n = len(times_s)
    if n < 2:
        return np.zeros(n)
    p = path_back * _SCALE
    i0 = np.clip(np.searchsorted(times_s, times_s - 0.5 * window_s), 0, n - 1)
    i1 = np.clip(np.searchsorted(times_s, times_s + 0.5 * window_s, side="right") - 1, 0, n - 1)
    i0 = np.minimum(i0, np.maximum(i1 - 1, 0))  # at least one sample apart
    i1 = np.maximum(i1, np.minimum(i0 + 1, n - 1))
    dt = times_s[i1] - times_s[i0]
    d = p[i1] - p[i0]
    dist = d @ along if along is not None else np.linalg.norm(d, axis=1)
    return dist / np.where(dt > 0, dt, np.inf)


def count_surges(speed: NDArray[np.float64], rel: float = 0.5, min_rise: float = 0.06) -> int:
    """Sub-movements in a speed profile: peaks that rise from the last trough (0 before the
    first) by at least ``max(rel * peak speed, min_rise)``, and fall as far after it (but the
    last). One smooth push is 1; a push that slows right down and surges on is 2, and so on.

    A hysteresis peak count: small ripples (tracking jitter left after smoothing) never cross
    the threshold, however many there are.
    """
    if len(speed) == 0:
        return 0
    speed = np.maximum(speed, 0.0)  # signed speeds: going back is no surge
    delta = max(rel * float(np.max(speed)), min_rise)
    n, low, high, rising = 0, 0.0, 0.0, True
    for x in speed:
        if rising:
            high = max(high, x)
            if high - low >= delta and x <= high - delta:  # a peak, and the fall after it
                n, rising, low = n + 1, False, x
        else:
            low = min(low, x)
            if x >= low + delta:
                rising, high = True, x
    if rising and high - low >= delta:
        n += 1
    return max(n, 1)


def _local_mean(times_s: NDArray[np.float64], path: NDArray[np.float64], window_s: float) -> NDArray[np.float64]:
    """(N, 2): each sample's mean position over the samples within ``window_s / 2`` of it in time."""
    cum = np.vstack([np.zeros((1, path.shape[1])), np.cumsum(path, axis=0)])
    lo = np.searchsorted(times_s, times_s - window_s / 2, side="left")
    hi = np.searchsorted(times_s, times_s + window_s / 2, side="right")
    return (cum[hi] - cum[lo]) / (hi - lo)[:, None]


class HandSegmenter:
    """Segments one hand's path. ``update`` per frame, ``flush`` when the hand is gone.

    Stop-and-go: a motion is cut at every speed valley, so a stroke that stops
    (or nearly) and surges on comes out as several strokes. Each stroke's
    ``surges`` counts the surges of the movement it belongs to: its own (speed
    peaks, :func:`count_surges`) plus those of the hand's motion just before
    it when that one went the same way (up or down), in the same lane, and
    ended at most ``chain_gap_s`` before it began, both straight pushes (path
    length at most ``surge_max_winding`` times the net displacement). The first push of a
    stop-and-go movement therefore has 1, the next 2, ... Any other motion in
    between (a step back, a turn, a hold) starts the count afresh.
    """

    def __init__(self, track: int, config: SegmenterConfig = SegmenterConfig()):
        self.track = track
        self.config = config
        self.reset()

    def reset(self) -> None:
        self._recent: deque[tuple[float, NDArray[np.float64]]] = deque()
        self._moving = False
        # the samples of the motion under way, or of the rest: times, positions, speeds
        self._seg_t: list[float] = []
        self._seg_p: list[NDArray[np.float64]] = []
        self._seg_v: list[float] = []
        self._peak = 0.0
        self._valley: int | None = None  # index of the slowest sample since the motion slowed down
        self._rest_since: int | None = None  # index where the hand came to rest
        self._anchor: NDArray[np.float64] | None = None
        self._idle_t: list[float] = []
        self._idle_p: list[NDArray[np.float64]] = []
        self._idle_v: list[float] = []
        self._pending: list[MotionEvent] = []  # lateral passes that may become cross-fibre
        self._last_t: float | None = None
        self._last_motion: tuple[float, str, str, int] | None = None  # (t_end, direction, lane, surges)
        # after a gap in the motion under way: the time of the hand's last sample before it
        self._gap_t: float | None = None

    # -- the per-frame step ----------------------------------------------------------

    def update(self, t_s: float, uv: NDArray[np.float64]) -> list[MotionEvent]:
        """Add the hand's smoothed (u, v) at ``t_s``; return the events that finished."""
        if self._last_t is not None and t_s <= self._last_t:
            if t_s == self._last_t:
                return []
            raise ValueError(f"timestamps must increase: got t={t_s:.3f} s after t={self._last_t:.3f} s")
        after_gap = self._last_t is not None and t_s - self._last_t > self.config.gap_s
        self._last_t = t_s
        p = np.asarray(uv, dtype=np.float64)
        cfg = self.config
        self._recent.append((t_s, p))
        while len(self._recent) > 2 and self._recent[1][0] <= t_s - cfg.speed_window_s:
            self._recent.popleft()
        t0, p0 = self._recent[0]
        speed = float(np.linalg.norm((p - p0) * _SCALE) / (t_s - t0)) if t_s > t0 else 0.0
        out: list[MotionEvent] = []

        if not self._moving:
            if self._anchor is None:
                self._anchor = p
            elif self._idle_t:  # the spot follows a slow drift (see rest_drift_speed)
                off = (p - self._anchor) * _SCALE
                d = float(np.linalg.norm(off))
                step = cfg.rest_drift_speed * (t_s - self._idle_t[-1])
                if d > 0:
                    self._anchor = self._anchor + (p - self._anchor) * min(1.0, step / d)
            self._idle_t.append(t_s)
            self._idle_p.append(p)
            self._idle_v.append(speed)
            if np.linalg.norm((p - self._anchor) * _SCALE) > cfg.start_distance:
                out += self._start_motion(self._onset(self._idle_v))
            else:
                out += self._flush_pending_if_stale(t_s)
            return out

        if after_gap and self._seg_t:
            self._gap_t = self._seg_t[-1]
        self._seg_t.append(t_s)
        self._seg_p.append(p)
        self._seg_v.append(speed)
        i = len(self._seg_t) - 1
        if speed < cfg.stop_speed:
            if self._rest_since is None:
                self._rest_since = i
            if t_s - self._seg_t[self._rest_since] >= cfg.stop_dwell_s:
                return out + self._end_motion(self._rest_since, moving_on=False)
        else:
            self._rest_since = None
        if self._valley is None:
            self._peak = max(self._peak, speed)
            # once under way, slowing to a fraction of the peak means the motion is ending
            if self._peak >= 2 * cfg.stop_speed and speed < cfg.stop_speed_rel * self._peak:
                self._valley = i
        else:
            vmin = self._seg_v[self._valley]
            if speed < vmin:
                self._valley = i
            elif speed > 2.0 * vmin + cfg.stop_speed:
                # speeding up again out of the valley: a new motion began there
                return out + self._end_motion(self._lagged(self._valley), moving_on=True)
        if self._gap_t is not None:
            cut = self._turned_at()
            if cut is not None:  # it turned in the gap: a new motion began there
                return out + self._end_motion(cut, moving_on=True)
        if self._pending:
            act = self.active()
            if act is not None and act.direction != "lateral" and act.distance >= cfg.min_stroke_distance:
                out += self._flush_pending()
        return out

    def _turned_at(self) -> int | None:
        """After a gap, once the hand has moved on start_distance from its return: where to cut the motion
        if it went on turned by more than max_turn_rad from its way before the gap (from the spot it set
        off from to where it was last seen); None: on course, no clear way (too short, or turned through
        half a circle already: circles), or not known yet.

        The turn happened unseen, in the gap: the gap goes with the motion its displacement follows, so
        the cut is at the hand's return when the hand went on the old way across the gap (out to a corner,
        then down), else where it was last seen."""
        assert self._gap_t is not None
        if self._gap_t not in self._seg_t[:-1]:
            self._gap_t = None  # the motion under way began after the gap (a valley there, or a reversal)
            return None
        last = self._seg_t.index(self._gap_t)
        first = last + 1  # the hand's return
        on = (self._seg_p[-1] - self._seg_p[first]) * _SCALE
        if np.linalg.norm(on) < self.config.start_distance:
            return None
        self._gap_t = None
        start = self._anchor if self._anchor is not None else self._seg_p[0]
        way = (self._seg_p[last] - start) * _SCALE
        before = np.asarray(self._seg_p[: last + 1])
        if np.linalg.norm(way) < self.config.start_distance or abs(_turning(before)) > np.pi:
            return None
        if turn_angle(way, on) <= self.config.max_turn_rad:
            return None
        across = (self._seg_p[first] - self._seg_p[last]) * _SCALE
        if np.linalg.norm(across) > 0 and turn_angle(way, across) < turn_angle(on, across):
            return first
        return last

    def _lagged(self, i: int) -> int:
        """The sample index a speed valley belongs to: speeds look back half a window."""
        if len(self._seg_t) < 2:
            return i
        dt = (self._seg_t[-1] - self._seg_t[0]) / (len(self._seg_t) - 1)
        return max(0, i - int(round(0.5 * self.config.speed_window_s / max(dt, 1e-6))))

    @staticmethod
    def _onset(speeds: list[float]) -> int:
        """Where the motion just detected began: walk back down the speed curve to its foot."""
        k = len(speeds) - 1
        while k > 0 and speeds[k - 1] <= speeds[k] and speeds[k - 1] > 1e-3:
            k -= 1
        return k

    def flush(self) -> list[MotionEvent]:
        """The hand is gone (or the video ended): finish whatever is under way."""
        out: list[MotionEvent] = []
        if self._moving:
            out += self._end_motion(len(self._seg_t) - 1, moving_on=False)
        out += self._end_idle(self._last_t)
        out += self._flush_pending()
        self._anchor = None
        self._recent.clear()
        self._last_motion = None
        return out

    def active(self) -> ActiveMotion | None:
        """The motion under way, if any."""
        if not self._moving or len(self._seg_p) < 2:
            return None
        start, now = self._seg_p[0], self._seg_p[-1]
        d = now - start
        path = np.asarray(self._seg_p)
        return ActiveMotion(
            self.track,
            self._seg_t[0],
            self._seg_t[-1],
            start,
            now,
            _direction(d),
            _lane(path, self.config.zones),
            float(np.linalg.norm(d * _SCALE)),
        )

    def resting_s(self, t_s: float) -> float:
        """How long the hand has rested on its spot (0 while moving): a live hold timer."""
        if self._moving or not self._idle_t:
            return 0.0
        return t_s - self._idle_t[0]

    # -- transitions -------------------------------------------------------------------

    def _start_motion(self, k: int) -> list[MotionEvent]:
        """The hand left its resting spot; the motion began at idle sample k."""
        seg_t, seg_p, seg_v = self._idle_t[k:], self._idle_p[k:], self._idle_v[k:]
        out = self._end_idle(self._idle_t[k])
        self._moving = True
        self._seg_t, self._seg_p, self._seg_v = seg_t, seg_p, seg_v
        self._peak = 0.0
        self._valley = self._rest_since = None
        self._gap_t = None
        self._idle_t, self._idle_p, self._idle_v = [], [], []
        return out

    def _end_idle(self, end_t: float | None) -> list[MotionEvent]:
        out: list[MotionEvent] = []
        if self._idle_t and end_t is not None and end_t - self._idle_t[0] >= self.config.min_hold_s:
            keep = [i for i, t in enumerate(self._idle_t) if t <= end_t]
            path = np.asarray([self._idle_p[i] for i in keep])
            ts = np.asarray([self._idle_t[i] for i in keep])
            # the hold proper: from when the hand settled on its spot to when it left it,
            # not the slow tails of the motions before and after. The spot as it drifts: each
            # sample against the mean of those within hold_trend_s / 2 of it, where that mean
            # moves no faster than a drift (the slow start of a glide away does)
            cfg = self.config
            trend = _local_mean(ts, path, cfg.hold_trend_s)
            trend_speed = (
                np.linalg.norm(np.gradient(trend, ts, axis=0) * _SCALE, axis=1) if len(ts) > 1 else np.zeros(len(ts))
            )
            near = np.flatnonzero(
                (np.linalg.norm((path - trend) * _SCALE, axis=1) <= cfg.hold_radius)
                & (trend_speed <= 2 * cfg.rest_drift_speed)
            )
            if len(near):
                ts, path = ts[near[0] : near[-1] + 1], path[near[0] : near[-1] + 1]
            if len(ts) >= 2 and ts[-1] - ts[0] >= self.config.min_hold_s:
                ev = MotionEvent(
                    "hold",
                    self.track,
                    float(ts[0]),
                    float(ts[-1]),
                    ts,
                    path,
                    None,
                    _lane(path, self.config.zones),
                    0.0,
                    0.0,
                )
                out += self._flush_pending() + [ev]
        self._idle_t, self._idle_p, self._idle_v = [], [], []
        return out

    def _end_motion(self, cut: int, moving_on: bool) -> list[MotionEvent]:
        """End the motion at sample ``cut``; what follows is a new motion or a rest."""
        ts = np.asarray(self._seg_t[: cut + 1])
        path = np.asarray(self._seg_p[: cut + 1])
        rest_t, rest_p, rest_v = self._seg_t[cut:], self._seg_p[cut:], self._seg_v[cut:]
        self._peak = max(rest_v, default=0.0)
        self._valley = self._rest_since = None
        self._anchor = rest_p[0]
        if moving_on:
            self._seg_t, self._seg_p, self._seg_v = list(rest_t), list(rest_p), list(rest_v)
        else:
            self._moving = False
            self._seg_t, self._seg_p, self._seg_v = [], [], []
            self._idle_t, self._idle_p, self._idle_v = list(rest_t), list(rest_p), list(rest_v)
        return self._classify(ts, path)

    def _classify(self, ts: NDArray[np.float64], path: NDArray[np.float64]) -> list[MotionEvent]:
        cfg = self.config
        if len(ts) < 2:
            return []
        length = float(np.sum(np.linalg.norm(np.diff(path, axis=0) * _SCALE, axis=1)))
        dur = float(ts[-1] - ts[0])
        lane = _lane(path, cfg.zones)
        turning = _turning(path)
        if abs(turning) >= cfg.circle_turn_rad:
            turns = abs(turning) / (2 * np.pi)
            ev = MotionEvent(
                "circles",
                self.track,
                float(ts[0]),
                float(ts[-1]),
                ts,
                path,
                None,
                lane,
                length,
                length / max(dur, 1e-6),
                count=max(1, int(round(turns))),
                radius=length / max(abs(turning), 1e-6),
            )
            self._last_motion = None
            return self._flush_pending() + [ev]
        direction = _direction(path[-1] - path[0])
        net_back = (path[-1] - path[0]) * _SCALE
        net = float(np.linalg.norm(net_back))  # net displacement, back lengths
        along = net_back / net if net > 0 else None
        surges = count_surges(speed_profile(ts, path, cfg.surge_window_s, along), cfg.surge_rel, cfg.surge_min_speed)
        last = self._last_motion
        # only a straight push carries a movement on: one that turns back on itself (a push
        # and a step back, not parted by the segmenter) is kneading, and starts afresh
        straight = length <= cfg.surge_max_winding * net
        if (
            straight
            and last is not None
            and direction in ("up", "down")
            and last[1] == direction
            and last[2] == lane
            and ts[0] - last[0] <= cfg.chain_gap_s
        ):
            surges += last[3]  # stop-and-go: the same movement surging on
        self._last_motion = (float(ts[-1]), direction, lane, surges) if straight else None
        ev = MotionEvent(
            "stroke",
            self.track,
            float(ts[0]),
            float(ts[-1]),
            ts,
            path,
            direction,
            lane,
            length,
            length / max(dur, 1e-6),
            surges=surges,
        )
        if direction == "lateral" and net <= cfg.cross_max_pass and net >= cfg.start_distance:
            out: list[MotionEvent] = []
            if self._pending:
                prev = self._pending[-1]
                reverses = float(np.dot(prev.displacement, ev.displacement)) < 0
                if not reverses or ev.t_start - prev.t_end > cfg.cross_max_gap_s:
                    out += self._flush_pending()
            self._pending.append(ev)
            return out
        out = self._flush_pending()
        if length >= cfg.min_stroke_distance:
            out.append(ev)
        return out

    def _flush_pending_if_stale(self, t_s: float) -> list[MotionEvent]:
        if self._pending and t_s - self._pending[-1].t_end > self.config.cross_max_gap_s:
            return self._flush_pending()
        return []

    def _flush_pending(self) -> list[MotionEvent]:
        """Decide the lateral passes kept back: cross-fibre friction if enough, else strokes."""
        group, self._pending = self._pending, []
        if len(group) >= self.config.cross_min_passes:
            ts = np.concatenate([g.times_s for g in group])
            path = np.concatenate([g.path_back for g in group])
            length = sum(g.distance for g in group)
            dur = group[-1].t_end - group[0].t_start
            return [
                MotionEvent(
                    "cross_fiber",
                    self.track,
                    group[0].t_start,
                    group[-1].t_end,
                    ts,
                    path,
                    "lateral",
                    _lane(path, self.config.zones),
                    length,
                    length / max(dur, 1e-6),
                    count=len(group),
                )
            ]
        return [g for g in group if g.distance >= self.config.min_stroke_distance]

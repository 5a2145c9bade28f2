"""Render the sample clips and their exact labels.

    python -m samples.generate            # every clip, into samples/
    python -m samples.generate NAME ...   # only these
    python -m samples.generate --list

Each clip is an H.264 MP4 plus ``NAME.json`` beside it: the calibration, each
hand's true contact point per frame (pixels and back frame), and every event
(stroke, return, transition, hold, circles, cross-fibre passes) with its
frames, direction, lane, speed and the verdicts it should get under the
effleurage step. Rendering is deterministic: the same code gives the same
labels, and the same frames up to the encoder. A clip whose camera drops
frames (effects ``drop`` and ``stalls``) leaves them out of the MP4, the
others keeping their own times (frame i at i / fps), and lists them in the
labels' ``frames_dropped``; its paths and events still count every frame.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from samples import render as R

HERE = Path(__file__).resolve().parent
L, HW = R.BACK_LENGTH_CM, R.BACK_HALF_WIDTH_CM
ASPECT = HW / L  # half width per back length, to measure distances in back lengths


def world(u, v):
    return np.array([v * HW, u * L], float)


def min_jerk(tau):
    tau = np.clip(tau, 0.0, 1.0)
    return tau ** 3 * (10 - 15 * tau + 6 * tau ** 2)


def lane_name(v):
    a = abs(v)
    if a < 0.08:
        return "spine"
    if a <= 0.575:
        return "left" if v < 0 else "right"
    if a <= 1.05:
        return "outside"
    return "off_back"


# --- motion scripts -------------------------------------------------------------

@dataclass
class Segment:
    """One piece of a hand's motion, in back-frame units and seconds."""

    kind: str  # "move", "hold", "circles", "cross", "hidden"
    t0: float
    t1: float
    p0: tuple
    p1: tuple
    heading0: float
    heading1: float
    role: str = "stroke"  # for moves: stroke, return, transition
    expect: tuple = ("ok",)
    n: float = 0  # circles: number of turns; cross: number of passes
    radius: float = 0.0  # circles: radius in back lengths; cross: half amplitude in v
    label: bool = True  # whether it is an event in the labels (tiny repositioning moves are not)

    def pose_at(self, t):
        """(u, v, heading) at time t within the segment."""
        tau = (t - self.t0) / max(self.t1 - self.t0, 1e-9)
        p0, p1 = np.array(self.p0, float), np.array(self.p1, float)
        if self.kind == "move":
            s = min_jerk(tau)
            p = p0 + s * (p1 - p0)
            h = self.heading0 + s * (self.heading1 - self.heading0)
            return p[0], p[1], h
        if self.kind == "circles":
            # start at the circle's bottom, ease in and out of the turning
            ang = 2 * np.pi * self.n * (0.5 * tau + 0.5 * min_jerk(tau))
            r = self.radius
            return p0[0] - r * np.cos(ang), p0[1] + r * np.sin(ang) / ASPECT, self.heading0
        if self.kind == "cross":
            k = tau * self.n
            i = min(int(k), int(self.n) - 1)
            frac = k - i
            # passes alternate between the two ends; each pass is a min-jerk glide
            a = -1.0 if i % 2 == 0 else 1.0
            s = min_jerk(frac)
            v = p0[1] + self.radius * (a + s * (-2 * a))
            return p0[0], v, self.heading0
        return p0[0], p0[1], self.heading0  # hold, hidden


class Script:
    """Builds one hand's segments end to end, keeping the clock and position."""

    def __init__(self, start_uv, heading=0.0, t=0.0):
        self.t = t
        self.p = tuple(start_uv)
        self.h = heading
        self.segments: list[Segment] = []

    def move(self, to, dur, heading=None, role="stroke", expect=("ok",), label=True):
        h1 = self.h if heading is None else heading
        self.segments.append(Segment("move", self.t, self.t + dur, self.p, tuple(to), self.h, h1, role, tuple(expect), label=label))
        self.t += dur
        self.p, self.h = tuple(to), h1
        return self

    def hold(self, dur, label=True, jitter_cm=0.0, expect=("ok",)):
        seg = Segment("hold", self.t, self.t + dur, self.p, self.p, self.h, self.h, expect=tuple(expect), label=label)
        seg.radius = jitter_cm
        self.segments.append(seg)
        self.t += dur
        return self

    def circles(self, n, radius, dur, expect=("ok",)):
        """n whole turns of the given radius (back lengths), starting and ending where the hand is."""
        centre = (self.p[0] + radius, self.p[1])
        self.segments.append(Segment("circles", self.t, self.t + dur, centre, centre, self.h, self.h, n=n, radius=radius,
                                     expect=tuple(expect)))
        self.t += dur
        return self

    def cross(self, n_passes, half_amplitude_v, dur, expect=("ok",)):
        """Passes back and forth across the spine's direction, starting where the hand is."""
        centre = (self.p[0], self.p[1] + half_amplitude_v)
        self.segments.append(Segment("cross", self.t, self.t + dur, centre, centre, self.h, self.h, n=n_passes,
                                     radius=half_amplitude_v, expect=tuple(expect)))
        self.t += dur
        self.p = (centre[0], centre[1] + half_amplitude_v * (-1 if n_passes % 2 == 0 else 1))
        return self

    def pose_at(self, t):
        for s in self.segments:
            if s.t0 <= t < s.t1:
                return s.pose_at(t)
        last = self.segments[-1]
        return last.pose_at(min(t, last.t1))


def effleurage_cycles(side, n, t0=1.0, up_s=2.0, return_s=1.7, wrong=(), spine=(), up_lane_v=0.33, out_v=0.8,
                      lane_v=None, pauses=None):
    """The effleurage loop for one hand on side -1 (left) or +1 (right).

    wrong: indices of cycles whose glide goes DOWN inside the lane (a mistake);
    spine: indices of cycles whose glide runs up ON the spine;
    lane_v: {cycle: |v|} for cycles glided further out in the lane;
    pauses: {cycle: seconds} the hand rests at the base after that cycle.
    """
    lane_v = lane_v or {}
    pauses = pauses or {}
    heading = 0.0
    s = Script((0.06, side * out_v), heading=side * 25.0, t=0.0)
    s.hold(t0, label=False)
    for i in range(n):
        v_lane = 0.0 if i in spine else side * lane_v.get(i, up_lane_v)
        if i in wrong:
            # reach the top along the outer edge, then glide down inside the lane
            s.move((0.88, side * out_v), return_s, heading=side * 30.0, role="transition")
            s.move((0.88, v_lane), 0.7, heading=heading, role="transition")
            s.move((0.08, v_lane), up_s, role="stroke", expect=("wrong_direction",))
            s.move((0.06, side * out_v), 0.7, heading=side * 25.0, role="transition")
            continue
        s.move((0.06, v_lane), 0.7, heading=heading, role="transition")
        s.move((0.88, v_lane), up_s, role="stroke", expect=("on_spine",) if i in spine else ("ok",))
        s.move((0.88, side * out_v), 0.7, heading=side * 30.0, role="transition")
        s.move((0.06, side * out_v), return_s, heading=side * 25.0, role="return")
        if i in pauses:
            s.hold(pauses[i])
    s.hold(0.6, label=False)
    return s


# --- clips ----------------------------------------------------------------------

SKIN = {  # BGR
    "light": (175, 195, 232),
    "medium": (110, 150, 200),
    "tan": (90, 130, 185),
    "dark": (55, 80, 120),
    "deep": (40, 58, 92),
}


@dataclass
class Camera:
    azimuth_deg: float = 0.0
    elevation_deg: float = 45.0
    distance_cm: float = 95.0
    focal_px: float = 560.0
    target_uv: tuple = (0.5, 0.0)
    roll_deg: float = 0.0


@dataclass
class Clip:
    name: str
    description: str
    hands: dict  # name -> (Script, side, skin name)
    camera: Camera = field(default_factory=Camera)
    style: R.SceneStyle = field(default_factory=R.SceneStyle)
    frame_wh: tuple = (640, 480)
    fps: float = 30.0
    duration_s: float | None = None
    # brightness: [(t0, t1, gain)], occlude: [(hand, t0, t1)], absent: [(hand, t0, t1)] (not in the picture:
    # the giver not there yet), noise, blur
    effects: dict = field(default_factory=dict)
    giver_at: str = "foot"  # where the giver stands: "foot" of the table, or its "left" / "right" side
    routine: str = "swedish"  # the routine step the clip is judged against: its events' verdicts say
    step: str | None = "effleurage"  # what that step must find (None: the routine is followed step by step)
    # following the routine: {step id: the step moved on to} for the steps the giver leaves unfinished
    cut_short: dict = field(default_factory=dict)
    # a folder of its own under the output folder ("": samples/ itself); the reference clips go into
    # samples/reference/, apart from the clips whose labels the judging tests check verdict by verdict
    folder: str = ""


# The clips of one hand alone are judged against one-handed effleurage: against
# swedish/effleurage (hands: both) every glide of theirs would be one_hand_missing.
ONE_HAND = "samples/routines/one_hand.yaml"


def clips() -> list[Clip]:
    out = []
    out.append(Clip(
        "effleurage_good", "Effleurage done right: both palms glide up either side of the spine, "
        "out over the shoulders and back down the outer edges, three times. Camera at the foot.",
        {"A": (effleurage_cycles(-1, 3), "left", "dark"), "B": (effleurage_cycles(+1, 3), "right", "dark")},
        Camera(0, 45, 95, 560), R.SceneStyle(seed=1, arms="above")))
    out.append(Clip(
        "effleurage_wrong_way", "Effleurage with one mistake: the right hand's second glide goes DOWN inside "
        "its lane. Camera at the head end (the back is upside down in the picture).",
        {"A": (effleurage_cycles(-1, 3), "left", "tan"), "B": (effleurage_cycles(+1, 3, wrong=(1,)), "right", "tan")},
        Camera(180, 50, 100, 560), R.SceneStyle(seed=2, back_skin_bgr=SKIN["light"], sheet_bgr=(200, 170, 150),
                                               towel_bgr=(70, 70, 160), floor_bgr=(60, 60, 60))))
    # one hand mixing up and down strokes in the right lane, camera at the side
    s = Script((0.08, 0.3), heading=0.0).hold(1.0, label=False)
    for i, up in enumerate([True, False, True, False, True, False, True]):
        to = (0.85, 0.3) if up else (0.1, 0.3)
        s.move(to, 1.6 + 0.2 * (i % 3), expect=("ok",) if up else ("wrong_direction",)).hold(0.4, label=False)
    out.append(Clip(
        "one_hand_up_down", "One hand in the right lane mixing up strokes (right) and down strokes "
        "(wrong way for effleurage). Camera beside the table, at the recipient's right.",
        {"A": (s, "right", "tan")}, Camera(90, 42, 100, 600, target_uv=(0.5, 0.2)),
        R.SceneStyle(seed=3, back_skin_bgr=SKIN["tan"], sheet_bgr=(230, 230, 235)), giver_at="right",
        routine=ONE_HAND))
    out.append(Clip(
        "on_spine", "Effleurage where the left hand's second glide runs up on the spine itself.",
        {"A": (effleurage_cycles(-1, 3, spine=(1,)), "left", "light"), "B": (effleurage_cycles(+1, 3, lane_v={1: 0.5}), "right", "light")},
        Camera(0, 55, 100, 580, roll_deg=4), R.SceneStyle(seed=4, back_skin_bgr=SKIN["dark"], arms="beside",
                                                        sheet_bgr=(150, 190, 160))))
    # fast and slow glides, one hand, 1280x720
    s = Script((0.06, -0.8), heading=-25.0).hold(1.0, label=False)
    for up_s in (0.55, 3.2, 0.6, 2.8):
        s.move((0.06, -0.3), 0.6, heading=0.0, role="transition")
        # 0.82 back lengths in 0.7 s is over the effleurage step's bound of 1.0 per second
        s.move((0.88, -0.3), up_s, expect=("too_fast",) if 0.82 / up_s > 1.0 else ("ok",))
        s.move((0.88, -0.8), 0.6, heading=-30.0, role="transition")
        s.move((0.06, -0.8), 1.2, heading=-25.0, role="return")
    s.hold(0.4, label=False)
    out.append(Clip(
        "fast_and_slow", "One hand gliding up the left lane, alternately fast (0.6 s, too fast for effleurage) "
        "and slow (3 s). "
        "1280x720, camera at the foot, a little to the left.",
        {"A": (s, "left", "deep")}, Camera(-20, 48, 105, 1100, target_uv=(0.42, 0.0)), R.SceneStyle(seed=5, back_skin_bgr=SKIN["medium"]),
        frame_wh=(1280, 720), routine=ONE_HAND))
    # the recipient's hands rest on the table right beside the lower back, inside the part of the picture
    # the detector looks at: they must not take the detector's slots from the giver's hands
    out.append(Clip(
        "resting_hands_near", "Effleurage, twice, with the recipient's arms along their sides and both hands "
        "resting beside the lower back, in view all along; the giver's hands come onto the back after 1.5 s, "
        "when the recipient's are already in view. Camera at the foot, a little to the right.",
        {"A": (effleurage_cycles(-1, 2, t0=2.2), "left", "medium"), "B": (effleurage_cycles(+1, 2, t0=2.2), "right", "medium")},
        Camera(15, 50, 100, 560), R.SceneStyle(seed=8, arms="close", back_skin_bgr=SKIN["medium"],
                                              sheet_bgr=(190, 200, 205)),
        effects={"absent": [("A", 0.0, 1.5), ("B", 0.0, 1.5)]}))
    # a long hold: trigger-point pressure, the hand still but for tremor
    s = Script((0.06, 0.8), heading=30.0).hold(0.5, label=False)
    s.move((0.62, 0.35), 1.0, heading=10.0, role="transition")
    s.hold(18.0, jitter_cm=0.25)
    s.move((0.9, 0.85), 0.5, heading=40.0, role="transition")
    out.append(Clip(
        "hold_18s", "An 18 s trigger-point hold on the right side of the upper back with only hand tremor. "
        "The recipient's arms rest above the head, their hands in view.",
        {"A": (s, "right", "light")}, Camera(0, 40, 105, 600), R.SceneStyle(seed=6, arms="above",
                                                                            back_skin_bgr=SKIN["deep"], sheet_bgr=(235, 235, 240)),
        routine=ONE_HAND))
    # friction: circles, then cross-fibre passes, on the left side
    s = Script((0.06, -0.8), heading=-20.0).hold(1.0, label=False)
    s.move((0.45, -0.32), 1.4, heading=0.0, role="transition")
    s.circles(6, 0.045, 5.0)
    s.hold(0.5, label=False)
    s.move((0.7, -0.5), 1.0, role="transition")
    s.hold(0.4, label=False)
    s.cross(10, 0.17, 4.5)
    s.hold(0.5, label=False)
    s.move((0.7, -0.9), 1.0, heading=-40.0, role="transition")
    out.append(Clip(
        "circles_then_cross", "Friction: six small circles over a spot, then ten cross-fibre passes across "
        "the muscle higher up. Camera at the head end, at the recipient's left.",
        {"A": (s, "left", "medium")}, Camera(200, 52, 95, 600), R.SceneStyle(seed=7, back_skin_bgr=SKIN["light"],
                                                                          towel_bgr=(40, 140, 60)),
        giver_at="left", routine=ONE_HAND))
    # the hard one: leaves the frame, hidden for a second, the light drops
    out.append(Clip(
        "hard_conditions", "Effleurage in bad conditions: the lamp dims to 45% for 3 s, the right hand is "
        "hidden for a second (an arm passes over it), both hands lift out of the picture and come back, "
        "sensor noise and blur throughout.",
        {"A": (_hard_script(-1), "left", "medium"), "B": (_hard_script(+1), "right", "tan")},
        Camera(10, 44, 92, 560), R.SceneStyle(seed=8, back_skin_bgr=SKIN["medium"], arms="above",
                                              sheet_bgr=(180, 200, 210)),
        effects={"brightness": [(7.0, 10.0, 0.45)], "occlude": [("B", 3.0, 4.0)], "noise": 6.0, "blur": 1.1}))
    # the lamp almost off for a stretch: the hands are seen poorly there, and the judging must say so
    # rather than guess (no flag raised while unsure); the wrong-way glide before it is flagged
    out.append(Clip(
        "dark_stretch", "Effleurage, four times; the right hand's first glide goes the wrong way; then the lamp "
        "goes almost out for 6 s (10% light, sensor noise) over the second and third loops. Camera at the "
        "foot, a little to the left.",
        {"A": (effleurage_cycles(-1, 4), "left", "tan"), "B": (effleurage_cycles(+1, 4, wrong=(0,)), "right", "tan")},
        Camera(-12, 47, 98, 560), R.SceneStyle(seed=11, back_skin_bgr=SKIN["medium"], arms="beside",
                                               sheet_bgr=(170, 185, 200)),
        effects={"brightness": [(6.8, 12.8, 0.1)], "noise": 5.0}))
    # the camera too close at the head end: the top of each glide runs off the bottom of the picture, the
    # hand half out of view; the judging must not guess there (the wrong-way glide is flagged where seen)
    out.append(Clip(
        "half_out_of_view", "Effleurage, three times, the camera at the head end set too close: at the top of "
        "each glide, by the shoulders, the hands run half out of the bottom of the picture. The left hand's "
        "second glide goes the wrong way.",
        {"A": (effleurage_cycles(-1, 3, wrong=(1,)), "left", "dark"), "B": (effleurage_cycles(+1, 3), "right", "dark")},
        Camera(180, 50, 90, 750, target_uv=(0.35, 0.0)), R.SceneStyle(seed=12, back_skin_bgr=SKIN["light"],
                                                                      sheet_bgr=(210, 205, 190))))
    # two hands of the back's own skin tone side by side, palms almost touching: on the second loop the
    # right hand glides up the spine itself while the left glides right beside it, a palm's width over
    out.append(Clip(
        "hands_side_by_side", "Effleurage, three times, hands the same tone as the back; on the second loop "
        "the right hand glides up ON the spine while the left glides beside it, their palms a hand's width "
        "apart. Camera at the foot, a little to the right.",
        {"A": (effleurage_cycles(-1, 3, lane_v={1: 0.45}), "left", "medium"),
         "B": (effleurage_cycles(+1, 3, spine=(1,)), "right", "medium")},
        Camera(8, 48, 96, 560), R.SceneStyle(seed=13, back_skin_bgr=SKIN["medium"], sheet_bgr=(205, 200, 195))))
    out += dropped_frames_clips()
    out += technique_clips()
    return out


def turns(script: Script) -> list[float]:
    """The times where one move ends and the next sets off another way: the corners of a loop."""
    moves = [s for s in script.segments if s.kind == "move"]
    out = []
    for a, b in zip(moves, moves[1:]):
        da, db = np.subtract(a.p1, a.p0) * (1, ASPECT), np.subtract(b.p1, b.p0) * (1, ASPECT)
        if abs(a.t1 - b.t0) < 1e-9 and float(da @ db) < 0.5 * np.linalg.norm(da) * np.linalg.norm(db):
            out.append(a.t1)
    return out


def dropped_frames_clips() -> list[Clip]:
    """A camera on a busy machine: frames dropped (the file's timestamps have gaps), stalls at the loop's corners,
    motion blur, a dark hand, hands missed for a moment. The strokes must come out whole, and a stroke must not
    be joined across a corner to the next."""
    out = []
    # the pause halfway keeps the hands at rest where a two-detector analysis (vision/run/analyze.py) starts
    # its second MediaPipe afresh, at the clip's middle: on the move, that fresh detector did not find the
    # dark blurred hand for up to 2 s (a limit of the parallel analysis; one detector never lost it)
    a, b = effleurage_cycles(-1, 4, pauses={1: 2.5}), effleurage_cycles(+1, 4, pauses={1: 2.5})
    corner = turns(a)  # both hands go round their loops together: in, up, out, down, in, ...
    out.append(Clip(
        "dropped_frames_blur", "Effleurage, four times with a pause at the base halfway, filmed at 24 frames/s by "
        "a camera that drops about one frame in eight, and stalls for 150 to 250 ms at four corners of the loop "
        "(out over the shoulder, turning down the outer edge; and at the base); an arm hides the left hand at "
        "another such corner; motion blur, one dark hand.",
        {"A": (a, "left", "tan"), "B": (b, "right", "dark")},
        Camera(12, 46, 98, 560, target_uv=(0.48, 0.0)),
        R.SceneStyle(seed=21, back_skin_bgr=SKIN["tan"], arms="beside", sheet_bgr=(170, 175, 185)),
        fps=24.0,
        effects={"drop": {"share": 0.11, "max_run": 2},
                 # as the hands turn down the outer edge (slowest just after the corner) and at the base
                 "stalls": [(corner[2] - 0.08, corner[2] + 0.17), (corner[3] - 0.07, corner[3] + 0.08),
                            (corner[9] - 0.05, corner[9] + 0.15), (corner[13] - 0.1, corner[13] + 0.15)],
                 "occlude": [("A", corner[6] - 0.14, corner[6] + 0.24)],  # an arm, as the left hand turns down
                 "motion_blur": 0.8, "noise": 3.0}))
    a, b = effleurage_cycles(-1, 3), effleurage_cycles(+1, 3, wrong=(1,))
    corner_a, corner_b = turns(a), turns(b)
    out.append(Clip(
        "dropped_frames_busy", "Effleurage, three times, the right hand's second glide going down inside its lane "
        "(wrong_direction), at 15 frames/s from a camera that drops a frame in five, in runs of one to three "
        "(uneven gaps), and stalls for 250 ms at a corner; an arm hides the left hand mid-glide, and the right "
        "hand as it turns down the outer edge. Camera at the head end.",
        {"A": (a, "left", "medium"), "B": (b, "right", "light")},
        Camera(175, 48, 100, 570),
        R.SceneStyle(seed=22, back_skin_bgr=SKIN["medium"], arms="above", sheet_bgr=(200, 190, 170),
                     towel_bgr=(60, 110, 160)),
        fps=15.0,
        effects={"drop": {"share": 0.2, "max_run": 3},
                 "stalls": [(corner_a[6] - 0.12, corner_a[6] + 0.13)],
                 "occlude": [("A", 2.6, 3.0), ("B", corner_b[-1] - 0.14, corner_b[-1] + 0.24)],
                 "noise": 3.0, "blur": 0.8}))
    return out


def technique_clips() -> list[Clip]:
    """Each technique of the guide done right and done wrong, judged against its own routine step."""
    out = []
    # friction: circles over two spots (right), then rubbing in a line (wrong)
    s = Script((0.1, -0.8), heading=-20.0).hold(1.0, label=False)
    s.move((0.45, -0.35), 1.2, heading=0.0, role="transition")
    s.circles(6, 0.04, 4.5)
    s.hold(0.4, label=False)
    s.move((0.75, -0.35), 1.0, role="transition")
    s.circles(5, 0.035, 4.0)
    s.hold(0.5, label=False)
    out.append(Clip("friction_circles", "Friction done right: small circles over two spots on the left side.",
                    {"A": (s, "left", "tan")}, Camera(0, 50, 95, 570), R.SceneStyle(seed=11, back_skin_bgr=SKIN["medium"]),
                    routine="swedish", step="friction"))
    s = Script((0.1, 0.8), heading=20.0).hold(1.0, label=False)
    s.move((0.5, 0.5), 1.2, heading=0.0, role="transition")
    s.cross(10, 0.15, 4.5, expect=("not_circular",))
    s.hold(0.5, label=False)
    out.append(Clip("friction_straight", "Friction done wrong: rubbing back and forth in a line instead of circles.",
                    {"A": (s, "right", "light")}, Camera(180, 48, 95, 570),
                    R.SceneStyle(seed=12, back_skin_bgr=SKIN["tan"], arms="above"), routine="swedish", step="friction"))
    # deep tissue strokes: slow (right) and fast (too fast), up and down the left lane
    s = Script((0.1, -0.35), heading=0.0).hold(1.0, label=False)
    for up, dur in ((True, 4.0), (False, 1.4), (True, 1.3), (False, 4.2)):
        s.move((0.85, -0.35) if up else (0.1, -0.35), dur, expect=("ok",) if 0.75 / dur <= 0.25 else ("too_fast",))
        s.hold(0.2, label=False)
    out.append(Clip("deep_strokes", "Deep-tissue strokes with the knuckles: two slow ones and two too fast for the "
                    "technique (bound 0.25 back lengths per second).",
                    {"A": (s, "left", "dark")}, Camera(0, 46, 100, 580), R.SceneStyle(seed=13, back_skin_bgr=SKIN["light"]),
                    routine="deep_tissue", step="deep_strokes"))
    # deep strokes done jerkily: stop-and-go, the knuckles stopping and surging on two to four
    # times on the way. Each push is itself a smooth (min-jerk) motion at an allowed speed;
    # the first push of each movement is a good stroke until the hand surges on (jerky is
    # judged when a push ends), the pushes after it are jerky. Smooth strokes before, between
    # (a reversal) and after stay ok.
    s = Script((0.1, -0.35), heading=0.0).hold(1.0, label=False)
    s.move((0.85, -0.35), 4.0)  # smooth, slow
    s.hold(0.3, label=False)
    for k, u in enumerate((0.6, 0.35, 0.1)):  # down in three pushes, 0.15 s stops
        s.move((u, -0.35), 1.3, expect=("ok",) if k == 0 else ("jerky",))
        if k < 2:
            s.hold(0.15, label=False)
    s.hold(0.4, label=False)
    for k, u in enumerate((0.3, 0.5, 0.7, 0.85)):  # up in four pushes, 0.1 s stops
        s.move((u, -0.35), 1.0 if k < 3 else 0.8, expect=("ok",) if k == 0 else ("jerky",))
        if k < 3:
            s.hold(0.1, label=False)
    s.hold(0.4, label=False)
    s.move((0.1, -0.35), 4.0)  # smooth again
    s.hold(0.5, label=False)
    out.append(Clip("deep_strokes_jerky", "Deep-tissue strokes done jerkily: between two smooth slow strokes, one "
                    "down and one up stop and surge on three and four times (jerky; deep_tissue/deep_strokes).",
                    {"A": (s, "left", "tan")}, Camera(0, 48, 95, 570), R.SceneStyle(seed=20, back_skin_bgr=SKIN["medium"]),
                    routine="deep_tissue", step="deep_strokes"))
    # shiatsu presses: climbing from the base (right) and coming down (wrong)
    for name, climb, skin, cam in (("shiatsu_climb", True, "medium", Camera(0, 50, 95, 570)),
                                   ("shiatsu_descend", False, "tan", Camera(180, 50, 95, 570))):
        hands = {}
        for hand, side in (("A", -1), ("B", 1)):
            us = [0.15, 0.32, 0.49, 0.66, 0.83]
            if not climb:
                us = us[::-1]
            s = Script((us[0], side * 0.8), heading=side * 20.0).hold(1.0, label=False)
            s.move((us[0], side * 0.35), 0.8, heading=0.0, role="transition")
            for k, u in enumerate(us):
                if k:
                    s.move((u, side * 0.35), 0.6, role="transition", label=False)
                s.hold(1.8, expect=("ok",) if climb or k == 0 else ("wrong_direction",))
            hands[hand] = (s, "left" if side < 0 else "right", skin)
        out.append(Clip(name, "Shiatsu palm presses either side of the spine, held about 2 s each, "
                        + ("climbing from the base to the shoulders." if climb else
                           "coming DOWN from the shoulders (the presses should climb)."),
                        hands, cam, R.SceneStyle(seed=14 if climb else 15, back_skin_bgr=SKIN["light" if climb else "dark"]),
                        routine="shiatsu", step="palm_presses"))
    # petrissage: kneading up the lane (right), and kneading that drifts onto the spine (wrong)
    for name, drift, skin, cam in (("petrissage_lane", False, "dark", Camera(0, 50, 95, 570)),
                                   ("petrissage_spine", True, "medium", Camera(90, 45, 100, 600, target_uv=(0.5, 0.2)))):
        s = Script((0.1, -0.8), heading=-20.0).hold(1.0, label=False)
        s.move((0.12, -0.33), 0.8, heading=0.0, role="transition")
        u, v = 0.12, -0.33
        for k in range(8):
            if drift and k == 4:
                s.move((u, -0.02), 0.6, role="transition")  # slides onto the spine and carries on there
                v = -0.02
            on_spine = abs(v) < 0.08
            s.move((u + 0.14, v), 0.5, expect=("on_spine",) if on_spine else ("ok",))
            # the step back is about the smallest motion counted as a stroke: left unscored
            s.move((u + 0.07, v), 0.4, label=False)
            u += 0.07
        s.hold(0.6, label=False)
        out.append(Clip(name, "Petrissage: kneading up the left lane, two steps up and one back"
                        + (", drifting onto the spine halfway (on_spine)." if drift else ", staying in the lane."),
                        {"A": (s, "left", skin)}, cam,
                        R.SceneStyle(seed=18 if drift else 19, back_skin_bgr=SKIN["tan" if drift else "light"]),
                        giver_at="right" if drift else "foot", routine="swedish", step="petrissage"))
    # trigger point holds of 10, 20 and 35 s (15 frames/s keeps the long clip light)
    s = Script((0.1, 0.8), heading=20.0).hold(1.0, label=False)
    # the thumb does the work: with the palm this far out, the thumb tip rests in the lane (|v| about 0.3)
    for (u, v), dur, expect in (((0.35, 0.62), 10.0, "hold_too_short"), ((0.55, 0.6), 20.0, "ok"),
                                ((0.75, 0.62), 35.0, "hold_too_long")):
        s.move((u, v), 1.0, heading=0.0, role="transition")
        s.hold(dur, jitter_cm=0.2, expect=(expect,))
    s.move((0.9, 0.85), 1.0, heading=30.0, role="transition")
    out.append(Clip("trigger_holds", "Trigger-point holds of 10 s (too short), 20 s and 35 s (too long) on the right "
                    "side; 15 frames per second.", {"A": (s, "right", "medium")}, Camera(10, 45, 95, 570),
                    R.SceneStyle(seed=16, back_skin_bgr=SKIN["tan"]), fps=15.0, routine="trigger_point", step="hold"))
    out.append(whole_routine_clip())
    out.append(routine_cut_short_clip())
    out += reference_clips()
    return out


def _glides_up(s: Script, side: float, lane: float, out_v: float, up_s: float, n: int = 2) -> None:
    """n effleurage glides up the lane with returns between them, ending on the last glide up."""
    for cycle in range(n):
        s.move((0.06, lane), 0.7, heading=0.0, role="transition")
        s.move((0.88, lane), up_s)
        if cycle < n - 1:
            s.move((0.88, out_v), 0.7, heading=side * 30.0, role="transition")
            s.move((0.06, out_v), 1.7, heading=side * 25.0, role="return")


def whole_routine_clip() -> Clip:
    """The short Swedish routine (samples/routines/swedish_short.yaml) played through, step after step."""
    return Clip("whole_routine", "The short Swedish routine played through: prepare, effleurage twice, petrissage "
                "kneading down the lanes, friction circles, and two finishing glides; 15 frames per second.",
                _swedish_short_hands(kneads=7, skin="medium"), Camera(0, 48, 95, 570),
                R.SceneStyle(seed=17, back_skin_bgr=SKIN["light"], arms="above"),
                fps=15.0, routine="samples/routines/swedish_short.yaml", step=None)


def routine_cut_short_clip() -> Clip:
    """The short Swedish routine with too little kneading: the giver goes on to friction after three kneads
    (about 1.5 of the 4 s asked), then does the rest right. Judged following the routine, petrissage is cut
    short where the circles begin, and nothing after it is flagged."""
    return Clip("routine_cut_short", "The short Swedish routine with petrissage cut short: prepare, effleurage "
                "twice, only three kneads down the lanes (about 1.5 of the 4 s asked), then friction circles and "
                "two finishing glides, all done right; 15 frames per second. Camera at the foot, a little to "
                "the left.",
                _swedish_short_hands(kneads=3, skin="tan"), Camera(-12, 50, 98, 570),
                R.SceneStyle(seed=21, back_skin_bgr=SKIN["medium"], arms="beside", sheet_bgr=(200, 215, 200)),
                fps=15.0, routine="samples/routines/swedish_short.yaml", step=None,
                cut_short={"petrissage": "friction"})


def _swedish_short_hands(kneads: int, skin: str) -> dict:
    """Both hands playing samples/routines/swedish_short.yaml, with ``kneads`` kneading strokes (7: its 4 s)."""
    hands = {}
    for name, side in (("A", -1), ("B", 1)):
        lane, out_v = side * 0.33, side * 0.8
        s = Script((0.06, out_v), heading=side * 25.0).hold(2.5)  # prepare
        _glides_up(s, side, lane, out_v, up_s=2.0)  # effleurage
        u = 0.88
        for _ in range(kneads):  # petrissage: kneading down the lane, two steps down and one back up
            s.move((u - 0.14, lane), 0.5)
            # the step back (0.07 back lengths) is about the smallest motion counted as a stroke:
            # whether it is one is left unscored
            s.move((u - 0.07, lane), 0.4, label=False)
            u -= 0.07
        if side < 0:
            s.circles(6, 0.04, 4.5)  # friction with one hand; the other rests in its lane
        else:
            s.hold(4.5)
        s.hold(0.3, label=False)
        s.move((s.p[0], out_v), 0.7, heading=side * 30.0, role="transition")
        s.move((0.06, out_v), 1.4, heading=side * 25.0, role="return")
        _glides_up(s, side, lane, out_v, up_s=2.4)  # finish
        s.hold(0.8, label=False)
        hands[name] = (s, "left" if side < 0 else "right", skin)
    return hands


REFERENCE_ROUTINE = "samples/routines/glide_and_circles.yaml"


def _reference_hands(skin: str, up_s: float = 2.0, top_u: float = 0.88, sides=(-1, 1), circles_first=False) -> dict:
    """Both hands (or those of ``sides``) playing samples/routines/glide_and_circles.yaml: three effleurage
    glides up to ``top_u`` taking ``up_s`` each, then six friction circles by the left hand (the right rests in
    its lane); ``circles_first``: the circles before the glides (the steps in the other order)."""
    hands = {}
    for name, side in (("A", -1), ("B", 1)):
        if side not in sides:
            continue
        lane, out_v = side * 0.33, side * 0.8
        s = Script((0.06, out_v), heading=side * 25.0).hold(1.0, label=False)

        def glides(s=s, lane=lane, out_v=out_v, side=side) -> None:
            for _ in range(3):
                s.move((0.06, lane), 0.7, heading=0.0, role="transition")
                s.move((top_u, lane), up_s)
                s.move((top_u, out_v), 0.7, heading=side * 30.0, role="transition")
                s.move((0.06, out_v), 1.7 * max(top_u - 0.06, 0.3) / 0.82, heading=side * 25.0, role="return")

        def friction(s=s, lane=lane, out_v=out_v, side=side) -> None:
            s.move((0.45, lane), 1.0, heading=0.0, role="transition")
            if side < 0:
                s.circles(6, 0.04, 4.5)
            else:
                s.hold(4.5)
            s.hold(0.3, label=False)
            s.move((0.45, out_v), 0.7, heading=side * 30.0, role="transition")
            s.move((0.06, out_v), 1.0, heading=side * 25.0, role="return")

        for part in (friction, glides) if circles_first else (glides, friction):
            part()
        s.hold(0.6, label=False)
        hands[name] = (s, "left" if side < 0 else "right", skin)
    return hands


def reference_clips() -> list[Clip]:
    """The teacher's demonstration of samples/routines/glide_and_circles.yaml and students compared with it
    (samples/reference/): one who matches it (another seed, camera and skin), and one each who differs in one
    known way. 15 frames per second, to keep them small."""

    def clip(name, description, hands, camera, style) -> Clip:
        return Clip(name, description, hands, camera, style, fps=15.0, routine=REFERENCE_ROUTINE, step=None,
                    folder="reference")

    return [
        clip("reference_teacher", "The teacher's demonstration: three effleurage glides up both sides to the "
             "shoulders (2 s each), then six friction circles on the left. Camera at the foot.",
             _reference_hands("medium"), Camera(0, 48, 95, 570),
             R.SceneStyle(seed=31, back_skin_bgr=SKIN["light"], arms="above")),
        clip("reference_student_match", "A student doing what the teacher did: the same glides and circles; "
             "another camera (a little to the left), skin and room.",
             _reference_hands("tan"), Camera(-12, 50, 98, 570),
             R.SceneStyle(seed=32, back_skin_bgr=SKIN["medium"], arms="beside", sheet_bgr=(200, 215, 200))),
        clip("reference_student_short", "Differs in reach: the glides stop at 60% of the back (the teacher's "
             "reach the shoulders); the rest as the teacher.",
             _reference_hands("dark", top_u=0.6), Camera(10, 47, 96, 570),
             R.SceneStyle(seed=33, back_skin_bgr=SKIN["light"], arms="beside", sheet_bgr=(190, 200, 205))),
        clip("reference_student_fast", "Differs in tempo: the glides take 1 s (the teacher's 2 s), twice as "
             "fast; the rest as the teacher.",
             _reference_hands("light", up_s=1.0), Camera(-6, 46, 97, 570),
             R.SceneStyle(seed=34, back_skin_bgr=SKIN["tan"], arms="above", sheet_bgr=(210, 205, 190))),
        clip("reference_student_one_side", "Differs in coverage: only the left hand works (glides up the left "
             "side, then the circles); the right side is never worked.",
             _reference_hands("medium", sides=(-1,)), Camera(5, 49, 95, 570),
             R.SceneStyle(seed=35, back_skin_bgr=SKIN["light"], arms="beside", sheet_bgr=(205, 200, 195))),
        clip("reference_student_order", "Differs in order: the friction circles first, then the three glides "
             "(the teacher glides first).",
             _reference_hands("tan", circles_first=True), Camera(-8, 48, 96, 570),
             R.SceneStyle(seed=36, back_skin_bgr=SKIN["medium"], arms="above", sheet_bgr=(200, 190, 170))),
    ]


def _hard_script(side):
    s = effleurage_cycles(side, 1)
    # lift out of the picture toward the giver and come back to the base
    s.move((-0.9, side * 1.6), 1.2, role="transition", label=False)
    s.hold(1.0, label=False)
    s.move((0.06, side * 0.8), 1.2, heading=side * 25.0, role="transition", label=False)
    s.hold(0.3, label=False)
    more = effleurage_cycles(side, 1)
    t_skip = more.segments[0].t1  # its opening rest is left out: the hands are already on the back
    for seg in more.segments[1:]:
        s.segments.append(Segment(**{**seg.__dict__, "t0": seg.t0 + s.t - t_skip, "t1": seg.t1 + s.t - t_skip}))
    s.t = s.segments[-1].t1
    return s


# --- rendering a clip -----------------------------------------------------------

def render_clip(clip: Clip, out_dir: Path, progress=True, video=True) -> dict:
    """Write NAME.mp4 (unless video is False: the labels alone) and NAME.json into out_dir."""
    from contextlib import nullcontext

    from vision.files.video import H264Writer  # the product's own writer

    rng = np.random.default_rng(_seed(clip.name))  # hand tremor
    noise_rng = np.random.default_rng(_seed(clip.name) + 1)  # sensor noise
    w, h = clip.frame_wh
    cam = clip.camera
    H = R.camera_homography(clip.frame_wh, world(*cam.target_uv), cam.azimuth_deg, cam.elevation_deg,
                            cam.distance_cm, cam.focal_px, cam.roll_deg)
    background = R.render_background(clip.frame_wh, H, clip.style) if video else None
    duration = clip.duration_s or max(s.t for s, _, _ in clip.hands.values())
    n_frames = int(round(duration * clip.fps))
    corners = R.project(H, [world(0, -1), world(0, 1), world(1, 1), world(1, -1)])
    calibration = {k: [round(float(x), 2), round(float(y), 2)]
                   for k, (x, y) in zip(("base_left", "base_right", "top_right", "top_left"), corners)}
    paths = {name: [] for name in clip.hands}
    eff = clip.effects
    dropped = dropped_frames(eff, n_frames, clip.fps, _seed(clip.name) + 2)
    out_dir.mkdir(parents=True, exist_ok=True)
    # the slow preset keeps the committed clips small (they are read far more often than written)
    with (H264Writer(out_dir / f"{clip.name}.mp4", clip.fps, clip.frame_wh, crf=24, preset="slow") if video
          else nullcontext()) as writer:
        for i in range(n_frames):
            t = i / clip.fps
            shown = []  # (script, side, skin, tremor) of the hands in the picture
            for name, (script, side, skin) in clip.hands.items():
                seg = next((s for s in script.segments if s.t0 <= t < s.t1), None)
                tremor = np.zeros(2)
                if seg is not None and seg.kind == "hold" and seg.radius > 0:
                    tremor = rng.normal(0, seg.radius, 2)  # tremor, not motion
                pose = _pose(script, side, clip.giver_at, t, tremor)
                centre = pose.centre_cm
                absent = any(hand == name and t0 <= t < t1 for hand, t0, t1 in eff.get("absent", []))
                if not absent:
                    shown.append((script, side, skin, tremor))
                lm_px = R.project(H, R.hand_landmarks_world(pose))
                c_px = lm_px[list(R.PALM_CENTRE_IDS)].mean(axis=0)
                palm = lm_px[list(R.PALM_CENTRE_IDS)]
                visible = bool(np.all((palm >= 0) & (palm < (w, h))))  # the whole palm in the picture
                for hand, t0, t1 in eff.get("occlude", []):
                    if hand == name and t0 <= t < t1:
                        visible = False
                visible = visible and not absent and _gain(t, eff) > DARK_GAIN
                paths[name].append([i, round(float(c_px[0]), 2), round(float(c_px[1]), 2),
                                    round(float(centre[1] / L), 5), round(float(centre[0] / HW), 5), visible])
            if video and i not in dropped:
                img = _picture(background, H, shown, clip, t)
                for hand, t0, t1 in eff.get("occlude", []):
                    if t0 <= t < t1:
                        _draw_occluder(img, H, world(*_uv_of(paths[hand][-1])))
                # each frame at its own time: the frames the camera dropped leave a gap in the file's timestamps
                writer.write(_apply_effects(img, t, eff, noise_rng), t)
            if progress and (i % 60 == 0 or i == n_frames - 1):
                print(f"\r  {clip.name}: frame {i + 1}/{n_frames}", end="", file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)
    labels = {
        "clip": f"{clip.name}.mp4",
        "description": clip.description,
        "fps": clip.fps,
        "frame_size": list(clip.frame_wh),
        "n_frames": n_frames,
        "duration_s": round(n_frames / clip.fps, 3),
        # frames the camera never delivered (not in the video; the hands' paths still have them): the
        # video's frames are the others, each at its own time, frame i at i / fps
        "frames_dropped": sorted(dropped),
        "calibration": calibration,
        "camera": clip.camera.__dict__,
        "back_size_cm": {"length": L, "half_width": HW},
        "hands": {name: {"side": side, "skin": skin, "path_columns": ["frame", "x_px", "y_px", "u", "v", "visible"],
                         "path": paths[name]}
                  for name, (_, side, skin) in clip.hands.items()},
        "routine": clip.routine,
        "step": clip.step,
        # following the routine: the steps left unfinished, and the step the giver moved on to from each
        **({"cut_short": [{"step": k, "moved_on_to": v} for k, v in clip.cut_short.items()]}
           if clip.cut_short else {}),
        "events": _events(clip, paths),
        # where nothing can be judged (the judging must say it is unsure there): [t0, t1, reason]
        "unseeable": _dark_spans(clip),
    }
    (out_dir / f"{clip.name}.json").write_text(json.dumps(labels, indent=1))
    return labels


def _pose(script: Script, side: str, giver_at: str, t: float, tremor_cm) -> R.HandPose:
    """Where the hand lies at time t: its script's place (plus tremor), the fingers pointing on from the
    forearm, the script's heading bending the wrist a little."""
    u, v, heading = script.pose_at(t)
    centre = world(u, v) + tremor_cm
    forearm = _forearm_deg(centre, side, giver_at)
    return R.HandPose(centre, forearm + 180.0 + 0.5 * heading, side=side, forearm_deg=forearm)


def _picture(background, H, shown, clip: Clip, t: float):
    """The frame at time t: the hands drawn over the scene. With ``motion_blur`` (the shutter open for that
    share of a frame's interval, up to t) each hand is drawn at several instants of the exposure and the
    pictures averaged, so a moving hand smears along its path as a camera's does, and a still one stays sharp."""
    exposure_s = clip.effects.get("motion_blur", 0.0) / clip.fps
    instants = [t] if exposure_s <= 0 else list(t - exposure_s * np.linspace(1.0, 0.0, 5))
    acc = None
    for ti in instants:
        img = background.copy()
        for script, side, skin, tremor in shown:
            R.draw_hand(img, H, _pose(script, side, clip.giver_at, max(ti, 0.0), tremor), SKIN[skin])
        if len(instants) == 1:
            return img
        acc = img.astype(np.float32) if acc is None else acc + img
    return np.clip(np.round(acc / len(instants)), 0, 255).astype(np.uint8)


def dropped_frames(effects: dict, n_frames: int, fps: float, seed: int) -> set[int]:
    """The frames a camera on a busy machine never delivers (never the first, nor the last).

    ``drop``: {"share": s, "max_run": k}: about that share of the frames left out at random, in runs of 1 to
    k frames (uneven gaps); ``stalls``: [(t0, t1)]: every frame from t0 to t1 left out (the machine busy
    for a moment, 150 to 250 ms)."""
    out: set[int] = set()
    drop = effects.get("drop")
    if drop:
        rng = np.random.default_rng(seed)
        max_run = int(drop.get("max_run", 1))
        # a run starts at each frame with chance p, and a frame is delivered after each run: of the
        # frames, p * mean_run / (1 + p * mean_run) are dropped, the share asked for
        mean_run = (1 + max_run) / 2
        p = drop["share"] / ((1 - drop["share"]) * mean_run)
        i = 1
        while i < n_frames - 1:
            if rng.random() < p:
                run = int(rng.integers(1, max_run + 1))
                out.update(range(i, min(i + run, n_frames - 1)))
                i += run + 1  # a frame delivered between two runs
            else:
                i += 1
    for t0, t1 in effects.get("stalls", []):
        out.update(range(max(1, int(np.ceil(t0 * fps))), min(int(np.ceil(t1 * fps)), n_frames - 1)))
    return out


def _forearm_deg(centre_cm, side, giver_at) -> float:
    """The forearm runs from the wrist toward the giver's shoulder (clockwise degrees from +y)."""
    sx = -1.0 if side == "left" else 1.0
    shoulder = {"foot": (sx * 18.0, -45.0),
                "right": (HW + 40.0, 0.45 * L + sx * 18.0),
                "left": (-HW - 40.0, 0.45 * L - sx * 18.0)}[giver_at]
    d = np.asarray(shoulder) - centre_cm
    return float(np.degrees(np.arctan2(d[0], d[1])))


def _seed(name: str) -> int:
    return sum(ord(c) * (i + 1) for i, c in enumerate(name))


def _uv_of(row):
    return row[3], row[4]


def _draw_occluder(img, H, centre_cm):
    """Someone's arm in a dark sleeve passing over the hand."""
    import cv2

    out = 1.0 if centre_cm[0] >= 0 else -1.0  # the arm reaches in from the hand's own side
    p = R.project(H, [centre_cm + np.array([-out * 7.0, -2.0]), centre_cm + np.array([out * 70.0, 8.0])]).astype(int)
    width = int(np.linalg.norm(R.project(H, [centre_cm])[0] - R.project(H, [centre_cm + np.array([0, 14.0])])[0]))
    cv2.line(img, tuple(p[0]), tuple(p[1]), (60, 50, 45), max(width, 4))


# a picture this much darker than the scene's own light is too dark to see a hand in: the labels mark its
# hands unseen (their events are not scored) and the stretch as one the judging must be unsure of
DARK_GAIN = 0.2


def _gain(t, eff) -> float:
    """The light at time t, as a share of the scene's own (the brightness effect)."""
    out = 1.0
    for t0, t1, gain in eff.get("brightness", []):
        if t0 <= t < t1:
            ramp = min(1.0, (t - t0) / 0.5, (t1 - t) / 0.5)  # the lamp dims over half a second
            out *= 1.0 - (1.0 - gain) * ramp
    return out


def _dark_spans(clip: Clip) -> list[list]:
    """[t0, t1, "dark"]: where the light is at most DARK_GAIN of the scene's."""
    spans = []
    n = int(round((clip.duration_s or max(s.t for s, _, _ in clip.hands.values())) * clip.fps))
    for i in range(n):
        t = i / clip.fps
        if _gain(t, clip.effects) <= DARK_GAIN:
            if spans and abs(spans[-1][1] - (t - 1 / clip.fps)) < 1e-6:
                spans[-1][1] = t
            else:
                spans.append([t, t])
    return [[round(a, 3), round(b + 1 / clip.fps, 3), "dark"] for a, b in spans]


def _apply_effects(img, t, eff, rng):
    import cv2

    out = img.astype(np.float32) * _gain(t, eff)
    if eff.get("blur"):
        out = cv2.GaussianBlur(out, (0, 0), eff["blur"])
    if eff.get("noise"):
        out += rng.normal(0, eff["noise"], out.shape).astype(np.float32)
    return np.clip(out, 0, 255).astype(np.uint8)


def _events(clip: Clip, paths: dict) -> list[dict]:
    events = []
    for name, (script, _, _) in clip.hands.items():
        visible = np.array([row[5] for row in paths[name]], bool)
        for s in script.segments:
            if s.kind == "hidden":
                continue
            f0, f1 = int(round(s.t0 * clip.fps)), int(round(s.t1 * clip.fps)) - 1
            # scored: false marks a stretch the scores ignore: lifting in and out of
            # view, or a hand hidden for more than a fifth of the event (its start
            # or end cannot be seen, so neither can its timing)
            seen = float(visible[f0:f1 + 1].mean()) if f1 >= f0 else 1.0
            ev = {"hand": name, "frame_start": f0, "frame_end": f1, "t_start": round(s.t0, 3), "t_end": round(s.t1, 3),
                  "scored": bool(s.label and seen >= 0.8), "visible": round(seen, 3)}
            if s.kind == "move":
                du, dv = s.p1[0] - s.p0[0], s.p1[1] - s.p0[1]
                dist = float(np.hypot(du, dv * ASPECT))
                direction = ("up" if du > 0 else "down") if abs(du) >= abs(dv * ASPECT) else "lateral"
                mid = ((s.p0[0] + s.p1[0]) / 2, (s.p0[1] + s.p1[1]) / 2)
                lane = "off_back" if not (-0.05 <= mid[0] <= 1.05) else lane_name(mid[1])
                ev.update(kind="stroke", role=s.role, direction=direction, lane=lane,
                          distance=round(dist, 4), speed=round(dist / (s.t1 - s.t0), 4), verdicts=list(s.expect))
            elif s.kind == "hold":
                ev.update(kind="hold", lane=lane_name(s.p0[1]), u=s.p0[0], v=s.p0[1], duration_s=round(s.t1 - s.t0, 3),
                          verdicts=list(s.expect))
            elif s.kind == "circles":
                ev.update(kind="circles", lane=lane_name(s.p0[1]), count=s.n, radius=s.radius, verdicts=list(s.expect))
            elif s.kind == "cross":
                ev.update(kind="cross_fiber", lane=lane_name(s.p0[1]), passes=int(s.n), half_amplitude_v=s.radius,
                          verdicts=list(s.expect))
            events.append(ev)
    events.sort(key=lambda e: (e["t_start"], e["hand"]))
    return events


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m samples.generate", description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help="clips to render (default: all)")
    ap.add_argument("--out", type=Path, default=HERE, help="output folder (default: samples/)")
    ap.add_argument("--list", action="store_true", help="list the clips and stop")
    ap.add_argument("--labels-only", action="store_true", help="write the labels JSON only, not the video")
    args = ap.parse_args(argv)
    known = {c.name: c for c in clips()}
    if args.list:
        for c in known.values():
            print(f"{c.name:24s} {c.description}")
        return 0
    unknown = [n for n in args.names if n not in known]
    if unknown:
        print(f"unknown clip(s): {', '.join(unknown)}; known: {', '.join(known)}", file=sys.stderr)
        return 2
    for name in args.names or list(known):
        render_clip(known[name], args.out / known[name].folder, video=not args.labels_only)
    return 0


if __name__ == "__main__":
    sys.exit(main())

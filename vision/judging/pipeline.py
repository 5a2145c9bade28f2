"""One pipeline for live practice, replay and the tests.

    frames -> hands (MediaPipe) -> tracks -> back frame -> smoothing
           -> strokes -> judged against the step -> FrameResult

:meth:`Pipeline.process_frame` takes a BGR frame and its own timestamp;
:meth:`Pipeline.process_hands` takes hands already found (a recording's saved
landmarks), so a session can be re-judged without MediaPipe. Time is always
the frames' timestamps, never the wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import cv2
import numpy as np
from numpy.typing import NDArray

from vision.core.backframe import Calibration, Homography, Zones, back_distance
from vision.core.hands import HandObservation, merge_duplicates, near_picture_edge
from vision.core.types import OK, Flag, FrameResult, HandState, JudgedEvent, MotionEvent, Track, UnsureSpan, Verdict
from vision.judging.judge import judge_active, judge_event
from vision.judging.routines import Step
from vision.judging.settings import SMOOTHING_HZ, SPINE_HALF_WIDTH, Settings
from vision.stages.detection import DetectorConfig, HandDetector
from vision.stages.motion import Course, returns_on_course, to_lengths
from vision.stages.smoothing import OneEuroFilter, one_euro_factory
from vision.stages.strokes import HandSegmenter, SegmenterConfig
from vision.stages.tracking import HandTracker, TrackerConfig
from vision.stages.visibility import Sighting, VisibilityConfig, VisibilityMonitor, edge_fraction


@dataclass(frozen=True)
class PipelineConfig:
    # One Euro on (u, v): jitter at rest is cut hard (1.5 Hz); beta lets fast
    # glides through with little lag.
    min_cutoff_hz: float = 1.5
    beta: float = 2.0
    d_cutoff_hz: float = 1.0
    giver_frames: int = 3  # frames on the back before a hand counts as the giver's
    # A hand unseen longer than this (hidden, or MediaPipe lost it) comes back
    # to a fresh start: what it did meanwhile is unknown, so the motion it was
    # in ends where it was last seen rather than being joined to the new one.
    resume_gap_s: float = 0.3
    # ... unless it comes back where its motion would have taken it: a gap of up to
    # bridge_gap_s (a hand hidden for a moment, dropped frames, a busy machine) is
    # bridged when the hand is back on its spot or further along its way (see
    # _lost_course); the stroke goes on, timed on the frames' own timestamps.
    bridge_gap_s: float = 1.0
    bridge_tolerance: float = 0.05
    bridge_off_line: float = 0.15
    bridge_min_speed: float = 0.05  # back lengths/s: slower than this, the hand was at rest
    # A contact point that jumps faster than this between two frames (back
    # lengths per second, over at least max_jump_min of a back length) is the
    # tracker slipping, two hands swapped or a dropped run of frames, not a
    # stroke: a real glide peaks under about 3. The motion is cut there.
    max_hand_speed: float = 5.0
    max_jump_min: float = 0.08
    # MediaPipe looks only at the back and this much around it (back-frame
    # units): hands look bigger to its palm detector, and far-off hands (a
    # bystander's, the recipient's above the head) stay out of its slots.
    roi_margin_u: float = 0.3
    roi_margin_v: float = 0.6
    # Blank the picture outside the back's margin for the detector. Off: on a clip of dark, blurred hands
    # with dropped frames it lost a hand gliding out over the shoulder (stroke F1 0.84 against 0.93
    # unmasked, and 0.79 with a margin widened to 1.0), while hiding the hands that hold a slot
    # (below) keeps the recipient's out of the slots without it.
    mask_outside: bool = False
    # MediaPipe tracks at most detector.max_hands hands and stops looking for
    # more while its slots are full: a hand off the back that holds a slot this
    # long is hidden from it for bystander_hidden_s (see Pipeline._keep_slots).
    bystander_after_s: float = 0.5
    bystander_hidden_s: float = 3.0
    # A giver hand that vanishes next to its partner (within second_look_palms of it, palm sizes) gets a
    # second look for second_look_s: the detector is run again, in image mode, on a box of
    # second_look_box_palms around the two (MediaPipe, tracking one hand, may take two close hands for one).
    second_look: bool = True
    second_look_palms: float = 2.5
    second_look_box_palms: float = 2.5
    second_look_s: float = 0.5
    # An event that overlaps a span of its hand being unsure (see vision.stages.visibility) this long, or
    # for this share of it, is not flagged: what it was is a guess. Flags raised live before are kept.
    unsure_overlap_s: float = 0.15
    unsure_overlap_share: float = 0.25
    detector: DetectorConfig = field(default_factory=DetectorConfig)
    visibility: VisibilityConfig = field(default_factory=VisibilityConfig)
    tracker: TrackerConfig = field(default_factory=TrackerConfig)
    segmenter: SegmenterConfig = field(default_factory=SegmenterConfig)


# one_hand_missing: the techniques whose glides are made with both hands together (when the
# step says hands: both), and how much of the shorter of two strokes must overlap the other
PAIRED_TECHNIQUES = ("effleurage", "deep_stroke")
PARTNER_OVERLAP = 0.25
PARTNER_MIN_OVERLAP_S = 0.2
# no one_hand_missing on a stroke when a giver hand was found, lost or came back after a gap
# during it or this close to it (the start of a session, a hand hidden for a moment)
TRACKING_SETTLE_S = 0.3


class _Giver:
    """Per giver hand: its filter, its segmenter and the live flag of its stroke."""

    def __init__(self, hand: int, make_filter, seg_config: SegmenterConfig):
        self.hand = hand
        self.filter: OneEuroFilter = make_filter()
        self.segmenter = HandSegmenter(hand, seg_config)
        self.live: dict[float, tuple[float, Verdict]] = {}  # stroke start -> (flag time, verdict)
        self.uv: NDArray[np.float64] | None = None
        self.last_t: float | None = None
        self.last_raw: NDArray[np.float64] | None = None  # the last unsmoothed (u, v), to catch tracking slips
        self.previous: dict[str, MotionEvent] = {}  # the last event of each kind, for sequences (presses)


class Pipeline:
    """The whole analysis for one stream. Not thread-safe: one per stream."""

    def __init__(
        self,
        calibration: Calibration,
        step: Step,
        config: PipelineConfig = PipelineConfig(),
        detector: HandDetector | None = None,
    ):
        self.calibration = calibration
        self.homography = Homography.from_calibration(calibration)
        self.zones: Zones = config.segmenter.zones
        self.config = config
        self._detector = detector
        self._roi: tuple | None = None
        self._make_filter = one_euro_factory(config.min_cutoff_hz, config.beta, config.d_cutoff_hz)
        self.step = step
        self.reset()

    def reset(self) -> None:
        self.tracker = HandTracker(self.config.tracker, contact=self.step.contact)
        self._on_back_frames: dict[int, int] = {}
        self._hidden: list[tuple[float, tuple[int, int, int, int]]] = []  # (until, box): kept from the detector
        self._off_since: dict[int, float] = {}  # track id -> since when a hand not the giver's is seen off the back
        self._givers: dict[int, _Giver] = {}  # track id -> giver state
        self._left_at: dict[int, NDArray[np.float64]] = {}  # a giver hand's number -> where it was last seen
        self.events: list[JudgedEvent] = []
        self.last_t: float | None = None
        self._steps = [(float("-inf"), self.step)]
        self._late_flags: list[Flag] = []  # flags on events judged only at their end
        # every giver hand's strokes of the last few seconds, the hands gone since too: (hand, stroke)
        self._recent_strokes: list[tuple[int, MotionEvent]] = []
        self._giver_changes: list[float] = []  # when a giver hand was found, lost, or resumed after a gap
        self._contact_changed = False
        self._visibility = VisibilityMonitor(self.config.visibility)
        self._unsure_now: set[int | None] = set()  # the giver hands not seen well enough to judge now
        self._light: float | None = None

    @property
    def unsure_spans(self) -> list[UnsureSpan]:
        """The spans of time a giver hand (or both) was not seen well enough to judge, so far."""
        return self._visibility.all_spans()

    def set_step(self, step: Step, since_s: float | None = None) -> None:
        """Judge from now on against ``step``; from ``since_s`` on, if given, when the routine found the
        giver had moved on to it back then (:class:`~vision.judging.session.MoveOn`).

        An event is judged against the step in force at its middle: a stroke
        mostly done when the routine moves on still belongs to the step before.
        With ``since_s``, the flags raised on the strokes under way that do not
        hold against ``step`` are dropped (the events judged meanwhile the
        session judges again itself).
        """
        if step.contact != self.step.contact:
            self._contact_changed = True  # handled at the next frame, where events can be returned
        self.step = step
        if since_s is None:
            self._steps.append((self.last_t if self.last_t is not None else float("-inf"), step))
            return
        self._steps = [(t, st) for t, st in self._steps if t < since_s] or self._steps[:1]
        self._steps.append((since_s, step))
        for g in self._givers.values():
            act = g.segmenter.active()
            if act is not None and act.t_start in g.live and judge_active(step, act) is None:
                del g.live[act.t_start]

    def step_at(self, t_s: float) -> Step:
        """The step in force at time ``t_s``."""
        for since, step in reversed(self._steps):
            if since <= t_s:
                return step
        return self._steps[0][1]

    def use_detector(self, detector: HandDetector) -> None:
        """Find hands with this detector (the stream's, made once and handed from pipeline to pipeline)."""
        self._detector = detector

    @property
    def detector(self) -> HandDetector:
        if self._detector is None:
            self._detector = HandDetector(self.config.detector)
        return self._detector

    def close(self) -> None:
        if self._detector is not None:
            self._detector.close()

    # -- per frame -----------------------------------------------------------------------

    def roi_px(self, frame_wh: tuple[int, int]) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1): the part of the frame the detector looks at: the back and a margin."""
        return self._detector_view(frame_wh)[0]

    def _detector_view(self, frame_wh: tuple[int, int]) -> tuple[tuple[int, int, int, int], NDArray[np.uint8] | None]:
        """The box around the back and its margin, and the mask (255 inside, 0 outside) of that margin's
        quadrilateral within the box (None when nothing in the box is masked), less the places of the
        hands kept out of the detector's slots (never the back itself)."""
        if self._roi is None or self._roi[0] != frame_wh:
            self._roi = (frame_wh, *self._view_masks(frame_wh))
        _, box, mask, back = self._roi
        if not self._hidden or back is None:
            return box, mask
        mask = mask.copy() if mask is not None else np.full_like(back, 255)
        for _, (x0, y0, x1, y1) in self._hidden:
            mask[max(0, y0 - box[1]) : max(0, y1 - box[1]), max(0, x0 - box[0]) : max(0, x1 - box[0])] = 0
        np.maximum(mask, back, out=mask)
        return box, mask

    def _view_masks(
        self, frame_wh: tuple[int, int]
    ) -> tuple[tuple[int, int, int, int], NDArray | None, NDArray | None]:
        """The box, the margin's mask (None unless ``mask_outside``) and the back's own (None when part of
        it is behind the camera)."""
        mu, mv = self.config.roi_margin_u, self.config.roi_margin_v
        quad = self.homography.to_image(np.array([(-mu, -1 - mv), (1 + mu, -1 - mv), (1 + mu, 1 + mv), (-mu, 1 + mv)]))
        w, h = frame_wh
        if not np.all(np.isfinite(quad)):  # part of the margin behind the camera: the whole frame
            return (0, 0, w, h), None, None
        # a straight edge on the back stays straight in the picture: the quadrilateral is exact
        x0, y0 = np.floor(quad.min(axis=0)).astype(int)
        x1, y1 = np.ceil(quad.max(axis=0)).astype(int)
        box = (max(0, min(x0, w - 32)), max(0, min(y0, h - 32)), min(w, max(x1, 32)), min(h, max(y1, 32)))

        def fill(q: NDArray[np.float64]) -> NDArray[np.uint8]:
            m = np.zeros((box[3] - box[1], box[2] - box[0]), np.uint8)
            cv2.fillConvexPoly(m, np.round((q - (box[0], box[1])) * 16).astype(np.int32), (255,), cv2.LINE_8, 4)
            return np.repeat(m[:, :, None], 3, axis=2)

        z = self.zones
        back = self.homography.to_image(
            np.array([(-z.off_u, -z.off_v), (1 + z.off_u, -z.off_v), (1 + z.off_u, z.off_v), (-z.off_u, z.off_v)])
        )
        return (
            box,
            (fill(quad) if self.config.mask_outside else None),
            (fill(back) if np.all(np.isfinite(back)) else None),
        )

    def process_frame(self, frame_bgr: NDArray[np.uint8], t_s: float) -> FrameResult:
        """Find the hands in a BGR frame and run everything after."""
        frame_wh = (frame_bgr.shape[1], frame_bgr.shape[0])
        (x0, y0, x1, y1), mask = self._detector_view(frame_wh)
        rgb = cv2.cvtColor(frame_bgr[y0:y1, x0:x1], cv2.COLOR_BGR2RGB)
        # blanked for the detector: outside the margin (mask_outside), the hands kept out of its slots
        if mask is not None:
            rgb = cv2.bitwise_and(rgb, mask)
        hands = self.detector.detect(np.asarray(rgb, np.uint8), offset_px=(x0, y0))
        look = self._second_look_box(hands, t_s, frame_wh) if self.config.second_look else None
        if look is not None:
            lx0, ly0, lx1, ly1 = look
            crop = cv2.cvtColor(frame_bgr[ly0:ly1, lx0:lx1], cv2.COLOR_BGR2RGB)
            again = self.detector.look_again(np.asarray(crop, np.uint8), offset_px=(lx0, ly0))
            if again:
                hands = merge_duplicates(hands + again, self.tracker.contact)
        # how much light there is around the back (green: most of the luma), on a sparse grid; rounded as a
        # recording keeps it, so that its re-judging is unsure where this was
        light = round(float(frame_bgr[y0:y1:8, x0:x1:8, 1].mean()), 1) if y1 > y0 and x1 > x0 else None
        result = self.process_hands(hands, t_s, frame_wh=frame_wh, light=light)
        self._keep_slots(result)
        return result

    def _second_look_box(
        self, hands: list[HandObservation], t_s: float, frame_wh: tuple[int, int]
    ) -> tuple[int, int, int, int] | None:
        """Where to look again: around a giver hand not found in this frame (seen within second_look_s)
        and the giver hand next to it, when that one is; None when no hand vanished beside another."""
        cfg = self.config
        tracks = [tr for tid, tr in self.tracker.tracks.items() if tid in self._givers]
        if len(tracks) < 2:
            return None
        centres = [h.contact_px(self.tracker.contact) for h in hands]

        def found(tr: Track) -> bool:
            return any(float(np.linalg.norm(c - tr.contact_px)) < 1.5 * tr.palm_size_px for c in centres)

        for tr in tracks:
            if t_s - tr.last_seen_s > cfg.second_look_s or found(tr):
                continue
            near = [
                o
                for o in tracks
                if o is not tr
                and found(o)
                and float(np.linalg.norm(o.contact_px - tr.contact_px)) < cfg.second_look_palms * tr.palm_size_px
            ]
            if not near:
                continue
            mid = 0.5 * (tr.contact_px + near[0].contact_px)
            half = cfg.second_look_box_palms * max(tr.palm_size_px, near[0].palm_size_px)
            w, h = frame_wh
            x0, y0 = int(max(0, mid[0] - half)), int(max(0, mid[1] - half))
            x1, y1 = int(min(w, mid[0] + half)), int(min(h, mid[1] + half))
            if x1 - x0 >= 32 and y1 - y0 >= 32:
                return x0, y0, x1, y1
        return None

    def _keep_slots(self, result: FrameResult) -> None:
        """Keep the detector's slots for the giver: when they are all taken and one holds a hand that has
        stayed off the back (the recipient's resting hand, a bystander's), its place is hidden from the
        detector for a while, so that MediaPipe looks for hands again (it stops looking while its slots
        are full) and finds the giver's."""
        t = result.t_s
        self._hidden = [(until, box) for until, box in self._hidden if until > t]
        seen = [hs for hs in result.hands if hs.observation is not None]
        off = {hs.track for hs in seen if hs.hand is None and not self._on_back_frames.get(hs.track)}
        self._off_since = {k: self._off_since.get(k, t) for k in off}
        if len(result.detections) < self.detector_max_hands:
            return
        for hs in seen:
            if hs.track in off and t - self._off_since[hs.track] >= self.config.bystander_after_s:
                assert hs.observation is not None
                lm = hs.observation.landmarks_px
                (x0, y0), (x1, y1) = lm.min(axis=0), lm.max(axis=0)
                pad = 0.3 * max(x1 - x0, y1 - y0)
                box = (int(x0 - pad), int(y0 - pad), int(np.ceil(x1 + pad)), int(np.ceil(y1 + pad)))
                self._hidden.append((t + self.config.bystander_hidden_s, box))
                self._off_since.pop(hs.track)

    @property
    def detector_max_hands(self) -> int:
        return self._detector.config.max_hands if self._detector is not None else self.config.detector.max_hands

    def process_hands(
        self,
        hands: list[HandObservation],
        t_s: float,
        frame_wh: tuple[int, int] | None = None,
        light: float | None = None,
    ) -> FrameResult:
        """Everything after detection, for one frame's hands at time ``t_s`` (seconds); ``frame_wh``: the size
        of the picture their pixels are of, and ``light``: its brightness around the back, kept in the result
        (what a recording's landmarks file keeps; they tell when the hands are out of view or in the dark)."""
        if self.last_t is not None and t_s <= self.last_t:
            raise ValueError(f"timestamps must increase: got t={t_s:.3f} s after t={self.last_t:.3f} s")
        self.last_t = t_s
        finished: list[JudgedEvent] = []
        if self._contact_changed:
            # a new step works with another part of the hand (thumb, fingertips): the contact
            # point moves by a few centimetres, which must not read as a stroke
            self._contact_changed = False
            self.tracker.contact = self.step.contact
            for g in self._givers.values():
                finished += self._restart(g)
        active, ended = self.tracker.update(t_s, hands, frame_wh)
        for tr in ended:
            gone = self._givers.pop(tr.id, None)
            if gone is not None:
                if gone.uv is not None:
                    self._left_at[gone.hand] = gone.uv
                self._giver_changes.append(t_s)
                self._visibility.lost(gone.hand, t_s)
                finished += self._judge(gone, gone.segmenter.flush())
            self._on_back_frames.pop(tr.id, None)
        unsure = self._visibility.update(t_s, self._sightings(active, frame_wh), light)
        self._unsure_now = {u.hand for u in unsure}
        self._light = light
        states: list[HandState] = []
        flags: list[Flag] = []
        for tr in active:
            states.append(self._update_track(tr, t_s, finished, flags))
        self.events.extend(finished)
        flags += self._late_flags
        self._late_flags = []
        return FrameResult(t_s, tuple(states), tuple(finished), tuple(flags), tuple(hands), frame_wh, unsure, light)

    def _sightings(self, active: list[Track], frame_wh: tuple[int, int] | None) -> dict[int, Sighting]:
        """The giver hands' sightings this frame, for the visibility monitor."""
        out = {}
        cfg = self.config.visibility
        for tr in active:
            g = self._givers.get(tr.id)
            if g is None:
                continue
            obs = tr.observation
            at_edge = False
            if obs is not None and frame_wh is not None:
                at_edge = (
                    near_picture_edge(tr.contact_px, cfg.edge_palms * tr.palm_size_px, frame_wh)
                    or edge_fraction(obs.landmarks_px, frame_wh) > cfg.edge_share
                )
            out[g.hand] = Sighting(obs is not None, tr.palm_size_px, at_edge)
        return out

    def finish(self) -> FrameResult:
        """The stream ended: finish every hand's events."""
        if self.last_t is not None:
            self._visibility.finish(self.last_t)
        finished: list[JudgedEvent] = []
        for g in self._givers.values():
            finished += self._judge(g, g.segmenter.flush())
        self._givers.clear()
        self.events.extend(finished)
        flags, self._late_flags = self._late_flags, []
        return FrameResult(self.last_t or 0.0, (), tuple(finished), tuple(flags))

    # -- internals -------------------------------------------------------------------------

    def _update_track(self, tr: Track, t_s: float, finished: list, flags: list) -> HandState:
        g = self._givers.get(tr.id)
        if tr.observation is None:  # missing for a moment: keep its last state, feed nothing
            return HandState(tr.id, g.hand if g else None, None, tr.contact_px, g.uv if g else None)
        uv_raw = self.homography.to_back(tr.contact_px)[0]
        if g is None:
            if np.all(np.isfinite(uv_raw)) and bool(self.zones.is_on_back(uv_raw[0], uv_raw[1])):
                n = self._on_back_frames.get(tr.id, 0) + 1
                self._on_back_frames[tr.id] = n
                if n >= self.config.giver_frames:
                    g = self._givers[tr.id] = _Giver(
                        self._free_hand_number(uv_raw), self._make_filter, self.config.segmenter
                    )
                    self._giver_changes.append(t_s)
            if g is None:
                return HandState(tr.id, None, tr.observation, tr.contact_px, None)
        if not np.all(np.isfinite(uv_raw)):
            return HandState(tr.id, g.hand, tr.observation, tr.contact_px, g.uv)
        if g.last_t is not None and (self._lost_course(g, uv_raw, t_s) or self._jumped(g, uv_raw, t_s)):
            self._giver_changes.append(t_s)
            finished += self._restart(g)
        g.last_t = t_s
        g.last_raw = uv_raw
        g.uv = g.filter.update(t_s, uv_raw)
        finished += self._judge(g, g.segmenter.update(t_s, g.uv))
        act = g.segmenter.active()
        live = None
        if act is not None:
            if act.t_start in g.live:
                live = g.live[act.t_start][1]
            else:
                live = judge_active(self.step, act)
                if live is not None and not self._judgeable(g, act.t_start, t_s):
                    live = None  # a flag on a hand not seen well would be a guess
                if live is not None:
                    g.live[act.t_start] = (t_s, live)
                    flags.append(Flag(t_s, g.hand, live))
        return HandState(tr.id, g.hand, tr.observation, tr.contact_px, g.uv, act, live, g.segmenter.resting_s(t_s))

    def _free_hand_number(self, uv: NDArray[np.float64]) -> int:
        """The giver's number for a hand coming onto the back at ``uv``: of the numbers no hand on the
        back holds, the one whose hand left nearest to here (the same hand, found again), else the lowest.

        A person has two hands: one lost and found again takes its number back,
        so reports and the screen say hand 1 and hand 2 for a whole session.
        """
        held = {g.hand for g in self._givers.values()}
        free = [n for n in range(1, max([len(held) + 1, *self._left_at]) + 1) if n not in held]
        left = [n for n in free if n in self._left_at]
        if left:
            return min(left, key=lambda n: float(back_distance(*(uv - self._left_at[n]))))
        return free[0]

    def _jumped(self, g: _Giver, uv_raw: NDArray[np.float64], t_s: float) -> bool:
        """The contact point leapt since the last frame faster than a hand moves (see max_hand_speed)."""
        if g.last_raw is None:
            return False
        assert g.last_t is not None, "a giver's last_t and last_raw are set and reset together"
        du, dv = uv_raw - g.last_raw
        d = float(back_distance(du, dv))
        return bool(d > self.config.max_jump_min and d / max(t_s - g.last_t, 1e-6) > self.config.max_hand_speed)

    def _lost_course(self, g: _Giver, uv_raw: NDArray[np.float64], t_s: float) -> bool:
        """The hand was unseen too long to join what it does now to what it did (see bridge_gap_s).

        Bridged: a gap up to ``resume_gap_s``; or up to ``bridge_gap_s`` when the hand is found where its
        motion could have taken it (:func:`~vision.stages.motion.returns_on_course`: back on its spot, or
        further along its way). Whether it turned meanwhile is the segmenter's to judge, from the way the
        hand moves on after the gap (see SegmenterConfig.max_turn_rad).
        """
        assert g.last_t is not None and g.last_raw is not None
        gap = t_s - g.last_t
        cfg = self.config
        if gap <= cfg.resume_gap_s:
            return False
        if gap > cfg.bridge_gap_s or g.filter.velocity is None:
            return True
        course = Course(g.last_t, to_lengths(g.last_raw), to_lengths(g.filter.velocity))
        return not returns_on_course(
            course,
            t_s,
            to_lengths(uv_raw),
            tolerance=cfg.bridge_tolerance,
            off_line=cfg.bridge_off_line,
            min_speed=cfg.bridge_min_speed,
            max_speed=cfg.max_hand_speed,
        )

    def _restart(self, g: _Giver) -> list[JudgedEvent]:
        """End what the hand was doing and start its smoothing afresh (after a gap, or a new contact point)."""
        finished = self._judge(g, g.segmenter.flush())
        g.filter.reset()
        g.last_t = None
        g.last_raw = None
        return finished

    def verdicts_under(self, step: Step, je: JudgedEvent, previous: MotionEvent | None = None) -> tuple[Verdict, ...]:
        """What an event just judged would have got against another ``step`` (a later step of the routine):
        the judge's verdicts and the two hands' (``same_side``, ``one_hand_missing``), as :meth:`_judge`
        gives them, but for the flags raised while it was under way (those were the step's in force).
        ``previous``: the same hand's previous event of its kind (presses climb). Called right after the
        frame (or :meth:`finish`) that returned the event, it sees the other hands as :meth:`_judge` did."""
        ev = je.event
        verdicts = judge_event(step, ev, previous)
        verdicts = self._same_side(je.hand, ev, step, verdicts)
        return tuple(self._one_hand_missing(je.hand, ev, step, verdicts))

    def _judge(self, g: _Giver, events: list[MotionEvent]) -> list[JudgedEvent]:
        out = []
        for ev in events:
            step = self.step_at(0.5 * (ev.t_start + ev.t_end))
            verdicts = judge_event(step, ev, g.previous.get(ev.kind))
            g.previous[ev.kind] = ev
            # live flags raised on this event (or on the passes it is made of)
            # (a stroke starts at the sample where the one before it ended: that
            # boundary belongs to the later one)
            raised = sorted((ft, v) for start, (ft, v) in g.live.items() if ev.t_start <= start < ev.t_end)
            for start in [s for s in g.live if s < ev.t_end]:
                del g.live[start]
            for _, v in raised:
                if all(x.name != v.name for x in verdicts):
                    verdicts = [x for x in verdicts if x.name != "ok"] + [v]
            verdicts = self._same_side(g.hand, ev, step, verdicts)
            verdicts = self._one_hand_missing(g.hand, ev, step, verdicts)
            verdicts, unsure = self._withheld(g, ev, verdicts, [v for _, v in raised])
            bad = any(v.name != "ok" for v in verdicts)
            flagged_at = (raised[0][0] if raised else ev.t_end) if bad else None
            if bad and not raised:  # found only now the event is over: raise it now
                self._late_flags.append(
                    Flag(
                        self.last_t if self.last_t is not None else ev.t_end,
                        g.hand,
                        next(v for v in verdicts if v.name != "ok"),
                    )
                )
            out.append(JudgedEvent(ev, g.hand, tuple(verdicts), flagged_at, unsure))
            if ev.kind == "stroke":
                self._recent_strokes = [(h, e) for h, e in self._recent_strokes if e.t_end > ev.t_start - 10.0]
                self._recent_strokes.append((g.hand, ev))
        return out

    def _judgeable(self, g: _Giver, t0: float, t1: float) -> bool:
        """Whether the hand is seen well enough now, and was over [t0, t1], to flag what it did then."""
        if self._unsure_now & {g.hand, None}:
            return False
        share = self._visibility.share(g.hand, t0, t1)
        return share is None or share >= self.config.visibility.min_seen

    def _withheld(
        self, g: _Giver, ev: MotionEvent, verdicts: list[Verdict], raised: list[Verdict]
    ) -> tuple[list[Verdict], str | None]:
        """The verdicts left when the hand was not seen well during the event (see unsure_overlap_s): only the
        flags raised live (while it was seen well); and the reason, when any were withheld."""
        overlap, reason = self._visibility.overlap_s(g.hand, ev.t_start, ev.t_end)
        cfg = self.config
        share = self._visibility.share(g.hand, ev.t_start, ev.t_end)
        if share is not None and share < cfg.visibility.min_seen:  # found in too few of its own frames
            reason = reason or self._visibility.reason(g.hand, self._light)
        elif reason is None or overlap < min(cfg.unsure_overlap_s, cfg.unsure_overlap_share * ev.duration_s):
            return verdicts, None
        kept = [v for v in verdicts if v.name == "ok" or any(r.name == v.name for r in raised)]
        if len(kept) == len(verdicts):
            return verdicts, None
        return ([v for v in kept if v.name != "ok"] or [OK]), reason

    def _one_hand_missing(self, hand: int, ev: MotionEvent, step: Step, verdicts: list[Verdict]) -> list[Verdict]:
        """A glide made by one hand alone, where the step wants both hands at work together.

        Judged when the stroke ends: another giver hand must have made a stroke (on the back,
        any way) overlapping it by at least ``PARTNER_OVERLAP`` of the shorter of the two (and
        ``PARTNER_MIN_OVERLAP_S``), or be making one that has gone on that long with it. Only
        glides in the step's lanes of the techniques done with both hands together (effleurage,
        deep strokes) are judged; kneading and presses are not; nor a stroke during which (or
        within ``TRACKING_SETTLE_S`` of which) a giver hand was found, lost or came back.
        """
        if (
            step.hands != "both"
            or step.technique not in PAIRED_TECHNIQUES
            or ev.kind != "stroke"
            or ev.lane not in step.lanes
            or ev.direction == "lateral"
        ):
            return verdicts
        self._giver_changes = [t for t in self._giver_changes if t > ev.t_start - 10.0]
        if any(ev.t_start - TRACKING_SETTLE_S <= t <= ev.t_end + TRACKING_SETTLE_S for t in self._giver_changes):
            return verdicts  # a hand was found, lost or came back meanwhile: what it did is not known

        def overlaps(t0: float, t1: float, finished: bool) -> bool:
            overlap = min(t1, ev.t_end) - max(t0, ev.t_start)
            shorter = min(t1 - t0, ev.duration_s) if finished else ev.duration_s  # one under way goes on
            return overlap >= max(PARTNER_OVERLAP * shorter, PARTNER_MIN_OVERLAP_S)

        for other_hand, e in self._recent_strokes:
            if other_hand != hand and e.lane != "off_back" and overlaps(e.t_start, e.t_end, True):
                return verdicts
        for other in self._givers.values():
            act = other.segmenter.active() if other.hand != hand else None
            if act is not None and act.lane != "off_back" and overlaps(act.t_start, act.t_now, False):
                return verdicts
        return [v for v in verdicts if v.name != "ok"] + [
            Verdict(
                "one_hand_missing",
                f"One hand alone; {step.technique.replace('_', ' ')} here is done with "
                "both hands together, one each side of the spine",
            )
        ]

    def _same_side(self, hand: int, ev: MotionEvent, step: Step, verdicts: list[Verdict]) -> list[Verdict]:
        """Both hands working one lane at once, where the step wants one hand each side."""
        if step.hands != "both" or ev.kind != "stroke" or ev.lane not in ("left", "right") or ev.direction == "lateral":
            return verdicts
        others = {o.hand for o in self._givers.values() if o.hand != hand}  # the hands on the back now
        for other_hand, e in self._recent_strokes:
            overlap = min(e.t_end, ev.t_end) - max(e.t_start, ev.t_start)
            if other_hand in others and e.lane == ev.lane and overlap > 0.5 * min(e.duration_s, ev.duration_s):
                return [v for v in verdicts if v.name != "ok"] + [
                    Verdict("same_side", f"Both hands in the {ev.lane} lane; work one hand each side of the spine")
                ]
        return verdicts


def pipeline_config(settings: Settings, base: PipelineConfig = PipelineConfig()) -> PipelineConfig:
    """The pipeline's configuration for these settings (smoothing, and the spine zone's width)."""
    spine = SPINE_HALF_WIDTH[settings.sensitivity]
    zones = replace(base.segmenter.zones, spine=spine)
    return replace(base, min_cutoff_hz=SMOOTHING_HZ[settings.smoothing], segmenter=replace(base.segmenter, zones=zones))

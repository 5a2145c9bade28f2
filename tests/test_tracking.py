"""Tests for vision.hands (HandObservation, merge_duplicates) and vision.tracking.HandTracker,
on synthetic 21-landmark hands (no MediaPipe)."""

from __future__ import annotations

import numpy as np
import pytest

from vision.core.hands import HandLandmark, HandObservation, merge_duplicates
from vision.stages.tracking import HandTracker, TrackerConfig

# A flat right hand seen from above, fingers pointing up (-y), in palm units: wrist at the origin,
# middle-finger knuckle one palm above it.
_TEMPLATE = np.array([
    (0.0, 0.0),                                              # wrist
    (-0.35, -0.2), (-0.6, -0.4), (-0.8, -0.6), (-0.95, -0.8),  # thumb
    (-0.35, -1.0), (-0.4, -1.4), (-0.42, -1.65), (-0.44, -1.85),  # index
    (0.0, -1.0), (0.0, -1.45), (0.0, -1.75), (0.0, -1.95),   # middle
    (0.3, -0.95), (0.33, -1.35), (0.35, -1.6), (0.36, -1.8),  # ring
    (0.55, -0.85), (0.62, -1.15), (0.66, -1.35), (0.68, -1.5),  # pinky
])
PALM_PX = 60.0
_PALM_IDS = [0, 5, 9, 13, 17]
_PALM_OFFSET = _TEMPLATE[_PALM_IDS].mean(axis=0) * PALM_PX  # palm centre relative to the wrist, px


def hand(centre_px, score: float = 0.9, palm_px: float = PALM_PX) -> HandObservation:
    """A synthetic hand whose palm centre (contact point "palm") is at centre_px."""
    wrist = np.asarray(centre_px, dtype=float) - _TEMPLATE[_PALM_IDS].mean(axis=0) * palm_px
    return HandObservation(wrist + _TEMPLATE * palm_px, score)


def ids_by_position(active) -> dict[int, np.ndarray]:
    return {tr.id: tr.contact_px for tr in active if tr.observation is not None}


def id_near(active, point, tol: float = 1.0) -> int:
    found = [tr.id for tr in active if tr.observation is not None
             and np.linalg.norm(tr.contact_px - np.asarray(point)) < tol]
    assert len(found) == 1, f"expected one seen track at {point}, got {found}"
    return found[0]


# --- HandObservation ------------------------------------------------------------------------------------------


def test_synthetic_hand_is_as_intended():
    h = hand((200.0, 300.0))
    np.testing.assert_allclose(h.contact_px("palm"), [200.0, 300.0])
    assert h.palm_size_px == pytest.approx(PALM_PX)
    assert h.landmarks_px.shape == (21, 2) and h.landmarks_px.dtype == np.float64


@pytest.mark.parametrize("shape", [(20, 2), (21, 3), (21,), (42,), (2, 21), (0, 2)])
def test_observation_rejects_wrong_shape(shape):
    with pytest.raises(ValueError, match=r"landmarks_px: expected shape \(21, 2\), got " + "\\" + str(shape)[:-1]):
        HandObservation(np.zeros(shape))


def test_observation_landmarks_are_read_only():
    h = HandObservation(hand((50.0, 60.0)).landmarks_px.tolist())  # a list is converted to float64
    assert h.landmarks_px.dtype == np.float64
    with pytest.raises(ValueError):
        h.landmarks_px[0, 0] = 5.0


def test_observation_does_not_freeze_callers_array():
    raw = hand((50.0, 60.0)).landmarks_px.copy()
    h = HandObservation(raw)
    raw[0] = (-1.0, -1.0)  # the caller reuses its buffer ...
    assert h.landmarks_px[0, 0] != -1.0  # ... and the observation keeps its own values


def test_contact_palm_is_mean_of_wrist_and_knuckles():
    rng = np.random.default_rng(7)
    lm = rng.uniform(0, 640, size=(21, 2))
    h = HandObservation(lm)
    np.testing.assert_allclose(h.contact_px("palm"), lm[[0, 5, 9, 13, 17]].mean(axis=0))
    np.testing.assert_allclose(h.contact_px(), lm[[0, 5, 9, 13, 17]].mean(axis=0))  # palm is the default
    np.testing.assert_allclose(h.contact_px("thumb"), lm[HandLandmark.THUMB_TIP])
    np.testing.assert_allclose(h.contact_px("fingertips"), lm[[8, 12]].mean(axis=0))
    np.testing.assert_allclose(h.contact_px("knuckles"), lm[[5, 9]].mean(axis=0))
    assert h.contact_px("palm").shape == (2,)


def test_contact_unknown_kind_names_the_valid_ones():
    with pytest.raises(ValueError, match=r"contact: expected one of palm, thumb, fingertips, knuckles, got 'elbow'"):
        hand((0.0, 0.0)).contact_px("elbow")


# --- merge_duplicates -----------------------------------------------------------------------------------------


def test_merge_drops_close_duplicate_keeps_higher_score():
    low, high = hand((300.0, 200.0), score=0.6), hand((310.0, 205.0), score=0.95)  # ~11 px apart < 30 px
    for order in ([low, high], [high, low]):
        kept = merge_duplicates(order)
        assert len(kept) == 1
        assert kept[0] is high


def test_merge_keeps_hands_a_palm_apart():
    a, b = hand((300.0, 200.0), score=0.6), hand((300.0 + PALM_PX, 200.0), score=0.9)
    kept = merge_duplicates([a, b])
    assert len(kept) == 2 and {id(h) for h in kept} == {id(a), id(b)}


def test_merge_threshold_is_half_a_palm():
    a = hand((0.0, 0.0), score=0.9)
    assert len(merge_duplicates([a, hand((0.45 * PALM_PX, 0.0), score=0.5)])) == 1
    assert len(merge_duplicates([a, hand((0.55 * PALM_PX, 0.0), score=0.5)])) == 2


def test_merge_empty_and_three_hands():
    assert merge_duplicates([]) == []
    a, dup, b = hand((100.0, 100.0), 0.8), hand((105.0, 100.0), 0.7), hand((400.0, 100.0), 0.6)
    kept = merge_duplicates([dup, b, a])
    assert len(kept) == 2 and kept[0] is a and kept[1] is b


# --- HandTracker ----------------------------------------------------------------------------------------------

FPS = 30.0


def test_parallel_hands_keep_ids_when_detection_order_swaps():
    tracker = HandTracker()
    id_left = id_right = None
    for k in range(60):
        t = k / FPS
        y = 400.0 - 150.0 * t  # both glide up the back together, 150 px/s
        left, right = hand((250.0, y)), hand((390.0, y))
        detections = [left, right] if k % 2 == 0 else [right, left]
        active, ended = tracker.update(t, detections)
        assert ended == []
        assert len(active) == 2
        if k == 0:
            id_left, id_right = id_near(active, (250.0, y)), id_near(active, (390.0, y))
            assert id_left != id_right
        assert id_near(active, (250.0, y)) == id_left
        assert id_near(active, (390.0, y)) == id_right
        by_id = {tr.id: tr for tr in active}
        assert by_id[id_left].observation is left and by_id[id_right].observation is right
    assert {tr.frames_seen for tr in active} == {60}


def test_short_gap_keeps_id():
    tracker = HandTracker()
    other = (500.0, 300.0)
    active, _ = tracker.update(0.0, [hand((200.0, 300.0)), hand(other)])
    hid, oid = id_near(active, (200.0, 300.0)), id_near(active, other)
    t = 0.0
    for k in range(1, 16):  # 0.5 s without the first hand
        t = k / FPS
        active, ended = tracker.update(t, [hand(other)])
        assert ended == []
        assert hid in {tr.id for tr in active}  # still waiting for its hand
        assert next(tr for tr in active if tr.id == hid).observation is None
    t += 1 / FPS
    active, ended = tracker.update(t, [hand((215.0, 290.0)), hand(other)])  # back, nearby
    assert ended == []
    assert id_near(active, (215.0, 290.0)) == hid
    assert id_near(active, other) == oid
    assert len(active) == 2


def test_long_gap_ends_track_and_gives_new_id():
    cfg = TrackerConfig()
    tracker = HandTracker(cfg)
    active, _ = tracker.update(0.0, [hand((200.0, 300.0))])
    hid = id_near(active, (200.0, 300.0))
    ended_at = None
    n_missing = int(np.ceil((cfg.max_gap_s + 0.3) * FPS))
    for k in range(1, n_missing + 1):
        t = k / FPS
        active, ended = tracker.update(t, [])
        if ended:
            assert ended_at is None, "a track is reported as ended once"
            assert [tr.id for tr in ended] == [hid]
            ended_at = t
            assert active == []
    assert ended_at is not None and cfg.max_gap_s < ended_at <= cfg.max_gap_s + 1.5 / FPS
    active, ended = tracker.update((n_missing + 1) / FPS, [hand((200.0, 300.0))])  # same place
    assert ended == []
    assert len(active) == 1 and active[0].id != hid


def test_long_gap_without_intermediate_frames_gives_new_id():
    cfg = TrackerConfig()
    tracker = HandTracker(cfg)
    active, _ = tracker.update(0.0, [hand((200.0, 300.0))])
    hid = active[0].id
    active, ended = tracker.update(cfg.max_gap_s + 0.5, [hand((200.0, 300.0))])  # e.g. a paused/seeked stream
    assert [tr.id for tr in ended] == [hid]
    assert len(active) == 1 and active[0].id != hid


def test_crossing_hands_keep_ids():
    # Two hands on one horizontal line pass through each other's position. Each moves 6 px a frame,
    # so at the crossing each detection is nearer the OTHER hand's last position (offset 0..12 px)
    # than its own: only prediction by velocity keeps the ids.
    tracker = HandTracker()
    ida = idb = None
    for k in range(61):
        t = k / FPS
        xa = 100.0 + 6.0 * k + 3.0  # the +3 puts the crossing between two frames (never the same point)
        xb = 460.0 - 6.0 * k
        active, ended = tracker.update(t, [hand((xb, 300.0)), hand((xa, 300.0))][:: 1 if k % 3 else -1])
        assert ended == [] and len(active) == 2
        if k == 0:
            ida, idb = id_near(active, (xa, 300.0)), id_near(active, (xb, 300.0))
        assert id_near(active, (xa, 300.0)) == ida, f"frame {k}"
        assert id_near(active, (xb, 300.0)) == idb, f"frame {k}"
    assert xa > 400.0 and xb < 120.0  # they did cross


def test_far_new_detection_gets_new_id():
    tracker = HandTracker()
    active, _ = tracker.update(0.0, [hand((100.0, 100.0))])
    hid = active[0].id
    active, _ = tracker.update(1 / FPS, [hand((102.0, 100.0)), hand((600.0, 400.0))])
    assert id_near(active, (102.0, 100.0)) == hid
    new = id_near(active, (600.0, 400.0))
    assert new != hid
    # the first hand vanishes and a far detection appears: a new id again, not the vanished hand's
    active, _ = tracker.update(2 / FPS, [hand((600.0, 400.0)), hand((100.0, 500.0))])
    assert id_near(active, (600.0, 400.0)) == new
    third = id_near(active, (100.0, 500.0))
    assert third not in (hid, new)
    assert len({tr.id for tr in active}) == 3  # the vanished hand's track is still waiting


def test_timestamps_backwards_raise():
    tracker = HandTracker()
    tracker.update(1.0, [hand((100.0, 100.0))])
    tracker.update(1.0, [hand((101.0, 100.0))])  # equal timestamps are allowed
    with pytest.raises(ValueError, match=r"timestamps must not go backwards.*0\.900.*1\.000"):
        tracker.update(0.9, [hand((102.0, 100.0))])


def test_reset_forgets_tracks_and_time():
    tracker = HandTracker()
    tracker.update(5.0, [hand((100.0, 100.0))])
    tracker.reset()
    active, ended = tracker.update(0.0, [hand((100.0, 100.0))])  # earlier time is fine after reset
    assert ended == [] and [tr.id for tr in active] == [0]


def test_empty_frames_give_empty_results():
    tracker = HandTracker()
    assert tracker.update(0.0, []) == ([], [])
    assert tracker.update(0.1, []) == ([], [])


def test_close_hands_keep_ids_when_one_comes_back_next_to_its_partner():
    """Two hands gliding up side by side, a palm apart; one is missed for a quarter of a second and found
    again drifted toward its partner, while the partner's own detection wobbles away. Nearest-first would
    pair the partner with the returning hand's detection (the nearest pair of all) and the returning hand
    with what is left, swapping them; the assignment with the least total distance keeps both."""
    tr = HandTracker()
    fps, v = 30.0, -120.0  # px/s, up the picture
    left_x, right_x = 300.0, 300.0 + PALM_PX
    t = 0.0
    for i in range(15):
        t = i / fps
        active, _ = tr.update(t, [hand((left_x, 400 + v * t)), hand((right_x, 400 + v * t))])
    left_id, right_id = id_near(active, (left_x, 400 + v * t)), id_near(active, (right_x, 400 + v * t))
    for i in range(15, 22):  # the left hand unseen for 0.23 s
        t = i / fps
        tr.update(t, [hand((right_x, 400 + v * t))])
    t = 22 / fps
    y = 400 + v * t
    found_left, found_right = (left_x + 0.58 * PALM_PX, y), (right_x + 0.5 * PALM_PX, y)
    active, _ = tr.update(t, [hand(found_right), hand(found_left)])
    assert id_near(active, found_left) == left_id
    assert id_near(active, found_right) == right_id

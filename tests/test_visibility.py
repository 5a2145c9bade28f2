"""Knowing when the hands are not seen well enough to judge: the visibility monitor alone (pure), and the
pipeline withholding the flags it would have guessed."""
from __future__ import annotations

import numpy as np

from tests.test_pipeline import FPS, ONE_HAND, glide, run
from vision.core.types import Unsure
from vision.stages.visibility import Sighting, VisibilityMonitor, unsure_message

SEEN = Sighting(True, 40.0, False)
MISSED = Sighting(False, 40.0, False)


def feed(monitor: VisibilityMonitor, frames, light=120.0, t0=0.0):
    """frames: per frame, {hand: Sighting}; returns what was unsure at each frame."""
    return [monitor.update(t0 + i / FPS, hands, light) for i, hands in enumerate(frames)]


def test_a_hand_seen_in_every_frame_is_never_unsure():
    m = VisibilityMonitor()
    assert not any(feed(m, [{1: SEEN, 2: SEEN}] * 90))
    m.finish(3.0)
    assert m.spans == []


def test_a_hand_found_in_few_frames_is_unsure_from_its_first_miss_until_found_again():
    m = VisibilityMonitor()
    frames = [{1: SEEN}] * 30 + [{1: SEEN if i % 5 == 0 else MISSED} for i in range(60)] + [{1: SEEN}] * 60
    out = feed(m, frames)
    m.finish(len(frames) / FPS)
    assert Unsure(1, "seen_poorly") in out[60]  # two seconds in: found in one frame of five
    assert not out[-1]  # found in every frame again
    [span] = m.spans
    assert span.hand == 1 and span.reason == "seen_poorly"
    assert abs(span.t_start - 31 / FPS) < 1e-9  # from the first miss, not from when the share fell
    # sure again only once found in most of the last second's frames (not at the first frame it is found)
    assert 90 / FPS + 0.5 < span.t_end < 90 / FPS + 1.0


def test_darkness_alone_is_not_doubt_but_no_hand_in_the_dark_is():
    m = VisibilityMonitor()
    assert not any(feed(m, [{1: SEEN}] * 60, light=25.0))  # dim, but the hand is found: judged
    out = feed(m, [{}] * 30, light=12.0, t0=2.0)  # dark, and no hand found at all: both hands unknown
    assert out[-1] == (Unsure(None, "dark"),)
    assert not any(feed(VisibilityMonitor(), [{}] * 30, light=120.0))  # a lit, empty back: nobody there


def test_a_hand_poorly_seen_in_the_dark_is_unsure_because_of_the_dark():
    m = VisibilityMonitor()
    out = feed(m, [{1: SEEN}] * 10 + [{1: MISSED}] * 30, light=20.0)
    assert Unsure(1, "dark") in out[-1]


def test_a_hand_lost_at_the_picture_edge_stays_unsure_until_found_again():
    m = VisibilityMonitor()
    edge = Sighting(True, 40.0, True)
    feed(m, [{1: SEEN}] * 20 + [{1: edge}] * 5 + [{1: MISSED}] * 20)
    m.lost(1, 45 / FPS)  # its track ended: it went out of the picture
    out = feed(m, [{}] * 60, t0=46 / FPS)
    assert out[-1] == (Unsure(1, "out_of_view"),)
    out = feed(m, [{1: SEEN}] * 40, t0=106 / FPS)  # back in the picture
    assert not out[-1]
    assert [sp.reason for sp in m.all_spans()] == ["out_of_view"]


def test_a_small_hand_poorly_seen_is_unsure_because_it_is_small():
    m = VisibilityMonitor()
    small = Sighting(True, 11.0, False)
    out = feed(m, [{1: small}] * 10 + [{1: small if i % 4 == 0 else Sighting(False, 11.0, False)} for i in range(40)])
    assert Unsure(1, "small") in out[-1]


def test_the_message_says_what_to_do():
    assert unsure_message(Unsure(None, "dark")) == (
        "I can't see your hands well, so I am not judging them: the picture is too dark: add light, or turn a "
        "lamp toward the back.")
    assert "move the camera back" in unsure_message(Unsure(2, "out_of_view"))
    assert unsure_message(Unsure(2, "out_of_view")).startswith("I can't see hand 2 well")


def test_a_wrong_way_stroke_seen_in_few_frames_is_not_flagged_but_marked_unsure():
    path = glide(0.9, 0.1, 0.3, 2.0)
    # found in two frames of five during the glide (frames 15 to 75): what it did is a guess
    poorly = lambda i, k: 15 <= i < 75 and i % 5 in (1, 2, 3)  # noqa: E731
    p, results = run([path], drop=poorly, step=ONE_HAND)
    raised = [f for r in results for f in r.flags]
    assert raised == []
    strokes = [je for je in p.events if je.event.kind == "stroke"]
    assert strokes and all(je.ok and je.flagged_at is None for je in strokes)
    assert any(je.unsure == "seen_poorly" for je in strokes)
    assert [sp.reason for sp in p.unsure_spans] == ["seen_poorly"]
    # the same stroke missed now and then only (one frame in ten) is judged: flagged the wrong way
    p, results = run([path], drop=lambda i, k: i % 10 == 5, step=ONE_HAND)
    assert [f.verdict.name for r in results for f in r.flags] == ["wrong_direction"]
    assert p.unsure_spans == []


def test_a_flag_raised_while_the_hand_was_seen_well_is_kept_when_it_is_lost_after():
    path = glide(0.9, 0.1, 0.3, 2.0)
    # seen well for the first half of the glide (the flag is raised there), then found rarely
    p, results = run([path], drop=lambda i, k: 50 <= i < 100 and i % 5 != 0, step=ONE_HAND)
    flagged = [je for je in p.events if not je.ok]
    assert [v.name for je in flagged for v in je.verdicts] == ["wrong_direction"]
    assert flagged[0].flagged_at < 50 / FPS
    assert np.isfinite(flagged[0].flagged_at)

"""Property-based tests (hypothesis): the stages from hands to verdicts on random paths, timestamps with gaps,
hands coming and going; and random bytes given to the command line as each kind of file."""
from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import SAMPLES
from tests.test_pipeline import CAL
from tests.test_tracking import hand
from vision.cli import main
from vision.core.backframe import LANE_NAMES, Homography
from vision.core.types import UNSURE_REASONS, VERDICTS
from vision.judging.routines import find_routine
from vision.judging.settings import SENSITIVITIES, Settings
from vision.run.runner import Item, Runner

HOMOGRAPHY = Homography.from_calibration(CAL)
ROUTINE = find_routine(SAMPLES / "routines" / "swedish_short.yaml")


@st.composite
def sessions(draw):
    """Frames of 1 to 3 hands: each a path of rests and moves of random speed and heading (on and off the
    back), seen or not frame by frame, at timestamps with random gaps (1/60 s to 0.6 s)."""
    n_frames = draw(st.integers(20, 160))
    gaps = draw(st.lists(st.floats(1 / 60, 0.6), min_size=n_frames, max_size=n_frames))
    times = np.cumsum(gaps)
    n_hands = draw(st.integers(1, 3))
    paths = []
    for _ in range(n_hands):
        p = np.array([draw(st.floats(-0.2, 1.2)), draw(st.floats(-1.4, 1.4))])
        path = []
        while len(path) < n_frames:
            run = draw(st.integers(1, 40))
            speed = draw(st.sampled_from([0.0, 0.0, 0.05, 0.3, 1.0, 3.0]))  # back lengths/s; 0: a rest
            heading = draw(st.floats(0, 2 * np.pi))
            for k in range(run):
                i = len(path)
                if i >= n_frames:
                    break
                dt = gaps[i] if i else 0.0
                p = p + speed * dt * np.array([np.cos(heading), np.sin(heading) / 0.35])
                path.append(p.copy())
        paths.append(np.array(path))
    seen = [draw(st.lists(st.booleans(), min_size=n_frames, max_size=n_frames)) for _ in range(n_hands)]
    items = []
    for i, t in enumerate(times):
        hands = [hand(HOMOGRAPHY.to_image(paths[k][i])[0]) for k in range(n_hands) if seen[k][i] or i % 7]
        items.append(Item(i, float(t), None, hands))
    return items


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(items=sessions(), step=st.sampled_from([None, "effleurage", "petrissage", "friction"]),
       sensitivity=st.sampled_from(SENSITIVITIES))
def test_the_stages_hold_up_on_anything(items, step, sensitivity):
    runner = Runner(CAL, ROUTINE, step=step, settings=Settings(sensitivity))
    flags = []
    for item in items:
        flags += runner.feed(item).flags
    flags += runner.finish().flags
    t_end = items[-1].t_s
    by_hand: dict[int, list] = {}
    for je in runner.events:
        ev = je.event
        assert je.hand >= 1 and ev.kind in ("stroke", "hold", "circles", "cross_fiber")
        assert 0.0 <= ev.t_start <= ev.t_end <= t_end + 1e-9 and ev.duration_s >= 0
        assert ev.lane in LANE_NAMES and np.all(np.isfinite(ev.path_back))
        assert je.verdicts and all(v.name in VERDICTS and v.message for v in je.verdicts)
        assert (je.flagged_at is None) == je.ok
        if je.flagged_at is not None:
            assert ev.t_start - 1e-9 <= je.flagged_at <= t_end + 1e-9
        by_hand.setdefault(je.hand, []).append(ev)
    for hand_events in by_hand.values():  # one hand's events follow one another, never overlapping
        hand_events.sort(key=lambda e: (e.t_start, e.t_end))
        for a, b in zip(hand_events, hand_events[1:]):
            assert b.t_start >= a.t_end - 1e-6, (a.kind, a.t_start, a.t_end, b.kind, b.t_start, b.t_end)
    assert all(f.verdict.name in VERDICTS and f.verdict.name != "ok" for f in flags)
    # the spans of doubt: stable reasons, in the session's time; an event marked unsure carries no new flag
    for sp in runner.unsure:
        assert sp.reason in UNSURE_REASONS and 0.0 <= sp.t_start <= sp.t_end <= t_end + 1e-9
    assert all(je.unsure in UNSURE_REASONS for je in runner.events if je.unsure is not None)
    summary = runner.summary()
    assert summary["score"] is None or 0 <= summary["score"] <= 100


GARBAGE = st.one_of(st.binary(min_size=0, max_size=400),
                    st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass")),
                    st.sampled_from([b"{}", b"[]", b"null", b'{"base_left": [1, 2]}', b"\x00\x00\x00\x18ftypisom",
                                     b"YUV4MPEG2 W640 H480", b"steps: [1, 2]", b"name: x\nsteps: []\n"]))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=GARBAGE, kind=st.sampled_from(["video", "calibration", "routine", "landmarks", "session"]))
def test_random_bytes_as_any_file_get_one_line_and_exit_code_2(tmp_path_factory, capsys, data, kind):
    tmp = tmp_path_factory.mktemp("garbage")
    clip, cal = SAMPLES / "effleurage_good.mp4", SAMPLES / "effleurage_good.json"
    bad = tmp / {"video": "clip.mp4", "calibration": "cal.json", "routine": "mine.yaml",
                 "landmarks": "landmarks.jsonl", "session": "rec/session.json"}[kind]
    bad.parent.mkdir(exist_ok=True)
    bad.write_bytes(data)
    out = tmp / "out"
    args = {
        "video": ["analyze", str(bad), "--calibration", str(cal), "--step", "effleurage"],
        "calibration": ["analyze", str(clip), "--calibration", str(bad), "--step", "effleurage"],
        "routine": ["analyze", str(clip), "--calibration", str(cal), "--routine", str(bad)],
        "landmarks": ["rejudge", str(bad), "--calibration", str(cal), "--step", "effleurage", "--routine", "swedish"],
        "session": ["rejudge", str(bad.parent), "--step", "effleurage", "--routine", "swedish"],
    }[kind]
    code = main([*args, "--out", str(out), "--no-video", "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2, (kind, data, err)
    lines = err.splitlines()
    assert lines and all(line.startswith(("error: ", "bad ")) for line in lines[:1]), err
    assert "Traceback" not in err
    if kind != "routine":  # a routine's several problems each get a line
        assert len(lines) == 1, err

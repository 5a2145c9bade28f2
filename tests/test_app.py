"""The app's pages through Streamlit's AppTest (the live camera itself is tested in the browser: test_e2e)."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
import streamlit_webrtc
from streamlit.testing.v1 import AppTest

from tests.browser import write_calibration
from tests.helpers import ROOT, SAMPLES, labels_of
from vision.judging.settings import Settings

APP = str(ROOT / "app.py")


@pytest.fixture
def data(tmp_path, monkeypatch):
    """The app's files in a fresh folder; the WebRTC component replaced (AppTest has no browser to stream)."""
    monkeypatch.setenv("STROKE_COACH_DATA", str(tmp_path / "data"))
    calls = []

    def fake_streamer(**kw):
        calls.append(kw)
        return SimpleNamespace(state=SimpleNamespace(playing=False))

    monkeypatch.setattr(streamlit_webrtc, "webrtc_streamer", fake_streamer)
    return SimpleNamespace(dir=tmp_path / "data", streamer_calls=calls)


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=120)


def test_practice_without_calibration_sends_the_user_to_calibrate(data):
    at = _app().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Practice"
    assert "not been calibrated" in at.warning[0].value
    assert not data.streamer_calls


def test_practice_with_a_calibration_shows_the_routine_and_the_camera(data):
    write_calibration(data.dir, "effleurage_good")
    at = _app().run()
    assert not at.exception, at.exception
    assert data.streamer_calls and data.streamer_calls[0]["rtc_configuration"] == {"iceServers": []}
    assert any("Step 1 of 5: Prepare" in s.value for s in at.subheader)
    at.selectbox(key="practice_start").set_value("effleurage").run()
    assert any("Step 2 of 5: Effleurage" in s.value for s in at.subheader)
    assert any(b.label == "Start recording" and b.disabled for b in at.button)  # no camera running
    at.radio(key="sensitivity").set_value("strict").run()
    assert list(at.session_state.coach._commands) == [("settings", Settings("strict"))]  # at the next frame
    at.session_state.coach.close()


def test_a_broken_saved_calibration_is_explained(data):
    data.dir.mkdir(parents=True)
    (data.dir / "calibration.json").write_text('{"base_left": [1, 2]')
    at = _app().run()
    assert not at.exception
    assert "cannot be used" in at.warning[0].value and "Calibrate again" in at.warning[0].value


def test_a_hand_edited_saved_calibration_is_explained_not_a_traceback(data):
    """frame_size written as {"width": 640, "height": 480}: the pages name the file and the field, and say why."""
    path = write_calibration(data.dir, "effleurage_good")
    path.write_text(json.dumps({**json.loads(path.read_text()), "frame_size": {"width": 640, "height": 480}}))
    for page in (None, "ui/calibrate.py"):
        at = _app() if page is None else _app().switch_page(page)
        at.run()
        assert not at.exception, at.exception
        message = at.warning[0].value
        assert message.startswith(f"The saved calibration cannot be used ({path}: frame_size: expected [width, height]")
        assert 'found {"width": 640, "height": 480}' in message and "Calibrate again" in message
        if page is None:
            assert not data.streamer_calls  # the Practice page stopped at the message, before the camera


def test_calibrate_from_a_sample_frame_and_save(data):
    at = _app().switch_page("ui/calibrate.py").run()
    assert not at.exception, at.exception
    at.radio(key="calib_source").set_value("A sample clip").run()
    at.selectbox(key="calib_sample").set_value("effleurage_good").run()
    next(b for b in at.button if b.label == "Use its first frame").click().run()
    assert not at.exception, at.exception
    assert any("Click 1 of 4" in m.value for m in at.markdown)
    cal = labels_of("effleurage_good")["calibration"]
    # corners in the wrong order (left and right swapped): refused in plain words
    at.session_state.calib_points = [cal["base_right"], cal["base_left"], cal["top_left"], cal["top_right"]]
    at.run()
    assert at.error and "swapped" in at.error[0].value.lower()
    at.session_state.calib_points = [cal[k] for k in ("base_left", "base_right", "top_right", "top_left")]
    at.run()
    assert not at.error
    next(b for b in at.button if b.label == "Save calibration").click().run()
    saved = json.loads((data.dir / "calibration.json").read_text())
    assert saved["base_left"] == pytest.approx(cal["base_left"]) and saved["frame_size"] == [640, 480]
    assert at.success and "Saved" in at.success[0].value


def test_replay_a_sample_clip(data):
    at = _app().switch_page("ui/replay.py").run()
    assert not at.exception, at.exception
    at.radio(key="replay_source").set_value("A sample clip").run()
    at.selectbox(key="replay_sample").set_value("effleurage_wrong_way").run()
    next(b for b in at.button if b.label == "Analyse").click().run()
    assert not at.exception, at.exception
    flags = at.dataframe[-1].value
    assert list(flags["verdict"]) == ["wrong_direction"]
    labels = ["Download report.json", "Download strokes.csv", "Download annotated.mp4"]
    assert [b.label for b in at.get("download_button")] == labels


def test_replay_without_recordings_says_how_to_make_one(data):
    at = _app().switch_page("ui/replay.py").run()
    assert not at.exception, at.exception
    assert "No recordings yet" in at.info[0].value


def test_routines_page_lists_routines_and_explains_broken_files(data, tmp_path, monkeypatch):
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "typo.yaml").write_text("name: Typo\nsteps:\n  - id: a\n    title: A\n    instruction: Go\n"
                                     "    technique: effleurage\n    direction: upp\n")
    monkeypatch.setenv("STROKE_COACH_ROUTINES", str(extra))
    at = _app().switch_page("ui/routines.py").run()
    assert not at.exception, at.exception
    assert "typo.yaml" in at.error[0].value and "upp" in at.error[0].value
    titles = [e.label for e in at.expander]
    assert any("Swedish massage" in t for t in titles) and any("Shiatsu" in t for t in titles)
    assert len(at.get("image")) >= 15  # a drawing per step


def test_replay_a_recording_judged_as_it_was_recorded(data):
    """A short practice recorded (strict), then re-judged on the Replay page from its landmarks."""
    from vision.core.backframe import Calibration
    from vision.files.recording import Recorder
    from vision.files.video import VideoReader
    from vision.judging.routines import find_routine
    from vision.run.live import LiveCoach

    labels = labels_of("effleurage_wrong_way")
    coach = LiveCoach(Calibration.from_dict(labels["calibration"]), find_routine("swedish"), start_step="effleurage",
                      stay=True, settings=Settings("strict"))

    def factory(frame_wh, calibration, c):
        return Recorder(calibration, routine="swedish", step_id="effleurage", root=data.dir / "recordings",
                        frame_wh=frame_wh, settings=c.settings.to_dict(), blur_faces=False)

    try:
        with VideoReader(SAMPLES / "effleurage_wrong_way.mp4", max_frames=340) as reader:
            for i, (frame, t) in enumerate(reader):
                if i == 5:
                    coach.command("record", factory)
                coach.process(frame, t)
        coach.command("stop_recording")
        coach.process(frame, t + 1 / 30)
    finally:
        coach.close()
    at = _app().switch_page("ui/replay.py").run()
    assert not at.exception, at.exception
    assert at.radio(key="replay_sensitivity_strict").value == "strict"  # as it was recorded
    next(b for b in at.button if b.label == "Analyse").click().run()
    assert not at.exception, at.exception
    assert list(at.dataframe[-1].value["verdict"]) == ["wrong_direction"]
    assert at.metric[1].value != "0"  # events

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
    # the PDF report once the student is named (a sample clip has no person)
    at.text_input(key="replay_student_effleurage_wrong_way").set_value("Ada").run()
    assert not at.exception, at.exception
    assert [b.label for b in at.get("download_button")] == [*labels, "Download PDF"]


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

    # compared with a teacher's reference (here the same practice, copied): the comparison is shown, near 100
    import shutil

    [rec] = (data.dir / "recordings").iterdir()
    shutil.copytree(rec, rec.with_name(rec.name + "-teacher"))
    at = _app().switch_page("ui/replay.py").run()
    at.selectbox(key="replay_recording").set_value(next(r for r in at.selectbox(key="replay_recording").options
                                                         if not r.endswith("teacher") and "teacher" not in r))
    at.run()
    ref = at.selectbox(key="replay_reference")
    ref.set_value(next(o for o in ref.options if "teacher" in o)).run()
    next(b for b in at.button if b.label == "Analyse").click().run()
    assert not at.exception, at.exception
    assert any(h.value == "Compared with the teacher's reference" for h in at.subheader)
    similarity = next(m for m in at.metric if m.label == "Similarity")
    assert int(similarity.value) >= 95, similarity.value
    # and made a teacher's reference for the routine, for the Grade page
    at.text_input(key="replay_teacher").set_value("Tess")
    next(b for b in at.button if b.label.startswith("Make it the reference")).click().run()
    assert not at.exception, at.exception
    assert any("reference for Swedish massage" in m.value for m in at.success)
    from vision.library.db import open_library
    from vision.library.people import references

    [(teacher, folder)] = references(open_library(), "swedish")
    assert teacher == "Tess" and folder.startswith(str(data.dir / "recordings"))


# -- hand-edited and damaged files: a plain message on the page, never a traceback ----------------------------


def _recording(root, frames: int = 4):
    """A short recording (hands only, no video: nothing to encode) with the sample's calibration; its folder."""
    from vision.core.backframe import Calibration
    from vision.core.types import FrameResult
    from vision.files.recording import Recorder

    cal = Calibration.from_dict(labels_of("effleurage_good")["calibration"])
    rec = Recorder(cal, routine="swedish", step_id="effleurage", root=root, settings={"sensitivity": "gentle"},
                   blur_faces=False, frame_wh=(640, 480))
    for i in range(frames):
        rec.write(None, FrameResult.empty(i / 30))
    return rec.stop().folder


def _edit_session(folder, **changes):
    path = folder / "session.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), **changes}))


CORNERS = labels_of("effleurage_good")["calibration"]


@pytest.mark.parametrize("content, fragment", [
    (b"\x89PNG\r\n\x1a\n\x00\x00", "byte 0 is not UTF-8 text"),  # random bytes: a picture saved over it
    (json.dumps([CORNERS]).encode(), "expected a JSON object with base_left, base_right, top_right, top_left, "
                                     "found list"),
    (json.dumps({k: v for k, v in CORNERS.items() if k != "top_left"}).encode(),
     "top_left: expected two numbers [x, y] in image pixels (e.g. [120, 400]), found nothing (it is missing)"),
    (json.dumps({**CORNERS, "base_right": "412, 143"}).encode(), 'base_right: expected two numbers [x, y] in image '
                                                                 'pixels (e.g. [120, 400]), found "412, 143"'),
    (b'{"base_left": [1, 2], "base_right": [', "invalid JSON at line 1, column 38"),
])
def test_a_damaged_saved_calibration_is_a_plain_message_on_every_page_that_reads_it(data, content, fragment):
    data.dir.mkdir(parents=True)
    path = data.dir / "calibration.json"
    path.write_bytes(content)
    for page in (None, "ui/calibrate.py"):
        at = _app() if page is None else _app().switch_page(page)
        at.run()
        assert not at.exception, at.exception
        message = at.warning[0].value
        assert message.startswith(f"The saved calibration cannot be used ({path}: ") and fragment in message, message
        assert message.endswith("Calibrate again."), message
        if page is None:
            assert not data.streamer_calls  # the Practice page stopped at the message, before the camera
    at.radio(key="calib_source").set_value("A sample clip").run()  # the Calibrate page still works: a new one
    assert not at.exception and any(b.label == "Use its first frame" for b in at.button)


def test_the_replay_page_names_the_damaged_recordings_and_offers_the_others(data):
    root = data.dir / "recordings"
    good = _recording(root)
    typo, picture, resized = (_recording(root) for _ in range(3))
    _edit_session(typo, settings={"sensitivity": "srict"})
    (picture / "session.json").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")  # a photo saved over it
    _edit_session(resized, frame_size={"width": 640, "height": 480})
    at = _app().switch_page("ui/replay.py").run()
    assert not at.exception, at.exception
    warning = at.warning[0].value
    assert warning.startswith("Some recordings cannot be opened and are left out:")
    assert (f"- **{typo.name}**: {typo}: session.json: settings.sensitivity: expected 'gentle', 'standard' or "
            "'strict', found \"srict\"; the recording's session.json is damaged: fix or remove that field") in warning
    assert f"- **{picture.name}**: {picture}: session.json: cannot read the session.json (byte 0 is not UTF-8" in warning
    assert f"- **{resized.name}**: {resized}: session.json: frame_size: expected [width, height]" in warning
    assert "Traceback" not in warning
    options = at.selectbox(key="replay_recording").options
    assert len(options) == 1 and options[0].startswith(good.name)
    assert at.radio(key="replay_sensitivity_gentle").value == "gentle"  # the good one, as it was recorded
    next(b for b in at.button if b.label == "Analyse").click().run()
    assert not at.exception, at.exception
    assert at.metric[1].value == "0"  # judged: no hands, no events


def test_the_replay_page_with_only_damaged_recordings_says_so(data):
    folder = _recording(data.dir / "recordings")
    (folder / "session.json").write_text('{"format": "stroke-coach-recording", "version": 1, "stat')
    at = _app().switch_page("ui/replay.py").run()
    assert not at.exception, at.exception
    assert f"{folder}: session.json: invalid JSON at line 1" in at.warning[0].value
    assert at.info[0].value.startswith("No other recordings yet in")


def test_a_damaged_landmarks_file_is_a_plain_message_when_re_judged(data):
    folder = _recording(data.dir / "recordings", frames=6)
    path = folder / "landmarks.jsonl"
    lines = path.read_text().splitlines()
    lines[2] = json.dumps({**json.loads(lines[2]), "t": "later"})
    path.write_text("\n".join(lines) + "\n")
    at = _app().switch_page("ui/replay.py").run()
    next(b for b in at.button if b.label == "Analyse").click().run()
    assert not at.exception, at.exception
    assert at.error[0].value == (f"Could not analyse {folder.name}: {path}: line 3 is damaged: t: expected a number, "
                                 'found "later"; delete that line to re-judge the other frames, or record the '
                                 "session again")


def test_a_recording_without_a_calibration_says_how_to_re_judge_it(data):
    folder = _recording(data.dir / "recordings")
    session = json.loads((folder / "session.json").read_text())
    del session["calibration"]
    (folder / "session.json").write_text(json.dumps(session))
    at = _app().switch_page("ui/replay.py").run()
    assert not at.exception, at.exception
    assert at.error[0].value.startswith(f"{folder.name} has no calibration in its session.json")
    assert "stroke-coach rejudge" in at.error[0].value and "--calibration" in at.error[0].value
    assert not any(b.label == "Analyse" for b in at.button)


@pytest.mark.parametrize("content, fragment", [
    (b"\x00\x00\x00\x18ftypisom\xff", "byte 12 is not UTF-8 text"),  # the video uploaded as its calibration
    (json.dumps({**CORNERS, "frame_size": {"width": 640, "height": 480}}).encode(),
     'frame_size: expected [width, height] in pixels, two whole numbers above 0 (e.g. [640, 480]), found '
     '{"width": 640, "height": 480}'),
    (b"[1, 2]", "expected a JSON object with base_left"),
])
def test_a_damaged_uploaded_calibration_is_a_plain_message(data, content, fragment):
    at = _app().switch_page("ui/replay.py").run()
    at.radio(key="replay_source").set_value("A video file").run()
    at.file_uploader(key="replay_upload").set_value(("clip.mp4", b"not looked at", "video/mp4"))
    at.file_uploader(key="replay_cal").set_value(("cal.json", content, "application/json")).run()
    assert not at.exception, at.exception
    message = at.error[0].value
    assert message.startswith("The uploaded calibration cannot be used (cal.json: ") and fragment in message, message
    assert message.endswith("Upload the calibration file the Calibrate page saved for this camera position.")
    assert not (data.dir / "uploads").exists()  # stopped before the video was kept


def test_a_damaged_sample_labels_file_is_a_plain_message(data, tmp_path, monkeypatch):
    import ui.state

    samples = tmp_path / "samples"
    samples.mkdir()
    (samples / "mine.mp4").write_bytes(b"")
    (samples / "mine.json").write_text('{"calibration": {"base_left": [1, 2]}}')
    monkeypatch.setattr(ui.state, "SAMPLES", samples)
    at = _app().switch_page("ui/replay.py").run()
    at.radio(key="replay_source").set_value("A sample clip").run()
    assert not at.exception, at.exception
    assert at.error[0].value == ("The sample's calibration cannot be used (mine.json: calibration.base_right: expected "
                                 "two numbers [x, y] in image pixels (e.g. [120, 400]), found nothing (it is missing); "
                                 "fix it in the file, or calibrate again). Make the samples again: `make samples`.")


def test_damaged_routine_files_are_named_and_the_others_listed(data, tmp_path, monkeypatch):
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "photo.yaml").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")
    (extra / "list.yaml").write_text("- effleurage\n- petrissage\n")
    (extra / "cut.yaml").write_text("name: Cut\nsteps: [{id: a, title: A\n")
    (extra / "ids.yaml").write_text("name: Ids\nsteps:\n" + "  - id: [a]\n    title: A\n    instruction: Go\n"
                                    "    technique: effleurage\n" * 2)
    monkeypatch.setenv("STROKE_COACH_ROUTINES", str(extra))
    at = _app().switch_page("ui/routines.py").run()
    assert not at.exception, at.exception
    errors = {e.value.split("**")[1]: e.value for e in at.error}
    assert set(errors) == {"photo.yaml", "list.yaml", "cut.yaml", "ids.yaml"}
    assert "not a text file (byte 0 is not UTF-8)" in errors["photo.yaml"]
    assert "expected a mapping with 'name' and 'steps', got list" in errors["list.yaml"]
    assert "not valid YAML at line" in errors["cut.yaml"] and "id input should be a valid string" in errors["ids.yaml"]
    assert any(t.startswith("Swedish massage") for t in (e.label for e in at.expander))
    assert "Fix the files named above" in at.caption[0].value


def test_the_practice_page_says_what_to_do_when_a_frame_fails_and_logs_why(data):
    """A frame the analysis fails on: the page shows a plain sentence; stroke-coach.log has the traceback."""
    import numpy as np

    from vision.run.live import ANALYSIS_FAILED

    write_calibration(data.dir, "effleurage_good")
    at = _app().run()
    coach = at.session_state.coach
    try:
        coach.process(np.zeros((10, 10), np.uint8), 0.0)  # not a colour frame: the camera's thread carries on
        at.run()
        assert not at.exception, at.exception
        assert [e.value for e in at.error] == [ANALYSIS_FAILED]
        log = (data.dir / "stroke-coach.log").read_text()
        assert "live analysis failed on a frame" in log and "Traceback (most recent call last)" in log
    finally:
        coach.close()


# -- an unexpected error: a generic message on the page, the details in the log --------------------------------


def test_an_unexpected_error_shows_a_generic_message_and_its_traceback_goes_to_the_log(data, monkeypatch):
    import vision.files.recording

    def broken(root=None):
        raise RuntimeError("details for the log only: /home/someone/recordings")

    monkeypatch.setattr(vision.files.recording, "find_recordings", broken)
    at = _app().switch_page("ui/replay.py").run()
    (shown,) = at.exception
    assert "redacted" in shown.proto.message and "details for the log" not in str(shown.proto)
    assert not shown.stack_trace and not shown.proto.type  # neither the traceback nor the exception's type
    log = (data.dir / "stroke-coach.log").read_text()
    assert "Uncaught app execution" in log and "Traceback (most recent call last)" in log
    assert "RuntimeError: details for the log only: /home/someone/recordings" in log


def _options(cmd: list[str]) -> dict[str, str]:
    return {a[2:]: b for a, b in zip(cmd, cmd[1:]) if a.startswith("--")}


def test_make_run_and_stroke_coach_app_give_the_app_the_same_options():
    """`make run` reads .streamlit/config.toml, `stroke-coach app` (an installed copy has no such file) gives flags:
    both hide the error details from the page and send the traceback to the log."""
    import tomllib

    from vision.cli import app_command

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    want = {f"{section}.{name}": str(value).lower() if isinstance(value, bool) else str(value)
            for section, values in config.items() for name, value in values.items()}
    assert want["client.showErrorDetails"] == "none" and want["logger.enableRich"] == "false"
    flags = _options(app_command())
    assert {name: flags.get(name) for name in want} == want
    assert _options(app_command(9000, "0.0.0.0", headless=True))["server.headless"] == "true"

"""Practice: the live camera with the routine drawn on the back, flags as they happen."""
from __future__ import annotations

import json

import streamlit as st
import streamlit.components.v1 as components

from ui.state import (
    CAMERA,
    last_person,
    library,
    load_saved_calibration,
    recordings_dir,
    remember_person,
    routine_picker,
)
from vision.files.jsonl import RecordingError
from vision.judging.settings import SENSITIVITIES, SMOOTHINGS, Settings
from vision.library.db import LibraryError
from vision.library.index import index_recording
from vision.library.people import people_names
from vision.run.live import CAMERA_STOPPED_S, LiveCoach
from vision.stages.visibility import unsure_message

CUE_MODES = ("voice", "tone", "silent")
KEYS = {"next": "N", "repeat": "A", "record": "S"}  # a foot pedal that types these keys works too

# Says a cue in the browser: with a local voice of the browser's speech synthesis (it works offline),
# else a short tone (Web Audio). The newest cue cuts off one still being said. Each cue said is kept
# in the page's window.strokeCoachCues (the tests read it).
_CUE_JS = """
<script>
const cue = %(cue)s, mode = %(mode)s;
const top_ = window.parent;
(top_.strokeCoachCues = top_.strokeCoachCues || []);
function tone() {
  const AC = top_.AudioContext || top_.webkitAudioContext;
  if (!AC) return false;
  const ctx = top_.strokeCoachAudio = top_.strokeCoachAudio || new AC();
  const osc = ctx.createOscillator(), gain = ctx.createGain();
  osc.frequency.value = cue.kind === "flag" ? 880 : 660;
  gain.gain.setValueAtTime(0.25, ctx.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.18);
  osc.connect(gain).connect(ctx.destination);
  osc.start(); osc.stop(ctx.currentTime + 0.2);
  return true;
}
function say() {
  const synth = top_.speechSynthesis;
  const voices = synth ? synth.getVoices().filter(v => v.localService) : [];
  if (!voices.length) return false;
  synth.cancel();
  const u = new top_.SpeechSynthesisUtterance(cue.text);
  u.voice = voices.find(v => v.default) || voices[0];
  u.rate = 1.1;
  synth.speak(u);
  return true;
}
const how = mode === "voice" && say() ? "voice" : (tone() ? "tone" : "none");
top_.strokeCoachCues.push({text: cue.text, kind: cue.kind, how: how, at: Date.now()});
</script>
"""


def _say(cue, mode: str) -> None:
    payload = {"text": cue.text, "kind": cue.kind}
    components.html(_CUE_JS % {"cue": json.dumps(payload), "mode": json.dumps(mode)}, height=0)


def _recorder_factory(blur_faces: bool, routine_file: str, settings: Settings, person: str | None):
    def make(frame_wh, calibration, coach):
        from vision.files.recording import Recorder

        return Recorder(calibration, routine=routine_file, step_id=coach.session.current.id, root=recordings_dir(),
                        settings=settings.to_dict(), person=person, blur_faces=blur_faces, frame_wh=frame_wh)
    return make


NEW_PERSON = "Someone new…"


def _who(container, lib) -> str | None:
    """Who is practising: one of the library's people, or a new name; remembered between visits."""
    names = people_names(lib) if lib is not None else []
    remembered = last_person()
    if remembered and remembered not in names:
        names.append(remembered)
    options = sorted(names, key=str.casefold) + [NEW_PERSON]
    who = container.selectbox("Who is practising", options, key="practice_person",
                              index=options.index(remembered) if remembered in options else len(options) - 1,
                              help="The recordings go into this person's history (the History page).")
    if who == NEW_PERSON:
        who = container.text_input("Name", key="practice_new_person", placeholder="Type the student's name").strip()
    if who and who != remembered:
        remember_person(who)
    if not who:
        container.caption("Recordings without a name are kept, but are in no one's history.")
    return who or None


def _into_library(lib, folder: str) -> None:
    """A recording just saved into the library, once (the next start indexes it anyway if this fails)."""
    if lib is None or st.session_state.get("practice_indexed") == folder:
        return
    st.session_state.practice_indexed = folder
    try:
        index_recording(lib, folder)
    except (LibraryError, RecordingError) as e:
        st.warning(f"The recording is saved, but not in the session library yet ({e}); it is added when the app "
                   "starts again.")


def _coach(saved, routine, routine_key: str, start_step: str, stay: bool, settings: Settings,
           mirror: bool) -> LiveCoach:
    """This browser session's coach (and its MediaPipe), made again only when what it judges changes."""
    key = (routine_key, start_step, stay, tuple(saved.calibration.corners_px().ravel()), saved.frame_wh)
    coach: LiveCoach | None = st.session_state.get("coach")
    if coach is None or st.session_state.get("coach_key") != key:
        detector = coach.hand_over() if coach is not None else None  # one MediaPipe per browser session
        coach = LiveCoach(saved.calibration, routine, calibration_wh=saved.frame_wh, start_step=start_step,
                          stay=stay, settings=settings, detector=detector)
        st.session_state.coach = coach
        st.session_state.coach_key = key
    if coach.settings != settings:
        coach.command("settings", settings)
    coach.mirror = mirror
    return coach


st.title("Practice")
saved, problem = load_saved_calibration()
if saved is None:
    st.warning(problem or "The camera has not been calibrated yet: mark the four corners of the back once, "
                          "and Stroke Coach remembers them.")
    st.page_link("ui/calibrate.py", label="Calibrate now", icon=":material/crop_free:")
    st.stop()

side = st.sidebar
lib, lib_problem = library()
if lib_problem:
    side.warning(lib_problem)
person = _who(side, lib)
# a link can name the routine and the first step: ?routine=swedish&step=effleurage (a teacher's handout)
routine = routine_picker(side, "practice_routine", default=st.query_params.get("routine"))
if routine is None:
    st.stop()
routine_key = st.session_state.practice_routine
step_ids = [s.id for s in routine.steps]
wanted = st.query_params.get("step")
start_step = side.selectbox("Start at step", step_ids, key="practice_start",
                            index=step_ids.index(wanted) if wanted in step_ids else 0,
                            format_func=lambda i: routine.step(i).title)
stay = side.toggle("Stay on this step", key="practice_stay", value=st.query_params.get("stay") == "1",
                   help="Drill one technique: the step never ends, so the routine does not move on.")
sensitivity = side.radio("Sensitivity", SENSITIVITIES, index=1, horizontal=True, key="sensitivity",
                         help="Gentle forgives more (for beginners); strict for assessment.")
smoothing = side.radio("Smoothing", SMOOTHINGS, index=1, horizontal=True, key="smoothing",
                       help="Stronger smoothing steadies a shaky picture but reacts later.")
mirror = side.toggle("Mirror view", key="mirror", help="Show the picture as a mirror (display only).")
cue_mode = side.radio("Cues", CUE_MODES, horizontal=True, key="cue_mode",
                      format_func={"voice": "Voice", "tone": "Tone", "silent": "Silent"}.get,
                      help="Each flag, each new step and the hold timer at 15 and 30 s said in a few words "
                           "(the browser's own voice, offline), or a short tone, or nothing.")
blur_faces = side.toggle("Blur faces in recordings", value=True, key="blur_faces")
settings = Settings(sensitivity, smoothing)
coach = _coach(saved, routine, routine_key, start_step, stay, settings, mirror)

from streamlit_webrtc import WebRtcMode, webrtc_streamer  # noqa: E402 (heavy; only this page needs it)


def _on_frame(frame):
    return coach.process_video_frame(frame)


left, right = st.columns([3, 2])
with left:
    ctx = webrtc_streamer(key="practice", mode=WebRtcMode.SENDRECV, video_frame_callback=_on_frame,
                          async_processing=True, **CAMERA)
    st.caption("Press START and allow the camera. The lanes show where to work; arrows show the way to go. "
               "Red trail and banner: a flag.")
    st.caption(f"Keys (or a foot pedal that types them): **{KEYS['next']}** next step · **{KEYS['repeat']}** "
               f"repeat the step · **{KEYS['record']}** start or stop recording.")


@st.fragment(run_every=0.5)
def _panel() -> None:
    snap = coach.snapshot()
    if snap.error:  # a plain sentence: what to do (the details are in the log)
        st.error(snap.error)
    if ctx.state.playing and snap.since_frame_s is not None and snap.since_frame_s > CAMERA_STOPPED_S:
        st.warning(f"No picture from the camera for {snap.since_frame_s:.0f} s: check that it is connected and "
                   "not used by another program, then press STOP and START.", icon=":material/videocam_off:")
    for u in snap.unsure:  # the hands not seen well enough to judge: said, and no flag raised on them
        st.warning(unsure_message(u), icon=":material/visibility_off:")
    for a in snap.advice:
        st.warning(a.message, icon=":material/warning:")
    p = snap.progress
    if stay:
        st.subheader(f"Drilling one step: {p.title}")
    else:
        st.subheader(f"Step {snap.step_index + 1} of {len(routine.steps)}: {p.title}")
    st.write(p.instruction)
    if snap.notice:  # the routine moved on because the giver had gone on to a later step
        st.info(snap.notice, icon=":material/content_cut:")
    if snap.finished:
        st.success(f"Routine finished. Score {snap.score}.")
    elif p.target:
        st.progress(min(1.0, p.done / p.target), text=f"{p.done:.0f} of {p.target:.0f} {p.unit}")
    else:
        st.caption(f"{p.done:.0f} {p.unit} so far; press Next step when ready")
    b1, b2 = st.columns(2)
    if b1.button("Next step", use_container_width=True, disabled=snap.finished, shortcut=KEYS["next"]):
        coach.command("next")
    if b2.button("Repeat step", use_container_width=True, shortcut=KEYS["repeat"]):
        coach.command("repeat")
    m1, m2, m3 = st.columns(3)
    m1.metric("Good", snap.good_events, help="Strokes, holds and circles with no flag")
    m2.metric("Flags", snap.flags_total)
    m3.metric("Hands on back", snap.hands_on_back)
    if snap.flags:
        st.markdown("**Last flags**")
        rows = [f"- `{f.t_s:6.1f} s` hand {f.hand}: {f.message}" for f in reversed(snap.flags[-6:])]
        st.markdown("\n".join(rows))
    else:
        st.caption("No flags yet.")
    cue = coach.take_cue()
    if cue is not None and cue_mode != "silent":
        _say(cue, cue_mode)
    rec_col, stat_col = st.columns(2)
    if snap.recording_problem:  # what is lost and what to do (the details are in its session.json and the log)
        st.error(snap.recording_problem)
    if snap.recording:
        rec_col.markdown(f":red[:material/fiber_manual_record:] Recording to `{snap.recording}`")
        if rec_col.button("Stop recording", shortcut=KEYS["record"]):
            coach.command("stop_recording")
    else:
        if rec_col.button("Start recording", disabled=not snap.running, shortcut=KEYS["record"],
                          help="Saves the video (faces blurred unless you turned that off), the hands and the "
                               "flags, as they happen."):
            coach.command("record", _recorder_factory(blur_faces, routine_key, settings, person))
        if snap.last_recording:
            _into_library(lib, snap.last_recording)
            rec_col.caption(f"Saved: `{snap.last_recording}`; open it on the Replay page.")
    s = snap.stats
    if s.frames:
        stat_col.caption(f"{s.fps:.0f} frames/s · delay {s.latency_ms_median:.0f} ms (95%: {s.latency_ms_p95:.0f} ms)")
        with stat_col.popover("Speed", icon=":material/speed:"):
            st.caption("Milliseconds per frame (median of the last 600), in the app:")
            st.markdown("\n".join(f"- {k}: {v:.1f}" for k, v in s.stage_ms.items()))
            if s.cpu_ms_per_frame is not None:
                st.caption(f"The app's CPU time per frame judged, video codecs included: "
                           f"{s.cpu_ms_per_frame:.0f} ms")
    if stay:
        return
    with st.expander("All steps"):
        for i, step in enumerate(routine.steps):
            done = next((h for h in reversed(snap.history) if h.step_id == step.id), None)
            mark = "▶" if i == snap.step_index and not snap.finished else ("✓" if done and done.complete else "·")
            score = f" (score {done.score})" if done and done.score is not None else ""
            cut = " (cut short)" if done and done.cut_short else ""
            st.markdown(f"{mark} **{step.title}**{cut}{score}: {step.instruction}")


with right:
    _panel()

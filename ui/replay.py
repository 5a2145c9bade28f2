"""Replay: a recording, a sample clip or an uploaded video, analysed with the same
checks as live practice; the annotated video, a timeline, where the hands
worked, the steps and their scores, the flags, and downloads."""
from __future__ import annotations

import re
import tempfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import streamlit as st

from ui.charts import UNSURE_WORDS, flags_table, timeline_chart
from ui.state import SAMPLES, data_dir, library, recordings_dir, routines, sample_clips, sample_labels
from vision.core.backframe import Calibration, CalibrationError
from vision.drawing.diagrams import coverage_map, coverage_seconds, samples_from_events
from vision.files.calibration import calibration_from_bytes, load_calibration_file
from vision.files.recording import RecordingError, find_recordings
from vision.files.report import write_report
from vision.files.video import VideoError
from vision.judging.compare import compare_runs
from vision.judging.routines import Routine
from vision.judging.settings import SENSITIVITIES, Settings
from vision.library.db import LibraryError
from vision.library.history import sessions
from vision.library.people import add_person, set_reference
from vision.reports.pdf import student_pdf
from vision.run.analyze import AnalysisResult, analyze, rejudge
from vision.run.reference import ghost_of, run_of, with_comparison
from vision.run.runner import Progress

FOLLOW = "(follow the routine)"
PDF_MIME = "application/pdf"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)[:80]


def _judge_with(defaults: tuple[str | None, str | None, Settings]) -> tuple[Routine, str | None, Settings] | None:
    """Routine, step (None: follow the routine) and settings to judge with; defaults: what it was judged with."""
    good, bad = routines()
    if not good:
        st.error("No routine could be loaded; fix the files in routines/ (see the Routines page).")
        return None
    names = list(good)
    routine_default, step_default, settings_default = defaults
    c1, c2, c3 = st.columns(3)
    key = c1.selectbox("Judge with the routine", names, format_func=lambda n: good[n].name,
                       index=names.index(routine_default) if routine_default in names else 0,
                       key=f"replay_routine_{routine_default}")
    routine = good[key]
    steps = [FOLLOW] + [s.id for s in routine.steps]
    step = c2.selectbox("Step", steps, index=steps.index(step_default) if step_default in steps else 0,
                        format_func=lambda i: i if i == FOLLOW else routine.step(i).title,
                        key=f"replay_step_{key}_{step_default}")
    sensitivity = c3.radio("Sensitivity", SENSITIVITIES, index=SENSITIVITIES.index(settings_default.sensitivity),
                           horizontal=True, key=f"replay_sensitivity_{settings_default.sensitivity}")
    return routine, None if step == FOLLOW else step, Settings(sensitivity, settings_default.smoothing)


def _pdf_maker(result: AnalysisResult, student: str, video: Path | None, when: datetime | None,
               recording: str | None):
    """The student's PDF report as bytes, made when the button is clicked (not at every rerun of the page)."""
    def make() -> bytes:
        lib, _problem = library()
        history = sessions(lib, [student]) if lib is not None else None
        with tempfile.TemporaryDirectory() as tmp:
            out = student_pdf(result.report, student=student, out=Path(tmp) / "report.pdf", video=video,
                              history=history, samples=samples_from_events(result.events), when=when,
                              recording=recording)
            return out.read_bytes()
    return make


def _progress_bar():
    bar = st.progress(0.0, text="Analysing…")

    def update(p: Progress) -> None:
        frac = p.fraction
        bar.progress(frac or 0.0, text=f"Analysing… frame {p.frame}" + (f" of {p.n_frames}" if p.n_frames else "")
                     + f" ({p.elapsed_s:.0f} s)")
    return bar, update


def _run(kind: str, source: Path, calibration: Calibration, routine: Routine, step_id: str | None,
         settings: Settings, out: Path, video: Path | None = None,
         reference: Path | None = None) -> AnalysisResult | None:
    bar, update = _progress_bar()
    try:
        if kind == "recording" and reference is not None:
            # the teacher's recording re-judged the same way, its strokes drawn as a ghost over the student's
            teacher = run_of(rejudge(reference, routine=routine, settings=settings), name=reference.name)
            result = rejudge(source, calibration, step_id, routine=routine, settings=settings, out_dir=out,
                             video=video, annotate=video is not None, on_progress=update,
                             ghost=ghost_of(teacher, routine))
            report = with_comparison(result.report, compare_runs(run_of(result), teacher, routine))
            write_report(report, out)
            result = replace(result, report=report)
        elif kind == "recording":
            result = rejudge(source, calibration, step_id, routine=routine, settings=settings, out_dir=out,
                             video=video, annotate=video is not None, on_progress=update)
        else:
            result = analyze(source, calibration, step_id, routine=routine, settings=settings, out_dir=out,
                             on_progress=update)
    except (VideoError, RecordingError, CalibrationError, OSError, ValueError) as e:
        bar.empty()
        st.error(f"Could not analyse {source.name}: {e}")
        return None
    bar.empty()
    return result


st.title("Replay")
# the History page links here with ?recording=FOLDER_NAME: that recording, chosen
wanted = st.query_params.get("recording")
source = st.radio("Replay", ["A recording", "A sample clip", "A video file"], horizontal=True, key="replay_source")
job = None  # (kind, source path, calibration, defaults, name, video)
person, started = None, None  # the recording's: whose, when (for the PDF report)

if source == "A recording":
    found = find_recordings(recordings_dir())
    if found.damaged:
        st.warning("Some recordings cannot be opened and are left out:\n\n"
                   + "\n".join(f"- **{folder.name}**: {problem}" for folder, problem in found.damaged))
    recs = found.recordings
    if not recs:
        st.info(f"No {'other ' if found.damaged else ''}recordings yet in `{recordings_dir()}`. Record one on the "
                "Practice page.")
        st.stop()

    def _label(r) -> str:
        s = r.session
        dur = s.duration_s
        return f"{r.folder.name} · {s.routine or '?'} · " + (f"{dur:.0f} s" if dur else r.status)

    names = [r.name for r in recs]
    rec = st.selectbox("Recording", recs, format_func=_label, key="replay_recording",
                       index=names.index(wanted) if wanted in names else 0)
    if rec.status != "complete":
        st.warning("This recording was not closed properly (the app or the browser stopped); it is shown up to "
                   "its last saved second.")
    if rec.calibration is None:
        st.error(f"{rec.folder.name} has no calibration in its session.json, so its hands cannot be placed on the "
                 f"back. Re-judge it from the command line with a calibration file: `stroke-coach rejudge "
                 f"{rec.folder} --calibration CALIBRATION.json --out FOLDER`.")
        st.stop()
    person = rec.session.person
    try:
        started = datetime.fromisoformat(rec.started_at) if rec.started_at else None
    except ValueError:
        started = None
    job = ("recording", rec.folder, rec.calibration,
           (rec.session.routine, rec.session.step, rec.session.settings.to_settings()), rec.folder.name, rec.video)
elif source == "A sample clip":
    if not sample_clips():
        st.info(f"No sample clips in `{SAMPLES}` (they come with a checkout of Stroke Coach, not with an "
                "installed copy). Replay a recording, or upload a video.")
        st.stop()
    name = st.selectbox("Sample clip", sample_clips(), key="replay_sample")
    try:  # the labels hold the clip's calibration
        sample_cal = load_calibration_file(SAMPLES / f"{name}.json", name=f"{name}.json").calibration
    except CalibrationError as e:
        st.error(f"The sample's calibration cannot be used ({e}). Make the samples again: `make samples`.")
        st.stop()
    labels = sample_labels(name)
    st.caption(labels.get("description", ""))
    job = ("video", SAMPLES / f"{name}.mp4", sample_cal,
           (labels.get("routine"), labels.get("step"), Settings()), name, None)
else:
    c1, c2 = st.columns(2)
    up = c1.file_uploader("Video (MP4, MOV, WebM, …)", type=None, key="replay_upload")
    cal_up = c2.file_uploader("Its calibration (JSON with the four corners)", type=["json"], key="replay_cal")
    if up is None or cal_up is None:
        st.info("Upload a video and the calibration made for that camera position (the Calibrate page saves "
                f"one as `{data_dir() / 'calibration.json'}`).")
        st.stop()
    try:
        cal = calibration_from_bytes(cal_up.getvalue(), cal_up.name).calibration
    except CalibrationError as e:
        st.error(f"The uploaded calibration cannot be used ({e}). Upload the calibration file the Calibrate page "
                 "saved for this camera position.")
        st.stop()
    folder = data_dir() / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / _slug(up.name)
    if not path.exists() or path.stat().st_size != up.size:
        path.write_bytes(up.getvalue())
    job = ("video", path, cal, (None, None, Settings()), path.stem, None)

kind, src, cal, defaults, name, video = job
choice = _judge_with(defaults)
if choice is None:
    st.stop()
routine, step_id, settings = choice
reference = None
if kind == "recording":  # a teacher's demonstration to compare with, its path drawn as a ghost
    others = [r for r in recs if r.folder != src and r.calibration is not None]
    pick = st.selectbox("Compare with a teacher's reference", [None, *others], key="replay_reference",
                        format_func=lambda r: "(none)" if r is None else _label(r),
                        help="A teacher's recording of the same routine: the student's strokes are compared with "
                             "its step by step (shape, tempo, reach, where the back was worked), and its path is "
                             "drawn faintly over this video.")
    reference = pick.folder if pick is not None else None
key = (kind, str(src), routine.name, step_id, settings, str(reference))
out = data_dir() / "replays" / _slug(f"{name}-{routine.name}-{step_id or 'routine'}-{settings.sensitivity}"
                                     + (f"-vs-{reference.name}" if reference is not None else ""))
if st.button("Analyse", type="primary", key="replay_go"):
    result = _run(kind, Path(src), cal, routine, step_id, settings, out, video, reference)
    if result is not None:
        st.session_state.replay = (key, result)

held = st.session_state.get("replay")
if not held or held[0] != key:
    st.caption("Press Analyse. A recording is re-judged from its saved hands, without tracking again; a video is "
               "tracked frame by frame.")
    st.stop()

result: AnalysisResult = held[1]
report = result.report
video_out = result.out_dir / "annotated.mp4" if result.out_dir else None
flags = flags_table(report)
m = st.columns(4)
m[0].metric("Score", report.score if report.score is not None else "–")
m[1].metric("Events", report.summary.events)
m[2].metric("Flagged", report.summary.flagged)
m[3].metric("Length", f"{report.duration_s:.0f} s")
left, right = st.columns([3, 2])
with left:
    if video_out is not None and video_out.exists():
        st.video(str(video_out))
    else:
        st.caption("No annotated video for this analysis.")
    st.altair_chart(timeline_chart(report), use_container_width=True)
    if report.unsure:  # grey on the timeline: what was not judged, and why
        spans = "; ".join(f"{sp.t_start:.1f}-{sp.t_end:.1f} s ({'both hands' if sp.hand is None else f'hand {sp.hand}'}, "
                          f"{UNSURE_WORDS.get(sp.reason, sp.reason)})" for sp in report.unsure)
        st.caption(f":material/visibility_off: Not judged where the hands could not be seen well (grey): {spans}.")
with right:
    samples = samples_from_events(result.events)
    st.image(coverage_map(samples), caption="Where the hands worked (darker: longer)", width=260)
    secs = coverage_seconds(samples)
    st.caption(" · ".join(f"{k.replace('_', ' ')} {v:.0f} s" for k, v in secs.items()))
if report.comparison is not None:
    cmp = report.comparison
    st.subheader("Compared with the teacher's reference")
    c1, c2 = st.columns([1, 3])
    c1.metric("Similarity", cmp.similarity if cmp.similarity is not None else "–",
              help="0-100 over the steps the teacher did (shape, tempo, reach, coverage, count), the order too.")
    c2.markdown("\n".join(f"- {line}" for line in cmp.feedback) or "Nothing to compare.")
    c2.caption("The teacher's strokes are drawn faintly (magenta) over the video, from where each of yours starts.")
if kind == "recording":
    with st.expander("Make this recording a teacher's reference"):
        teacher = st.text_input("Teacher", key="replay_teacher", placeholder="the teacher who demonstrated it").strip()
        routine_key = next((k for k, r in routines()[0].items() if r == routine), routine.name)  # as recordings say
        if st.button(f"Make it the reference for {routine.name}", disabled=not teacher, key="replay_make_ref"):
            ref_lib, ref_problem = library()
            try:
                if ref_lib is None:
                    raise ValueError(ref_problem)
                add_person(ref_lib, teacher, "teacher")
                set_reference(ref_lib, teacher, routine_key, src.name)
                st.success(f"{src.name} is {teacher}'s reference for {routine.name}: the Grade page compares with it.")
            except (ValueError, LibraryError) as e:
                st.error(str(e))
if report.steps:
    st.subheader("Steps")
    for note in report.cut_short:  # the routine moved on because the giver had gone on to a later step
        st.info(note, icon=":material/content_cut:")
    st.dataframe([{"step": s.title, "asked": f"{s.asked.target or '–'} {s.asked.unit}",
                   "done": s.done, "complete": s.complete, "cut short": bool(s.cut_short), "score": s.score,
                   "flags": ", ".join(f"{k} ×{v}" for k, v in s.flags.items())} for s in report.steps],
                 hide_index=True, use_container_width=True)
st.subheader("Flags")
if len(flags):
    st.dataframe(flags, hide_index=True, use_container_width=True)
else:
    st.success("No flags: every event was judged fine.")
d = st.columns(3)
if result.out_dir:
    for col, fname, mime in zip(d, ("report.json", "strokes.csv", "annotated.mp4"),
                                ("application/json", "text/csv", "video/mp4")):
        f = result.out_dir / fname
        if f.exists():
            # read when clicked, not at every rerun of the page (a long session's video is large)
            col.download_button(f"Download {fname}", f.read_bytes, file_name=f"{name}-{fname}", mime=mime)
# a PDF for the student, readable without the app (the same as `stroke-coach report`)
st.subheader("PDF report")
p1, p2 = st.columns([2, 1])
student = p1.text_input("Student", value=person or "", key=f"replay_student_{name}",
                        placeholder="whose work this is", help="Printed on the report; their earlier sessions in "
                        "the library give the trend.").strip()
if not student:
    p2.caption("Give the student's name to download the PDF report.")
else:
    still_from = video_out if video_out is not None and video_out.exists() else (video if kind == "recording" else src)
    when = started or (datetime.fromtimestamp(Path(src).stat().st_mtime).astimezone() if Path(src).exists() else None)
    p2.download_button("Download PDF", _pdf_maker(result, student, Path(still_from) if still_from else None, when,
                                                  name if kind == "recording" else None),
                       file_name=f"{_slug(student)}-{name}-report.pdf", mime=PDF_MIME, type="primary",
                       key="replay_pdf", icon=":material/picture_as_pdf:")

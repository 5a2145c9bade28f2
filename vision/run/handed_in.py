"""Handed-in videos made into recordings, so that the library, History and Replay treat them as practised.

A student who practised away from the app hands in a plain video. :func:`record_video`
tracks and judges it frame by frame with the one runner, as the live page does, and writes
it with the same recorder: the video (faces blurred), the hands, the events and the
``session.json`` (its ``started_at`` the video file's own time, when it was made). The
recording is then indexed like any other, and re-judged from its hands like any other.

The calibration is the one saved beside the video: ``NAME.calibration.json`` next to
``NAME.mp4``, else ``calibration.json`` in its folder (:func:`calibration_beside`);
without one the video cannot be judged, and the error says what to save where.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from vision.files.calibration import load_calibration_file
from vision.files.jsonl import RecordingError
from vision.files.recording import Recorder
from vision.files.session import SESSION_FILE, read_session, write_session
from vision.files.video import VideoReader, probe
from vision.judging import JUDGING_VERSION
from vision.judging.routines import Routine
from vision.judging.settings import Settings
from vision.run.runner import Item, Progress, RecordingSink, Runner

__all__ = ["CALIBRATION_FILE", "calibration_beside", "record_video"]

CALIBRATION_FILE = "calibration.json"  # a folder's calibration, for the videos in it without their own


def calibration_beside(video: str | Path) -> Path | None:
    """The calibration saved for a video: ``NAME.calibration.json`` beside it, else the folder's
    ``calibration.json``; None when there is neither."""
    video = Path(video)
    for path in (video.with_name(f"{video.stem}.calibration.json"), video.with_name(CALIBRATION_FILE)):
        if path.is_file():
            return path
    return None


def record_video(
    video: str | Path,
    routine: Routine,
    *,
    routine_key: str,
    root: str | Path,
    person: str | None = None,
    start_step: str | None = None,
    settings: Settings = Settings(),
    blur_faces: bool = True,
    on_progress: Callable[[Progress], None] | None = None,
) -> Path:
    """Track and judge a handed-in video into a new recording under ``root``; its folder.

    Raises RecordingError (one line, what to do) when it has no calibration beside it, or
    ValueError/VideoError for a calibration or video that cannot be read.
    """
    video = Path(video)
    cal_path = calibration_beside(video)
    if cal_path is None:
        raise RecordingError(
            f"{video}: no calibration beside it; calibrate the camera it was filmed with (the Calibrate page) and "
            f"save the file as {video.stem}.calibration.json next to it (or {CALIBRATION_FILE} for the whole folder)"
        )
    info = probe(video)
    saved = load_calibration_file(cal_path, frame_wh=info.frame_wh)
    runner = Runner(
        saved.calibration,
        routine,
        start_step=start_step,
        settings=settings,
        calibration_wh=saved.frame_wh or info.frame_wh,
    )
    recorder = Recorder(
        saved.calibration,
        routine=routine_key,
        step_id=runner.session.current.id,
        root=root,
        settings=settings.to_dict(),
        person=person,
        blur_faces=blur_faces,
        frame_wh=info.frame_wh,
        max_pending_frames=240,  # not live: nothing to keep up with, so no frame is left out of the video
    )
    runner.sinks.append(RecordingSink(recorder))
    warnings: list[str] = []
    try:
        with VideoReader(video) as reader:
            items = (Item(i, t, frame) for i, (frame, t) in enumerate(reader))
            runner.run(items, n_frames=info.n_frames, on_progress=on_progress)
            warnings += reader.warnings
    finally:
        runner.close()
        summary = runner.summary()
        rec = recorder.stop(
            extra={
                "stopped": "imported",
                "imported_from": str(video),
                "warnings": warnings,
                "steps": summary["steps"],
                "score": summary["score"],
                "judging_version": JUDGING_VERSION,
            }
        )
    # when it was practised: the video file's time, not the import's
    made = datetime.fromtimestamp(video.stat().st_mtime).astimezone().isoformat(timespec="seconds")
    session = read_session(rec.folder)
    write_session(rec.folder / SESSION_FILE, session.model_copy(update={"started_at": made}))
    return rec.folder

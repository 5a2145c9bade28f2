"""A teacher's demonstration as the reference: a student's run compared with it, and its ghost.

The comparison itself is pure (:func:`vision.judging.compare.compare_runs`); this module gets the runs:

- :func:`run_of`: an :class:`~vision.run.analyze.AnalysisResult` (an analysed clip, a re-judged
  recording) as a :class:`~vision.judging.compare.Run`: its events with their paths (report.json keeps
  only their ends) and the stretches it spent on each step (the report's ``steps``);
- :func:`compare_results`: two results compared; the report with its ``comparison``;
- :func:`compare_recordings`: what the Replay page calls: both recordings re-judged from their saved
  hands with the routine (seconds, no MediaPipe), compared; with ``out_dir``, the student's annotated
  video with the teacher's ghost over it and report.json with the comparison.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from vision.core.types import JudgedEvent
from vision.files.report import ComparisonRecord, Report, write_report
from vision.judging.compare import Comparison, Run, StepSpan, assign_steps, compare_runs
from vision.judging.routines import Routine
from vision.judging.settings import Settings
from vision.run.analyze import AnalysisResult, rejudge

__all__ = ["ComparedRecording", "compare_recordings", "compare_results", "ghost_of", "run_of", "with_comparison"]


def run_of(result: AnalysisResult, name: str | None = None) -> Run:
    """The result's events and step stretches as a :class:`Run` (named ``name``, default its source)."""
    spans = tuple(
        StepSpan(s.step_id, s.started_s, s.ended_s) for s in result.report.steps or [] if s.started_s is not None
    )
    return Run(tuple(result.events), spans, name if name is not None else result.report.video)


def with_comparison(report: Report, comparison: Comparison) -> Report:
    """The report with its ``comparison`` (report.json's)."""
    return report.replaced(comparison=ComparisonRecord.model_validate(comparison.to_dict()))


def compare_results(student: AnalysisResult, teacher: AnalysisResult, routine: Routine) -> Comparison:
    """The student's result compared with the teacher's (both judged with ``routine``)."""
    return compare_runs(run_of(student), run_of(teacher), routine)


def ghost_of(teacher: AnalysisResult | Run, routine: Routine) -> Mapping[str, Sequence[JudgedEvent]]:
    """The teacher's events per step (those each step asks for), as the annotated video's ghost takes them
    (``analyze(..., ghost=...)``, ``rejudge(..., ghost=...)``)."""
    run = teacher if isinstance(teacher, Run) else run_of(teacher)
    return {k: tuple(v) for k, v in assign_steps(run, routine).items() if v}


@dataclass(frozen=True)
class ComparedRecording:
    comparison: Comparison
    report: Report  # the student's, with the comparison
    annotated: Path | None  # the student's video with the teacher's ghost (with out_dir and a video)


def compare_recordings(
    student: str | Path,
    reference: str | Path,
    routine: Routine,
    *,
    settings: Settings = Settings(),
    out_dir: str | Path | None = None,
) -> ComparedRecording:
    """A student's recording compared with a teacher's reference recording of ``routine``, both re-judged
    from their saved hands following the routine. With ``out_dir``: the student's report.json (with the
    comparison), strokes.csv and annotated.mp4 with the teacher's ghost.

    Raises RecordingError for a folder that is not a recording (as :func:`rejudge`)."""
    teacher = run_of(rejudge(reference, routine=routine, settings=settings), name=str(reference))
    ghost = ghost_of(teacher, routine) if out_dir is not None else None
    result = rejudge(
        student, routine=routine, settings=settings, out_dir=out_dir, annotate=out_dir is not None, ghost=ghost
    )
    comparison = compare_runs(run_of(result), teacher, routine)
    video = Path(out_dir) / "annotated.mp4" if out_dir is not None else None
    annotated = video if video is not None and video.is_file() else None
    report = with_comparison(result.report, comparison)
    if out_dir is not None:
        write_report(report, Path(out_dir))
    return ComparedRecording(comparison, report, annotated)

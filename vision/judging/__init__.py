"""Routines and their judging: routines (the YAML schema), judge (verdicts, pure),
settings (sensitivity, smoothing), session (a routine step by step, scores),
pipeline (the stages composed, and judged against the step)."""

#: The judging's version, kept with each analysis in the session library: raise it when a change to the
#: stages, the checks or the scores makes the same hands give other verdicts or scores, so that scores
#: judged before and after can be told apart.
JUDGING_VERSION = 1

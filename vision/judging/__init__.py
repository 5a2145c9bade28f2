"""Routines and their judging: routines (the YAML schema), judge (verdicts, pure),
settings (sensitivity, smoothing), session (a routine step by step, scores),
pipeline (the stages composed, and judged against the step)."""

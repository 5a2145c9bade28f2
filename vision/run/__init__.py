"""The runner and its compositions: runner (source -> pipeline and routine -> sinks),
analyze (a clip, or a recording re-judged), live (a camera's frames for one
browser session), scoring (against sample labels)."""

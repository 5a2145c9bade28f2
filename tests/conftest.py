"""Shared fixtures: the sample clips, analysed once per test session."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.helpers import SAMPLES, run_cli, sample_clips


@pytest.fixture(scope="session")
def analysed(tmp_path_factory) -> dict[str, Path]:
    """Every sample clip through ``python -m vision analyze`` (two at a time): name -> output folder."""
    clips = sample_clips()
    assert clips, f"no sample clips with labels in {SAMPLES}; run: make samples"
    base = tmp_path_factory.mktemp("analysed")

    def one(clip: Path) -> tuple[str, Path]:
        out = base / clip.stem
        # the annotated video is written for one clip only: it is the slow part and is checked once
        extra = [] if clip.stem == "effleurage_wrong_way" else ["--no-video"]
        labels = json.loads(clip.with_suffix(".json").read_text())
        # each clip is judged against the routine step its labels were written for
        r = run_cli("analyze", str(clip), "--calibration", str(clip.with_suffix(".json")), "--out", str(out),
                    "--routine", labels.get("routine", "swedish"),
                    *(["--step", labels["step"]] if labels.get("step") else []), "--quiet", *extra)
        assert r.returncode == 0, f"{clip.name}: exit {r.returncode}\n{r.stderr[-2000:]}"
        return clip.stem, out

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(one, clips))



# Tables that tests want shown after the run (pytest captures prints of passing tests).
REPORT_LINES: list[str] = []


def pytest_terminal_summary(terminalreporter):
    if REPORT_LINES:
        terminalreporter.section("scores against the sample labels")
        for line in REPORT_LINES:
            terminalreporter.write_line(line)

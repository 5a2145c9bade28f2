"""Shared fixtures: the sample clips, each analysed once per test session, when a test first needs it."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.helpers import SAMPLES, run_cli, sample_clips


class Analysed(Mapping):
    """Clip name -> the folder ``python -m vision analyze`` wrote for it, analysed on first use.

    A test that reads one clip (``analysed["whole_routine"]``) analyses only that one, so that
    ``pytest -k whole_routine`` runs MediaPipe over one clip, not all of them; going over them all
    (``items()``, ``values()``) analyses those not done yet, two at a time.
    """

    def __init__(self, base: Path, clips: list[Path]):
        self._base = base
        self._clips = {c.stem: c for c in clips}
        self._done: dict[str, Path] = {}
        self._lock = threading.Lock()

    def __getitem__(self, name: str) -> Path:
        if name not in self._clips:
            raise KeyError(name)
        with self._lock:
            if name not in self._done:
                self._done[name] = self._analyse(self._clips[name])
            return self._done[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._clips)

    def __len__(self) -> int:
        return len(self._clips)

    def _all(self) -> None:
        todo = [c for name, c in self._clips.items() if name not in self._done]
        with ThreadPoolExecutor(max_workers=2) as pool:
            for clip, out in zip(todo, pool.map(self._analyse, todo)):
                self._done[clip.stem] = out

    def items(self):
        self._all()
        return super().items()

    def values(self):
        self._all()
        return super().values()

    def _analyse(self, clip: Path) -> Path:
        out = self._base / clip.stem
        # the annotated video is written for one clip only: it is the slow part and is checked once
        extra = [] if clip.stem == "effleurage_wrong_way" else ["--no-video"]
        labels = json.loads(clip.with_suffix(".json").read_text())
        # each clip is judged against the routine step its labels were written for
        r = run_cli("analyze", str(clip), "--calibration", str(clip.with_suffix(".json")), "--out", str(out),
                    "--routine", labels.get("routine", "swedish"),
                    *(["--step", labels["step"]] if labels.get("step") else []), "--quiet", *extra)
        assert r.returncode == 0, f"{clip.name}: exit {r.returncode}\n{r.stderr[-2000:]}"
        return out


@pytest.fixture(scope="session")
def analysed(tmp_path_factory) -> Analysed:
    """Every sample clip through ``python -m vision analyze``: name -> output folder (see :class:`Analysed`)."""
    clips = sample_clips()
    assert clips, f"no sample clips with labels in {SAMPLES}; run: make samples"
    return Analysed(tmp_path_factory.mktemp("analysed"), clips)


def sweeps_every_clip(request) -> bool:
    """Whether a selected test of the requesting module reads every clip (one not parametrized by clip):
    then analysing them all at once, two at a time, is quicker than one by one as the tests ask."""
    module = request.node.nodeid.split("::")[0]
    return any(
        item.nodeid.startswith(module + "::") and getattr(item, "callspec", None) is None
        and ({"analysed", "scores"} & set(getattr(item, "fixturenames", ())))
        for item in request.session.items
    )


# Tables that tests want shown after the run (pytest captures prints of passing tests).
REPORT_LINES: list[str] = []


def pytest_terminal_summary(terminalreporter):
    if REPORT_LINES:
        terminalreporter.section("scores against the sample labels")
        for line in REPORT_LINES:
            terminalreporter.write_line(line)

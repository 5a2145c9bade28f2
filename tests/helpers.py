"""Helpers shared by the tests: the sample clips and the command line."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
QUIET_ENV = {**os.environ, "GLOG_minloglevel": "2", "TF_CPP_MIN_LOG_LEVEL": "3"}


def sample_clips() -> list[Path]:
    return sorted(p for p in SAMPLES.glob("*.mp4") if p.with_suffix(".json").exists())


def run_cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vision", *args], cwd=ROOT, env=QUIET_ENV, capture_output=True,
                          text=True, timeout=timeout)


def labels_of(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text())


class Lazy(Mapping):
    """``name -> make(name)`` over ``names``, each made the first time it is read, so that ``pytest -k NAME``
    makes only what the selected tests read; ``made()``: those made so far, in order."""

    def __init__(self, names: Iterable[str], make: Callable[[str], Any]):
        self._names = list(names)
        self._make = make
        self._made: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._names:
            raise KeyError(name)
        if name not in self._made:
            self._made[name] = self._make(name)
        return self._made[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def made(self) -> dict[str, Any]:
        return {n: self._made[n] for n in self._names if n in self._made}

"""Helpers shared by the tests: the sample clips and the command line."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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

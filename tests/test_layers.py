"""The layers a reader can see: imports point only downward, checked by import-linter (pyproject.toml's contracts).

    ui -> vision.cli -> vision.run -> vision.files | vision.drawing -> vision.judging -> vision.stages -> vision.core

and no cycles inside a layer, no Streamlit in the library, MediaPipe only in
vision.stages.detection, no OpenCV or PyAV in the core.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    # --no-cache: a copied tree must not be judged by the checkout's cache
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})


def test_the_layers_hold():
    r = lint_imports(ROOT)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert "0 broken" in r.stdout and "Layers: each imports only the layers below it KEPT" in r.stdout


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    for name in ("vision", "ui", "routines"):
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


@pytest.mark.parametrize(
    ("module", "late_import", "broken", "chain"),
    [
        ("vision/core/types.py", "from vision.run.runner import Runner", "Layers: each imports only the layers below it",
         "vision.core.types -> vision.run.runner"),
        ("vision/stages/strokes.py", "import mediapipe", "MediaPipe only in vision.stages.detection", ""),
        ("vision/files/report.py", "import streamlit", "The library never imports Streamlit", ""),
    ],
)
def test_an_import_out_of_place_breaks_its_contract(tmp_path, module, late_import, broken, chain):
    """The contracts are not a formality: each import out of place (even one inside a function) breaks one."""
    root = _copy(tmp_path)
    path = root / module
    path.write_text(path.read_text() + f"\n\ndef _late():\n    {late_import}  # noqa: F401\n")
    r = lint_imports(root)
    assert r.returncode != 0 and f"{broken} BROKEN" in r.stdout, r.stdout[-3000:]
    assert chain in r.stdout

"""`pip install .` gives a `stroke-coach` that works outside the checkout: its routines, its app, its commands."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT, SAMPLES


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The package built from the checkout and installed into a folder of its own (the venv has its
    dependencies, so only the package itself goes in: --no-deps)."""
    target = tmp_path_factory.mktemp("site")
    build = tmp_path_factory.mktemp("build")
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                        "--no-compile", "--target", str(target), str(ROOT)],
                       capture_output=True, text=True, timeout=300, cwd=build,
                       env={**os.environ, "PIP_NO_INPUT": "1", "TMPDIR": str(build)})
    assert r.returncode == 0, r.stderr[-3000:]
    return target


def run_installed(site: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STROKE_COACH_")}
    env.update(PYTHONPATH=str(site), GLOG_minloglevel="2", HOME=str(cwd), XDG_DATA_HOME=str(cwd / "share"))
    return subprocess.run([str(site / "bin" / "stroke-coach"), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_the_installed_package_has_its_routines_and_its_app(installed):
    vision = installed / "vision"
    assert {p.name for p in (vision / "builtin_routines").glob("*.yaml")} >= {"swedish.yaml", "deep_tissue.yaml",
                                                                           "shiatsu.yaml", "trigger_point.yaml"}
    assert (vision / "app_files" / "app.py").is_file() and (vision / "app_files" / "ui" / "practice.py").is_file()
    assert (installed / "bin" / "stroke-coach").is_file()


def test_the_installed_command_works_outside_the_checkout(installed, tmp_path):
    r = run_installed(installed, "routines", "check", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "ok  swedish.yaml: Swedish massage, 5 steps" in r.stdout and str(ROOT) not in r.stdout + r.stderr
    r = run_installed(installed, "routines", "show", "shiatsu", cwd=tmp_path)
    assert r.returncode == 0 and "palm_presses" in r.stdout, r.stderr
    clip = SAMPLES / "effleurage_wrong_way.mp4"
    r = run_installed(installed, "analyze", str(clip), "--calibration", str(clip.with_suffix(".json")),
                      "--step", "effleurage", "--out", str(tmp_path / "out"), "--no-video", "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "wrong_direction 1" in r.stdout and (tmp_path / "out" / "report.json").is_file()
    for cmd in ("rejudge", "app"):
        r = run_installed(installed, cmd, "--help", cwd=tmp_path)
        assert r.returncode == 0 and "usage: stroke-coach" in r.stdout, r.stderr


def test_the_installed_folders_are_the_users_not_the_checkouts(installed, tmp_path):
    code = ("from vision.core.folders import folders, builtin_routines_dir, app_script;"
            "f = folders(); print(f.data); print(f.recordings); print(builtin_routines_dir()); print(app_script())")
    env = {k: v for k, v in os.environ.items() if not k.startswith("STROKE_COACH_")}
    env.update(PYTHONPATH=str(installed), XDG_DATA_HOME=str(tmp_path / "share"))
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    data, recordings, routines, app = r.stdout.split()
    assert data == str(tmp_path / "share" / "stroke-coach") and recordings == f"{data}/recordings"
    assert routines.startswith(str(installed)) and app == str(installed / "vision" / "app_files" / "app.py")


def test_the_installed_app_runs_its_pages(installed, tmp_path):
    """The installed app.py and its pages (AppTest, in a process that sees only the installed copy)."""
    code = f"""
import sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({str(installed / "vision" / "app_files" / "app.py")!r}, default_timeout=60).run()
assert not at.exception, at.exception
print("warning:", " | ".join(w.value for w in at.warning))
at.switch_page("ui/routines.py").run()
assert not at.exception, at.exception
print("titles:", " | ".join(t.value for t in at.title))
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STROKE_COACH_")}
    env.update(PYTHONPATH=str(installed), XDG_DATA_HOME=str(tmp_path / "share"), GLOG_minloglevel="2")
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    assert "not been calibrated" in r.stdout and "Routines" in r.stdout, r.stdout

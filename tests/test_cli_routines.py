"""``python -m vision routines check|show``: run as a user runs them, in a subprocess."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_LINES = [
    "ok  deep_tissue.yaml: Deep tissue massage, 6 steps",
    "ok  shiatsu.yaml: Shiatsu, 5 steps",
    "ok  swedish.yaml: Swedish massage, 5 steps",
    "ok  trigger_point.yaml: Trigger point therapy, 6 steps",
]
BROKEN = """\
name: Broken
steps:
  - id: prepare
    title: Prepare
    technique: instruction
    instruction: Warm the oil.
  - id: petrissage
    title: Petrissage
    technique: petrissage
    instruction: Knead along the sides of the spine.
    direction: upp
  - id: knots
    title: Knots
    technique: hold
    instruction: Hold.
    hold_s: {min: 30, max: 15}
"""


def routines(*args: str, env_dir: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "STROKE_COACH_ROUTINES"}
    if env_dir is not None:
        env["STROKE_COACH_ROUTINES"] = str(env_dir)
    return subprocess.run([sys.executable, "-m", "vision", "routines", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def broken(tmp_path) -> Path:
    p = tmp_path / "broken.yaml"
    p.write_text(BROKEN, encoding="utf-8")
    return p


def lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip()]


def one_line_error(r, expected: str) -> None:
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert lines(r.stderr) == [expected], r.stderr
    assert "Traceback" not in r.stderr


# --- check ------------------------------------------------------------------------------------------------------


def test_check_every_shipped_routine_ok():
    r = routines("check")
    assert r.returncode == 0, r.stderr
    assert lines(r.stdout) == SHIPPED_LINES
    assert r.stderr == ""


def test_check_named_files():
    r = routines("check", "routines/swedish.yaml", "shiatsu")
    assert r.returncode == 0, r.stderr
    assert lines(r.stdout) == [SHIPPED_LINES[2], SHIPPED_LINES[1]]


def test_check_broken_file_names_file_step_and_field(broken):
    r = routines("check", str(broken), "routines/swedish.yaml")
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert lines(r.stdout) == [
        "bad broken.yaml, step 'petrissage': direction 'upp' is not one of up, down, any, lateral",
        "bad broken.yaml, step 'knots': hold_s min 30 is greater than max 15; swap them",
        "ok  swedish.yaml: Swedish massage, 5 steps",
    ]
    assert "Traceback" not in r.stderr


def test_check_default_includes_routines_dir_and_env_folder(broken, tmp_path):
    r = routines("check", "--routines-dir", str(tmp_path))
    assert r.returncode == 2
    assert lines(r.stdout)[:4] == SHIPPED_LINES
    assert lines(r.stdout)[4].startswith("bad broken.yaml, step 'petrissage': direction 'upp'")
    r = routines("check", env_dir=tmp_path)
    assert r.returncode == 2 and "bad broken.yaml, step 'knots': hold_s" in r.stdout


def test_check_good_teacher_folder(tmp_path):
    (tmp_path / "mine.yml").write_text(textwrap.dedent("""\
        name: Mine
        steps:
          - {id: glide, title: Glide, technique: effleurage, instruction: Glide up.}
        """), encoding="utf-8")
    r = routines("check", env_dir=tmp_path)
    assert r.returncode == 0, r.stdout
    assert lines(r.stdout) == SHIPPED_LINES + ["ok  mine.yml: Mine, 1 step"]


def test_check_missing_file_and_bad_yaml(tmp_path):
    (tmp_path / "bad.yaml").write_text("name: x\nsteps: [\n", encoding="utf-8")
    r = routines("check", str(tmp_path / "nope.yaml"), str(tmp_path / "bad.yaml"))
    assert r.returncode == 2
    out = lines(r.stdout)
    assert len(out) == 2 and out[0].startswith("bad ") and out[0].endswith("nope.yaml: no such routine file")
    assert out[1].startswith("bad bad.yaml: not valid YAML at line")


def test_check_unknown_routines_dir(tmp_path):
    one_line_error(routines("check", "--routines-dir", str(tmp_path / "nope")),
                   f"error: --routines-dir {tmp_path / 'nope'}: no such folder")


# --- show -------------------------------------------------------------------------------------------------------


def test_show_swedish():
    r = routines("show", "swedish")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert out.startswith("Swedish massage  (routines/swedish.yaml)\n")
    assert "knead along the sides of the spine" in " ".join(out.split())  # the description, wrapped
    numbered = [ln for ln in out.splitlines() if re.match(r"\d+\. ", ln)]
    assert numbered == ["1. prepare: Prepare", "2. effleurage: Effleurage (warm-up)", "3. petrissage: Petrissage",
                        "4. friction: Friction", "5. finish: Effleurage (finish)"]
    for fragment in ("instruction (nothing is judged)", "technique     effleurage", "hands         both",
                     "lanes         left, right (returns: outside)", "direction     up", "contact       fingertips",
                     "repetitions   3", "duration      60 s", "speed         at most 1 back lengths/s",
                     "circle radius 0.02 to 0.12 back lengths", "Lay the towel over the hips"):
        assert fragment in out, fragment
    assert "hold " not in out  # bounds that are not set are not shown
    assert max(len(ln) for ln in out.splitlines()) <= 100


def test_show_hold_bounds_and_routines_dir(broken, tmp_path):
    r = routines("show", "trigger_point")
    assert r.returncode == 0 and "hold          15 to 30 s" in r.stdout
    mine = tmp_path / "mine.yaml"
    mine.write_text("name: Mine\nsteps:\n  - {id: p, title: P, technique: press, instruction: Press.}\n")
    r = routines("show", "mine", "--routines-dir", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert "1. p: P" in r.stdout and "hold          1 to 3 s" in r.stdout  # the press default, shown


def test_show_unknown_lists_the_known():
    one_line_error(routines("show", "swedsh"),
                   "error: no routine named 'swedsh'; known: deep_tissue, shiatsu, swedish, trigger_point")


def test_show_broken_file_says_why(broken):
    r = routines("show", str(broken))
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("error: broken.yaml, step 'petrissage': direction 'upp'")
    assert "Traceback" not in r.stderr

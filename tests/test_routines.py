"""Tests for vision.routines: loading, finding, and the message of each kind of mistake."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pydantic
import pytest

from vision.routines import (
    ROUTINES_DIR,
    ROUTINES_ENV,
    Routine,
    RoutineError,
    Step,
    find_routine,
    load_routine,
)

SWEDISH = ROUTINES_DIR / "swedish.yaml"

# A valid step, to which each test adds one mistake.
GOOD_STEP = """\
  - id: petrissage
    title: Petrissage
    technique: petrissage
    instruction: Knead along the sides of the spine.
    lanes: [left, right]
    direction: any
"""


def write(tmp_path: Path, text: str, name: str = "X.yaml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


# A valid first step, so that each faulty step is not the only one (see test_all_steps_invalid_no_spurious_line).
PREPARE_STEP = """\
  - id: prepare
    title: Prepare
    technique: instruction
    instruction: Warm the oil.
"""


def routine_text(*steps: str, name: str = "Test routine") -> str:
    return f"name: {name}\nsteps:\n" + PREPARE_STEP + "".join(steps)


def load_error(tmp_path: Path, text: str) -> str:
    with pytest.raises(RoutineError) as exc:
        load_routine(write(tmp_path, text))
    return str(exc.value)


# --- the shipped routine --------------------------------------------------------------------------------------


def test_swedish_loads_into_frozen_steps():
    r = load_routine(SWEDISH)
    assert isinstance(r, Routine)
    assert r.name == "Swedish massage"
    assert [s.id for s in r.steps] == ["prepare", "effleurage", "finish"]
    eff = r.step("effleurage")
    assert isinstance(eff, Step)
    assert eff.technique == "effleurage"
    assert eff.direction == "up"
    assert eff.lanes == ("left", "right")
    assert eff.return_lanes == ("outside",)
    assert eff.speed.max == 1.0 and eff.speed.min is None
    assert eff.repetitions == 3
    assert r.first_judged_step().id == "effleurage"
    with pytest.raises(pydantic.ValidationError):
        eff.direction = "down"
    with pytest.raises(pydantic.ValidationError):
        eff.speed.max = 5.0
    with pytest.raises(pydantic.ValidationError):
        r.name = "other"
    assert isinstance(r.steps, tuple)  # the list of steps cannot be changed in place either


def test_find_routine_by_name_and_by_path():
    by_name = find_routine("swedish")
    assert by_name == load_routine(SWEDISH)
    assert find_routine(SWEDISH) == by_name
    assert find_routine(str(SWEDISH)) == by_name


def test_find_routine_unknown_name_lists_known_names():
    with pytest.raises(RoutineError, match=r"no routine named 'swedsh'; known: .*\bswedish\b"):
        find_routine("swedsh")


def test_find_routine_in_env_folder(tmp_path, monkeypatch):
    write(tmp_path, routine_text(GOOD_STEP, name="Teacher's own"), name="teacher_own.yaml")
    with pytest.raises(RoutineError, match="known: .*swedish"):  # before the folder is named: not found
        find_routine("teacher_own")
    monkeypatch.setenv(ROUTINES_ENV, str(tmp_path))
    r = find_routine("teacher_own")
    assert r.name == "Teacher's own"
    assert [s.id for s in r.steps] == ["prepare", "petrissage"]
    # an unknown name now lists the names from both folders
    with pytest.raises(RoutineError, match=r"known: .*swedish.*teacher_own|known: .*teacher_own.*swedish"):
        find_routine("nothing_here")


def test_find_routine_yml_extension_in_extra_dir(tmp_path):
    write(tmp_path, routine_text(GOOD_STEP, name="Short ext"), name="short.yml")
    assert find_routine("short", extra_dir=tmp_path).name == "Short ext"


# --- each kind of mistake, with its message --------------------------------------------------------------------


def test_direction_typo_exact_message(tmp_path):
    text = routine_text(GOOD_STEP.replace("direction: any", "direction: upp"))
    msg = "X.yaml, step 'petrissage': direction 'upp' is not one of up, down, any, lateral"
    with pytest.raises(RoutineError, match=f"^{re.escape(msg)}$"):
        load_routine(write(tmp_path, text))


def test_direction_typo_names_file_step_field_value_and_choices(tmp_path):
    # The parts that must be in the message whatever the list wording.
    msg = load_error(tmp_path, routine_text(GOOD_STEP.replace("direction: any", "direction: upp")))
    assert msg.startswith("X.yaml, step 'petrissage': direction 'upp' is not one of up, down, any")
    assert "lateral" in msg
    assert len(msg.splitlines()) == 1


def test_unknown_field_names_step_and_field(tmp_path):
    text = routine_text(GOOD_STEP.replace("lanes: [left, right]", "lane: [left, right]"))
    with pytest.raises(RoutineError, match=r"^X\.yaml, step 'petrissage': lane is not a known field"):
        load_routine(write(tmp_path, text))


def test_missing_required_field_names_step(tmp_path):
    text = routine_text(GOOD_STEP.replace("    technique: petrissage\n", ""))
    with pytest.raises(RoutineError, match=r"^X\.yaml, step 'petrissage': technique is missing$"):
        load_routine(write(tmp_path, text))


def test_wrong_lane_name(tmp_path):
    text = routine_text(GOOD_STEP.replace("lanes: [left, right]", "lanes: [left, middle]"))
    with pytest.raises(RoutineError, match=r"X\.yaml, step 'petrissage': lanes\S* 'middle' is not one of "
                                           r"left, right, spine,? (or )?outside"):
        load_routine(write(tmp_path, text))


def test_single_lane_as_string_is_accepted_and_checked(tmp_path):
    ok = load_routine(write(tmp_path, routine_text(GOOD_STEP.replace("lanes: [left, right]", "lanes: left"))))
    assert ok.step("petrissage").lanes == ("left",)
    text = routine_text(GOOD_STEP.replace("lanes: [left, right]", "lanes: centre"))
    with pytest.raises(RoutineError, match=r"step 'petrissage': lanes\S* 'centre' is not one of"):
        load_routine(write(tmp_path, text))


def test_negative_repetitions(tmp_path):
    text = routine_text(GOOD_STEP + "    repetitions: -2\n")
    with pytest.raises(RoutineError, match=r"X\.yaml, step 'petrissage': repetitions .*greater than or equal to 1"
                                           r".*-2"):
        load_routine(write(tmp_path, text))


def test_negative_speed_bound(tmp_path):
    text = routine_text(GOOD_STEP + "    speed: {min: -0.5, max: 1.0}\n")
    with pytest.raises(RoutineError, match=r"X\.yaml, step 'petrissage': speed\.min .*greater than or equal to 0"
                                           r".*-0\.5"):
        load_routine(write(tmp_path, text))


def test_top_level_list_is_refused(tmp_path):
    with pytest.raises(RoutineError, match=r"^X\.yaml: expected a mapping with 'name' and 'steps', got list$"):
        load_routine(write(tmp_path, "- id: a\n- id: b\n"))


def test_empty_file_is_refused(tmp_path):
    with pytest.raises(RoutineError, match=r"^X\.yaml: expected a mapping .*got NoneType"):
        load_routine(write(tmp_path, ""))


def test_invalid_yaml_reports_line(tmp_path):
    text = routine_text(GOOD_STEP) + "    speed: {max: 1.0\n  - id: other\n"
    with pytest.raises(RoutineError, match=r"^X\.yaml: not valid YAML at line (\d+), column \d+") as exc:
        load_routine(write(tmp_path, text))
    line = int(re.search(r"at line (\d+)", str(exc.value)).group(1))
    assert line in (13, 14)  # the unclosed flow mapping opens on line 13; the parser notices on line 14


def test_invalid_yaml_tab_indent_line(tmp_path):
    text = "name: x\nsteps:\n\t- id: a\n"
    with pytest.raises(RoutineError, match=r"not valid YAML at line 3\b"):
        load_routine(write(tmp_path, text))


def test_missing_file(tmp_path):
    with pytest.raises(RoutineError, match=r"nope\.yaml: no such routine file"):
        load_routine(tmp_path / "nope.yaml")
    with pytest.raises(RoutineError, match=r"no such routine file"):
        find_routine(tmp_path / "nope.yaml")


def test_duplicate_step_ids(tmp_path):
    text = routine_text(GOOD_STEP, GOOD_STEP.replace("title: Petrissage", "title: Again"), PREPARE_STEP)
    with pytest.raises(RoutineError, match=r"^X\.yaml: step ids must be unique; repeated: petrissage, prepare$"):
        load_routine(write(tmp_path, text))


def test_empty_steps_list(tmp_path):
    with pytest.raises(RoutineError, match=r"^X\.yaml, steps .*at least 1 item"):
        load_routine(write(tmp_path, "name: x\nsteps: []\n"))


def test_missing_name_and_steps(tmp_path):
    msg = load_error(tmp_path, "description: nothing else\n")
    assert set(msg.splitlines()) == {"X.yaml, name is missing", "X.yaml, steps is missing"}


def test_step_without_id_is_named_by_position(tmp_path):
    text = routine_text(GOOD_STEP.replace("  - id: petrissage\n    title", "  - title"))
    with pytest.raises(RoutineError, match=r"^X\.yaml, step 2: id is missing$"):
        load_routine(write(tmp_path, text))


def test_invalid_id_is_reported(tmp_path):
    text = routine_text(GOOD_STEP.replace("id: petrissage", "id: Petrissage Step"))
    with pytest.raises(RoutineError, match=r"step 'Petrissage Step': id .*pattern"):
        load_routine(write(tmp_path, text))


def test_several_mistakes_are_all_reported_one_per_line(tmp_path):
    first = (GOOD_STEP.replace("direction: any", "direction: upp")
             .replace("lanes: [left, right]", "lane: [left, right]")) + "    repetitions: 0\n"
    second = GOOD_STEP.replace("id: petrissage", "id: friction").replace("    technique: petrissage\n", "")
    third = GOOD_STEP.replace("  - id: petrissage\n    title", "  - title").replace("lanes: [left, right]",
                                                                                      "lanes: [left, middle]")
    msg = load_error(tmp_path, routine_text(first, second, third))
    lines = msg.splitlines()
    assert len(lines) == 6, msg
    assert all(line.startswith("X.yaml, step ") for line in lines), msg
    assert any(line.startswith("X.yaml, step 'petrissage': direction 'upp'") for line in lines)
    assert any(line.startswith("X.yaml, step 'petrissage': lane is not a known field") for line in lines)
    assert any(line.startswith("X.yaml, step 'petrissage': repetitions ") for line in lines)
    assert "X.yaml, step 'friction': technique is missing" in lines
    assert "X.yaml, step 4: id is missing" in lines
    assert any(line.startswith("X.yaml, step 4: lanes") and "'middle'" in line for line in lines)


def test_duplicate_ids_reported_with_other_mistakes(tmp_path):
    text = routine_text(GOOD_STEP.replace("direction: any", "direction: upp"), GOOD_STEP)
    msg = load_error(tmp_path, text)
    assert "direction 'upp'" in msg
    assert "repeated: petrissage" in msg


def test_routine_step_unknown_lists_ids():
    r = load_routine(SWEDISH)
    with pytest.raises(RoutineError, match=r"has no step 'nope'; its steps are: prepare, effleurage, finish$"):
        r.step("nope")


def test_all_steps_invalid_no_spurious_line(tmp_path):
    text = "name: x\nsteps:\n" + GOOD_STEP.replace("direction: any", "direction: upp")
    msg = load_error(tmp_path, text)
    assert msg.splitlines() == [
        "X.yaml, step 'petrissage': direction 'upp' is not one of up, down, any, lateral"], msg

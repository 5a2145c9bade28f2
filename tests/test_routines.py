"""Tests for vision.routines: loading, finding, and the message of each kind of mistake."""

from __future__ import annotations

import re
import textwrap
import typing
from pathlib import Path

import pydantic
import pytest

from vision.core.folders import ROUTINES_ENV
from vision.judging.routines import (
    ROUTINES_DIR,
    TECHNIQUE_DEFAULTS,
    Bounds,
    Routine,
    RoutineError,
    Step,
    Technique,
    find_routine,
    find_routine_path,
    load_routine,
    routine_files,
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
    assert [s.id for s in r.steps] == ["prepare", "effleurage", "petrissage", "friction", "finish"]
    eff = r.step("effleurage")
    assert isinstance(eff, Step)
    assert eff.technique == "effleurage"
    assert eff.direction == "up"
    assert eff.lanes == ("left", "right")
    assert eff.return_lanes == ("outside",)
    assert eff.speed.max == 1.0 and eff.speed.min is None
    assert eff.repetitions == 3
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
    with pytest.raises(RoutineError) as e:
        load_routine(write(tmp_path, "- id: a\n- id: b\n"))
    assert str(e.value) == ("X.yaml: expected a mapping with 'name' and 'steps', got list; a routine is a YAML file "
                            "with name: and steps: (README: Routines)")


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


def test_random_bytes_are_not_a_routine(tmp_path):
    path = tmp_path / "X.yaml"
    path.write_bytes(b"\x00\x00\x00\x18ftypisom\xff\xfe")
    with pytest.raises(RoutineError) as e:
        load_routine(path)
    assert str(e.value) == ("X.yaml: not a text file (byte 12 is not UTF-8); a routine is a YAML file with name: and "
                            "steps: (README: Routines)")
    path.write_text("name: x\nsteps: [{id: a\n")  # cut off
    with pytest.raises(RoutineError, match=r"^X\.yaml: not valid YAML at line 3, column 1: .*; fix it there \(a "
                                           r"routine is a YAML file"):
        load_routine(path)


def test_ids_written_as_lists_are_named_not_a_crash(tmp_path):
    """Two steps whose ids are the same list: counted for uniqueness they would crash; each is named instead."""
    text = "name: x\nsteps:\n" + "  - id: [a]\n    title: A\n    instruction: Go\n    technique: effleurage\n" * 2
    with pytest.raises(RoutineError) as e:
        load_routine(write(tmp_path, text))
    lines = str(e.value).splitlines()
    assert lines == ["X.yaml, step '['a']': id input should be a valid string (got ['a'])"] * 2


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
    with pytest.raises(RoutineError, match=r"has no step 'nope'; its steps are: prepare, effleurage, petrissage, friction, finish$"):
        r.step("nope")


def test_all_steps_invalid_no_spurious_line(tmp_path):
    text = "name: x\nsteps:\n" + GOOD_STEP.replace("direction: any", "direction: upp")
    msg = load_error(tmp_path, text)
    assert msg.splitlines() == [
        "X.yaml, step 'petrissage': direction 'upp' is not one of up, down, any, lateral"], msg


# --- the shipped routines: one per technique family of the guide ----------------------------------------------

SHIPPED = sorted(ROUTINES_DIR.glob("*.y*ml"))


def test_the_four_routines_of_the_guide_are_shipped(monkeypatch):
    monkeypatch.delenv(ROUTINES_ENV, raising=False)
    assert {p.stem for p in SHIPPED} == {"swedish", "deep_tissue", "shiatsu", "trigger_point"}
    assert [p.stem for p in routine_files()] == sorted(p.stem for p in SHIPPED)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_routine_loads_and_is_complete(path):
    r = load_routine(path)
    assert r.name and r.description
    assert find_routine(path.stem) == r
    for st in r.steps:
        assert "\n" not in st.instruction.strip(), f"{st.id}: the instruction is one line"
        if st.technique == "instruction":
            assert not (st.speed.is_set() or st.hold_s.is_set() or st.circle_radius.is_set()), st.id
            continue
        assert (st.repetitions is None) != (st.duration_s is None), f"{st.id}: repetitions or duration_s"
        assert "spine" not in st.lanes, f"{st.id}: never work on the spine itself"
        for field, default in TECHNIQUE_DEFAULTS.get(st.technique, {}).items():
            if isinstance(default, dict):
                assert getattr(st, field).is_set(), f"{st.id}: {field} bounds"
    assert r.steps[-1].technique == "effleurage" and r.steps[-1].direction == "up"  # every routine ends so


def test_every_technique_of_the_guide_appears_in_a_routine():
    used = {st.technique for p in SHIPPED for st in load_routine(p).steps}
    assert used == set(typing.get_args(Technique))


def techniques(name: str) -> list[str]:
    return [st.technique for st in find_routine(name).steps]


def test_routines_follow_the_guide_in_order():
    assert techniques("swedish") == ["instruction", "effleurage", "petrissage", "friction", "effleurage"]
    assert techniques("deep_tissue") == ["effleurage", "deep_stroke", "hold", "friction", "cross_fiber",
                                         "effleurage"]
    assert techniques("shiatsu") == ["press", "hold", "instruction", "instruction", "effleurage"]
    assert techniques("trigger_point") == ["press", "hold", "friction", "cross_fiber", "instruction", "effleurage"]


def test_shipped_steps_as_the_guide_gives_them():
    sw = find_routine("swedish")
    pet, fri = sw.step("petrissage"), sw.step("friction")
    assert (pet.technique, pet.direction, pet.lanes) == ("petrissage", "any", ("left", "right"))
    assert pet.contact in ("knuckles", "palm")
    assert (fri.technique, fri.direction, fri.contact) == ("friction", "any", "fingertips")
    assert 0 < fri.circle_radius.min < 0.05 < fri.circle_radius.max  # a 3 cm circle on a 56 cm back fits
    deep = find_routine("deep_tissue")
    assert deep.step("deep_strokes").speed.max == 0.25 and deep.step("deep_strokes").direction == "any"
    assert deep.step("cross_fiber").direction == "lateral"
    sh = find_routine("shiatsu").step("palm_presses")
    assert (sh.technique, sh.direction, sh.contact, sh.hold_s) == ("press", "up", "palm", Bounds(min=1, max=3))
    tp = find_routine("trigger_point")
    assert tp.step("find_knots").technique == "press" and tp.step("find_knots").direction == "up"
    assert tp.step("hold").hold_s == Bounds(min=15, max=30)


# --- per-technique defaults -------------------------------------------------------------------------------------


def one_step(tmp_path: Path, technique: str, extra: str = "") -> Step:
    step = (f"  - id: s\n    title: S\n    technique: {technique}\n    instruction: Do it.\n"
            + textwrap.indent(textwrap.dedent(extra), "    "))
    return load_routine(write(tmp_path, routine_text(step))).step("s")


@pytest.mark.parametrize("technique, field, expected", [
    ("effleurage", "direction", "up"),
    ("effleurage", "return_lanes", ("outside",)),
    ("effleurage", "speed", Bounds(max=1.0)),
    ("deep_stroke", "speed", Bounds(max=0.25)),
    ("press", "hold_s", Bounds(min=1, max=3)),
    ("press", "direction", "up"),
    ("hold", "hold_s", Bounds(min=15, max=30)),
    ("friction", "circle_radius", Bounds(min=0.02, max=0.12)),
    ("cross_fiber", "direction", "lateral"),
])
def test_defaults_fill_an_omitted_field(tmp_path, technique, field, expected):
    assert getattr(one_step(tmp_path, technique), field) == expected


def test_techniques_without_defaults_keep_the_schema_defaults(tmp_path):
    st = one_step(tmp_path, "petrissage")
    assert (st.direction, st.return_lanes, st.speed, st.hold_s, st.circle_radius) == ("any", (), Bounds(), Bounds(),
                                                                                      Bounds())
    assert one_step(tmp_path, "instruction").speed == Bounds()


@pytest.mark.parametrize("technique, extra, field, expected", [
    ("effleurage", "direction: down", "direction", "down"),
    ("effleurage", "direction: any", "direction", "any"),
    ("effleurage", "return_lanes: []", "return_lanes", ()),
    ("effleurage", "speed: {max: 2.0}", "speed", Bounds(max=2.0)),
    ("effleurage", "speed: {min: 0.2, max: 0.5}", "speed", Bounds(min=0.2, max=0.5)),
    ("deep_stroke", "speed: {max: 0.1}", "speed", Bounds(max=0.1)),
    ("press", "direction: down", "direction", "down"),
    ("press", "hold_s: {min: 2, max: 5}", "hold_s", Bounds(min=2, max=5)),
    ("hold", "hold_s: {min: 10, max: 20}", "hold_s", Bounds(min=10, max=20)),
    ("friction", "circle_radius: {min: 0.05, max: 0.2}", "circle_radius", Bounds(min=0.05, max=0.2)),
    ("cross_fiber", "direction: any", "direction", "any"),
])
def test_defaults_never_override_a_given_field(tmp_path, technique, extra, field, expected):
    assert getattr(one_step(tmp_path, technique, extra), field) == expected


def test_bounds_are_filled_threshold_by_threshold(tmp_path):
    # a threshold the step leaves out still comes from the default ...
    assert one_step(tmp_path, "effleurage", "speed: {min: 0.2}").speed == Bounds(min=0.2, max=1.0)
    assert one_step(tmp_path, "hold", "hold_s: {max: 20}").hold_s == Bounds(min=15, max=20)
    # ... null drops one, or all ...
    assert one_step(tmp_path, "effleurage", "speed: {max: null}").speed == Bounds()
    assert one_step(tmp_path, "press", "hold_s: null").hold_s == Bounds()
    # ... and a default that would contradict what the step gives is left out, not refused
    assert one_step(tmp_path, "press", "hold_s: {min: 5}").hold_s == Bounds(min=5)
    assert one_step(tmp_path, "hold", "hold_s: {max: 10}").hold_s == Bounds(max=10)


def test_defaults_apply_to_steps_made_in_code_and_are_not_shared():
    a = Step(id="a", title="A", instruction="Glide.", technique="effleurage")
    b = Step(id="b", title="B", instruction="Glide.", technique="effleurage", speed={"max": 0.5})
    assert a.direction == "up" and a.speed.max == 1.0 and b.speed.max == 0.5
    assert TECHNIQUE_DEFAULTS["effleurage"]["speed"] == {"max": 1.0}
    assert Step(id="c", title="C", instruction="Go.", technique="effleurage", direction="down").direction == "down"


def test_technique_typo_gives_no_default_and_one_line(tmp_path):
    msg = load_error(tmp_path, routine_text(GOOD_STEP.replace("technique: petrissage", "technique: efleurage")))
    assert msg.splitlines() == ["X.yaml, step 'petrissage': technique 'efleurage' is not one of instruction, "
                                "effleurage, petrissage, friction, cross_fiber, deep_stroke, press, hold"], msg


# --- bounds: min <= max, names the field -----------------------------------------------------------------------


@pytest.mark.parametrize("field", ["speed", "hold_s", "circle_radius"])
def test_min_above_max_is_refused_naming_the_field(tmp_path, field):
    text = routine_text(GOOD_STEP + f"    {field}: {{min: 2, max: 1.5}}\n")
    msg = f"X.yaml, step 'petrissage': {field} min 2 is greater than max 1.5; swap them"
    with pytest.raises(RoutineError, match=f"^{re.escape(msg)}$"):
        load_routine(write(tmp_path, text))


def test_min_equal_to_max_is_accepted(tmp_path):
    st = load_routine(write(tmp_path, routine_text(GOOD_STEP + "    hold_s: {min: 3, max: 3}\n"))).step("petrissage")
    assert st.hold_s == Bounds(min=3, max=3)


def test_min_above_max_reported_with_other_mistakes(tmp_path):
    text = routine_text(GOOD_STEP.replace("direction: any", "direction: upp") + "    speed: {min: 1, max: 0.5}\n"
                        "    circle_radius: {min: -0.1}\n")
    lines = load_error(tmp_path, text).splitlines()
    assert len(lines) == 3, lines
    assert "X.yaml, step 'petrissage': speed min 1 is greater than max 0.5; swap them" in lines
    assert any(line.startswith("X.yaml, step 'petrissage': circle_radius.min ") for line in lines)


def test_min_above_max_in_code():
    with pytest.raises(pydantic.ValidationError, match="min 3 is greater than max 1"):
        Bounds(min=3, max=1)


def test_unknown_bound_name(tmp_path):
    text = routine_text(GOOD_STEP + "    circle_radius: {maximum: 0.1}\n")
    with pytest.raises(RoutineError, match=r"^X\.yaml, step 'petrissage': circle_radius\.maximum is not a known "
                                           r"field"):
        load_routine(write(tmp_path, text))


def test_find_routine_path(tmp_path, monkeypatch):
    monkeypatch.delenv(ROUTINES_ENV, raising=False)
    assert find_routine_path("swedish") == SWEDISH
    assert find_routine_path(tmp_path / "x.yaml") == tmp_path / "x.yaml"  # a path is taken as given
    with pytest.raises(RoutineError, match=r"known: deep_tissue, shiatsu, swedish, trigger_point$"):
        find_routine_path("nope")

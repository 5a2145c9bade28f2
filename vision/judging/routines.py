"""Routines: YAML files written by teachers, validated once into frozen objects.

A routine is a list of steps; a step says what the hands should do (the
technique, the lanes, the direction, the contact point, how many repetitions)
and what bounds apply. Loading reports every problem with the file, the step
and the field, so a typo is found in one go.

Units: speeds in back lengths per second, hold times in seconds, circle radii
in back lengths (a 3 cm circle on a 56 cm back is about 0.05), circle rates in
circles per second, surges in speed surges per stroke (1 is one smooth push).

Per-technique defaults (``TECHNIQUE_DEFAULTS``) fill what a step leaves out,
before validation, so a teacher writes only what differs:

- a field the step does not give (``direction``, ``return_lanes``, ...) takes
  the technique's default; a field it gives always wins, whatever its value;
- bounds (``speed``, ``hold_s``, ``circle_radius``, ``circle_rate``,
  ``surges``) are filled per threshold:
  ``speed: {min: 0.2}`` on an effleurage step keeps the default ``max: 1.0``.
  ``max: null`` (or ``speed: null`` for both) drops a default threshold; a
  default that contradicts a threshold the step gives (``hold_s: {min: 5}`` on
  a press, whose default max is 3) is left out rather than refused.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from vision.core.folders import builtin_routines_dir, folders

ROUTINES_DIR = builtin_routines_dir()  # the routines that come with Stroke Coach

Technique = Literal[
    "instruction", "effleurage", "petrissage", "friction", "cross_fiber", "deep_stroke", "press", "hold"
]
Lane = Literal["left", "right", "spine", "outside"]
Direction = Literal["up", "down", "any", "lateral"]
Contact = Literal["palm", "thumb", "fingertips", "knuckles"]
Hands = Literal["both", "either", "one"]

BOUNDS_FIELDS = ("speed", "hold_s", "circle_radius", "circle_rate", "surges")

# What a step of each technique gets for the fields it leaves out (see the module docstring).
# Speeds in back lengths/s, hold times in s, circle radii in back lengths.
TECHNIQUE_DEFAULTS: dict[str, dict] = {
    "effleurage": {"direction": "up", "return_lanes": ["outside"], "speed": {"max": 1.0}},
    "petrissage": {"surges": {"max": 1}},
    "deep_stroke": {"speed": {"max": 0.25}, "surges": {"max": 1}},
    "press": {"direction": "up", "hold_s": {"min": 1, "max": 3}},
    "hold": {"hold_s": {"min": 15, "max": 30}},
    "friction": {"circle_radius": {"min": 0.02, "max": 0.12}},
    "cross_fiber": {"direction": "lateral"},
}


_FORMAT_HINT = "a routine is a YAML file with name: and steps: (README: Routines)"


class RoutineError(ValueError):
    """A routine file that cannot be used; the message lists every problem."""


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bounds(_Frozen):
    min: float | None = Field(default=None, ge=0)
    max: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _ordered(self):
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min:g} is greater than max {self.max:g}; swap them")
        return self

    def is_set(self) -> bool:
        return self.min is not None or self.max is not None


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _fill_bounds(given, default: dict):
    """``given`` (a step's bounds as written) completed with ``default``'s thresholds it leaves out."""
    if given is None:
        return {}  # `speed: null`: no bounds at all, the defaults' included
    if not isinstance(given, dict):
        return given  # not a mapping: validation says so
    filled = dict(given)
    for key, value in default.items():
        if key in filled:
            continue
        other = filled.get("max" if key == "min" else "min")
        if _is_number(other) and ((key == "min" and value > other) or (key == "max" and value < other)):
            continue  # the default would contradict what the step gives: the step wins
        filled[key] = value
    return filled


def apply_defaults(step: dict) -> dict:
    """A step's raw mapping with its technique's defaults filled in where it leaves fields out."""
    technique = step.get("technique")
    defaults = TECHNIQUE_DEFAULTS.get(technique) if isinstance(technique, str) else None
    filled = dict(step)
    for key in BOUNDS_FIELDS:
        if key in filled and filled[key] is None:
            filled[key] = {}
    for key, value in (defaults or {}).items():
        if key not in filled:
            filled[key] = copy.deepcopy(value)  # the table itself is never handed out
        elif key in BOUNDS_FIELDS:
            filled[key] = _fill_bounds(step[key], value)
    return filled


class Step(_Frozen):
    id: str = Field(min_length=1, pattern=r"^[a-z0-9_]+$")
    title: str = Field(min_length=1)
    instruction: str = Field(min_length=1)
    technique: Technique
    hands: Hands = "both"
    lanes: tuple[Lane, ...] = ("left", "right")
    return_lanes: tuple[Lane, ...] = ()  # where the hands may travel the other way (effleurage returns)
    direction: Direction = "any"
    contact: Contact = "palm"
    repetitions: int | None = Field(default=None, ge=1)
    duration_s: float | None = Field(default=None, gt=0)
    speed: Bounds = Bounds()  # back lengths per second
    hold_s: Bounds = Bounds()  # seconds
    circle_radius: Bounds = Bounds()  # back lengths (friction circles)
    circle_rate: Bounds = Bounds()  # circles per second (friction circles)
    surges: Bounds = Bounds()  # speed surges per stroke movement: 1 is one smooth push; more is jerky
    flag_after: float = Field(default=0.1, gt=0)  # back lengths a stroke covers before a live flag

    @model_validator(mode="before")
    @classmethod
    def _technique_defaults(cls, data):
        return apply_defaults(data) if isinstance(data, dict) else data

    @field_validator("surges")
    @classmethod
    def _one_surge_at_least(cls, v: Bounds) -> Bounds:
        if v.max is not None and v.max < 1:
            raise ValueError(
                f"max {v.max:g} would flag every stroke (a smooth stroke is 1 surge); "
                "use 1 or more, or surges: null to leave jerks unjudged"
            )
        if v.min is not None:
            raise ValueError("only max can be set: the most speed surges a stroke may have (1 = one smooth push)")
        return v

    @field_validator("lanes", "return_lanes", mode="before")
    @classmethod
    def _listify(cls, v):
        return (v,) if isinstance(v, str) else v


class Routine(_Frozen):
    name: str = Field(min_length=1)
    description: str = ""
    steps: tuple[Step, ...] = Field(min_length=1)

    def step(self, step_id: str) -> Step:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise RoutineError(
            f"routine '{self.name}' has no step '{step_id}'; its steps are: {', '.join(s.id for s in self.steps)}"
        )


def _where(loc: tuple, data: dict) -> str:
    """'step 'petrissage': direction' from a pydantic error location."""
    parts = []
    if len(loc) >= 2 and loc[0] == "steps" and isinstance(loc[1], int):
        steps = data.get("steps") or []
        sid = steps[loc[1]].get("id") if loc[1] < len(steps) and isinstance(steps[loc[1]], dict) else None
        parts.append(f"step '{sid}'" if sid else f"step {loc[1] + 1}")
        loc = loc[2:]
    field = ".".join(str(x) for x in loc)
    return ": ".join(parts + ([field] if field else []))


def _message(err: ErrorDetails) -> str:
    typ, value = err["type"], err.get("input")
    if typ == "literal_error":
        expected = err.get("ctx", {}).get("expected", "").replace("'", "").replace(" or ", ", ")
        return f"{value!r} is not one of {expected}"
    if typ == "extra_forbidden":
        return "is not a known field (check its spelling)"
    if typ == "missing":
        return "is missing"
    if typ == "value_error":
        return str(err.get("ctx", {}).get("error", err["msg"]))
    return f"{err['msg'].lower()} (got {value!r})"


def parse_routine(data, source: str) -> Routine:
    """Validate a routine's parsed YAML; raise RoutineError listing every problem."""
    if not isinstance(data, dict):
        raise RoutineError(
            f"{source}: expected a mapping with 'name' and 'steps', got {type(data).__name__}; {_FORMAT_HINT}"
        )
    problems: list[str] = []
    steps = data.get("steps")
    if isinstance(steps, list):
        # ids that are text only: an id written as a list is Routine's to name, and cannot be counted here
        ids = [st["id"] for st in steps if isinstance(st, dict) and isinstance(st.get("id"), str) and st["id"]]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            problems.append(f"{source}: step ids must be unique; repeated: {', '.join(map(str, dupes))}")
    try:
        routine = Routine.model_validate(data)
    except ValidationError as e:
        for err in e.errors():
            if err["type"] == "too_short" and err["loc"] == ("steps",) and steps:
                continue  # the steps are there but each is wrong: their own lines say why
            problems.append(f"{source}, {_where(err['loc'], data)} {_message(err)}".replace(", :", ":"))
        raise RoutineError("\n".join(problems)) from None
    if problems:
        raise RoutineError("\n".join(problems))
    return routine


def load_routine(path: str | Path) -> Routine:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RoutineError(f"{path}: no such routine file") from None
    except UnicodeDecodeError as e:
        raise RoutineError(f"{path.name}: not a text file (byte {e.start} is not UTF-8); {_FORMAT_HINT}") from None
    except OSError as e:
        raise RoutineError(
            f"{path}: cannot read it ({e.strerror or e}); check that it is a file you may read"
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise RoutineError(
            f"{path.name}: not valid YAML{where}: {getattr(e, 'problem', e)}; fix it there ({_FORMAT_HINT})"
        ) from None
    return parse_routine(data, path.name)


def routine_dirs(extra: str | Path | None = None) -> list[Path]:
    dirs = [ROUTINES_DIR]
    for d in (folders().extra_routines, extra):
        if d:
            dirs.append(Path(d))
    return dirs


def routine_files(extra_dir: str | Path | None = None) -> list[Path]:
    """Every routine file (``*.yaml``, ``*.yml``) in the routine folders, folder by folder, sorted by name."""
    files: list[Path] = []
    for d in routine_dirs(extra_dir):
        if d.is_dir():
            files += sorted(f for f in d.iterdir() if f.suffix in (".yaml", ".yml") and f.is_file())
    return files


def find_routine_path(name_or_path: str | Path, extra_dir: str | Path | None = None) -> Path:
    """The file of a routine given by path, or by name (``swedish``) in the routine folders (first found)."""
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or p.exists():
        return p
    for d in routine_dirs(extra_dir):
        for ext in (".yaml", ".yml"):
            if (d / f"{name_or_path}{ext}").exists():
                return d / f"{name_or_path}{ext}"
    known = sorted({f.stem for f in routine_files(extra_dir)})
    raise RoutineError(f"no routine named '{name_or_path}'; known: {', '.join(known) or 'none'}")


def find_routine(name_or_path: str | Path, extra_dir: str | Path | None = None) -> Routine:
    """A routine by file path, or by name (``swedish``) in the routine folders."""
    return load_routine(find_routine_path(name_or_path, extra_dir))

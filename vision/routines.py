"""Routines: YAML files written by teachers, validated once into frozen objects.

A routine is a list of steps; a step says what the hands should do (the
technique, the lanes, the direction, the contact point, how many repetitions)
and what bounds apply. Loading reports every problem with the file, the step
and the field, so a typo is found in one go.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

ROUTINES_DIR = Path(__file__).resolve().parent.parent / "routines"
ROUTINES_ENV = "STROKE_COACH_ROUTINES"  # an extra folder of routines (a teacher's own)

Technique = Literal["instruction", "effleurage", "petrissage", "friction", "cross_fiber", "deep_stroke",
                    "press", "hold"]
Lane = Literal["left", "right", "spine", "outside"]
Direction = Literal["up", "down", "any", "lateral"]
Contact = Literal["palm", "thumb", "fingertips", "knuckles"]
Hands = Literal["both", "either", "one"]


class RoutineError(ValueError):
    """A routine file that cannot be used; the message lists every problem."""


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bounds(_Frozen):
    min: float | None = Field(default=None, ge=0)
    max: float | None = Field(default=None, ge=0)


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
    hold_s: Bounds = Bounds()
    flag_after: float = Field(default=0.1, gt=0)  # back lengths a stroke covers before a live flag

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
        raise RoutineError(f"routine '{self.name}' has no step '{step_id}'; its steps are: "
                           f"{', '.join(s.id for s in self.steps)}")

    def first_judged_step(self) -> Step:
        return next((s for s in self.steps if s.technique != "instruction"), self.steps[0])


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


def _message(err: dict) -> str:
    typ, value = err["type"], err.get("input")
    if typ == "literal_error":
        expected = err.get("ctx", {}).get("expected", "").replace("'", "").replace(" or ", ", ")
        return f"{value!r} is not one of {expected}"
    if typ == "extra_forbidden":
        return "is not a known field (check its spelling)"
    if typ == "missing":
        return "is missing"
    return f"{err['msg'].lower()} (got {value!r})"


def parse_routine(data, source: str) -> Routine:
    """Validate a routine's parsed YAML; raise RoutineError listing every problem."""
    if not isinstance(data, dict):
        raise RoutineError(f"{source}: expected a mapping with 'name' and 'steps', got {type(data).__name__}")
    problems: list[str] = []
    steps = data.get("steps")
    if isinstance(steps, list):
        ids = [st.get("id") for st in steps if isinstance(st, dict) and st.get("id")]
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
    except (OSError, UnicodeDecodeError) as e:
        raise RoutineError(f"{path}: cannot read it ({e})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise RoutineError(f"{path.name}: not valid YAML{where}: {getattr(e, 'problem', e)}") from None
    return parse_routine(data, path.name)


def routine_dirs(extra: str | Path | None = None) -> list[Path]:
    dirs = [ROUTINES_DIR]
    for d in (os.environ.get(ROUTINES_ENV), extra):
        if d:
            dirs.append(Path(d))
    return dirs


def find_routine(name_or_path: str | Path, extra_dir: str | Path | None = None) -> Routine:
    """A routine by file path, or by name (``swedish``) in the routine folders."""
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or p.exists():
        return load_routine(p)
    for d in routine_dirs(extra_dir):
        for ext in (".yaml", ".yml"):
            if (d / f"{name_or_path}{ext}").exists():
                return load_routine(d / f"{name_or_path}{ext}")
    known = sorted({f.stem for d in routine_dirs(extra_dir) if d.is_dir() for f in d.glob("*.y*ml")})
    raise RoutineError(f"no routine named '{name_or_path}'; known: {', '.join(known) or 'none'}")

"""What the JSON files' models share: their pydantic base, their one-line errors, atomic writing.

- :class:`FileModel`: frozen; fields it does not know (another writer's) are
  ignored; a field that does not apply is left out of the JSON, never written
  as null (:attr:`FileModel.omit_if_none`, or :meth:`FileModel._left_out`).
- :func:`describe`: a pydantic error as "field: expected X, found Y", for the
  readers' one-line messages (they add the file and what to do);
- :func:`read_json`, :func:`parse_json`: a file's (or an upload's) JSON, or
  the reader's error in one line: not found, not text, invalid JSON at line L;
- :func:`write_json_atomic`: temp file + fsync + ``os.replace``, so that a
  reader sees the old file or the new one, never half of one.

The models themselves: :mod:`vision.files.report` (report.json),
:mod:`vision.files.session` (a recording's session.json) and
:mod:`vision.files.calibration` (the calibration file); their JSON Schemas are
in ``docs/schemas/`` (:mod:`vision.files.schemas`).
"""

from __future__ import annotations

import json
import os
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError, model_serializer

__all__ = ["FileModel", "describe", "parse_json", "read_json", "write_json_atomic"]

_MISSING = object()
_FOUND_CHARS = 80  # a long value is cut in a message


class FileModel(BaseModel):
    """The base of the file models: frozen, unknown fields ignored, fields that do not apply left out."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    #: Fields written only when they are not None (they do not apply otherwise).
    omit_if_none: ClassVar[frozenset[str]] = frozenset()
    #: Field -> what it must be, in words, for error messages (default: pydantic's own words).
    expected: ClassVar[Mapping[str, str]] = {}

    def _left_out(self) -> set[str]:
        """The fields left out of the JSON; by default those of :attr:`omit_if_none` that are None."""
        return {name for name in self.omit_if_none if getattr(self, name) is None}

    @model_serializer(mode="wrap")
    def _serialize(self, handler):
        data = handler(self)
        for name in self._left_out():
            data.pop(name, None)
        return data

    def replaced(self, **changes: Any):
        """A copy with ``changes``, validated as a new one would be (``model_copy`` would not check them)."""
        return type(self).model_validate({**dict(self), **changes})


def read_json(path: str | Path, error: type[Exception], *, what: str, fix: str, name: str | None = None) -> Any:
    """The parsed JSON of a file, or ``error`` with one line: the file (``name``, default its path), what
    went wrong (``what``: "calibration file", "report", ...) and ``fix``, what to do."""
    path = Path(path)
    name = str(path) if name is None else name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise error(f"{name}: {what} not found; {fix}") from None
    except OSError as e:
        raise error(
            f"{name}: cannot read the {what} ({e.strerror or e}); check that it is a file you may read"
        ) from None
    return parse_json(data, error, what=what, fix=fix, name=name)


def parse_json(data: str | bytes, error: type[Exception], *, what: str, fix: str, name: str) -> Any:
    """The parsed JSON of a file's contents (an upload's, say), or ``error`` with one line, as :func:`read_json`.

    Bytes must be UTF-8: random bytes (a video given as the calibration, a file
    cut off inside a character) are named as such, not as a codec's error.
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")  # a BOM, as Windows Notepad writes one, is not an error
        except UnicodeDecodeError as e:
            raise error(
                f"{name}: cannot read the {what} (byte {e.start} is not UTF-8 text: it is not a JSON file); {fix}"
            ) from None
    try:
        return json.loads(data)
    except json.JSONDecodeError as e:
        raise error(f"{name}: invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}; {fix}") from None
    except RecursionError:  # [[[[... thousands deep: not a file any writer of ours makes
        raise error(f"{name}: invalid JSON: nested too deeply; {fix}") from None


def write_json_atomic(path: Path, data: Any) -> None:
    """Write temp + fsync + os.replace: readers see the old file or the new one, never half of one."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    try:
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass  # not every file system lets a folder be fsync'ed


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """The model class inside a field's type (``X``, ``list[X]``, ``X | None``, ...), None if there is none."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, list, tuple, dict, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _nested_model(arg)
            if found is not None:
                return found
    return None


# pydantic's error types in the words of a JSON file
_JSON_WORDS = {
    "missing": "a value",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
    "list_type": "a list",
    "tuple_type": "a list",
    "string_type": "a text (a string)",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
}


def _expected_from(err: Mapping[str, Any]) -> str:
    """What pydantic expected, in a JSON file's words: "a number", "an object", "'up', 'down' or 'lateral'"."""
    typ, ctx = err["type"], err.get("ctx") or {}
    if typ in _JSON_WORDS:
        return _JSON_WORDS[typ]
    if typ == "too_short":
        return f"at least {ctx.get('min_length')} items"
    if typ == "too_long":
        return f"at most {ctx.get('max_length')} items"
    msg = str(err["msg"])
    for prefix in ("Input should be ", "Input should "):
        if msg.startswith(prefix):
            return msg[len(prefix) :]
    return msg[:1].lower() + msg[1:]


def _found(value: Any) -> str:
    if value is _MISSING:
        return "nothing (it is missing)"
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= _FOUND_CHARS else text[: _FOUND_CHARS - 1] + "…"


def describe(error: ValidationError, data: Any, model: type[BaseModel]) -> str:
    """The first problem of ``error`` (from ``model.model_validate(data)``) as "field: expected X, found Y".

    The field is its path in the file (``events[3].t_start``); a field the
    model describes in :attr:`FileModel.expected` is named as a whole, with
    that description (``frame_size: expected [width, height] ...``).
    """
    err = error.errors(include_url=False)[0]
    path: list[str] = []
    value: Any = data
    cls: type[BaseModel] | None = model
    expected = None
    for part in err["loc"]:
        if isinstance(part, int) and isinstance(value, list):
            path.append(f"[{part}]")
            value = value[part] if 0 <= part < len(value) else _MISSING
            continue
        if not isinstance(part, str):
            continue
        is_field = cls is not None and part in cls.model_fields
        if not is_field and not (isinstance(value, Mapping) and part in value):
            continue  # a tag pydantic adds for a branch of a union, not a name in the file
        path.append(("." if path else "") + part)
        value = value.get(part, _MISSING) if isinstance(value, Mapping) else _MISSING
        if cls is not None and is_field:
            described = getattr(cls, "expected", {}).get(part)
            if described:
                expected = described
                break
            cls = _nested_model(cls.model_fields[part].annotation)
        else:
            cls = None
    if expected is None:
        expected = _expected_from(err)
    field = "".join(path) or "the file"
    return f"{field}: expected {expected}, found {_found(value)}"

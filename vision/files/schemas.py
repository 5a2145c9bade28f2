"""The JSON Schemas of the files Stroke Coach writes, from their models: ``docs/schemas/*.schema.json``.

``python -m vision.files.schemas [FOLDER]`` writes them (default: ``docs/schemas``
in the checkout); a test checks that the committed ones are what the models
give, so they never go stale: after changing a model, run this and commit.

- ``report.schema.json``: report.json (:class:`vision.files.report.Report`);
- ``session.schema.json``: a recording's session.json (:class:`vision.files.session.SessionInfo`);
- ``calibration.schema.json``: the calibration file (:class:`vision.files.calibration.CalibrationFile`);
- ``landmarks.schema.json``: one line of a landmarks.jsonl (:class:`vision.files.landmarks.LandmarksLine`);
- ``events.schema.json``: one line of an events.jsonl (:class:`vision.files.events.EventsLine`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel

from vision.files.calibration import CalibrationFile
from vision.files.events import EventsLine
from vision.files.landmarks import LandmarksLine
from vision.files.report import Report
from vision.files.session import SessionInfo

__all__ = ["DOCS_SCHEMAS", "MODELS", "schema", "schema_text", "write_schemas"]

DOCS_SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"
_DIALECT = "https://json-schema.org/draft/2020-12/schema"  # pydantic's (prefixItems for [x, y] pairs)

#: File name in docs/schemas -> its model.
MODELS: dict[str, type[BaseModel]] = {
    "report.schema.json": Report,
    "session.schema.json": SessionInfo,
    "calibration.schema.json": CalibrationFile,
    "landmarks.schema.json": LandmarksLine,
    "events.schema.json": EventsLine,
}


def schema(model: type[BaseModel]) -> dict:
    """The model's JSON Schema (what a file must be to be read), with its dialect."""
    return {"$schema": _DIALECT, **model.model_json_schema()}


def schema_text(model: type[BaseModel]) -> str:
    """The schema file's text."""
    return json.dumps(schema(model), indent=2, ensure_ascii=False) + "\n"


def write_schemas(folder: str | Path = DOCS_SCHEMAS) -> list[Path]:
    """Write every schema into ``folder``; the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in MODELS.items():
        path = folder / name
        path.write_text(schema_text(model), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    for path in write_schemas(args[0] if args else DOCS_SCHEMAS):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""JSON lines files, as the recorder writes them: whole lines only, a cut-off last line skipped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path


class RecordingError(Exception):
    """A recording, or one of its files, cannot be made or read. One line: the file, what is wrong, what to do."""


def read_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of each whole line; a last line cut off by a crash (no newline) is skipped."""
    with open(path, "rb") as f:
        data = f.read()
    lines = data.split(b"\n")
    tail = lines.pop()  # b"" when the file ends with a newline; else the truncated last line
    for n, raw in enumerate(lines, 1):
        if raw.strip():
            yield n, raw.decode("utf-8", errors="replace")
    if tail.strip():
        try:
            json.loads(tail)
        except ValueError:
            return
        yield len(lines) + 1, tail.decode("utf-8", errors="replace")

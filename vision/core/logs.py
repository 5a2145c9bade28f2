"""The log file: what went wrong in a worker thread, with its traceback, for whoever has to find out why.

Every module logs to its own logger (``logging.getLogger(__name__)``, under
``vision``); :func:`log_to_file` sends those records (warnings and errors, and
the exceptions of the camera's, the recorder's and the writers' threads) to
``<data>/stroke-coach.log``, rotated at 1 MB, while the pages show their plain
messages. The app calls it once at start.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from vision.core.folders import folders

FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"


def log_to_file(path: str | Path | None = None, level: int = logging.INFO) -> Path | None:
    """Add the log file to the ``vision`` logger (once per file); returns it, or None if it cannot be written."""
    path = Path(path) if path is not None else folders().log
    logger = logging.getLogger("vision")
    for h in logger.handlers:
        if isinstance(h, logging.handlers.RotatingFileHandler) and Path(h.baseFilename) == path.resolve():
            return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        return None  # a read-only data folder must not stop the app; the console still gets the records
    handler.setFormatter(logging.Formatter(FORMAT))
    logger.addHandler(handler)
    logger.setLevel(min(level, logger.level or level))
    return path

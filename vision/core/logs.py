"""The log file: what went wrong in a worker thread, with its traceback, for whoever has to find out why.

Every module logs to its own logger (``logging.getLogger(__name__)``, under
``vision``); :func:`log_to_file` sends those records (warnings and errors, and
the exceptions of the camera's, the recorder's and the writers' threads) to
``<data>/stroke-coach.log``, rotated at 1 MB, while the pages show their plain
messages. The app calls it at start, for Streamlit's logger of the pages'
uncaught exceptions as well (the page shows a generic message: the
``client.showErrorDetails`` option).
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from vision.core.folders import folders

FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"


def log_to_file(
    path: str | Path | None = None, level: int = logging.INFO, loggers: tuple[str, ...] = ("vision",)
) -> Path | None:
    """Send ``loggers``' records to the log file (one handler per file, added once to each); returns the file, or
    None if it cannot be written.

    The app adds Streamlit's logger of a page's uncaught exceptions too, so that
    the traceback the page does not show is in the file.
    """
    path = Path(path) if path is not None else folders().log
    named = [logging.getLogger(name) for name in loggers]
    handler = next((h for lg in named for h in lg.handlers if _writes_to(h, path)), None)
    if handler is None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
        except OSError:
            return None  # a read-only data folder must not stop the app; the console still gets the records
        handler.setFormatter(logging.Formatter(FORMAT))
    for logger in named:
        if handler not in logger.handlers:
            logger.addHandler(handler)
            logger.setLevel(min(level, logger.level or level))
    return path


def _writes_to(handler: logging.Handler, path: Path) -> bool:
    return isinstance(handler, logging.handlers.RotatingFileHandler) and Path(handler.baseFilename) == path.resolve()

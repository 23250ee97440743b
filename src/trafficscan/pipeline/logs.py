"""Logging for scan and score: errors on stderr always, everything as JSON lines in
``--log-file`` (one object a line, with the event's own fields), for cron and log shippers."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, pid and the record's ``data``."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": os.getpid(),
        }
        extra = getattr(record, "data", None)
        if isinstance(extra, dict):
            entry.update(extra)
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(log_file: Path | None, quiet: bool) -> None:
    """Errors to stderr (always); everything to ``--log-file`` as JSON lines when given."""
    root = logging.getLogger("trafficscan")
    root.setLevel(logging.INFO)
    root.propagate = False
    for h in list(root.handlers):
        root.removeHandler(h)
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setLevel(logging.ERROR if quiet else logging.WARNING)
    stderr.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    root.addHandler(stderr)
    if log_file is not None:
        from trafficscan.output.paths import make_parent

        make_parent(log_file, what="log")

        try:
            fh = logging.FileHandler(log_file, encoding="utf-8")
        except OSError as exc:
            from trafficscan.core.errors import InputError, Problem

            raise InputError(
                Problem(
                    file=str(log_file), message=f"cannot open the log file: {exc.strerror or exc}"
                )
            ) from None
        fh.setFormatter(JsonFormatter())
        fh.setLevel(logging.INFO)
        root.addHandler(fh)

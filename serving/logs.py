"""Structured JSON logs that carry request metadata and never the note text.

Our own log lines are built only from fields we choose (request id, path, status,
latency, model version, flag counts). For records from libraries, an attached
exception is logged by type and stack frames only: exception messages can quote
their input, and input here may be a note.
"""

from __future__ import annotations

import json
import logging
import traceback
from datetime import UTC, datetime
from typing import Any

logger = logging.getLogger("rightcall.serving")
FIELDS = "fields"


def log_event(event: str, level: int = logging.INFO, **fields: Any) -> None:
    """One structured line; pass only metadata, never note text."""
    logger.log(level, event, extra={FIELDS: {"event": event, **fields}})


def exception_summary(error: BaseException) -> dict[str, str]:
    """An exception's type and stack frames, without its message."""
    frames = traceback.format_tb(error.__traceback__)
    return {"exception": type(error).__name__, "stack": "".join(frames[-8:])}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "pid": record.process,
        }
        fields = getattr(record, FIELDS, None)
        if isinstance(fields, dict):
            line.update(fields)
        else:
            line["message"] = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            line.update(exception_summary(record.exc_info[1]))
        return json.dumps(line, default=str, ensure_ascii=False)


def logging_config(level: str = "info") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` dict, also handed to uvicorn for its workers."""
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
        },
        "loggers": {
            "rightcall": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            # Our middleware logs every request with more useful fields.
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
        "root": {"handlers": ["stderr"], "level": "WARNING"},
    }

"""`rightcall serve` and `rightcall feedback purge | export`."""

from __future__ import annotations

import json
import logging.config
import os
import re
import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from ._common import console, fail

feedback_app = typer.Typer(
    help="Manage stored feedback (it holds note text).", no_args_is_help=True
)
DURATION = re.compile(r"^\s*(\d+)\s*([dhwm])\s*$")
UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def _settings(**overrides):
    """Settings from RIGHTCALL_* plus command-line overrides; errors never echo values."""
    from serving.settings import Settings, describe_errors

    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as error:
        fail(describe_errors(error), 2)


def serve_command(
    host: Annotated[
        str | None, typer.Option(help="Interface to bind [RIGHTCALL_HOST; default 127.0.0.1].")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port [RIGHTCALL_PORT; default 8000].")] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes [RIGHTCALL_WORKERS; default 1].")
    ] = None,
    models: Annotated[
        Path | None,
        typer.Option(help="Models folder holding latest/ [RIGHTCALL_MODELS_DIR; default models]."),
    ] = None,
    model_version: Annotated[
        str | None, typer.Option(help="Version to serve [RIGHTCALL_MODEL_VERSION; default latest].")
    ] = None,
) -> None:
    """Serve the HTTP API (docs at /docs). Without RIGHTCALL_API_KEYS: local mode, loopback only."""
    from serving.logs import log_event, logging_config
    from serving.security import LocalModeError, check_bind

    overrides = {
        "host": host,
        "port": port,
        "workers": workers,
        "models_dir": models,
        "model_version": model_version,
    }
    settings = _settings(**overrides)
    try:
        check_bind(settings)
    except LocalModeError as error:
        fail(str(error), 2)
    # Worker processes build their own app from the environment: hand them the options.
    for name, value in overrides.items():
        if value is not None:
            os.environ[f"RIGHTCALL_{name.upper()}"] = str(value)
    log_config = logging_config(settings.log_level)
    logging.config.dictConfig(log_config)
    log_event(
        "starting",
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        models_dir=str(settings.models_dir),
        model_version=settings.model_version,
        local_mode=settings.local_mode,
        api_keys=len(settings.api_keys),
    )
    if settings.workers > 1:
        log_event(
            "several_workers",
            logging.WARNING,
            message="POST /v1/admin/reload reloads only the worker that answers it; send "
            "SIGHUP to the main process to restart (and so reload) every worker",
        )
    # A fresh interpreter that imports only what serving needs (see cli/serve_process.py).
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-m", "cli.serve_process"])


def parse_duration(text: str) -> timedelta:
    """``90d``, ``12h``, ``2w`` or ``30m`` as a timedelta."""
    match = DURATION.match(text)
    if not match:
        raise typer.BadParameter("use a number and a unit: 90d, 12h, 2w or 30m")
    return timedelta(**{UNITS[match.group(2)]: int(match.group(1))})


DatabaseUrl = Annotated[
    str | None,
    typer.Option(help="Database URL [RIGHTCALL_DATABASE_URL; default sqlite:///var/rightcall.db]."),
]


@feedback_app.command("purge")
def purge_command(
    older_than: Annotated[
        str, typer.Option(help="Delete feedback older than this: 90d, 12h, 2w or 30m.")
    ],
    database_url: DatabaseUrl = None,
) -> None:
    """Delete old feedback rows (and the note text they hold)."""
    from serving.store import FeedbackStore, StoreUnavailable

    age = parse_duration(older_than)
    settings = _settings(database_url=database_url)
    store = FeedbackStore(settings.database_url)
    try:
        deleted = store.purge(age)
    except StoreUnavailable as error:
        fail(str(error))
    finally:
        store.close()
    console.print(f"Deleted {deleted} feedback row(s) older than {older_than.strip()}.")


@feedback_app.command("export")
def export_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="JSONL file to write.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Write all feedback as labelled JSONL for `rightcall train --data FILE`."""
    from serving.store import FeedbackStore, StoreUnavailable

    settings = _settings(database_url=database_url)
    store = FeedbackStore(settings.database_url)
    count = 0
    try:
        records = store.export()  # fails here, before the file is created, if the DB is down
        with output.open("w", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
    except StoreUnavailable as error:
        fail(str(error))
    except OSError as error:
        fail(f"{output}: cannot write ({error.strerror})")
    finally:
        store.close()
    console.print(f"Wrote {count} labelled note(s) to {output}")

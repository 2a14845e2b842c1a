"""`rightcall serve`: check the options, then become the server process."""

from __future__ import annotations

import logging.config
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from ._common import fail, require_extra, server_settings


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
    from serving.bind import LocalModeError, check_bind
    from serving.logs import log_event, logging_config

    overrides = {
        "host": host,
        "port": port,
        "workers": workers,
        "models_dir": models,
        "model_version": model_version,
    }
    settings = server_settings(**overrides)
    try:
        check_bind(settings)
    except LocalModeError as error:
        fail(str(error), 2)
    if settings.database_url.split(":", 1)[0].split("+", 1)[0] in ("postgresql", "postgres"):
        require_extra("postgres", "a PostgreSQL RIGHTCALL_DATABASE_URL")
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

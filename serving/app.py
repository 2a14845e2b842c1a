"""The app factory: settings in, a ready-to-run FastAPI app out.

``create_app()`` with no argument reads ``RIGHTCALL_*`` from the environment, which is
how uvicorn's worker processes build theirs (``serving.app:create_app``, factory).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import metadata

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from . import errors
from .bind import check_bind
from .feedback_access import StoreSlot
from .headers import SecurityHeaders
from .holder import ModelHolder, ReloadError
from .logs import log_event
from .middleware import RequestContext
from .recent import RecentNotes
from .routes import admin, classify, docs, feedback, health, manifest, metrics, page
from .schemas import document_limits
from .settings import Settings
from .telemetry import Metrics

DESCRIPTION = """Calibrated mental-health, crime and threat-to-life signals for emergency-call
notes, with the words that drove them and a suggested Right Care, Right Person route.
Advice only: the handler decides. Send the API key in the `X-API-Key` header (not needed
in local mode). Every error is `{"error": ..., "request_id": ...}`."""


SHUTDOWN_WAIT_SECONDS = 10.0  # for the feedback store to finish opening


def start(settings: Settings, holder: ModelHolder) -> None:
    """Load the model; a failure leaves the server up (readiness says whether it can
    classify). The feedback store opens after this, beside the running server."""
    if settings.local_mode:
        log_event(
            "local_mode",
            logging.WARNING,
            host=settings.host,
            message="no API keys configured: local mode, listening on loopback only, "
            "every endpoint open to local callers",
        )
    with contextlib.suppress(ReloadError):  # logged and counted; /readyz stays 503
        holder.reload(settings.model_version, trigger="start")


def reload_on_sighup(holder: ModelHolder, version: str) -> Callable[[], None]:
    """Reload on SIGHUP (in a worker thread); returns a function that stops listening.

    Signals can only be handled on the main thread, so under a test client this is a no-op.
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    loop = asyncio.get_running_loop()

    def reload_quietly() -> None:
        with contextlib.suppress(ReloadError):  # logged and counted; the old model stays
            holder.reload(version, trigger="SIGHUP")

    try:
        loop.add_signal_handler(signal.SIGHUP, lambda: loop.run_in_executor(None, reload_quietly))
    except (NotImplementedError, RuntimeError, ValueError, AttributeError):
        return lambda: None
    return lambda: loop.remove_signal_handler(signal.SIGHUP)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    check_bind(settings)
    registry = Metrics()
    holder = ModelHolder(settings.models_dir, registry)
    store = StoreSlot(settings.database_url)
    recent = RecentNotes(settings.recent_notes, settings.recent_notes_ttl_seconds)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(start, settings, holder)
        # The database library loads and the schema is made while requests are served.
        opening = threading.Thread(target=store.open, name="open-feedback-store", daemon=True)
        opening.start()
        stop_listening = reload_on_sighup(holder, settings.model_version)
        try:
            yield
        finally:
            stop_listening()
            # Off the event loop: a database that does not answer must not freeze shutdown.
            await run_in_threadpool(opening.join, SHUTDOWN_WAIT_SECONDS)
            store.close()

    app = FastAPI(
        title="rightcall",
        version=metadata.version("rightcall"),
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served by routes/docs.py from local assets
        redoc_url=None,  # ReDoc fetches its logo from outside: not served
    )
    app.state.settings = settings
    app.state.metrics = registry
    app.state.holder = holder
    app.state.store = store
    app.state.recent = recent
    errors.install(app)
    app.add_middleware(
        RequestContext, metrics=registry, max_body_bytes=settings.max_body_bytes, holder=holder
    )
    app.add_middleware(SecurityHeaders)  # outermost: also on the JSON 500 of RequestContext
    for module in (classify, manifest, feedback, admin, health, metrics, page, docs):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=page.STATIC_DIR, check_dir=False), name="static")
    app.mount(docs.ASSETS_URL, StaticFiles(directory=docs.ASSETS_DIR), name="docs-assets")
    app.openapi = with_limits(app, settings)
    return app


def with_limits(app: FastAPI, settings: Settings) -> Callable[[], dict]:
    """``app.openapi`` with this server's note and batch limits written in."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = document_limits(
                build(), settings.max_text_chars, settings.max_batch
            )
        return app.openapi_schema

    return openapi

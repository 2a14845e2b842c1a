"""What the API needs of the feedback store without importing its database library: the
record, the error, and the slot the store is opened into once the server is ready.

Importing SQLAlchemy (about 0.15 s) and creating the schema are not on the way to
``/readyz``: readiness is about classifying, and feedback already answers 503 while the
database is unavailable. Feedback that arrives while the store is still opening waits for it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .logs import log_event

if TYPE_CHECKING:
    from .store import FeedbackStore

OPEN_WAIT_SECONDS = 30.0


class StoreUnavailable(Exception):
    """The database could not be reached or refused the operation."""


@dataclass(frozen=True)
class NewFeedback:
    text: str
    labels: dict[str, bool]
    request_id: str | None = None
    call_id: str | None = None
    route_taken: str | None = None
    comment: str | None = None
    model_version: str | None = None


class StoreSlot:
    """Holds the feedback store once ``open`` (run once, off the start-up path) has made it."""

    def __init__(self, url: str, wait: float = OPEN_WAIT_SECONDS) -> None:
        self.url = url
        self.wait = wait
        self._store: FeedbackStore | None = None
        self._problem = "it has not been opened"
        self._opened = threading.Event()

    def open(self) -> None:
        """Connect and create the schema; the outcome is logged, never raised."""
        try:
            try:
                from .store import FeedbackStore

                self._store = FeedbackStore(self.url)
            except Exception as error:  # not a database URL, no such dialect, no driver ...
                # The kind and message (no URL, which may hold a password, nor any note).
                self._problem = f"{type(error).__name__}: {error}"
                log_event("store_unavailable", logging.WARNING, backend=None, reason=self._problem)
                return
            backend = self._store.backend
            try:
                self._store.ensure_schema()  # retried by every later use until it works
                log_event("store_ready", backend=backend)
            except StoreUnavailable as error:
                log_event("store_unavailable", logging.WARNING, backend=backend, reason=str(error))
        finally:
            self._opened.set()

    def get(self) -> FeedbackStore:
        """The store; StoreUnavailable if it could not be made (or is still opening)."""
        if not self._opened.wait(self.wait):
            raise StoreUnavailable("the feedback database is still being opened")
        if self._store is None:
            raise StoreUnavailable(f"the feedback database cannot be used: {self._problem}")
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

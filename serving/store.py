"""The feedback store: SQLAlchemy over a SQLite file (WAL) by default, or PostgreSQL.

Feedback is the only place a note's text is kept, because retraining needs it;
``purge`` deletes old rows (SQLite is told to overwrite deleted content). Database
errors are re-raised as ``StoreUnavailable`` without SQLAlchemy's message, which
would quote the statement's parameters, and so the note.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, String, Text, create_engine, delete, event, func, select
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from model import LABELS

from .feedback_access import NewFeedback, StoreUnavailable

__all__ = ["FeedbackStore", "NewFeedback", "StoreUnavailable", "make_engine", "training_record"]

EXPORT_PAGE = 500


class Base(DeclarativeBase):
    pass


class Feedback(Base):
    """A handler's judgement of one note, with the note itself (times are UTC)."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    created: Mapped[datetime] = mapped_column(DateTime(), index=True)
    request_id: Mapped[str | None] = mapped_column(String(40), index=True)
    call_id: Mapped[str | None] = mapped_column(String(128), index=True)
    text: Mapped[str] = mapped_column(Text())
    labels: Mapped[dict[str, bool]] = mapped_column(JSON())
    route_taken: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text())
    model_version: Mapped[str | None] = mapped_column(String(100))


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def normalise_url(url: str) -> URL:
    """Parse the URL; a bare ``postgresql://`` means psycopg 3, the driver we ship."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError("RIGHTCALL_DATABASE_URL is not a database URL") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            # If this fails, connecting fails too and the store says it is unavailable.
            with contextlib.suppress(OSError):
                Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 5})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args = {"connect_timeout": 3} if parsed.get_backend_name() == "postgresql" else {}
    try:
        return create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)
    except ImportError as error:  # the database's driver is an optional extra
        raise ValueError(
            f"RIGHTCALL_DATABASE_URL needs a driver that is not installed ({error.name}); "
            "for PostgreSQL: pip install 'rightcall[postgres]'"
        ) from None


class FeedbackStore:
    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.backend = self.engine.url.get_backend_name()
        self._schema_ready = False
        self._schema_lock = threading.Lock()

    def ensure_schema(self) -> None:
        """Create the table if needed; called at start and retried until it works."""
        if self._schema_ready:
            return
        with self._schema_lock:
            if self._schema_ready:
                return
            try:
                Base.metadata.create_all(self.engine)
            except SQLAlchemyError:
                # Another replica may have created it at the same moment: check once more.
                try:
                    Base.metadata.create_all(self.engine)
                except SQLAlchemyError as error:
                    raise StoreUnavailable(_describe(error)) from None
            self._schema_ready = True

    def add(self, item: NewFeedback) -> int:
        self.ensure_schema()
        row = Feedback(created=utcnow(), **asdict(item))
        try:
            with self.sessions.begin() as session:
                session.add(row)
        except SQLAlchemyError as error:
            raise StoreUnavailable(_describe(error)) from None
        return row.id

    def count(self) -> int:
        self.ensure_schema()
        try:
            with self.sessions() as session:
                return session.scalar(select(func.count()).select_from(Feedback)) or 0
        except SQLAlchemyError as error:
            raise StoreUnavailable(_describe(error)) from None

    def page(self, after_id: int = 0, size: int = EXPORT_PAGE) -> list[Feedback]:
        self.ensure_schema()
        query = select(Feedback).where(Feedback.id > after_id).order_by(Feedback.id).limit(size)
        try:
            with self.sessions() as session:
                return list(session.scalars(query))
        except SQLAlchemyError as error:
            raise StoreUnavailable(_describe(error)) from None

    def export(self) -> Iterator[dict[str, Any]]:
        """Every row as a training record, oldest first; the first page is read eagerly
        so that an unreachable database fails before anything is sent."""
        first = self.page()

        def rows() -> Iterator[dict[str, Any]]:
            current = first
            while current:
                yield from (training_record(row) for row in current)
                current = self.page(after_id=current[-1].id)

        return rows()

    def purge(self, older_than: timedelta) -> int:
        """Delete feedback created more than ``older_than`` ago; return how many rows."""
        self.ensure_schema()
        cutoff = utcnow() - older_than
        try:
            with self.sessions.begin() as session:
                result = session.execute(delete(Feedback).where(Feedback.created < cutoff))
                return result.rowcount or 0
        except SQLAlchemyError as error:
            raise StoreUnavailable(_describe(error)) from None

    def close(self) -> None:
        self.engine.dispose()


def training_record(row: Feedback) -> dict[str, Any]:
    """One JSONL line that ``rightcall train --data`` accepts: id, text, one 0/1 per label.

    ``group`` keeps every note of one call in the same split; the rest is provenance.
    """
    record: dict[str, Any] = {"id": f"feedback-{row.id}", "text": row.text}
    record.update({label: int(bool(row.labels.get(label))) for label in LABELS})
    record.update(
        {
            "source": "feedback",
            "group": f"call:{row.call_id}" if row.call_id else f"feedback-{row.id}",
            "route_taken": row.route_taken,
            "comment": row.comment,
            "model_version": row.model_version,
            "request_id": row.request_id,
            "call_id": row.call_id,
            "created": row.created.isoformat(timespec="seconds") + "Z",
        }
    )
    return record


def _describe(error: SQLAlchemyError) -> str:
    """The kind of failure and the driver's error code (``SQLITE_BUSY`` for a database
    locked by another writer, a SQLSTATE for PostgreSQL), never the statement or its
    parameters."""
    original = getattr(error, "orig", None)
    kind = type(original or error).__name__
    code = getattr(original, "sqlite_errorname", None) or getattr(original, "sqlstate", None)
    return f"the feedback database is unavailable ({kind}{f': {code}' if code else ''})"

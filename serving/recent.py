"""Recently classified notes, kept in memory so feedback can name a request instead of
resending the note.

Bounded in count (``RIGHTCALL_RECENT_NOTES``, 0 turns it off) and in age
(``RIGHTCALL_RECENT_NOTES_TTL_SECONDS``); never written anywhere. It lives in one
process, so behind several workers or replicas a client should send the note's
``text`` with its feedback (the API accepts both).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from cachetools import TTLCache


@dataclass(frozen=True, slots=True)
class RecentNote:
    text: str
    call_id: str | None
    model_version: str


class RecentNotes:
    def __init__(self, size: int, ttl_seconds: float) -> None:
        self.enabled = size > 0
        self._by_request: TTLCache[str, RecentNote] = TTLCache(max(size, 1), ttl_seconds)
        self._by_call: TTLCache[str, str] = TTLCache(max(size, 1), ttl_seconds)
        self._lock = threading.Lock()

    def remember(self, request_id: str, note: RecentNote) -> None:
        if not self.enabled:
            return
        with self._lock:
            self._by_request[request_id] = note
            if note.call_id:
                self._by_call[note.call_id] = request_id

    def find(self, request_id: str | None, call_id: str | None) -> RecentNote | None:
        """The note for ``request_id``, else the latest note classified for ``call_id``."""
        with self._lock:
            if request_id and request_id in self._by_request:
                return self._by_request[request_id]
            latest = self._by_call.get(call_id) if call_id else None
            return self._by_request.get(latest) if latest else None

    def __len__(self) -> int:
        with self._lock:
            return len(self._by_request)

"""API keys with roles, and the local-mode rule for a server without keys.

``handler`` may classify and send feedback, ``analyst`` may export feedback, ``admin``
may reload the model and do everything else. A presented key is hashed and compared
with every configured hash in constant time, so timing tells nothing about which
key, or how much of one, was right.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Request, Security
from fastapi.security import APIKeyHeader
from starlette.exceptions import HTTPException

from .settings import ApiKey, Role, Settings, hash_key

API_KEY_HEADER = "X-API-Key"
api_key_header = APIKeyHeader(
    name=API_KEY_HEADER,
    auto_error=False,
    description="A key configured in RIGHTCALL_API_KEYS (not needed in local mode).",
)


def role_of(presented: str | None, keys: tuple[ApiKey, ...]) -> Role | None:
    """The role of a presented key, or None; every configured key is compared."""
    if not presented:
        return None
    digest = hash_key(presented)
    found: Role | None = None
    for key in keys:
        if hmac.compare_digest(digest, key.sha256):
            found = key.role
    return found


def allows(role: Role, wanted: tuple[Role, ...]) -> bool:
    return role == "admin" or role in wanted


def require(*wanted: Role) -> Callable:
    """A dependency letting through keys whose role is one of ``wanted`` (or admin)."""

    async def check(  # async: pure computation, so no thread-pool hop per request
        request: Request, presented: Annotated[str | None, Security(api_key_header)] = None
    ) -> Role | None:
        settings: Settings = request.app.state.settings
        if settings.local_mode:
            return None
        if not presented:
            raise HTTPException(
                401,
                f"missing API key: send it in the {API_KEY_HEADER} header",
                headers={"WWW-Authenticate": API_KEY_HEADER},
            )
        role = role_of(presented, settings.api_keys)
        if role is None:
            raise HTTPException(
                401, "unknown API key", headers={"WWW-Authenticate": API_KEY_HEADER}
            )
        if not allows(role, wanted):
            raise HTTPException(
                403, f"a {role} key cannot do this; it needs the role {' or '.join(wanted)}"
            )
        request.state.role = role
        return role

    return check

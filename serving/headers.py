"""Response headers that keep the page to this server and keep answers out of caches.

The page's Content-Security-Policy allows scripts, styles, images and requests from this
server only, and no inline script: even if a note's text were ever inserted as HTML, it
could not run. API answers hold note-derived data, so no cache may keep them. ``/docs``
sets a policy of its own (``docs_policy``): this server only, with the inline styles
Swagger UI needs and the hash of its one inline script.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def docs_policy(script_hashes: list[str]) -> str:
    """The API docs' policy: nothing from outside this server, inline scripts by hash only."""
    scripts = " ".join(["'self'", *script_hashes])
    return (
        f"default-src 'none'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    )


def is_page(path: str) -> bool:
    return path == "/" or path.startswith("/static/")


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                if is_page(path):
                    headers.setdefault("Content-Security-Policy", PAGE_POLICY)
                    headers.setdefault("Referrer-Policy", "no-referrer")
                if path.startswith("/v1/"):
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)

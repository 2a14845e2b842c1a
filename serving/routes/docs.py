"""``/docs`` with every asset served by this server, so it works offline.

FastAPI's self-hosting recipe: its own docs routes are switched off and ``/docs`` is rebuilt
here over the Swagger UI files that the ``fastapi-offline`` package ships (mounted at
``/docs-assets``), with a Content-Security-Policy of its own: this server only, plus the
hash of the one inline script that starts Swagger UI. There is no ``/redoc``: ReDoc's
bundle still fetches its logo from its vendor's site.
"""

from __future__ import annotations

import base64
import hashlib
import re
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from ..headers import docs_policy

ASSETS_DIR = Path(str(files("fastapi_offline") / "static"))
ASSETS_URL = "/docs-assets"
OPENAPI_URL = "/openapi.json"
TITLE = "rightcall API"
INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)

router = APIRouter(include_in_schema=False)


def script_hashes(html: bytes) -> list[str]:
    """CSP source expressions allowing exactly the inline scripts of ``html``."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in INLINE_SCRIPT.findall(html)
    ]


def with_policy(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = docs_policy(script_hashes(page.body))
    return page


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    return with_policy(
        get_swagger_ui_html(
            openapi_url=OPENAPI_URL,
            title=TITLE,
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
            oauth2_redirect_url=None,
        )
    )

"""rightcall's online side: the HTTP API handlers' systems call (never imports training).

``create_app`` is imported on first use, so that reading settings stays light.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Settings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    if name == "Settings":
        from .settings import Settings

        return Settings
    raise AttributeError(f"module 'serving' has no attribute {name!r}")

"""rightcall's online side: the HTTP API handlers' systems call (never imports training)."""

from .app import create_app
from .settings import Settings

__all__ = ["Settings", "create_app"]

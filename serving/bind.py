"""The local-mode rule: with no API keys, listen on loopback only. A light module, so that
``rightcall serve`` can check its options before it imports the web framework."""

from __future__ import annotations

import ipaddress

from .settings import Settings


class LocalModeError(Exception):
    """Asked to listen beyond loopback with no API keys configured."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(settings: Settings) -> None:
    """Refuse to serve an open API beyond this machine."""
    if settings.local_mode and not is_loopback(settings.host):
        raise LocalModeError(
            f"no API keys configured (RIGHTCALL_API_KEYS), so rightcall runs in local mode and "
            f"only binds to 127.0.0.1; refusing to listen on {settings.host}"
        )

"""Server configuration, read from ``RIGHTCALL_*`` environment variables.

API keys are hashed as soon as they are read: the settings object, and so the
running server, never holds a key in clear.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from model import VERSION_PATTERN

Role = Literal["handler", "analyst", "admin"]
ROLES: tuple[str, ...] = ("handler", "analyst", "admin")
MIN_KEY_LENGTH = 16
_HASHED = re.compile(r"^sha256:([0-9a-fA-F]{64})$")


class ApiKey(BaseModel):
    """One configured key: its role and the sha256 of the key (never the key itself)."""

    model_config = ConfigDict(frozen=True)
    role: Role
    sha256: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def parse_api_keys(value: str | list[str]) -> tuple[ApiKey, ...]:
    """``role:KEY`` or ``role:sha256:HEX`` entries, comma-separated or as a list.

    Error messages name the entry's position and role, never the key.
    """
    entries = value.split(",") if isinstance(value, str) else list(value)
    keys = []
    for position, raw in enumerate(entries, 1):
        entry = raw.strip()
        if not entry:
            continue
        role, sep, secret = entry.partition(":")
        role = role.strip()
        if not sep or role not in ROLES:
            raise ValueError(
                f"API key entry {position}: expected ROLE:KEY with ROLE one of {', '.join(ROLES)}"
            )
        hashed = _HASHED.match(secret)
        if hashed:
            keys.append(ApiKey(role=role, sha256=hashed.group(1).lower()))
        elif len(secret) < MIN_KEY_LENGTH:
            raise ValueError(
                f"API key entry {position} ({role}): a key needs at least "
                f"{MIN_KEY_LENGTH} characters"
            )
        else:
            keys.append(ApiKey(role=role, sha256=hash_key(secret)))
    return tuple(keys)


class Settings(BaseSettings):
    """Everything the server reads from its environment; see the README's table."""

    model_config = SettingsConfigDict(env_prefix="RIGHTCALL_", extra="ignore")

    models_dir: Path = Path("models")
    model_version: str = "latest"
    database_url: str = "sqlite:///var/rightcall.db"
    api_keys: Annotated[tuple[ApiKey, ...], NoDecode] = ()
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(1, ge=1, le=64)
    max_text_chars: int = Field(10_000, ge=1)
    max_batch: int = Field(256, ge=1)
    max_body_bytes: int = Field(1 << 20, ge=1024)
    recent_notes: int = Field(10_000, ge=0)
    recent_notes_ttl_seconds: float = Field(3600.0, gt=0)
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    @field_validator("api_keys", mode="before")
    @classmethod
    def _hash_api_keys(cls, value: object) -> object:
        if isinstance(value, str) or (
            isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
        ):
            return parse_api_keys(value)
        return value

    @field_validator("model_version")
    @classmethod
    def _safe_version(cls, value: str) -> str:
        if value != "latest" and not VERSION_PATTERN.match(value):
            raise ValueError("must be 'latest' or a version folder name (letters, digits, ._-)")
        return value

    @property
    def local_mode(self) -> bool:
        """No keys configured: every endpoint is open, so only loopback may reach it."""
        return not self.api_keys


def describe_errors(error: ValidationError) -> str:
    """A settings error as text that names variables but never echoes their values."""
    parts = []
    for item in error.errors():
        name = "RIGHTCALL_" + "_".join(str(p) for p in item["loc"][:1]).upper()
        message = item["msg"].removeprefix("Value error, ")
        parts.append(f"{name}: {message}")
    return "; ".join(parts)

"""The word lists templates draw on, and a force's own additions (``--lexicon FILE``).

A lexicon is TOML: ``[lists]`` maps a name to the phrases a ``{name}`` placeholder may take,
``[tables]`` maps a name to a word-for-word table (text-speak). A force's file may hold
``[add]`` (phrases appended to a list, or a new list), ``[replace]`` (a list replaced whole)
and ``[tables.NAME]`` (entries merged into a table).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUNDLED_LEXICON = HERE / "lexicon.toml"


class SuiteError(ValueError):
    """A suite or lexicon file that cannot be used; the message names the file."""


@dataclass
class Lexicon:
    lists: dict[str, list[str]] = field(default_factory=dict)
    tables: dict[str, dict[str, str]] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)


def read_toml(path: Path) -> dict:
    """A TOML file as a dict; a missing or malformed file raises SuiteError naming it."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise SuiteError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise SuiteError(f"{path}: cannot read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise SuiteError(f"{path}: not valid TOML: {error}") from None


def _phrases(path: Path, section: str, name: str, value) -> list[str]:
    if not isinstance(value, list) or not value:
        raise SuiteError(f"{path}: [{section}] {name} must be a non-empty list of phrases")
    bad = [v for v in value if not isinstance(v, str) or not v.strip()]
    if bad:
        raise SuiteError(f"{path}: [{section}] {name} holds {bad[0]!r}; phrases are strings")
    return [v.strip() for v in value]


def _table(path: Path, name: str, value) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items()
    ):
        raise SuiteError(f"{path}: [tables.{name}] must map words to non-empty strings")
    return {k.lower(): v for k, v in value.items()}


def _check_sections(path: Path, data: dict, allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise SuiteError(
            f"{path}: unknown section {unknown[0]!r}; use {', '.join(f'[{a}]' for a in allowed)}"
        )
    for section in allowed:
        if section in data and not isinstance(data[section], dict):
            raise SuiteError(f"{path}: [{section}] must be a table")


def load_lexicon(extra: list[Path] | tuple[Path, ...] = ()) -> Lexicon:
    """The bundled lexicon with each of ``extra`` applied in order."""
    data = read_toml(BUNDLED_LEXICON)
    lexicon = Lexicon(sources=[str(BUNDLED_LEXICON.name)])
    for name, value in data.get("lists", {}).items():
        lexicon.lists[name] = _phrases(BUNDLED_LEXICON, "lists", name, value)
    for name, value in data.get("tables", {}).items():
        lexicon.tables[name] = _table(BUNDLED_LEXICON, name, value)
    for path in extra:
        apply_overrides(lexicon, Path(path))
    return lexicon


def apply_overrides(lexicon: Lexicon, path: Path) -> None:
    data = read_toml(path)
    _check_sections(path, data, ("add", "replace", "tables"))
    for name, value in data.get("add", {}).items():
        known = lexicon.lists.setdefault(name, [])
        known.extend(p for p in _phrases(path, "add", name, value) if p not in known)
    for name, value in data.get("replace", {}).items():
        if name not in lexicon.lists:
            raise SuiteError(
                f"{path}: [replace] {name}: no such list; known lists: "
                f"{', '.join(sorted(lexicon.lists))} (use [add] for a new one)"
            )
        lexicon.lists[name] = _phrases(path, "replace", name, value)
    for name, value in data.get("tables", {}).items():
        lexicon.tables.setdefault(name, {}).update(_table(path, name, value))
    lexicon.sources.append(str(path))

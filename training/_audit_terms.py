"""The labelling guide's archetype and neutral terms, kept as data (``audit_terms.toml``)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from model import LABELS

BUNDLED_TERMS = Path(__file__).parent / "audit_terms.toml"


class TermsError(ValueError):
    """The terms file is unreadable or malformed; the message names the file and entry."""


@dataclass(frozen=True)
class AuditTerm:
    """One term the audit counts: ``kind`` is ``archetype`` or ``neutral``."""

    kind: str
    label: str
    term: str
    pattern: re.Pattern[str]
    meaning: str

    def matches(self, texts: list[str]) -> list[bool]:
        search = self.pattern.search
        return [search(text) is not None for text in texts]


def words_pattern(words: list[str]) -> str:
    """Whole-word alternation; a space in a phrase also matches hyphens and runs of spaces."""
    parts = [r"[\s-]+".join(map(re.escape, word.split())) for word in words]
    return r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)"


def load_audit_terms(path: Path = BUNDLED_TERMS) -> list[AuditTerm]:
    """Archetype and neutral terms from a TOML file such as the bundled ``audit_terms.toml``."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise TermsError(f"{path}: cannot read terms ({error})") from None
    unknown = set(data) - {"archetype", "neutral"}
    if unknown:
        raise TermsError(f"{path}: unknown section(s) {', '.join(sorted(unknown))}")
    terms = []
    for kind in ("archetype", "neutral"):
        for n, entry in enumerate(data.get(kind, []), 1):
            terms.append(_parse_term(path, kind, n, entry))
    if not terms:
        raise TermsError(f"{path}: no [[archetype]] or [[neutral]] terms")
    return terms


def _parse_term(path: Path, kind: str, n: int, entry: dict) -> AuditTerm:
    where = f"{path}: [[{kind}]] #{n}"
    label, term = entry.get("label"), entry.get("term")
    if label not in LABELS:
        raise TermsError(f"{where}: label must be one of {', '.join(LABELS)}; got {label!r}")
    if not isinstance(term, str) or not term:
        raise TermsError(f"{where}: needs a `term` name")
    words, pattern = entry.get("words"), entry.get("pattern")
    if (words is None) == (pattern is None):
        raise TermsError(f"{where} ({term}): give exactly one of `words` or `pattern`")
    if words is not None:
        if not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise TermsError(f"{where} ({term}): `words` must be a list of non-empty strings")
        pattern = words_pattern(words)
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except (re.error, TypeError) as error:
        raise TermsError(f"{where} ({term}): bad pattern ({error})") from None
    meaning = entry.get("positive" if kind == "archetype" else "why", "")
    return AuditTerm(kind, label, term, compiled, str(meaning))

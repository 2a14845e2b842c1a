"""Changes to a note's surface that must not change what it means: the robustness tests."""

from __future__ import annotations

import random
import re

from ._lexicon import Lexicon

PUNCTUATION = re.compile(r"[.,;:!?\"'()\[\]]")
WORD = re.compile(r"[A-Za-z]+")


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def no_punctuation(text: str) -> str:
    return _squash(PUNCTUATION.sub(" ", text))


def typo(text: str, rng: random.Random) -> str:
    """Two neighbouring letters swapped inside one word of five letters or more; the first and
    last letters stay, as in most typing slips."""
    words = [m for m in WORD.finditer(text) if len(m.group()) >= 5]
    if not words:
        return text
    match = rng.choice(words)
    word = match.group()
    i = rng.randrange(1, len(word) - 2)
    swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return text[: match.start()] + swapped + text[match.end() :]


def textspeak(text: str, table: dict[str, str]) -> str:
    def replace(match) -> str:
        return table.get(match.group().lower(), match.group())

    return WORD.sub(replace, text)


def asr(text: str, rng: random.Random, fillers: list[str]) -> str:
    """A speech-to-text transcript: lower case, no punctuation, hesitations between words."""
    words = no_punctuation(text).lower().split()
    for _ in range(min(3, max(1, len(words) // 6))):
        words.insert(rng.randrange(0, len(words) + 1), rng.choice(fillers).lower())
    return " ".join(words)


def perturb(name: str, text: str, rng: random.Random, lexicon: Lexicon) -> str:
    if name == "upper":
        return text.upper()
    if name == "lower":
        return text.lower()
    if name == "no_punctuation":
        return no_punctuation(text)
    if name == "typo":
        return typo(text, rng)
    if name == "textspeak":
        return textspeak(text, lexicon.tables.get("textspeak", {}))
    if name == "asr":
        return asr(text, rng, lexicon.lists.get("asr_filler", ["um"]))
    raise ValueError(f"unknown perturbation {name!r}")

"""Typing slips mapped back to the words the model knows.

A handler typing fast writes "strnagling" or "knfie"; a word model sees an unknown word and
the note loses its strongest evidence. A token that is neither an English word nor a
lexicon word is replaced by the one known word at edit distance 1 (Damerau: a swap, a
missing, extra or wrong letter), found with SymSpell. Only the words listed in
``lexicon/spelling.txt`` are targets: correcting to a word the model has no feature for
would change nothing. Real English words are never "corrected", so the step cannot change
a correctly spelt note.
"""

from __future__ import annotations

import importlib.resources
import json
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from symspellpy import SymSpell, Verbosity

CACHE_SIZE = 50_000
MIN_LENGTH = 5  # shorter tokens are too often abbreviations or names to guess at
_ENGLISH = "frequency_dictionary_en_82_765.txt"
_WORD = re.compile(r"[a-z]+")
_CASED_WORD = re.compile(r"[A-Za-z]+")
LEXICON_BOOST = 1_000_000  # between equally close words, the one the lexicon knows wins


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The English word list symspellpy ships (82,765 words from Google Books n-grams)."""
    path = importlib.resources.files("symspellpy") / _ENGLISH
    with path.open(encoding="utf-8") as handle:
        return frozenset(line.split(" ", 1)[0] for line in handle)


class Speller:
    """Corrects one lower-cased token at a time; callers cache the answers per token."""

    def __init__(self, targets: dict[str, int], known: frozenset[str]) -> None:
        self._symspell = SymSpell(max_dictionary_edit_distance=1, prefix_length=7)
        for word, count in targets.items():
            self._symspell.create_dictionary_entry(word, count)
        self._known = known | frozenset(targets)
        self._answers: dict[str, str] = {}  # unknown tokens repeat across notes
        self._near: dict[str, bool] = {}  # as for ``near``: a lookup costs 3-45 us

    @classmethod
    def load(cls, path: Path, extra_known: frozenset[str] = frozenset()) -> Speller | None:
        """The speller for a lexicon folder, or None when it has no ``spelling.txt``."""
        if not path.exists():
            return None
        targets: dict[str, int] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                word, count = line.split()
                targets[word] = int(count)
        return cls(targets, english_words() | extra_known)

    def correct(self, token: str) -> str:
        """The known word ``token`` was meant to be, or ``token`` itself."""
        if len(token) < MIN_LENGTH or token in self._known or not token.isalpha():
            return token
        answer = self._answers.get(token)
        if answer is None:
            if len(self._answers) > CACHE_SIZE:
                self._answers.clear()
            answer = self._answers[token] = self._lookup(token)
        return answer

    def near(self, token: str) -> bool:
        """Whether a known word is one edit (or one swap) from ``token``, whatever its length."""
        answer = self._near.get(token)
        if answer is None:
            if len(self._near) > CACHE_SIZE:
                self._near.clear()
            found = self._symspell.lookup(token, Verbosity.CLOSEST, max_edit_distance=1)
            answer = self._near[token] = bool(found)
        return answer

    def _lookup(self, token: str) -> str:
        found = self._symspell.lookup(token, Verbosity.CLOSEST, max_edit_distance=1)
        if not found:
            return token
        # A swap of two letters keeps every letter typed: the likeliest slip of equals.
        letters = sorted(token)
        swaps = [s for s in found if sorted(s.term) == letters]
        best = max(swaps or found, key=lambda s: s.count)
        return best.term


def _lexicon_words(lexicon_dir: Path) -> set[str]:
    words: set[str] = set()
    for line in (lexicon_dir / "cues.jsonl").read_text(encoding="utf-8").splitlines():
        for phrase in json.loads(line)["phrases"]:
            words.update(_WORD.findall(phrase.lower()))
    context = json.loads((lexicon_dir / "context.json").read_text(encoding="utf-8"))
    for termset in context.values():
        if isinstance(termset, dict):
            for phrases in termset.values():
                for phrase in phrases:
                    words.update(_WORD.findall(phrase.lower()))
    abbreviations = json.loads((lexicon_dir / "abbreviations.json").read_text(encoding="utf-8"))
    for expansion in abbreviations["expansions"].values():
        words.update(_WORD.findall(expansion))
    identity = json.loads((lexicon_dir / "identity.json").read_text(encoding="utf-8"))
    for word, neutral in identity["neutral"].items():
        words.update(_WORD.findall(f"{word} {neutral}"))
    return words


def write_spelling_list(texts: Iterable[str], lexicon_dir: Path) -> int:
    """Write ``lexicon_dir/spelling.txt`` from training notes; returns the number of words.

    Targets are English words seen at least twice in ``texts`` (typing slips in the notes
    are not English words, so they never become targets) and every lexicon word.
    """
    counts: Counter[str] = Counter()
    capitalised: Counter[str] = Counter()  # inside a mixed-case note, not first in it
    lowered: Counter[str] = Counter()
    for text in texts:
        counts.update(_WORD.findall(text.lower()))
        if text.isupper() or text.islower():
            continue
        for word in _CASED_WORD.findall(text)[1:]:
            (capitalised if word[0].isupper() else lowered)[word.lower()] += 1
    english = english_words()
    # A word written capitalised in most of its uses is a name ("Darius"): never a target,
    # or an unseen name one letter away ("Dariusz") would be "corrected" into it.
    targets = {
        w: c for w, c in counts.items() if c >= 2 and w in english and capitalised[w] <= lowered[w]
    }
    for word in _lexicon_words(lexicon_dir):
        targets[word] = targets.get(word, 0) + LEXICON_BOOST
    lines = [f"{w} {c}" for w, c in sorted(targets.items()) if len(w) >= MIN_LENGTH - 1]
    (lexicon_dir / "spelling.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)

"""spaCy's English as inference reads it, without importing spaCy.

Scoring and serving read three things of spaCy's English: its tokenizer, its stop words and
its sentence-ending punctuation. Importing spaCy for them cost 0.37 s of a one-second start
of ``rightcall score``, so ``scripts/export_spacy_english.py`` writes them into
``model/spacy_english.json`` and this module reads them back. ``RuleTokenizer`` follows
spaCy's ``Tokenizer.__call__`` step by step (spaces, special cases, prefixes and suffixes,
infixes, then special cases found among the tokens) and gives the same tokens at the same
places: ``tests/model/test_english.py`` compares it with spaCy on arbitrary text, and fails
when the file no longer matches the installed spaCy.
"""

from __future__ import annotations

import importlib.resources
import json
import re
from pathlib import Path

# The package folder, not this file's: the compiled copy of this module lives in model/_fast.
ENGLISH_FILE = Path(str(importlib.resources.files("model"))) / "spacy_english.json"

_ENGLISH = json.loads(ENGLISH_FILE.read_text(encoding="utf-8"))
# Runs of whitespace and of other characters (``\s`` is ``str.isspace``, as spaCy splits).
_RUNS = re.compile(r"\s+|\S+")
SPAN_CACHE_SIZE = 50_000
STOP_WORDS: frozenset[str] = frozenset(_ENGLISH["stop_words"])
SENTENCE_ENDS: frozenset[str] = frozenset(_ENGLISH["sentence_ends"])


def _pattern(entry: list | None):
    return None if entry is None else re.compile(entry[0], entry[1])


class RuleTokenizer:
    """spaCy's English tokenizer from the exported patterns and special cases. Thread-safe."""

    def __init__(self, english: dict = _ENGLISH) -> None:
        patterns = english["patterns"]
        self._prefix = _pattern(patterns["prefix_search"])
        self._suffix = _pattern(patterns["suffix_search"])
        self._infix = _pattern(patterns["infix_finditer"])
        self._url = _pattern(patterns["url_match"])
        self._token = _pattern(patterns["token_match"])
        self._spans: dict[bool, dict[str, tuple[str, ...]]] = {True: {}, False: {}}
        self.rules: dict[str, tuple[str, ...]] = {
            key: tuple(pieces) for key, pieces in english["special_cases"].items()
        }
        # spaCy's special matcher: the special cases that affixes, infixes or a space would
        # otherwise split, as the tokens they split into, looked for among a text's tokens.
        self._matched: dict[str, dict[int, set[tuple[str, ...]]]] = {}
        for key in self.rules:
            if (
                not english["faster_heuristics"]
                or self._prefix_length(key)
                or self._infixes(key)
                or self._suffix_length(key)
                or " " in key
            ):
                pieces = tuple(text for text, _ in self._affixed(key, False))
                self._matched.setdefault(pieces[0], {}).setdefault(len(pieces), set()).add(pieces)

    def tokenize(self, text: str) -> list[tuple[str, int]]:
        """(token text, start) pairs, as ``[(t.text, t.idx) for t in tokenizer(text)]``."""
        tokens = self._affixed(text, True)
        if self._matched and tokens:
            tokens = self._special_cases_among(tokens)
        out = []
        at = 0
        for piece, space in tokens:
            out.append((piece, at))
            at += len(piece) + space
        return out

    def without_special_cases(self, text: str) -> list[str]:
        """Token texts of a tokenizer with no special cases (and otherwise this one's)."""
        return [piece for piece, _ in self._affixed(text, False)]

    def _prefix_length(self, text: str) -> int:
        found = self._prefix.search(text) if self._prefix is not None else None
        return found.end() - found.start() if found is not None else 0

    def _suffix_length(self, text: str) -> int:
        found = self._suffix.search(text) if self._suffix is not None else None
        return found.end() - found.start() if found is not None else 0

    def _infixes(self, text: str) -> list:
        return list(self._infix.finditer(text)) if self._infix is not None else []

    def _matches_whole(self, text: str) -> bool:
        return (self._token is not None and self._token.match(text) is not None) or (
            self._url is not None and self._url.match(text) is not None
        )

    def _affixed(self, text: str, special: bool) -> list[list]:
        """[text, followed by a space] of each token before special cases are looked for
        among them (spaCy's ``_tokenize_affixes``): the text splits into runs of space and
        of non-space characters, a single space after a token is that token's, and each
        other run is split on its own (and remembered, as spaCy's tokenizer remembers it:
        a note that must be read whole is mostly runs met before)."""
        tokens: list[list] = []
        known = self._spans[special]
        for match in _RUNS.finditer(text):
            run = match.group()
            if tokens and run[0] == " ":  # not at the start: there is no token to own it
                tokens[-1][1] = True
                run = run[1:]
                if not run:
                    continue
            pieces = known.get(run)
            if pieces is None:
                found: list[list] = []
                self._span(run, found, special)
                pieces = tuple(piece for piece, _ in found)
                if len(known) > SPAN_CACHE_SIZE:
                    known.clear()
                known[run] = pieces
            tokens.extend([piece, False] for piece in pieces)
        return tokens

    def _span(self, span: str, tokens: list[list], special: bool) -> None:
        """The tokens of one span with no space in it (``_tokenize`` and its helpers)."""
        rules = self.rules
        if special and span in rules:
            tokens.extend([piece, False] for piece in rules[span])
            return
        if span.isascii() and span.isalpha():
            # One token: each English prefix, suffix, infix and URL pattern needs a character
            # other than a letter (tested). Over half of a note's new words are such runs.
            tokens.append([span, False])
            return
        prefixes: list[str] = []
        suffixes: list[str] = []
        last_size = 0
        while span and len(span) != last_size:
            if self._token is not None and self._token.match(span):
                break
            if special and span in rules:
                break
            last_size = len(span)
            pre_len = self._prefix_length(span)
            if pre_len:
                prefix = span[:pre_len]
                minus_pre = span[pre_len:]
                if minus_pre and special and minus_pre in rules:
                    span = minus_pre
                    prefixes.append(prefix)
                    break
            suf_len = self._suffix_length(span[pre_len:])
            if suf_len:
                suffix = span[-suf_len:]
                minus_suf = span[:-suf_len]
                if minus_suf and special and minus_suf in rules:
                    span = minus_suf
                    suffixes.append(suffix)
                    break
            if pre_len and suf_len and (pre_len + suf_len) <= len(span):
                span = span[pre_len:-suf_len]
                prefixes.append(prefix)
                suffixes.append(suffix)
            elif pre_len:
                span = minus_pre
                prefixes.append(prefix)
            elif suf_len:
                span = minus_suf
                suffixes.append(suffix)
        tokens.extend([prefix, False] for prefix in prefixes)
        if span:
            if special and span in rules:
                tokens.extend([piece, False] for piece in rules[span])
            elif self._matches_whole(span):
                tokens.append([span, False])
            else:
                self._split_infixes(span, tokens)
        tokens.extend([suffix, False] for suffix in reversed(suffixes))

    def _split_infixes(self, span: str, tokens: list[list]) -> None:
        matches = self._infixes(span)
        if not matches:
            tokens.append([span, False])
            return
        start = 0
        for match in matches:
            infix_start, infix_end = match.start(), match.end()
            if infix_start == 0:
                continue  # an infix at the start splits nothing off
            if infix_start != start:
                tokens.append([span[start:infix_start], False])
            if infix_start != infix_end:
                tokens.append([span[infix_start:infix_end], False])
            start = infix_end
        if span[start:]:
            tokens.append([span[start:], False])

    def _special_cases_among(self, tokens: list[list]) -> list[list]:
        """spaCy's ``_apply_special_cases``: every place the tokens spell a special case's
        split tokens (across spaces too), the longest first and then the earliest, each
        taking its tokens from shorter or later ones; a place whose text is a special case
        becomes its tokens."""
        texts = [piece for piece, _ in tokens]
        found = []
        matched = self._matched
        for i, first in enumerate(texts):
            by_length = matched.get(first)
            if by_length is None:
                continue
            for length, patterns in by_length.items():
                if tuple(texts[i : i + length]) in patterns:
                    found.append((i, i + length))
        if not found:
            return tokens
        found.sort(key=lambda span: (span[0] - span[1], span[0]))  # longest, then earliest
        seen: set[int] = set()
        kept: dict[int, int] = {}
        for start, end in found:
            if start not in seen and end - 1 not in seen:
                kept[start] = end
            seen.update(range(start, end))
        out: list[list] = []
        i = 0
        while i < len(tokens):
            end = kept.get(i)
            if end is None:
                out.append(tokens[i])
                i += 1
                continue
            text = "".join(p + " " * s for p, s in tokens[i : end - 1]) + tokens[end - 1][0]
            rule = self.rules.get(text)
            if rule is None:
                out.extend(tokens[i:end])
            else:
                out.extend([piece, False] for piece in rule)
                out[-1][1] = tokens[end - 1][1]
            i = end
        return out

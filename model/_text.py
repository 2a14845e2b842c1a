"""Text normalisation that never moves a character.

Evidence must point at the handler's own words, so every step here keeps a map
from each processed term back to a span of the ORIGINAL note. Normalisation is
done character for character (same length), then tokens are expanded and stemmed
into terms that each remember their source span.
"""

from __future__ import annotations

import importlib.resources
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import snowballstemmer

from ._spelling import Speller

# The package folder, not this file's: the compiled copy of this module lives in model/_fast.
LEXICON_DIR = Path(str(importlib.resources.files("model"))) / "lexicon"

_CHAR_MAP = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "`": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2033": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u00a0": " ",
    "\u2007": " ",
    "\u202f": " ",
    "\u2009": " ",
    "\u200a": " ",
    "\u2026": ".",
    "\t": " ",
    "\r": " ",
    "\n": " ",
    "\u2028": " ",
    "\u2029": " ",
}


def normalise_char(ch: str) -> str:
    """One character in, one character out: punctuation variants folded, lower-cased."""
    mapped = _CHAR_MAP.get(ch)
    if mapped is not None:
        return mapped
    if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
        return " "
    low = ch.lower()
    if len(low) != 1:
        low = unicodedata.normalize("NFKD", ch)[0].lower()
    return low


_ASCII_TABLE = str.maketrans({ch: normalise_char(ch) for ch in map(chr, range(128))})


def normalise(text: str) -> str:
    """Same-length normalised copy of ``text`` (offsets stay valid against the original)."""
    if text.isascii():
        return text.translate(_ASCII_TABLE)
    return "".join(map(normalise_char, text))


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Abbreviation expansions and identity terms, loaded from versioned JSON."""

    expansions: dict[str, tuple[str, ...]]
    identity: frozenset[str]
    version: str
    speller: Speller | None = None
    # Titles of the person lexicon: "Mr S Patel" keeps its initial, not a bare clitic.
    titles: frozenset[str] = frozenset()

    @classmethod
    def load(cls, directory: Path = LEXICON_DIR) -> Lexicon:
        raw = json.loads((directory / "abbreviations.json").read_text(encoding="utf-8"))
        identity = json.loads((directory / "identity.json").read_text(encoding="utf-8"))
        neutral = {k: tuple(v.split()) for k, v in identity["neutral"].items()}
        # Expansions pass through the identity map too ("m" -> "male" -> "person").
        expansions = {
            k: tuple(w for word in v.split() for w in neutral.get(word, (word,)))
            for k, v in raw["expansions"].items()
        }
        # Identity neutralisation wins over abbreviations ("bf" is a partner, not a boyfriend).
        expansions.update(neutral)
        expansions.update({word: () for word in identity["drop"]})
        expansions.update({name: ("<person>",) for name in identity["names"]})
        words = frozenset([*identity["neutral"], *identity["drop"], *identity["names"]])
        speller = Speller.load(directory / "spelling.txt", frozenset(expansions))
        persons = json.loads((directory / "persons.json").read_text(encoding="utf-8"))
        version = f"{raw['version']}.{identity['version']}"
        return cls(expansions, words, version, speller, frozenset(persons["titles"]))


# Snowball's English stemmer. ``snowballstemmer`` hands it to PyStemmer's C build of the same
# algorithm when that is installed: 1.2 against 23 us a word, which a note pays for each word
# no note before it had. Same stems (tests/model/test_stemmer.py); the artefact pins both.
_STEMMER = snowballstemmer.stemmer("english")
_AGE_SEX = re.compile(r"^(\d{1,3})(m|f|yo|yrs?|y/o)$")
_NUMBER = re.compile(r"^\d+([.,:]\d+)*(hrs|am|pm|h)?$")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _STEMMER.stemWord(word)


@dataclass(slots=True)
class Terms:
    """Processed terms of a note, each with the [start, end) span it came from."""

    words: list[str]
    starts: list[int]
    ends: list[int]
    identity_spans: list[tuple[int, int]]
    # (start, end, words): what a token reads as in character n-grams when not itself (a
    # typing slip corrected, an abbreviation expanded, a spoken filler dropped as "")
    corrections: list[tuple[int, int, str]] = field(default_factory=list)


Expansion = tuple[tuple[str, ...], bool, str | None]

# Two-word spoken fillers ("not, you know, breathing"; "he's, I mean, got a knife"), unless
# they ask or govern something ("do you know where he is", "I mean it").
_FILLER_PAIRS = {("you", "know"), ("i", "mean")}
_FILLER_BEFORE_NOT = frozenset(
    ["do", "did", "does", "if", "would", "will", "can", "could", "n't", "as", "let"]
)
_FILLER_AFTER_NOT = frozenset(
    [
        "where",
        "what",
        "who",
        "whom",
        "how",
        "if",
        "that",
        "why",
        "when",
        "whether",
        "him",
        "her",
        "them",
        "me",
        "us",
        "it",
        "this",
        "the",
        "a",
        "an",
        "anything",
        "anyone",
        "his",
        "their",
        "my",
        "your",
        "our",
        "to",
    ]
)


# Text-speak "2" and "4" ("going 2 kill", "struggling 2 breathe", "waiting 4 him") are words
# unless what follows is counted or measured ("2 males", "4 days", "2 of them", "2 pm") or is
# not a word at all (punctuation, a number, the end of the note).
_TEXTSPEAK_DIGITS: dict[str, Expansion] = {
    "2": (("to",), False, "to"),
    "4": (("for",), False, "for"),
}
_COUNTED = frozenset(
    [
        "men",
        "women",
        "people",
        "ppl",
        "children",
        "kids",
        "male",
        "female",
        "man",
        "woman",
        "child",
        "kid",
        "adult",
        "person",
        "boy",
        "girl",
        "lad",
        "teen",
        "youth",
        "year",
        "yr",
        "month",
        "week",
        "day",
        "hour",
        "hr",
        "min",
        "minute",
        "sec",
        "second",
        "mile",
        "metre",
        "meter",
        "foot",
        "ft",
        "inch",
        "am",
        "pm",
        "of",
        "or",
        "and",
        "x",
        "to",
        "times",
        "more",
        "other",
        "others",
        "half",
        "door",
        "floor",
        "car",
        "vehicle",
        "veh",
        "bottle",
        "box",
        "packet",
        "pack",
        "tablet",
        "pill",
        "dose",
        "pint",
        "can",
        "bag",
        "knife",
        "gun",
        "dog",
        "suspect",
        "subject",
        "subj",
        "unit",
        "officer",
        "ambulance",
        "patient",
        "occupant",
    ]
)


def _textspeak_word(following: str) -> bool:
    """Whether a "2"/"4" token reads as "to"/"for" before ``following``."""
    return (
        following.isalpha()
        and following not in _COUNTED
        and not (following.endswith("s") and len(following) > 2 and not following.endswith("ss"))
    )


# Contractions typed without the apostrophe come apart in the tokenizer ("didn t", "caller s",
# "I m"): each is read as its apostrophe form, so a note means the same with or without it.
_NOT_BASES = {
    "didn": "did",
    "don": "do",
    "doesn": "does",
    "isn": "is",
    "wasn": "was",
    "aren": "are",
    "weren": "were",
    "hasn": "has",
    "haven": "have",
    "hadn": "had",
    "couldn": "could",
    "wouldn": "would",
    "shouldn": "should",
    "can": "can",
    "won": "will",
    "ain": "is",
    "mustn": "must",
    "needn": "need",
}


def _clitic(tokens: list[tuple[str, int]], k: int, titles: frozenset[str]) -> str | None:
    """The apostrophe form a bare clitic token stands for, when its neighbour says it is one."""
    text = tokens[k][0]
    if k == 0:
        return None
    before = tokens[k - 1][0]
    if text == "s" and before.isalpha() and len(before) > 1 and before not in titles:
        return "'s"
    if text == "m" and before == "i":
        return "'m"
    if text == "t" and before in _NOT_BASES:
        return "n't"
    return None


_CLITIC_TOKENS = frozenset(["s", "m", "t"])
# Tokens a rule of ``to_terms`` reads in context: joining hyphens, clitics, "didn" + "t", "2"/"4".
_SPECIAL_TOKENS = frozenset(["-", "/", *_CLITIC_TOKENS, *_NOT_BASES, *_TEXTSPEAK_DIGITS])


def filler_tokens(tokens: list[tuple[str, int]]) -> set[int]:
    """Indices of two-word filler tokens ("you know", "I mean") used as spoken fillers."""
    skip: set[int] = set()
    for k in range(len(tokens) - 1):
        if (tokens[k][0], tokens[k + 1][0]) not in _FILLER_PAIRS:
            continue
        before = tokens[k - 1][0] if k else ""
        after = tokens[k + 2][0] if k + 2 < len(tokens) else ""
        if before not in _FILLER_BEFORE_NOT and after not in _FILLER_AFTER_NOT:
            skip.update((k, k + 1))
    return skip


def expand_token(text: str, lexicon: Lexicon) -> Expansion:
    """The stemmed terms one token becomes, whether it is an identity word, and the words
    the token reads as for character n-grams when that is not itself (a typing slip's
    correction, an abbreviation's expansion, "" for a dropped filler), else None."""
    corrected = None
    expanded = lexicon.expansions.get(text)
    if expanded is not None and expanded != (text,):
        corrected = " ".join(expanded)
    if expanded is None:
        if _AGE_SEX.match(text):
            expanded = ("0", "year", "old")
        elif _NUMBER.match(text):
            expanded = ("0",)
        elif lexicon.speller is not None and (fixed := lexicon.speller.correct(text)) != text:
            expanded = lexicon.expansions.get(fixed, (fixed,))
            corrected = " ".join(expanded)
        else:
            expanded = (text,)
    words = tuple(word if word.startswith("<") else stem(word) for word in expanded)
    return words, text in lexicon.identity, corrected


def to_terms(
    tokens: list[tuple[str, int]],
    lexicon: Lexicon,
    cache: dict[str, Expansion] | None = None,
    persons: list[tuple[int, int, str]] | None = None,
) -> Terms:
    """Expand abbreviations, fold numbers and identity words, and stem.

    ``tokens`` are (normalised token text, start offset) pairs from the tokenizer.
    ``cache`` remembers what each token text becomes: notes repeat their words.
    ``persons`` are person-description spans (first token, last token + 1, neutral term,
    from ``_persons``): each becomes its one term, spanning the original words.
    """
    ends_at: dict[int, int] = {}
    if persons:
        tokens, ends_at = _collapse(tokens, persons)
    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    identity_spans: list[tuple[int, int]] = []
    corrections: list[tuple[int, int, str]] = []
    if cache is None:
        cache = {}
    last = len(tokens) - 1
    fillers = filler_tokens(tokens) if any(t in ("know", "mean") for t, _ in tokens) else ()
    for k, (text, start) in enumerate(tokens):
        end = start + len(text)
        if k in fillers:
            corrections.append((start, end, ""))
            continue
        if ends_at and start in ends_at:  # a person span: its neutral term(s)
            end = ends_at[start]
            identity_spans.append((start, end))
            neutral = text.split()
            words += neutral
            starts += [start] * len(neutral)
            ends += [end] * len(neutral)
            continue
        special = text in _SPECIAL_TOKENS  # one lookup for the usual word, not four
        if special:
            if text in ("-", "/") and 0 < k < last:
                # An infix hyphen ("self-harm") joins words; only a spaced dash breaks a clause.
                before, after = tokens[k - 1], tokens[k + 1]
                if before[1] + len(before[0]) == start and after[1] == end:
                    continue
            if (
                text in _CLITIC_TOKENS
                and (clitic := _clitic(tokens, k, lexicon.titles)) is not None
            ):
                text = clitic
            elif text in _NOT_BASES and k < last and tokens[k + 1][0] == "t":
                text = _NOT_BASES[text]
        known = cache.get(text)
        if known is None:
            known = ((), False, None) if text.isspace() else expand_token(text, lexicon)
            cache[text] = known
        if special and text in _TEXTSPEAK_DIGITS and k < last and _textspeak_word(tokens[k + 1][0]):
            known = _TEXTSPEAK_DIGITS[text]
        expanded, identity, corrected = known
        if identity:
            identity_spans.append((start, end))
        if corrected is not None and not identity:
            corrections.append((start, end, corrected))
        n = len(expanded)
        if n == 1:
            words.append(expanded[0])
            starts.append(start)
            ends.append(end)
        elif n:
            words.extend(expanded)
            starts.extend([start] * n)
            ends.extend([end] * n)
    return Terms(words, starts, ends, identity_spans, corrections)


def _collapse(
    tokens: list[tuple[str, int]], persons: list[tuple[int, int, str]]
) -> tuple[list[tuple[str, int]], dict[int, int]]:
    """Tokens with each person span replaced by its neutral term; where each such term ends."""
    out: list[tuple[str, int]] = []
    ends_at: dict[int, int] = {}
    k = 0
    for first, last, term in persons:
        out += tokens[k:first]
        start = tokens[first][1]
        text, at = tokens[last - 1]
        ends_at[start] = at + len(text)
        out.append((term, start))
        k = last
    out += tokens[k:]
    return out, ends_at

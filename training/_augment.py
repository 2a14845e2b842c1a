"""Counterfactual data augmentation: training notes with their person descriptions swapped.

The person step in ``model/_persons.py`` maps every description it finds to one neutral
term, so a swap it sees cannot change a feature. What it misses (a word beside a span, a
spelling no pattern knows) can still carry identity; swapping the descriptions of a share
of training notes for others, labels unchanged, spreads whatever is left of them evenly
over the labels, so the model has nothing to learn from it. Only adult descriptions are
swapped: a child or an elderly person in a material context stays as written.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from model import LEXICON_DIR, PEOPLE, PERSON, NoteAnalyser, normalise

HEADS = ("man", "woman", "male", "female", "lad", "guy", "person", "bloke", "lady")
PLURAL_HEADS = ("men", "women", "males", "females", "lads", "people")
AGES = ("young", "middle-aged", "older", "20-year-old", "45yo", "aged 30")


@dataclass
class AugmentResult:
    texts: list[str]
    swapped: int  # notes whose descriptions were swapped


def description(
    modifiers: dict[str, list[str]], names: list[str], rng: random.Random, plural: bool
) -> str:
    """One random adult description built from the person lexicon's own words."""
    words: list[str] = []
    if rng.random() < 0.4:
        words.append(rng.choice(AGES))
    for group in ("ethnicity", "nationality", "religion"):
        if rng.random() < 0.25:
            word = rng.choice(modifiers[group])
            words.append(word.title() if word.isalpha() else word)
    words.append(rng.choice(PLURAL_HEADS if plural else HEADS))
    text = " ".join(words)
    if not plural and rng.random() < 0.3:
        text += " called " + rng.choice(names).title()
    article = "" if plural else ("an " if text[0].lower() in "aeiou" else "a ")
    return article + text


def swap_persons(
    analyser: NoteAnalyser, texts: list[str], share: float, seed: int
) -> AugmentResult:
    """``texts`` with a ``share`` of them (chosen by ``seed``) given other adult descriptions."""
    raw = json.loads((LEXICON_DIR / "persons.json").read_text(encoding="utf-8"))
    modifiers, names = raw["modifiers"], sorted(analyser.persons.names)
    heads = {w for words in raw["heads"].values() for w in words}

    def other_persons(text: str, rng: random.Random) -> str | None:
        normalised = normalise(text)
        tokens = analyser.tokenizer.tokenize(normalised)
        spans = [s for s in analyser.persons.find(text, tokens) if s[2] in (PERSON, PEOPLE)]
        if not spans:
            return None
        pieces, at = [], 0
        for first, last, term in spans:
            start = tokens[first][1]
            end = tokens[last - 1][1] + len(tokens[last - 1][0])
            original = {t for t, _ in tokens[first:last]}
            if original & heads or any(t[:1].isdigit() for t in original):
                new = description(modifiers, names, rng, term == PEOPLE)
            else:  # a name, or a title and a name: another name
                new = rng.choice(names).title()
            pieces += [text[at:start], new]
            at = end
        pieces.append(text[at:])
        return "".join(pieces)

    return _rewrite_share(texts, share, seed, other_persons)


# Who someone is to the caller carries no label by the guide: what they do decides. The
# writers still used some relations more in one kind of call (a "flatmate" mostly in
# mental-health calls), so each is swapped, labels unchanged, for another of its own kind:
# a partner for a partner (domestic abuse needs one), anyone else for anyone else. Children
# and elderly relatives are never swapped (their age can be material).
RELATIONS = (
    (
        "flatmate",
        "housemate",
        "lodger",
        "cousin",
        "brother",
        "sister",
        "uncle",
        "aunt",
        "friend",
        "colleague",
        "neighbour",
        "brother-in-law",
        "sister-in-law",
        "workmate",
        "tenant",
    ),
    (
        "husband",
        "wife",
        "partner",
        "ex-partner",
        "boyfriend",
        "girlfriend",
        "ex-husband",
        "ex-wife",
        "fiance",
        "fiancee",
    ),
)
_KIND = {word: kind for kind in RELATIONS for word in kind}
_RELATION = re.compile(
    r"(?<![\w-])(" + "|".join(sorted(map(re.escape, _KIND), key=len, reverse=True)) + r")(?![\w-])",
    re.IGNORECASE,
)


def _cased(word: str, like: str) -> str:
    if like.isupper():
        return word.upper()
    if like[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _swap(chosen: dict[str, str], match: re.Match) -> str:
    return _cased(chosen[match.group(1).lower()], match.group(1))


def _rewrite_share(
    texts: list[str], share: float, seed: int, rewrite: Callable[[str, random.Random], str | None]
) -> AugmentResult:
    """``texts`` with a ``share`` of them (chosen by ``seed``) rewritten; ``rewrite`` returns
    None for a note it has nothing to change in."""
    if share <= 0:
        return AugmentResult(list(texts), 0)
    rng = random.Random(seed)
    out = list(texts)
    swapped = 0
    for k, text in enumerate(texts):
        if rng.random() >= share:
            continue
        new = rewrite(text, rng)
        if new is not None:
            out[k] = new
            swapped += 1
    return AugmentResult(out, swapped)


def _other_relations(text: str, rng: random.Random) -> str | None:
    found = {m.lower() for m in _RELATION.findall(text)}
    if not found:
        return None
    chosen = {word: rng.choice([w for w in _KIND[word] if w != word]) for word in sorted(found)}
    return _RELATION.sub(partial(_swap, chosen), text)


def swap_relations(texts: list[str], share: float, seed: int) -> AugmentResult:
    """``texts`` with a ``share`` of them given other relations of the same kind: each
    relation in a chosen note becomes one other, the same one wherever it recurs."""
    return _rewrite_share(texts, share, seed, _other_relations)


# Who reports a call carries no label either: "the label is about anyone in the note".
# A chosen note that opens with a reporting frame ("Caller states", "RP reports") gets
# another reporter; one with no frame gets one put before it. Labels unchanged.
REPORTERS = (
    "caller",
    "a neighbour",
    "a passer-by",
    "a member of the public",
    "a taxi driver",
    "shop staff",
    "a security guard",
    "the manager",
    "a nurse",
    "a paramedic",
    "a teacher",
    "a GP",
    "a support worker",
    "a friend",
    "a housing officer",
    "a dog walker",
    "a delivery driver",
    "hospital staff",
    "the landlord",
    "a witness",
    "an anonymous caller",
    "a colleague",
    "a relative",
    "a cyclist",
)
REPORTING_VERBS = ("reports", "states", "says", "advises", "rang to say", "called to say")
_FRAME = re.compile(
    r"^(?:the |a )?(?:caller|rp|reporting person|informant|complainant|comp|witness)"
    r"\s+(?:reports|reported|states|stated|says|said|advises|adv)\b[:,]?\s*",
    re.IGNORECASE,
)


def _framed(note: str, reporter: str, verb: str) -> str:
    frame = f"{reporter} {verb} "
    if note.isupper():
        return frame.upper() + note
    if note.islower():
        return frame.lower() + note
    frame = frame[:1].upper() + frame[1:]
    rest = note[:1].lower() + note[1:] if note[1:2].islower() else note
    return frame + rest


def _other_reporter(text: str, rng: random.Random) -> str | None:
    reporter, verb = rng.choice(REPORTERS), rng.choice(REPORTING_VERBS)
    match = _FRAME.match(text)
    rest = text[match.end() :] if match else text
    return _framed(rest, reporter, verb) if rest.strip() else None


def swap_reporters(texts: list[str], share: float, seed: int) -> AugmentResult:
    """``texts`` with a ``share`` of them told by another reporter (labels unchanged)."""
    return _rewrite_share(texts, share, seed, _other_reporter)

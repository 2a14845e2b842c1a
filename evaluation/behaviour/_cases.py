"""One behaviour case, and how a template's placeholders become note text."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import asdict, dataclass

from ._lexicon import Lexicon, SuiteError
from ._templates import FILLER_PREFIX, PLACEHOLDER, Template


@dataclass(frozen=True)
class Case:
    """A note to score (MFT) or a pair of notes to compare (INV, DIR).

    ``expect`` holds only the labels the template determines; ``expect_changed`` is the flag the
    guide requires of a DIR case's changed note; ``group`` joins cases built from one base note.
    """

    id: str
    capability: str
    test: str
    template: str
    group: str
    text: str
    changed: str | None = None
    expect: dict | None = None
    direction: dict | None = None
    expect_changed: dict | None = None
    detail: str | None = None
    casing: str = "as-typed"

    def to_json(self) -> str:
        row = {k: v for k, v in asdict(self).items() if v is not None}
        return json.dumps(row, ensure_ascii=False, sort_keys=False)


def seeded(seed: int, key: str) -> random.Random:
    """A generator of its own for each template, so adding one template changes no other."""
    digest = hashlib.sha256(f"{seed}/{key}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def with_article(phrase: str) -> str:
    first = phrase.lower()
    vowel = first[:1] in "aeiou" and not first.startswith(("uni", "use", "eu", "one"))
    return ("an " if vowel or first.startswith(("hour", "honest")) else "a ") + phrase


def render(text: str, fill: dict[str, str]) -> str:
    def replace(match) -> str:
        article, name = match.groups()
        phrase = fill[name[0].lower() + name[1:]]
        if article:
            phrase = with_article(phrase)
        if name[0].isupper() or (article or "").isupper():
            phrase = phrase[:1].upper() + phrase[1:]
        return phrase

    return PLACEHOLDER.sub(replace, text)


def apply_casing(text: str, casing: str) -> str:
    return text.upper() if casing == "upper" else text.lower() if casing == "lower" else text


def filler(rng: random.Random, sentences: list[str], words: int) -> str:
    """Neutral sentences, none repeated until all are used, up to about ``words`` words."""
    order = rng.sample(sentences, len(sentences))
    chosen: list[str] = []
    count = 0
    while count < words:
        sentence = order[len(chosen) % len(order)]
        chosen.append(sentence)
        count += len(sentence.split())
    return " ".join(chosen)


def expand(template: Template, lexicon: Lexicon, seed: int) -> list[Case]:
    """Up to ``template.cases`` distinct cases; fewer when the lexicon allows no more."""
    slots = sorted(template.slots())
    missing = [s for s in slots if not s.startswith(FILLER_PREFIX) and s not in lexicon.lists]
    if missing:
        raise SuiteError(
            f"{template.path}: template {template.id!r} uses {{{missing[0]}}}, which no "
            "lexicon list defines"
        )
    if any(s.startswith(FILLER_PREFIX) for s in slots) and "filler" not in lexicon.lists:
        raise SuiteError(f"{template.path}: template {template.id!r} needs a 'filler' list")
    rng = seeded(seed, template.id)
    wordings = template.pairs or tuple((t, None) for t in template.texts)
    cases: list[Case] = []
    seen: set[tuple] = set()
    attempts = 0
    while len(cases) < template.cases and attempts < template.cases * 30:
        original, changed = wordings[attempts % len(wordings)]
        attempts += 1
        fill = {
            s: filler(rng, lexicon.lists["filler"], template.filler_words)
            if s.startswith(FILLER_PREFIX)
            else rng.choice(lexicon.lists[s])
            for s in slots
        }
        casing = template.casing[len(cases) % len(template.casing)]
        text = apply_casing(render(original, fill), casing)
        other = apply_casing(render(changed, fill), casing) if changed is not None else None
        if (text, other) in seen:
            continue
        seen.add((text, other))
        case_id = f"{template.id}.{len(cases):04d}"
        cases.append(
            Case(
                id=case_id,
                capability=template.capability,
                test=template.test,
                template=template.id,
                group=case_id,
                text=text,
                changed=other,
                expect=template.expect,
                direction=template.direction,
                expect_changed=template.expect_changed,
                casing=casing,
            )
        )
    return cases

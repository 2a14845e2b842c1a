"""The person step finds at least every description spaCy's rule-based matchers find.

``model/_persons.py`` walks the tokens the analyser already has, for speed and for the parts
of its grammar a pattern cannot say (casing read from the original note, names after cues,
material age). spaCy's ``Matcher`` and ``PhraseMatcher`` stay the reference for the parts a
pattern can say: the same lexicon (``persons.json``) is compiled into token patterns,

    [a|an]? MODIFIER+ HEAD          a young black lad, two Polish men
    MODIFIER-PHRASE HEAD            a mixed race male, a mixed-race male
    TITLE [.]? Capitalised          Mr Oyelaran, Dr. Smith

and every span they match over thousands of notes must lie inside a span the person step
maps to a neutral term. A new spelling the lexicon gains, or a grammar change that drops
one, fails here.
"""

from __future__ import annotations

import json

import pytest
import spacy
from spacy.matcher import Matcher, PhraseMatcher

from evaluation import identity_grid
from model import LEXICON_DIR, NoteAnalyser
from model._text import normalise

from ..conftest import CORPUS, PUBLIC_EVAL


@pytest.fixture(scope="module")
def analyser() -> NoteAnalyser:
    return NoteAnalyser()


class Reference:
    """The lexicon as spaCy Matcher / PhraseMatcher patterns over the normalised note."""

    def __init__(self, analyser: NoteAnalyser) -> None:
        raw = json.loads((LEXICON_DIR / "persons.json").read_text(encoding="utf-8"))
        self.nlp = spacy.blank("en")  # spaCy itself: its matchers read the LOWER attribute
        self.tokens = analyser._tokens_of
        single = sorted(
            {m for words in raw["modifiers"].values() for m in words if len(self.tokens(m)) == 1}
        )
        heads = sorted({h for words in raw["heads"].values() for h in words if " " not in h})
        self.matcher = Matcher(self.nlp.vocab)
        self.matcher.add(
            "DESCRIPTION",
            [[{"LOWER": {"IN": single}, "OP": "+"}, {"LOWER": {"IN": heads}}]],
            greedy="LONGEST",
        )
        self.matcher.add(
            "TITLED",
            [[{"LOWER": {"IN": raw["titles"]}}, {"ORTH": ".", "OP": "?"}, {"IS_TITLE": True}]],
            greedy="LONGEST",
        )
        phrases = [
            *raw["modifier_phrases"],
            *(m for words in raw["modifiers"].values() for m in words if "-" in m),
            *(
                m.replace("-", " ")
                for words in raw["modifiers"].values()
                for m in words
                if "-" in m
            ),
        ]
        self.phrases = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.phrases.add(
            "PHRASE_DESCRIPTION",
            [
                self.nlp.make_doc(f"{p} {h}")
                for p in phrases
                for h in ("man", "woman", "male", "female")
            ],
        )

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """Character spans (start, end, rule) the patterns match; titles read the original
        casing, as the person step does."""
        lower = self.nlp.make_doc(normalise(text))
        cased = self.nlp.make_doc(text)
        found = [
            (lower[s:e].start_char, lower[s:e].end_char, "description")
            for _, s, e in [*self.matcher(lower), *self.phrases(lower)]
            if self.nlp.vocab.strings[_] != "TITLED"
        ]
        found += [
            (cased[s:e].start_char, cased[s:e].end_char, "title")
            for key, s, e in self.matcher(cased)
            if self.nlp.vocab.strings[key] == "TITLED"
        ]
        return found


def neutralised(analyser: NoteAnalyser, text: str) -> list[tuple[int, int]]:
    """Character spans the person step maps to a neutral term."""
    tokens = analyser.tokenizer.tokenize(normalise(text))
    return [
        (tokens[first][1], tokens[last - 1][1] + len(tokens[last - 1][0]))
        for first, last, _ in analyser.persons.find(text, tokens)
    ]


def notes() -> list[str]:
    texts = list(identity_grid().texts)
    for path in (CORPUS / "test.jsonl", PUBLIC_EVAL):
        if path.is_file():
            texts += [json.loads(line)["text"] for line in path.read_text("utf-8").splitlines()]
    return texts


def test_every_pattern_match_is_neutralised(analyser):
    reference = Reference(analyser)
    texts = notes()
    matched = missed = 0
    misses = []
    for text in texts:
        covered = neutralised(analyser, text)
        for start, end, rule in reference.spans(text):
            matched += 1
            if not any(a <= start and end <= b for a, b in covered):
                missed += 1
                misses.append(f"{rule}: {text[start:end]!r}")
    assert matched > 5_000  # the reference really matched something
    assert not misses, f"{missed} of {matched} reference matches not neutralised: {misses[:20]}"


@pytest.mark.parametrize(
    "text",
    [
        "a Mixed-Race male pointing a gun at people",
        "a mixed race male pointing a gun at people",
        "two young Somali men fighting outside",
        "Mr. Oyelaran is threatening his wife with a knife",
        "later Mr Mensah-Ward came to the door himself",  # a hyphened part that is a word
        "a Black British woman collapsed, not breathing",
    ],
)
def test_the_reference_and_the_person_step_agree_on_plain_cases(analyser, text):
    reference = Reference(analyser).spans(text)
    covered = neutralised(analyser, text)
    assert reference, "the reference patterns no longer match this description"
    assert all(any(a <= s and e <= b for a, b in covered) for s, e, _ in reference)

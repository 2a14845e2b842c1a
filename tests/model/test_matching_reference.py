"""The direct cue matcher and NegEx give exactly what spaCy's span_ruler + negspacy give.

``model/_context.py`` matches cue phrases and context triggers on term lists for speed.
The libraries stay the reference: the same patterns and termsets are run through a
spaCy ``span_ruler`` and three negspacy ``negex`` components over thousands of notes.
"""

from __future__ import annotations

import json

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from negspacy.negation import Negex  # noqa: F401  (registers the "negex" factory)
from spacy.tokens import Doc

from model._context import CONTEXTS, CueMatch, NoteAnalyser
from model._text import normalise

from ..conftest import CORPUS, PUBLIC_EVAL, REPO

KEY = "cues"


class Reference:
    def __init__(self, analyser: NoteAnalyser) -> None:
        self.analyser = analyser
        self.nlp = spacy.blank("en")
        ruler = self.nlp.add_pipe(
            "span_ruler", config={"spans_key": KEY, "phrase_matcher_attr": "ORTH"}
        )
        ruler.add_patterns(
            [
                {"label": name, "pattern": [{"ORTH": word} for word in words]}
                for name, words in analyser.cue_patterns
            ]
        )
        for name in CONTEXTS:
            self.nlp.add_pipe(
                "negex",
                name=f"reference_{name}",
                config={
                    "neg_termset": analyser.termsets[name],
                    "extension_name": f"reference_{name}",
                    "span_keys": [KEY],
                },
            )

    def cues(self, text: str) -> list[CueMatch]:
        terms = self.analyser.terms(normalise(text), text)
        if not terms.words:
            return []
        starts = set(self.analyser.sentence_starts(terms.words))
        doc = Doc(
            self.nlp.vocab,
            words=terms.words,
            sent_starts=[i in starts for i in range(len(terms.words))],
        )
        doc = self.nlp(doc)
        return self.analyser.settle(
            normalise(text),
            [
                CueMatch(
                    cue=span.label_,
                    label=self.analyser._cue_label[span.label_],
                    term_start=span.start,
                    term_end=span.end,
                    start=terms.starts[span.start],
                    end=terms.ends[span.end - 1],
                    negated=span._.get("reference_negated"),
                    historical=span._.get("reference_historical"),
                    hypothetical=span._.get("reference_hypothetical"),
                )
                for span in doc.spans[KEY]
            ],
        )


@pytest.fixture(scope="module")
def analyser() -> NoteAnalyser:
    return NoteAnalyser()


@pytest.fixture(scope="module")
def reference(analyser) -> Reference:
    return Reference(analyser)


def all_notes() -> list[str]:
    files = [*sorted(CORPUS.glob("*.jsonl")), *sorted((REPO / "data" / "fairness").glob("*.jsonl"))]
    if PUBLIC_EVAL.exists():
        files.append(PUBLIC_EVAL)
    notes = []
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                notes.append(json.loads(line)["text"])
    return notes


def test_same_cues_and_contexts_as_spacy_and_negspacy_on_our_notes(analyser, reference):
    # Every third note of the corpus, fairness sets and public file (the reference is slow).
    notes = all_notes()[::3]
    assert len(notes) > 4_000
    differ = [
        i for i, text in enumerate(notes) if analyser.analyse(text).cues != reference.cues(text)
    ]
    assert not differ, f"{len(differ)} notes differ, first at index {differ[0]}"
    # The comparison means something only if contexts actually occur.
    contexts = {c.context for text in notes[:2000] for c in analyser.analyse(text).cues}
    assert contexts == {"present", *CONTEXTS}


TRIGGER_HEAVY_WORDS = [
    "no",
    "not",
    "denies",
    "denied",
    "never",
    "without",
    "knife",
    "weapon",
    "suicidal",
    "overdose",
    "od",
    "history",
    "previously",
    "last",
    "year",
    "if",
    "might",
    "worried",
    "but",
    "however",
    ".",
    ",",
    ";",
    "-",
    "and",
    "he",
    "she",
    "jump",
    "bridge",
    "threatening",
    "kill",
    "hurt",
    "took",
    "pills",
    "ago",
    "old",
    "past",
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(TRIGGER_HEAVY_WORDS),
        max_size=25,
    )
)
def test_same_as_reference_on_trigger_heavy_word_salad(analyser, reference, words):
    text = " ".join(words)
    assert analyser.analyse(text).cues == reference.cues(text)

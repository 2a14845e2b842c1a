"""Cue matching and context (negated / historical / hypothetical) on a blank spaCy pipeline.

The note's tokens are turned into terms (see ``_text``), and the terms into a spaCy
``Doc``. A ``span_ruler`` marks cue phrases from ``lexicon/cues.jsonl`` and three
negspacy ``negex`` components, one per context, mark the cues that a trigger scopes.
Every term keeps the span of the original note it came from, so a cue can be shown
exactly where the handler typed it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import negspacy.negation  # noqa: F401  (registers the "negex" factory)
import spacy
from spacy.tokens import Doc

from ._text import LEXICON_DIR, Lexicon, Terms, normalise, to_terms

CONTEXTS = ("negated", "historical", "hypothetical")
CUES_KEY = "cues"


@dataclass(frozen=True, slots=True)
class CueType:
    name: str
    label: str
    phrases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CueMatch:
    """One cue phrase found in a note, with its span in the ORIGINAL text."""

    cue: str
    label: str
    term_start: int
    term_end: int
    start: int
    end: int
    negated: bool
    historical: bool
    hypothetical: bool

    @property
    def context(self) -> str:
        if self.negated:
            return "negated"
        if self.hypothetical:
            return "hypothetical"
        if self.historical:
            return "historical"
        return "present"


@dataclass(slots=True)
class NoteAnalysis:
    normalised: str
    terms: Terms
    cues: list[CueMatch]


def load_cue_types(directory: Path = LEXICON_DIR) -> list[CueType]:
    lines = (directory / "cues.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return [CueType(r["cue"], r["label"], tuple(r["phrases"])) for r in rows]


class NoteAnalyser:
    """Tokenise, normalise and mark cues in context. Thread-safe after construction."""

    def __init__(self, lexicon_dir: Path = LEXICON_DIR) -> None:
        self.lexicon = Lexicon.load(lexicon_dir)
        self.cue_types = load_cue_types(lexicon_dir)
        self._cue_label = {c.name: c.label for c in self.cue_types}
        context = json.loads((lexicon_dir / "context.json").read_text(encoding="utf-8"))
        self.version = f"{self.lexicon.version}.{context['version']}"
        self.nlp = spacy.blank("en")
        self.nlp.add_pipe("sentencizer")
        ruler = self.nlp.add_pipe(
            "span_ruler", config={"spans_key": CUES_KEY, "phrase_matcher_attr": "ORTH"}
        )
        patterns = []
        for cue in self.cue_types:
            for phrase in cue.phrases:
                words = self.phrase_terms(phrase)
                if not words:
                    continue
                joined = " ".join(words)
                # String patterns use the fast PhraseMatcher; fall back to token patterns
                # only where the tokenizer would split a term differently.
                if [t.text for t in self.nlp.make_doc(joined)] == words:
                    patterns.append({"label": cue.name, "pattern": joined})
                else:
                    patterns.append({"label": cue.name, "pattern": [{"ORTH": w} for w in words]})
        ruler.add_patterns(patterns)
        for name in CONTEXTS:
            termset = {key: self._normalise_phrases(value) for key, value in context[name].items()}
            self.nlp.add_pipe(
                "negex",
                name=f"context_{name}",
                config={"neg_termset": termset, "extension_name": name, "span_keys": [CUES_KEY]},
            )

    def phrase_terms(self, phrase: str) -> list[str]:
        """A lexicon phrase processed exactly like note text."""
        normalised = normalise(phrase)
        tokens = [(t.text, t.idx) for t in self.nlp.tokenizer(normalised)]
        return to_terms(tokens, self.lexicon).words

    def _normalise_phrases(self, phrases: list[str]) -> list[str]:
        out = {" ".join(self.phrase_terms(p)) for p in phrases}
        return sorted(p for p in out if p)

    def analyse(self, text: str) -> NoteAnalysis:
        normalised = normalise(text)
        tokens = [(t.text, t.idx) for t in self.nlp.tokenizer(normalised)]
        terms = to_terms(tokens, self.lexicon)
        if not terms.words:
            return NoteAnalysis(normalised, terms, [])
        doc = Doc(self.nlp.vocab, words=terms.words)
        for _, component in self.nlp.pipeline:
            doc = component(doc)
        cues = _drop_nested(
            CueMatch(
                cue=span.label_,
                label=self._cue_label[span.label_],
                term_start=span.start,
                term_end=span.end,
                start=terms.starts[span.start],
                end=terms.ends[span.end - 1],
                negated=span._.negated,
                historical=span._.historical,
                hypothetical=span._.hypothetical,
            )
            for span in doc.spans[CUES_KEY]
        )
        return NoteAnalysis(normalised, terms, cues)


def _drop_nested(matches) -> list[CueMatch]:
    """Keep the longest match where one cue's phrases nest ("si" inside "suicidal ideation")."""
    kept: list[CueMatch] = []
    for match in sorted(matches, key=lambda m: (m.term_start, -(m.term_end - m.term_start))):
        if any(
            k.cue == match.cue and k.term_start <= match.term_start and match.term_end <= k.term_end
            for k in kept
        ):
            continue
        kept.append(match)
    return kept

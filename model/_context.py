"""Cue matching and context (negated / historical / hypothetical) on a blank spaCy pipeline.

The note's tokens are turned into terms (see ``_text``), and the terms into a spaCy
``Doc``. A ``span_ruler`` marks cue phrases from ``lexicon/cues.jsonl`` and three
negspacy ``negex`` components, one per context, mark the cues that a trigger scopes.
Every term keeps the span of the original note it came from, so a cue can be shown
exactly where the handler typed it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import spacy
from negspacy.negation import Negex
from spacy.attrs import IDX, LENGTH
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

from ._text import LEXICON_DIR, Lexicon, Terms, normalise, to_terms

CONTEXTS = ("negated", "historical", "hypothetical")
CUES_KEY = "cues"


@Language.factory(
    "cue_context",
    default_config={"neg_termset": None, "extension_name": "negex", "span_keys": [CUES_KEY]},
)
class CueContext(Negex):
    """negspacy's NegEx, applied to our cue spans in one pass.

    Same triggers, pseudo-triggers, terminations and scope rule as ``Negex.negex``; it
    returns at once when no trigger is present and visits each span once instead of
    re-reading every span for every sentence, which matters on the per-keystroke path.
    """

    def __init__(self, nlp, name, neg_termset, extension_name, span_keys):
        super().__init__(nlp, name, neg_termset, extension_name=extension_name, span_keys=span_keys)

    def negex(self, doc: Doc) -> Doc:
        preceding, following, terminating = self.process_negations(doc)
        if not preceding and not following:
            return doc
        boundaries = self.termination_boundaries(doc, terminating)
        for key in self.span_keys:
            for span in doc.spans.get(key, []):
                for start, end in boundaries:
                    if start <= span.start < end and start < span.end <= end:
                        self._apply_negation(
                            span,
                            [m for m in preceding if start <= m[1] < end],
                            [m for m in following if start <= m[1] < end],
                        )
                        break
        return doc


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
    derived: dict = field(default_factory=dict)  # computed once per note by later stages


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
        # Sentence starts are set when the term Doc is built (cheaper than a sentencizer pass),
        # with the sentencizer's own punctuation set.
        self._sentence_ends = frozenset(Sentencizer.default_punct_chars)
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
        # A context component can only mark something when one of its triggers is present.
        self._triggers: dict[str, frozenset[str]] = {}
        for name in CONTEXTS:
            termset = {key: self._normalise_phrases(value) for key, value in context[name].items()}
            self._triggers[f"context_{name}"] = frozenset(
                phrase.split()[0]
                for key in ("preceding_negations", "following_negations")
                for phrase in termset[key]
            )
            self.nlp.add_pipe(
                "cue_context",
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
        spans = self.nlp.tokenizer(normalised).to_array([IDX, LENGTH]).tolist()
        tokens = [(normalised[start : start + length], start) for start, length in spans]
        terms = to_terms(tokens, self.lexicon)
        if not terms.words:
            return NoteAnalysis(normalised, terms, [])
        ends = self._sentence_ends
        words = terms.words
        starts = [True] + [
            words[i - 1] in ends and words[i] not in ends for i in range(1, len(words))
        ]
        doc = Doc(self.nlp.vocab, words=words, sent_starts=starts)
        present = set(words)
        for name, component in self.nlp.pipeline:
            triggers = self._triggers.get(name)
            if triggers is not None and (not doc.spans[CUES_KEY] or triggers.isdisjoint(present)):
                continue
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

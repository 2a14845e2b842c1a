"""Which phrases of the note drove each label: linear contributions mapped back to text."""

from __future__ import annotations

import re
from operator import itemgetter

import numpy as np

# Absolute imports: the compiled copy of this module (model/_fast) reads these from the package.
from model._context import NoteAnalysis
from model._english import STOP_WORDS
from model._features import FeatureSpace
from model._inputs import feature_words
from model._layout import BlockKind
from model._results import Evidence
from model._text import stem

# Words that carry no reason a handler could act on ("her", "says", "caller says", "and is"):
# they still count in the score, but a phrase made only of them is never shown as evidence.
_REPORTING = (
    "say",
    "says",
    "said",
    "state",
    "states",
    "report",
    "reports",
    "reporting",
    "caller",
    "rp",
)
_NEUTRAL = (
    "they",
    "them",
    "their",
    "themself",
    "person",
    "people",
    "<person>",
    "<people>",
    "<name>",
    "0",
)
FUNCTION_TERMS = frozenset(
    [*STOP_WORDS, *(stem(w) for w in STOP_WORDS), *_REPORTING, *map(stem, _REPORTING), *_NEUTRAL]
)

MAX_PHRASES = 5
MAX_CONTEXT_CUES = 3
MIN_WEIGHT = 0.05
# A single feature moving a label's log-odds by less than this is never worth showing;
# skipping them keeps evidence cheap enough to compute on every keystroke.
MIN_SHARE = 0.01


class EvidenceMapper:
    """Maps nonzero feature columns of one note to spans of the original text."""

    min_share = MIN_SHARE  # the row scorer applies ``select``'s rule with it
    # Read by the typed twin of ``evidence`` (``model/_evidence_typed.pyx``).
    max_phrases = MAX_PHRASES
    max_context_cues = MAX_CONTEXT_CUES
    min_weight = MIN_WEIGHT

    def __init__(self, space: FeatureSpace) -> None:
        self.space = space
        self.word_names = space.word_names()
        self.word_context = [_context_of(name) for name in self.word_names]
        self.word_terms = [name.split(" ") for name in self.word_names]
        # Decided once per distinct term (n-grams share them): this runs at every start.
        unshown = {
            term: _bare(term) in FUNCTION_TERMS or not term.isalnum()
            for term in {term for terms in self.word_terms for term in terms}
        }
        self.word_shown = [not all(map(unshown.__getitem__, terms)) for terms in self.word_terms]
        # Per word column: its first term, and (length, terms, context) of the n-gram.
        self._word_entries = [
            (terms[0], (len(terms), terms, context))
            for terms, context in zip(self.word_terms, self.word_context, strict=True)
        ]
        self.max_ngram = space.word_max_n
        self.cue_of_column = {col: key for key, col in space.cue_column.items()}
        self.words = space.layout[BlockKind.WORDS]
        self.cues = space.layout[BlockKind.CUES]
        self.can_show = np.ones(space.layout.width, dtype=bool)
        self.can_show[self.words.start : self.words.stop] = self.word_shown
        self.can_show_bytes = self.can_show.view(np.uint8)

    def spans(
        self, analysis: NoteAnalysis, columns: set[int]
    ) -> dict[int, list[tuple[int, int, str]]]:
        """Feature column -> [(first term, last term + 1, context)] in this note."""
        # Plain integer bounds: this runs on every keystroke.
        word_start, word_stop = self.words.start, self.words.stop
        cue_start, cue_stop = self.cues.start, self.cues.stop
        entries = self._word_entries
        # Wanted word n-grams by their first term: one pass over the note finds them all.
        by_first: dict[str, list[tuple[int, list[str], str, int]]] = {}
        cue_columns = []
        for c in columns:
            if word_start <= c < word_stop:
                first, entry = entries[c - word_start]
                wanted = by_first.get(first)
                if wanted is None:
                    by_first[first] = [(*entry, c)]
                else:
                    wanted.append((*entry, c))
            else:
                cue_columns.append(c)
        out: dict[int, list[tuple[int, int, str]]] = {}
        if by_first:
            fw = feature_words(analysis)
            words, index = fw.words, fw.term_index
            count = len(words)
            for p in [p for p, word in enumerate(words) if word in by_first]:
                for n, terms, context, column in by_first[words[p]]:
                    last = p + n - 1
                    # A phrase of the note only if no punctuation sits in between.
                    if (
                        last < count
                        and index[last] - index[p] == n - 1
                        and (n == 1 or words[p : p + n] == terms)
                    ):
                        place = (index[p], index[last] + 1, context)
                        found = out.get(column)
                        if found is None:
                            out[column] = [place]
                        else:
                            found.append(place)
        if cue_columns:
            found_cues = self.cue_places(analysis.cues)
            cue_of_column = self.cue_of_column
            for col in cue_columns:
                if cue_start <= col < cue_stop:
                    out[col] = found_cues.get(cue_of_column[col - cue_start], [])
        return out

    @staticmethod
    def cue_places(cues: list) -> dict[tuple[str, str], list[tuple[int, int, str]]]:
        """A note's cue places (first term, last term + 1, context) by (cue, context), each
        cue's context read once: it is a property."""
        found: dict[tuple[str, str], list[tuple[int, int, str]]] = {}
        for c in cues:
            context = c.context
            found.setdefault((c.cue, context), []).append((c.term_start, c.term_end, context))
        return found

    def select(
        self, columns: np.ndarray, contributions: dict[str, np.ndarray]
    ) -> dict[str, tuple[list[int], list[float]]]:
        """Per label, the columns evidence reads and their contributions: those of a
        showable feature moving the log-odds by more than ``MIN_SHARE``, and every cue.
        ``columns`` are one note's shown columns, ``contributions`` each label's change in
        log-odds from each of them. (The typed row scorer applies the same rule.)"""
        is_cue = self.cues.holds(columns)
        can_show = self.can_show[columns]
        selected = {}
        for label, weights in contributions.items():
            keep = ((weights > MIN_SHARE) & can_show) | is_cue
            selected[label] = (columns[keep].tolist(), weights[keep].tolist())
        return selected

    def evidence(
        self,
        text: str,
        analysis: NoteAnalysis,
        selected: dict[str, tuple[list[int], list[float]]],
    ) -> list[Evidence]:
        """Phrases of ``text`` behind each label, from ``select``'s columns."""
        cue_start, cue_stop = self.cues.start, self.cues.stop
        spans = self.spans(analysis, {c for cols, _ in selected.values() for c in cols})
        terms = analysis.terms
        result: list[Evidence] = []
        cue_labels = {c.cue: c.label for c in analysis.cues}
        starts, ends = terms.starts, terms.ends
        for label, (label_columns, weights) in selected.items():
            present: list[tuple[int, int, float]] = []
            contextual: dict[tuple[int, int, str], float] = {}
            for col, weight in zip(label_columns, weights, strict=True):
                places = spans.get(col)
                if not places:
                    continue
                if not cue_start <= col < cue_stop:
                    # A word n-gram's places all share its context (from its "neg_" prefix).
                    if weight > 0 and places[0][2] == "present":
                        if len(places) == 1:
                            present.append((places[0][0], places[0][1], weight))
                        else:
                            share = weight / len(places)
                            present += [(first, last, share) for first, last, _ in places]
                    continue
                share = weight / len(places)
                for first, last, context in places:
                    if context == "present":
                        if share > 0:
                            present.append((first, last, share))
                    elif cue_labels.get(self.cue_of_column[col - cue_start][0]) == label:
                        key = (first, last, context)
                        contextual[key] = contextual.get(key, 0.0) + share
            for first, last, weight in _merge(present)[:MAX_PHRASES]:
                if weight < MIN_WEIGHT:
                    break
                start, end = starts[first], ends[last - 1]
                result.append(
                    Evidence(label, start, end, text[start:end], round(weight, 4), False, "present")
                )
            ranked = sorted(contextual.items(), key=lambda kv: kv[1])[:MAX_CONTEXT_CUES]
            for (first, last, context), weight in ranked:
                start, end = terms.starts[first], terms.ends[last - 1]
                result.append(
                    Evidence(label, start, end, text[start:end], round(weight, 4), True, context)
                )
        return result


def _bare(term: str) -> str:
    """A feature term without its context prefix ("neg_weapon" -> "weapon")."""
    for prefix in ("neg_", "hist_", "hyp_"):
        if term.startswith(prefix):
            return term[len(prefix) :]
    return term


_CONTEXT_OF_PREFIX = {"neg_": "negated", "hist_": "historical", "hyp_": "hypothetical"}
_CONTEXT_PREFIX = re.compile(r"(?:neg|hist|hyp)_")


def _context_of(feature_name: str) -> str:
    """The context of an n-gram's first term ("neg_knife her" -> "negated")."""
    prefix = _CONTEXT_PREFIX.match(feature_name)
    return "present" if prefix is None else _CONTEXT_OF_PREFIX[prefix.group()]


def _merge(items: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """Union overlapping term ranges, summing weights; heaviest first (stable)."""
    if len(items) < 2:
        return list(items)
    merged: list[list] = []
    for first, last, weight in sorted(items):
        if merged and first < merged[-1][1]:
            top = merged[-1]
            if last > top[1]:
                top[1] = last
            top[2] += weight
        else:
            merged.append([first, last, weight])
    return sorted(map(tuple, merged), key=itemgetter(2), reverse=True)

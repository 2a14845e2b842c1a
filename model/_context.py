"""Cue matching and context (negated / historical / hypothetical) over a note's terms.

The note is tokenised by a blank spaCy pipeline and its tokens turned into terms (see
``_text``). Cue phrases from ``lexicon/cues.jsonl`` are matched on the terms, and the
NegEx algorithm (Chapman et al. 2001, as implemented by negspacy) marks the cues that a
context trigger scopes, once per context. Both are done here directly on term lists: a
spaCy ``span_ruler`` plus three negspacy components gave the same answers (the tests
keep them as the reference and compare on the whole corpus) at four times the cost.
Every term keeps the span of the original note it came from, so a cue can be shown
exactly where the handler typed it.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from ._english import SENTENCE_ENDS, RuleTokenizer
from ._persons import PersonFinder
from ._text import LEXICON_DIR, Expansion, Lexicon, Terms, normalise, to_terms

CONTEXTS = ("negated", "historical", "hypothetical")
NEGATED, HISTORICAL, HYPOTHETICAL = 1, 2, 4
CONTEXT_BIT = {"negated": NEGATED, "historical": HISTORICAL, "hypothetical": HYPOTHETICAL}
TRIGGER_KINDS = ("pseudo_negations", "preceding_negations", "following_negations", "termination")
# Token texts remembered by one analyser; past this it starts again (bounded memory).
TERM_CACHE_SIZE = 100_000


class PhraseTable:
    """Every occurrence of any phrase (a tuple of terms) in a list of terms.

    Like spaCy's ``PhraseMatcher``: all matches, overlapping ones included.
    """

    def __init__(self, phrases: Iterable[tuple[tuple[str, ...], object]]) -> None:
        # first term -> (values of one-term phrases, second term -> longer phrases)
        table: dict[str, tuple[list, dict[str, list[tuple[int, list[str], object]]]]] = {}
        for words, value in sorted(set(phrases), key=lambda p: (-len(p[0]), p[0], str(p[1]))):
            if not words:
                continue
            singles, longer = table.setdefault(words[0], ([], {}))
            if len(words) == 1:
                singles.append(value)
            else:
                longer.setdefault(words[1], []).append((len(words), list(words), value))
        self._table = table

    def find(self, words: list[str]) -> list[tuple[int, int, object]]:
        # One dictionary lookup per word (a set of the note's first words first cost more).
        entry_of = self._table.get
        found = []
        last = len(words) - 1
        for i, word in enumerate(words):
            entry = entry_of(word)
            if entry is None:
                continue
            singles, longer = entry
            if longer and i < last:
                for n, phrase, value in longer.get(words[i + 1], ()):
                    if words[i : i + n] == phrase:
                        found.append((i, i + n, value))
            if len(singles) == 1:
                found.append((i, i + 1, singles[0]))
            elif singles:
                found += [(i, i + 1, value) for value in singles]
        return found


@dataclass(frozen=True, slots=True)
class CueType:
    name: str
    label: str
    phrases: tuple[str, ...]
    # Cues this one overrides where it holds them: "threatening to hang himself" is a
    # threat to self, so the THREAT (to others) inside it does not count.
    overrides: tuple[str, ...] = ()
    # Words that share a one-word phrase's stem but not its meaning ("fitting" is a seizure,
    # "fit and well" is not; "keyed" is damage, "keys" are not): never this cue.
    not_words: frozenset[str] = frozenset()


class CueMatch(NamedTuple):
    """One cue phrase found in a note, with its span in the ORIGINAL text.

    A named tuple: several are made per note on the per-keystroke path.
    """

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
    # Term indices inside a history scope, cue or not ("had swallowed a bottle in 2019").
    historical_terms: frozenset[int] = frozenset()


def load_cue_types(directory: Path = LEXICON_DIR) -> list[CueType]:
    lines = (directory / "cues.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return [
        CueType(
            r["cue"],
            r["label"],
            tuple(r["phrases"]),
            tuple(r.get("overrides", ())),
            frozenset(r.get("not_words", ())),
        )
        for r in rows
    ]


class NoteAnalyser:
    """Tokenise, normalise and mark cues in context. Thread-safe after construction."""

    def __init__(self, lexicon_dir: Path = LEXICON_DIR) -> None:
        self.lexicon = Lexicon.load(lexicon_dir)
        self.cue_types = load_cue_types(lexicon_dir)
        self._cue_label = {c.name: c.label for c in self.cue_types}
        self.cue_overrides = {c.name: frozenset(c.overrides) for c in self.cue_types if c.overrides}
        self._not_words = {c.name: c.not_words for c in self.cue_types if c.not_words}
        context = json.loads((lexicon_dir / "context.json").read_text(encoding="utf-8"))
        self.tokenizer = RuleTokenizer()
        self.persons = PersonFinder(
            lexicon_dir, self._tokens_of, _lexicon_words(lexicon_dir, self._tokens_of)
        )
        self.persons.speller = self.lexicon.speller
        self.version = f"{self.lexicon.version}.{context['version']}.{self.persons.version}"
        self._term_cache: dict[str, Expansion] = {}
        self._run_cache: dict[str, list[tuple[str, int]]] = {}  # see ``tokens``
        self._special_joins = _special_joins(self.tokenizer)
        # Sentence ends: the punctuation set of spaCy's sentencizer.
        self._sentence_ends = SENTENCE_ENDS
        self.cue_patterns = [
            (cue.name, tuple(words))
            for cue in self.cue_types
            for words in map(self.phrase_terms, cue.phrases)
            if words
        ]
        self._cues = PhraseTable((words, name) for name, words in self.cue_patterns)
        # Trigger phrases are normalised like note text, then split by the tokenizer and
        # lower-cased as negspacy does with its patterns.
        self.termsets = {
            name: {kind: self._normalise_phrases(context[name][kind]) for kind in TRIGGER_KINDS}
            for name in CONTEXTS
        }
        self._triggers = PhraseTable(
            (tuple(t.lower() for t, _ in self.tokenizer.tokenize(phrase)), (name, kind))
            for name, termset in self.termsets.items()
            for kind, phrases in termset.items()
            for phrase in phrases
        )

    def _tokens_of(self, phrase: str) -> list[str]:
        return [t for t, _ in self.tokenizer.tokenize(normalise(phrase))]

    def phrase_terms(self, phrase: str) -> list[str]:
        """A lexicon phrase processed exactly like note text."""
        normalised = normalise(phrase)
        tokens = self.tokenizer.tokenize(normalised)
        # Person words go through the person step as in a note ("a baby" is "<child>").
        return to_terms(tokens, self.lexicon, persons=self.persons.find(phrase, tokens)).words

    def _normalise_phrases(self, phrases: list[str]) -> list[str]:
        out = {" ".join(self.phrase_terms(p)) for p in phrases}
        return sorted(p for p in out if p)

    def terms(self, normalised: str, text: str | None = None) -> Terms:
        """Terms of a normalised note; ``text``, the original, gives the casing names need."""
        tokens = self.tokens(normalised)
        if len(self._term_cache) > TERM_CACHE_SIZE:
            self._term_cache.clear()
        persons = self.persons.find(normalised if text is None else text, tokens)
        return to_terms(tokens, self.lexicon, self._term_cache, persons)

    def tokens(self, normalised: str) -> list[tuple[str, int]]:
        """(token text, start) pairs, exactly as spaCy's tokenizer splits a normalised note.

        spaCy splits at spaces first and tokenizes each run of non-space characters (and
        each run of extra spaces) on its own, so each distinct run is tokenized by spaCy
        once and remembered: notes repeat their words, and a ``Doc`` per note (with its
        spans read back) cost about a third more. Only spaCy's last step, special cases found over
        the whole note, can reach across a space; a note where one could goes to the
        tokenizer whole (tested equal to the tokenizer on arbitrary text).
        """
        known_runs = self._run_cache
        if len(known_runs) > TERM_CACHE_SIZE:
            known_runs.clear()
        joins = self._special_joins
        tokens: list[tuple[str, int]] = []
        before = ""  # the run before, when one space follows it
        # Runs found by splitting at each space (a regular expression cost twice the rest):
        # a non-space run is a non-empty part; the spaces between two are the gap.
        at = 0  # where the next part starts
        end = 0  # where the last non-space run ended
        for run in normalised.split(" "):
            if not run:
                at += 1
                continue
            start = at
            at += len(run) + 1
            if start > end:
                before = self._space_run(tokens, end, start - end, before)
            end = at - 1
            # By the last character, then the first: no pair to build for each run.
            after = joins.get(before[-1]) if before else None
            pairs = after.get(run[0]) if after else None
            if pairs and _may_join(before, run, pairs):
                # A special case could match across this space ("):" in ") :)"), and
                # spaCy's overlap filter then reads the note as a whole: so do we.
                return self.tokenizer.tokenize(normalised)
            before = run
            # The cache read here, not through ``_pieces``: a method call per run cost as much.
            pieces = known_runs.get(run)
            if pieces is None:
                pieces = self._pieces(run)
            if len(pieces) == 1:
                tokens.append((run, start))
            else:
                tokens += [(piece, start + offset) for piece, offset in pieces]
        if len(normalised) > end:
            self._space_run(tokens, end, len(normalised) - end, before)
        return tokens

    def _space_run(
        self, tokens: list[tuple[str, int]], start: int, length: int, before: str
    ) -> str:
        """Add the tokens of ``length`` spaces at ``start``; returns the run a following
        run touches across one space ("" when a whitespace token stands between)."""
        if start:
            # The first space after a token is that token's trailing space, not a token.
            if length == 1:
                return before
            before = ""
            start += 1
            length -= 1
        tokens += [(piece, start + offset) for piece, offset in self._pieces(" " * length)]
        return before

    def _pieces(self, run: str) -> list[tuple[str, int]]:
        """(token text, offset) of one run, by spaCy's tokenizer, once per distinct run."""
        pieces = self._run_cache.get(run)
        if pieces is None:
            pieces = self._run_cache[run] = self.tokenizer.tokenize(run)
        return pieces

    def sentence_starts(self, words: list[str]) -> list[int]:
        """Where a sentence starts: after sentence-ending punctuation, at the next other term."""
        ends = self._sentence_ends
        last = len(words) - 1
        after = [i + 1 for i, word in enumerate(words) if word in ends and i < last]
        return [0] + [i for i in after if words[i] not in ends]

    def analyse(self, text: str) -> NoteAnalysis:
        normalised = normalise(text)
        return self._analyse(normalised, self.terms(normalised, text))

    def analyse_many(self, texts: list[str]) -> list[NoteAnalysis]:
        """As ``analyse`` for each note."""
        return [self.analyse(text) for text in texts]

    def _analyse(self, normalised: str, terms: Terms) -> NoteAnalysis:
        words = terms.words
        found = self._cues.find(words)
        triggers = self._triggers.find(words)  # once: both context steps read them
        scoped = self._scoped(words, "historical", triggers)
        if not found:
            return NoteAnalysis(normalised, terms, [], historical_terms=scoped)
        flags = self._contexts(words, [(start, end) for start, end, _ in found], triggers)
        label = self._cue_label
        starts, ends = terms.starts, terms.ends
        cues = self.settle(
            normalised,
            [
                # The named tuple made directly: its generated ``__new__`` is a Python frame.
                tuple.__new__(
                    CueMatch,
                    (
                        name,
                        label[name],
                        start,
                        end,
                        starts[start],
                        ends[end - 1],
                        bool(marked & NEGATED),
                        bool(marked & HISTORICAL),
                        bool(marked & HYPOTHETICAL),
                    ),
                )
                for (start, end, name), marked in zip(found, flags, strict=True)
            ],
        )
        return NoteAnalysis(normalised, terms, cues, historical_terms=scoped)

    def settle(self, normalised: str, matches: list[CueMatch]) -> list[CueMatch]:
        """Drop one-word matches of a word the cue disowns, then nested and overridden ones."""
        not_words = self._not_words
        if not_words:
            matches = [
                m
                for m in matches
                if m.term_end - m.term_start > 1
                or m.cue not in not_words
                or normalised[m.start : m.end] not in not_words[m.cue]
            ]
        return _drop_nested(self.cue_overrides, matches)

    def _scoped(self, words: list[str], context: str, found: list) -> frozenset[int]:
        """Every term a ``context`` trigger scopes, by the same NegEx rules as cues;
        ``found`` are the note's trigger matches."""
        # Terminations (nearly every note has some) are read only once a trigger needs them.
        kinds: dict[str, list[tuple[int, int]]] = {}
        for start, end, (of, kind) in found:
            if (
                of == context
                and kind != "termination"
                and _WHEN_PAST.search(" ".join(words[start:end]))
            ):
                kinds.setdefault(kind, []).append((start, end))
        preceding = _not_pseudo(kinds, "preceding_negations")
        following = _not_pseudo(kinds, "following_negations")
        if not preceding and not following:
            return frozenset()
        kinds["termination"] = _terminations(found, context)
        cuts = sorted(
            {
                *self.sentence_starts(words),
                *(s for s, _ in _not_pseudo(kinds, "termination")),
                len(words),
            }
        )
        scoped: set[int] = set()
        for start, end in preceding:
            high = cuts[bisect_right(cuts, start)] if start < len(words) else len(words)
            scoped.update(range(end, high))
        for start, _end in following:
            low = cuts[bisect_right(cuts, start) - 1] if cuts[0] <= start else 0
            scoped.update(range(low, start))
        return frozenset(scoped)

    def _contexts(
        self, words: list[str], spans: list[tuple[int, int]], triggers: list
    ) -> list[int]:
        """NegEx for each context: which contexts (bits) scope each (start, end) term span.

        As negspacy's ``Negex``: pseudo-triggers cancel triggers starting inside or right
        after them; sentence starts and termination terms cut the note into scopes; a cue
        is marked when a preceding trigger starts before it, or a following trigger ends
        after it, within the scope that holds the whole cue. ``triggers`` are the note's
        trigger matches.
        """
        marked = [0] * len(spans)
        # Terms are lower case already (normalised text, lower-case lexicon): LOWER == ORTH.
        if not triggers:
            return marked
        # Terminations (nearly every note has some) are read only where a trigger needs them.
        by_context: dict[str, dict[str, list[tuple[int, int]]]] = {}
        for start, end, (context, kind) in triggers:
            if kind == "termination":
                continue
            kinds = by_context.get(context)
            if kinds is None:
                by_context[context] = {kind: [(start, end)]}
                continue
            same = kinds.get(kind)
            if same is None:
                kinds[kind] = [(start, end)]
            else:
                same.append((start, end))
        sentence_starts: list[int] | None = None
        for context, kinds in by_context.items():
            preceding = _not_pseudo(kinds, "preceding_negations")
            following = _not_pseudo(kinds, "following_negations")
            if not preceding and not following:
                continue
            if sentence_starts is None:
                sentence_starts = self.sentence_starts(words)
            kinds["termination"] = _terminations(triggers, context)
            cuts = sorted(
                [*sentence_starts, *(s for s, _ in _not_pseudo(kinds, "termination")), len(words)]
            )
            for k, (start, end) in enumerate(spans):
                # The one scope [low, high) holding the cue's first term.
                i = bisect_right(cuts, start) - 1
                low, high = cuts[i], cuts[i + 1]
                if end > high:
                    continue  # the cue crosses a scope boundary: NegEx leaves it alone
                if any(low <= s < start for s, _ in preceding) or any(
                    low <= s < high and e > end for s, e in following
                ):
                    marked[k] |= CONTEXT_BIT[context]
        return marked


Joins = dict[str, dict[str, list[tuple[str, str]]]]


def _special_joins(tokenizer: RuleTokenizer) -> Joins:
    """Adjacent tokens (a, b) of the tokenizer's special-case patterns, by a's last
    character and then b's first: where a run ending in a meets a run starting with b across
    one space, a pattern might span the space."""
    joins: dict[str, dict[str, set[tuple[str, str]]]] = {}
    for key in tokenizer.rules:
        pieces = tokenizer.without_special_cases(key)
        for before, after in zip(pieces, pieces[1:], strict=False):
            joins.setdefault(before[-1], {}).setdefault(after[0], set()).add((before, after))
    return {
        last: {first: sorted(pairs) for first, pairs in by_first.items()}
        for last, by_first in joins.items()
    }


# History triggers that date an event ("two years ago", "in 2019", "as a teenager"), as
# against those that name a condition ("history of", "previous"): only a dated event's
# whole clause is read as past, since "history of psychosis, hearing voices" is about now.
_WHEN_PAST = re.compile(
    r"\b(ago|year|years|decade|decades|month|months|week|weeks|summer|winter|christmas"
    r"|teens?|teenager|child|younger|school|0+|back)\b"
)


def _lexicon_words(directory: Path, tokenize) -> frozenset[str]:
    """Every word of the cue, context, abbreviation and identity lexicons (never a name)."""
    phrases = [
        p
        for line in (directory / "cues.jsonl").read_text("utf-8").splitlines()
        if line.strip()
        for p in json.loads(line)["phrases"]
    ]
    context = json.loads((directory / "context.json").read_text(encoding="utf-8"))
    phrases += [p for name in CONTEXTS for kind in TRIGGER_KINDS for p in context[name][kind]]
    abbreviations = json.loads((directory / "abbreviations.json").read_text("utf-8"))
    phrases += [*abbreviations["expansions"], *abbreviations["expansions"].values()]
    identity = json.loads((directory / "identity.json").read_text(encoding="utf-8"))
    phrases += [*identity["neutral"], *identity["neutral"].values(), *identity["drop"]]
    return frozenset(word for phrase in phrases for word in tokenize(phrase))


def _may_join(before: str, run: str, pairs: list[tuple[str, str]]) -> bool:
    """Whether a special case's tokens (a, b) could meet across the space between two runs."""
    return any(before.endswith(a) and run.startswith(b) for a, b in pairs)


def _terminations(triggers: list, context: str) -> list[tuple[int, int]]:
    """(start, end) of the termination triggers of one context, in order."""
    return [(s, e) for s, e, (of, kind) in triggers if of == context and kind == "termination"]


def _not_pseudo(kinds: dict[str, list[tuple[int, int]]], kind: str) -> list[tuple[int, int]]:
    """Triggers of one kind, less those starting inside (or just after) a pseudo-trigger."""
    pseudo = kinds.get("pseudo_negations")
    if not pseudo:
        return kinds.get(kind, [])
    return [(s, e) for s, e in kinds.get(kind, []) if not any(ps <= s <= pe for ps, pe in pseudo)]


def _drop_nested(overrides: dict[str, frozenset[str]], matches: list[CueMatch]) -> list[CueMatch]:
    """Keep the longest match where one cue's phrases nest ("si" inside "suicidal ideation"),
    and drop a match that a longer match of a cue overriding it holds."""
    order = sorted(matches, key=lambda m: (m.term_start, -(m.term_end - m.term_start), m.cue))
    if overrides and any(m.cue in overrides for m in order):
        order = [m for m in order if not _overridden(m, order, overrides)]
    if len({m.cue for m in order}) == len(order):
        return order  # no cue found twice: nothing can nest
    kept: list[CueMatch] = []
    for match in order:
        if any(
            k.cue == match.cue and k.term_start <= match.term_start and match.term_end <= k.term_end
            for k in kept
        ):
            continue
        kept.append(match)
    return kept


def _overridden(
    match: CueMatch, matches: list[CueMatch], overrides: dict[str, frozenset[str]]
) -> bool:
    return any(
        match.cue in overrides.get(other.cue, ())
        and other.term_start <= match.term_start
        and match.term_end <= other.term_end
        and other.term_end - other.term_start > match.term_end - match.term_start
        for other in matches
    )

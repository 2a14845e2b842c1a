"""Person descriptions: the words that say who someone is, mapped to one neutral form.

A note's words about who a person is (a name, a title, ethnicity, nationality, religion,
gender, sexuality, disability wording, age words and age numbers) must not move a score,
so every such span becomes ONE neutral term before any feature is built: "a man called
Connor", "a young lad", "a mixed-race male" and "an elderly man" all become "<person>".
Where the labelling guide makes the description material, the neutral form keeps that
meaning: a child is "<child>"; an elderly person is "elder <person>" only when the note
also gives the vulnerability that makes age matter (dementia, confusion, wandering, living
alone, not seen); see docs/identity.md.

Spans are found on the tokens the analyser already has (no spaCy ``Doc`` per note): the
original note's casing is read through each token's offset, since "called Tarquin" is a
name and "called police" is not. Patterns are data in ``lexicon/persons.json``; the
grammar below is the part that is code:

    [a|an] MODIFIER* HEAD [NAME-CUE NAME | NAME] [AGE]     a young lad, a man called X
    TITLE [.] NAME [AGE]                                   Mr Oyelaran, Dr. A. Smith
    ROLE [:] NAME [AGE]                                    RP Jane Doe, her son Jake (role kept)
    NAME [AGE] REPORTING-VERB   (at a sentence start)      Zbigniew calling
    LISTED-NAME [NAME]                                     a name on the identity list
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ._english import STOP_WORDS
from ._spelling import english_words

PERSON, PEOPLE = "<person>", "<people>"
CHILD, CHILDREN = "<child>", "<children>"
# Where age is material the span keeps "elder" (the stem of "elderly") beside the person.
ELDERLY, ELDERLY_PEOPLE = "elder <person>", "elder <people>"
MAX_NAME_TOKENS = 3
# A name this short at a sentence start is taken only where casing shows it and it is not
# one edit from a known word.
SHORT_NAME = 4
MAX_AGE = 110
ADULT_AGE, ELDERLY_AGE = 18, 65
_NUMBER = re.compile(r"^\d{1,3}$")
_AGE_TOKEN = re.compile(r"^(\d{1,3})(yo|yrs?|y/o|y\.o\.?|yr\.?|m|f)$")
_DECADE = re.compile(r"^'?(\d)0s$")
_NAME_SHAPE = re.compile(r"^[^\W\d_][^\W\d_'.]*(?:'[^\W\d_]+)?\.?$")
_SENTENCE_END = frozenset(".!?;:\n")
_JOINERS = frozenset({"-", "/"})

# A token span [first, last) of the note and the one term it becomes.
Span = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class _Kind:
    """What a description span says that stays material: child, elderly, or plural."""

    child: bool = False
    elderly: bool = False
    plural: bool = False


def _words(phrases) -> frozenset[str]:
    return frozenset(w for phrase in phrases for w in phrase.split())


class PersonFinder:
    """Finds person-description spans over a note's tokens. Thread-safe after construction."""

    def __init__(self, directory: Path, tokenize, known_words: frozenset[str]) -> None:
        """``tokenize`` splits a lexicon phrase as note text is split; ``known_words`` are
        the other lexicons' words (never a name)."""
        raw = json.loads((directory / "persons.json").read_text(encoding="utf-8"))
        identity = json.loads((directory / "identity.json").read_text(encoding="utf-8"))
        self.version = raw["version"]
        self.speller = None  # set by the analyser: a typing slip is never a name
        modifiers = {w for words in raw["modifiers"].values() for w in words}
        self._phrases: dict[str, list[tuple[str, ...]]] = {}
        # A hyphenated modifier is also written spaced or joined ("light-skinned",
        # "light skinned", "lightskinned").
        spelled = [m.replace("-", sep) for m in modifiers if "-" in m for sep in (" ", "")]
        for phrase in [*modifiers, *spelled, *raw["modifier_phrases"]]:
            tokens = tuple(tokenize(phrase))
            if tokens:
                self._phrases.setdefault(tokens[0], []).append(tokens)
        for options in self._phrases.values():
            options.sort(key=len, reverse=True)
        heads = raw["heads"]
        self._head_kind = {}
        for group, words in heads.items():
            kind = _Kind(
                child=group in ("child", "children"),
                elderly=group.startswith("elderly"),
                plural=group in ("people", "children", "elderly_people"),
            )
            self._head_kind.update(dict.fromkeys(words, kind))
        self._elderly_words = frozenset(raw["elderly_words"])
        self._child_words = frozenset(raw["child_words"])
        self._sex_letters = frozenset(raw["sex_letters"])
        self._sex_codes = frozenset(raw["sex_letter_codes"])
        self._titles = frozenset(raw["titles"])
        self._name_cues = [tuple(cue) for cue in raw["name_cues"]]
        self._name_cue_first = frozenset(cue[0] for cue in self._name_cues)
        self._roles = frozenset(raw["roles"])
        self._reporting = frozenset(raw["reporting_verbs"])
        self._subject_verbs = frozenset(raw["subject_verbs"])
        self._age_units = frozenset(raw["age_units"])
        self._decades = frozenset(raw["decades"])
        self._decade_qualifiers = frozenset(raw["decade_qualifiers"])
        self._approx = frozenset(raw["age_approx"])
        self._appearance = frozenset(raw["appearance_nouns"])
        self._place_words = frozenset(raw["place_words"])
        self._compound_first = frozenset(raw["not_descriptions_after"])
        self._head_phrases = [tuple(tokenize(p)) for p in raw.get("head_phrases", []) if p.strip()]
        self._head_phrase_first = frozenset(phrase[0] for phrase in self._head_phrases)
        self._post = sorted(
            (tuple(tokenize(p)) for p in raw.get("post_modifiers", []) if p.strip()),
            key=len,
            reverse=True,
        )
        self._post_first = frozenset(phrase[0] for phrase in self._post)
        self._material = [tuple(tokenize(p)) for p in raw["elderly_material"]]
        self._material_first = frozenset(p[0] for p in self._material if p)
        self.names = frozenset(identity["names"])
        own = _words(
            [
                *modifiers,
                *raw["modifier_phrases"],
                *(w for words in heads.values() for w in words),
                *raw["titles"],
                *raw["roles"],
                *raw["reporting_verbs"],
                *raw["not_names"],
                *raw["place_words"],
                *raw["age_units"],
                *raw["appearance_nouns"],
                *(w for cue in raw["name_cues"] for w in cue),
            ]
        )
        # Never a name: English function words, every lexicon word, and the note words listed.
        self._common = frozenset(STOP_WORDS) | known_words | own
        self._triggers = frozenset(
            [
                *self._phrases,
                *self._head_kind,
                *(phrase[0] for phrase in self._head_phrases if phrase),
                *self._reporting,
                *self._titles,
                *self._roles,
                *self._name_cue_first,
                *self.names,
            ]
        )

        # Tokens a pattern can begin with (besides digits and sentence starts).
        self._starts = self._triggers | {"a", "an"} | self._sex_codes

    # ------------------------------------------------------------------ public
    def find(self, text: str, tokens: list[tuple[str, int]]) -> list[Span]:
        """Non-overlapping description spans, left to right. ``tokens`` are (normalised,
        lower-case token text, start offset) pairs; ``text`` is the original note."""
        low = [t for t, _ in tokens]
        # An all-caps or all-lower-case note says nothing by its casing.
        capitals = not text.isupper() and not text.islower()
        if (
            self._triggers.isdisjoint(low)
            and not (capitals and _has_capital(text))
            and not (low and self.could_be_name(low[0]) and low[0] not in english_words())
        ):
            return []
        note = _Note(text, tokens, low, capitals)
        spans: list[Span] = []
        starts = self._starts
        opening = note.opening
        # Where a pattern can begin: a trigger, a digit or a sentence start; nowhere else.
        begins = [
            i for i, token in enumerate(low) if opening[i] or token in starts or token[:1].isdigit()
        ]
        i = 0
        for k in begins:
            if k < i:
                continue  # inside the span found before
            i = k
            # Each pattern's own first test is made here before calling it: most places fit
            # one or two patterns, and a call that returns None at once still costs.
            token = low[i]
            found = (
                self._description(note, i)
                or (token in self._titles and self._titled(note, i))
                or (token in self._roles and self._role_name(note, i))
                or (opening[i] and self._reporting_name(note, i))
                or (token in self._reporting and self._reported_name(note, i))
                or (opening[i] and self._subject_name(note, i))
                or (token in self.names and self._bare_name(note, i))
            )
            if found:  # a span, or None or False where no pattern holds
                spans.append(found)
                i = found[1]
        if spans:
            spans = [self._neutral(note, s) for s in spans]
        return spans

    # ------------------------------------------------------------------ patterns
    def _description(self, note: _Note, i: int) -> Span | None:
        """[a|an] MODIFIER* HEAD, then an optional name and age."""
        low, n = note.low, len(note.low)
        j = i + 1 if low[i] in ("a", "an") else i
        child = elderly = False
        mods = 0
        while j < n:
            step = self._modifier(low, j)
            if step is None:
                age = self._age_before(low, j)
                if age is None:
                    break
                j, years = age
                child |= years < ADULT_AGE
                elderly |= years >= ELDERLY_AGE
                mods += 1
                continue
            elderly |= low[j] in self._elderly_words
            j = step
            mods += 1
            if j < n and low[j] in _JOINERS and j + 1 < n and note.joined(j):
                j += 1  # "white/british", "mixed-race"
            if j < n and low[j] in self._appearance:
                j += 1  # "mixed-heritage", "mixed heritage", "dual heritage"
        if j >= n:
            return None
        if low[j] in self._head_phrase_first:
            for phrase in self._head_phrases:
                if tuple(low[j : j + len(phrase)]) == phrase:
                    j += len(phrase) - 1  # "wheelchair user": its last word is the head
                    break
        kind = self._head_kind.get(low[j])
        if kind is not None and not mods and j > 0 and low[j - 1] in self._compound_first:
            return None  # "reporting person", "missing person": a role, not a description
        if kind is not None:
            j += 1
        elif mods and low[j] in self._sex_letters:
            kind = _Kind()  # "blk m", "ic3 f"
            j += 1
        elif (
            low[j] in self._sex_codes
            and j + 2 < n
            and low[j + 1] == "/"
            and low[j + 2] in self._sex_letters
        ):
            kind = _Kind()  # "w/m"
            j += 3
        elif _NUMBER.match(low[j]) and j + 1 < n and note.age_and_sex(j, self._sex_letters):
            years = int(low[j])  # "34m", split by the tokenizer as "34", "m"
            child |= years < ADULT_AGE
            elderly |= years >= ELDERLY_AGE
            kind = _Kind()
            j += 2
        else:
            sexed = _AGE_TOKEN.match(low[j])
            if sexed is None or sexed.group(2) not in ("m", "f"):
                return None
            years = int(sexed.group(1))  # "34m" as one token
            child |= years < ADULT_AGE
            elderly |= years >= ELDERLY_AGE
            kind = _Kind()
            j += 1
        end, years = self._after(note, j, name_direct=True)
        if years is not None:
            child |= years < ADULT_AGE
            elderly |= years >= ELDERLY_AGE
        if i == j - 1 and low[i] in ("a", "an"):
            return None
        label = _label(kind, child or kind.child, elderly or kind.elderly)
        return (i, end, label)

    def _titled(self, note: _Note, i: int) -> Span | None:
        """TITLE [.] NAME [AGE]: "Mr Oyelaran", "MRS. SMITH"."""
        if note.low[i] not in self._titles:
            return None
        j = i + 1
        if j < len(note.low) and note.low[j] == ".":
            j += 1
        end = self._name(note, j, cued=True)
        if end is None:
            return None
        end, years = self._after(note, end, name_direct=False)
        return (i, end, _age_label(years))

    def _role_name(self, note: _Note, i: int) -> Span | None:
        """ROLE [:] NAME: the role word stays, the name goes ("RP Jane Doe states")."""
        if note.low[i] not in self._roles:
            return None
        j = i + 1
        if j < len(note.low) and note.low[j] in (":", ",", "-"):
            j += 1
        end = self._name(note, j, listed_only=not note.capitals)
        if end is None:
            return None
        end, years = self._after(note, end, name_direct=False)
        return (j, end, _age_label(years))

    def _reporting_name(self, note: _Note, i: int) -> Span | None:
        """NAME [AGE] REPORTING-VERB at a sentence start: "Zbigniew calling"."""
        if not note.sentence_start(i):
            return None
        end = self._name(note, i)
        if end is None:
            return None
        after, years = self._after(note, end, name_direct=False)
        if after < len(note.low) and note.low[after] in self._reporting:
            return (i, after, _age_label(years))
        if after > end:  # "Tarquin (45) has ..." : the age says it is a person
            return (i, after, _age_label(years))
        return None

    def _reported_name(self, note: _Note, i: int) -> Span | None:
        """REPORTING-VERB [:] NAME, the verb staying: "caller says Gwenllian is trapped".

        The first word must not be an English word, so "says Rose" is left alone while
        "says Oisin" is not; in a mixed-case note it must also be capitalised."""
        if note.low[i] not in self._reporting:
            return None
        j = i + 1
        if j < len(note.low) and note.low[j] in (":", ","):
            j += 1
        if j >= len(note.low) or note.low[j] in english_words() or self._slip(note.low[j]):
            return None
        end = self._name(note, j)
        if end is None:
            return None
        end, years = self._after(note, end, name_direct=False)
        return (j, end, _age_label(years))

    def _subject_name(self, note: _Note, i: int) -> Span | None:
        """NAME [AGE] VERB at a sentence start, the name on no list and no English word:
        "Gwenllian throwing acid", "Oisín has taken tablets". A name that is also a word
        ("Rose", "Will") is left alone: nothing but a cue tells it from the word."""
        if not note.sentence_start(i):
            return None
        token = note.low[i]
        if token in english_words() or self._slip(token):
            return None
        if len(token) <= SHORT_NAME and (not note.capitals or self._near_word(token)):
            return None  # "ARV", "chid", "fier": a code or a slip more often than a name
        end = self._name(note, i)
        if end is None:
            return None
        after, years = self._after(note, end, name_direct=False)
        if after < len(note.low) and self._verb_like(note.low[after]):
            return (i, after, _age_label(years))
        return None

    def _verb_like(self, word: str) -> bool:
        """What follows a person at a sentence start: an -ing or -ed form, or a listed word."""
        return word in self._subject_verbs or (
            len(word) > 4 and word.isalpha() and word.endswith(("ing", "ed"))
        )

    def _near_word(self, token: str) -> bool:
        """One edit from a word the speller knows (short tokens, which it never corrects)."""
        return self.speller is not None and self.speller.near(token)

    def _slip(self, token: str) -> bool:
        """A typing slip of a known word ("knfie") is not a name."""
        return self.speller is not None and self.speller.correct(token) != token

    def _bare_name(self, note: _Note, i: int) -> Span | None:
        """A listed name anywhere, with the capitalised name words after it ("Connor Oyelaran")."""
        if note.low[i] not in self.names:
            return None
        end = self._name(note, i + 1, listed_only=not note.capitals)
        end = i + 1 if end is None else end
        end, years = self._after(note, end, name_direct=False)
        return (i, end, _age_label(years))

    # ------------------------------------------------------------------ pieces
    def _modifier(self, low: list[str], j: int) -> int | None:
        """End of the longest identity modifier phrase starting at token ``j``."""
        for phrase in self._phrases.get(low[j], ()):
            if tuple(low[j : j + len(phrase)]) == phrase:
                return j + len(phrase)
        return None

    def _age_before(self, low: list[str], j: int) -> tuple[int, int] | None:
        """An age written before the head: "34yo", "34-year-old", "34 yr old"."""
        token = low[j]
        if not token[:1].isdigit():
            return None  # both forms start with a digit (every \d is a digit to isdigit)
        sexed = _AGE_TOKEN.match(token)
        if sexed is not None and sexed.group(2) not in ("m", "f"):
            j += 1
            if j < len(low) and low[j] in ("-", "old"):
                j += 2 if low[j] == "-" and j + 1 < len(low) and low[j + 1] == "old" else 1
            return j, int(sexed.group(1))
        if not _NUMBER.match(token):
            return None
        k = j + 1
        if k < len(low) and low[k] == "-":
            k += 1
        if k >= len(low) or low[k] not in self._age_units:
            return None
        k += 1
        if k + 1 < len(low) and low[k] == "-" and low[k + 1] == "old":
            k += 2
        elif k < len(low) and low[k] == "old":
            k += 1
        return k, int(token)

    def _after(self, note: _Note, j: int, name_direct: bool) -> tuple[int, int | None]:
        """After a head or a name: a name (after a head), an age, an appearance phrase."""
        low, n = note.low, len(note.low)
        years: int | None = None
        if name_direct and j < n:
            cue = None
            if low[j] in self._name_cue_first:
                cue = next((c for c in self._name_cues if tuple(low[j : j + len(c)]) == c), None)
            if cue is not None:
                end = self._name(note, j + len(cue), cued=True)
            else:
                # "a man Connor": only a listed name (a capitalised word may be anything).
                end = self._name(note, j, listed_only=True)
            if end is not None:
                j = end
        while j < n:
            age = self._age_after(note, j)
            if age is not None:
                j, years = age
                continue
            post = None
            if low[j] in self._post_first:
                post = next((p for p in self._post if tuple(low[j : j + len(p)]) == p), None)
            if post is not None:
                j += len(post)  # "in a hijab", "who uses a wheelchair"
                continue
            if low[j] == "of" and j + 1 < n:
                k = j + 1
                while k < n and (step := self._modifier(low, k)) is not None:
                    k = step
                if k > j + 1 and k < n and low[k] in self._appearance:
                    j = k + 1  # "of Asian appearance"
                    continue
            break
        return j, years

    def _age_after(self, note: _Note, j: int) -> tuple[int, int] | None:
        """ "aged 71", "(45)", "54F", "34yo", "approx 30", "in his 40s", "in her late 70s"."""
        low = note.low
        n = len(low)
        token = low[j]
        sexed = _AGE_TOKEN.match(token)
        if sexed is not None:
            return j + 1, int(sexed.group(1))
        if _NUMBER.match(token) and j + 1 < n and note.age_and_sex(j, self._sex_letters):
            return j + 2, int(token)
        if token == "(" and j + 2 < n and _NUMBER.match(low[j + 1]) and low[j + 2] == ")":
            return j + 3, int(low[j + 1])
        if token in self._approx:
            k = j + 1
            while k < n and low[k] in self._approx:
                k += 1
            if k < n and _NUMBER.match(low[k]):
                end = k + 1
                if end < n and low[end] in self._age_units:
                    end += 1
                return end, int(low[k])
            return None
        if token == "in" and j + 2 < n and low[j + 1] in ("his", "her", "their", "thier"):
            k = j + 2
            if low[k] in self._decade_qualifiers:
                k += 1
                if k < n and low[k] == "-":
                    k += 1
            if k < n and low[k] in self._decades:
                return k + 1, _decade_years(low[k])
        return None

    def _name(
        self, note: _Note, j: int, listed_only: bool = False, cued: bool = False
    ) -> int | None:
        """End of a name of 1 to 3 words starting at ``j`` ("Tarquin", "Al-Hassan")."""
        low, n = note.low, len(note.low)
        end = j
        words = 0
        while end < n and words < MAX_NAME_TOKENS:
            token = low[end]
            if listed_only and token not in self.names:
                break
            if token not in self.names:
                if not self.could_be_name(token) or (not cued and self._slip(token)):
                    break  # after "called" or a title a name may look like a slip
                if note.capitals and not note.capitalised(end):
                    break
                if not note.capitals and words and token in english_words():
                    break  # casing cannot tell "CALLED GRZEGORZ SPRAYING": stop at English
            end += 1
            words += 1
            # A hyphen joins parts of one name: "Al-Hassan"; where casing shows a name, a
            # part that is also a word too ("Mensah-Ward"), but never "passer-by".
            while (
                end + 1 < n
                and low[end] == "-"
                and note.joined(end)
                and low[end + 1].isalpha()
                and (
                    note.capitalised(end + 1) if note.capitals else self.could_be_name(low[end + 1])
                )
            ):
                end += 2
            # A slash may join another name ("Dave/Jo"): it is checked as a name is.
            if end + 1 < n and low[end] == "/" and note.joined(end):
                end += 1
                words -= 1
        return end if words else None

    def could_be_name(self, token: str) -> bool:
        return token not in self._common and bool(_NAME_SHAPE.match(token))

    def _neutral(self, note: _Note, span: Span) -> Span:
        """An elderly description keeps "elder" only where the note makes age material."""
        first, last, label = span
        if label not in (ELDERLY, ELDERLY_PEOPLE):
            return span
        if self._material_first.isdisjoint(note.low):
            return (first, last, PERSON if label == ELDERLY else PEOPLE)
        low = note.low
        for k, token in enumerate(low):
            if token in self._material_first:
                for phrase in self._material:
                    if tuple(low[k : k + len(phrase)]) == phrase:
                        return span
        return (first, last, PERSON if label == ELDERLY else PEOPLE)


class _Note:
    """One note's tokens with the original casing at hand."""

    __slots__ = ("capitals", "low", "opening", "text", "tokens")

    def __init__(self, text: str, tokens: list[tuple[str, int]], low: list[str], capitals: bool):
        self.text = text
        self.tokens = tokens
        self.low = low
        self.capitals = capitals
        self.opening = _sentence_starts(low)  # read at every place a pattern may begin

    def age_and_sex(self, k: int, letters: frozenset[str]) -> bool:
        """Tokens ``k``, ``k + 1`` are an age and a capital sex letter written together
        ("34M"; "200m" is a distance)."""
        here, after = self.tokens[k], self.tokens[k + 1]
        return (
            after[0] in letters
            and here[1] + len(here[0]) == after[1]
            and self.text[after[1]].isupper()
            and int(here[0]) <= MAX_AGE
        )

    def capitalised(self, k: int) -> bool:
        """Written as a name is: a capital first, and not all capitals in a mixed-case note
        ("STS" is an abbreviation)."""
        start, length = self.tokens[k][1], len(self.tokens[k][0])
        word = self.text[start : start + length]
        return word[0].isupper() and (length == 1 or not word.isupper())

    def joined(self, k: int) -> bool:
        """Token ``k`` touches both neighbours (an infix hyphen or slash)."""
        before, here, after = self.tokens[k - 1], self.tokens[k], self.tokens[k + 1]
        return before[1] + len(before[0]) == here[1] and here[1] + len(here[0]) == after[1]

    def sentence_start(self, k: int) -> bool:
        return self.opening[k]


def _sentence_starts(low: list[str]) -> list[bool]:
    """Whether each token starts a sentence: the first, one after sentence-ending
    punctuation, and the one after a leading dash or comma."""
    if not low:
        return []
    opening = [True, *[previous in _SENTENCE_END for previous in low[:-1]]]
    if len(low) > 1 and low[0] in ("-", ","):
        opening[1] = True
    return opening


def _label(kind: _Kind, child: bool, elderly: bool) -> str:
    if child:
        return CHILDREN if kind.plural else CHILD
    if elderly:
        return ELDERLY_PEOPLE if kind.plural else ELDERLY
    return PEOPLE if kind.plural else PERSON


def _age_label(years: int | None) -> str:
    if years is None:
        return PERSON
    if years < ADULT_AGE:
        return CHILD
    return ELDERLY if years >= ELDERLY_AGE else PERSON


def _decade_years(word: str) -> int:
    match = _DECADE.match(word)
    if match:
        return int(match.group(1)) * 10
    spelled = ("teens", "twenties", "thirties", "forties", "fifties", "sixties", "seventies")
    if word in spelled:
        return 10 * (spelled.index(word) + 1) + (3 if word == "teens" else 0)
    return {"eighties": 80, "nineties": 90}.get(word, 40)


def _has_capital(text: str) -> bool:
    """Whether a mixed-case note has any capital letter (a name may be there)."""
    return not text.islower()

"""Who a person is cannot move a score: descriptions become one neutral term by construction.

Each test swaps only the person's description in a note and checks, on the session's real
model, that the feature row and the probabilities are IDENTICAL to the neutral note's; and
that the description the labelling guide makes material (a child, an elderly person with
dementia or living alone) still reads differently.
"""

from __future__ import annotations

import json
import string

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ..conftest import REPO

KNIFE = "RP reports {} outside the Co-op shouting that he will stab anyone, holding a large knife."
GUN = "CALLER ADV {} WITH A HANDGUN IN THE PARKING LOT POINTING IT AT PEOPLE"
SCHOOL = "caller says {} has been hanging around outside the school gates for an hour"


def rows(classifier, texts: list[str]) -> np.ndarray:
    analyses = classifier.analyser.analyse_many(texts)
    return classifier.space.transform(texts, analyses).toarray()


def assert_same_as_neutral(classifier, template: str, neutral: str, swaps: list[str]) -> None:
    texts = [template.format(neutral), *(template.format(s) for s in swaps)]
    features = rows(classifier, texts)
    probabilities = classifier.probabilities(texts)
    for k, swap in enumerate(swaps, 1):
        assert np.array_equal(features[k], features[0]), f"{swap!r} changes the features"
        assert np.array_equal(probabilities[k], probabilities[0]), f"{swap!r} moves a score"


def test_new_spellings_of_an_identity_word_give_the_neutral_note(classifier):
    swaps = [
        "a Mixed-Race man",
        "a mixed race man",
        "a MIXED RACE man",
        "a mixed-race male",
        "a Black British male",
        "an IC3 male",
        "a BLK M",
        "a HISP F",
        "a W/M",
        "a white male of Asian appearance",
        "a Muslim man",
        "a gay man",
        "a trans woman",
        "a non-binary person",
        "a Polish man",
        "an Eritrean woman",
    ]
    assert_same_as_neutral(classifier, KNIFE, "a man", swaps)
    assert_same_as_neutral(classifier, GUN, "A MAN", [s.upper() for s in swaps])


UNSEEN = ["Tarquin", "Oyelaran", "Zbigniew"]


def test_the_unseen_names_are_on_no_list():
    """The names below must be found by position, not because a list knows them."""
    listed = set()
    for path in (REPO / "model" / "lexicon").glob("*.json*"):
        listed |= set(path.read_text("utf-8").lower().replace('"', " ").split())
    assert not {n.lower() for n in UNSEEN} & listed


@pytest.mark.parametrize(
    ("template", "neutral", "swaps"),
    [
        (KNIFE, "a man", ["a man called Tarquin", "a man named Zbigniew", "Mr Oyelaran"]),
        (GUN, "A MAN", ["A MAN CALLED TARQUIN", "MR OYELARAN", "A MAN NAMED ZBIGNIEW"]),
        (SCHOOL, "a man", ["Mr Tarquin Oyelaran", "a bloke called Tarquin", "Dr. Oyelaran"]),
        (
            "{} calling, states ex partner is outside kicking the door in, children upstairs.",
            "A woman",
            ["Zbigniew", "Zbigniew Oyelaran", "Mrs Oyelaran", "Zbigniew (45)"],
        ),
        (
            "RP {} states neighbour waving a handgun in the garden.",
            "Connor",
            ["Tarquin", "Zbigniew Oyelaran"],
        ),
        # A bare name starting a sentence, before what the person does.
        (
            "{} throwing acid at a woman at the bus stop",
            "A man",
            ["Tarquin", "Zbigniew Oyelaran", "Oyelaran"],
        ),
        (
            "Caller in tears. {} has taken a whole box of tablets and is drowsy.",
            "A man",
            ["Tarquin", "Zbigniew"],
        ),
        ("{} THREATENING STAFF WITH A KNIFE", "A MAN", ["TARQUIN", "ZBIGNIEW OYELARAN"]),
    ],
)
def test_an_unseen_name_in_any_name_position_gives_the_neutral_note(
    classifier, template, neutral, swaps
):
    assert_same_as_neutral(classifier, template, neutral, swaps)


@pytest.mark.parametrize(
    "note",
    [
        "Rose throwing acid at a woman",  # a name that is an English word: only a cue tells
        "ARV attending, subject detained",  # a code
        "Fier spreading through the flat",  # a slip of a known word
        "Shouting heard from the flat",
    ],
)
def test_a_sentence_start_that_may_not_be_a_name_is_left_alone(classifier, note):
    assert "<person>" not in classifier.analyser.analyse(note).terms.words[:1]


AGES = [
    "a young lad",
    "an elderly man",
    "a middle-aged man",
    "a teenage lad",
    "a man in his 40s",
    "a man in his late seventies",
    "a man aged 71",
    "a 34-year-old man",
    "a 34 year old male",
    "a 34yo male",
    "a 34M",
    "an old man",
    "a pensioner",
]


def test_age_words_and_numbers_give_the_neutral_note(classifier):
    assert_same_as_neutral(classifier, KNIFE, "a man", AGES)
    assert_same_as_neutral(classifier, GUN, "A MAN", [a.upper() for a in AGES])
    assert_same_as_neutral(classifier, SCHOOL, "a man", AGES)


def test_a_child_stays_a_child_in_every_spelling(classifier):
    """A child alone is material (labelling guide): all child forms agree, and differ
    from an adult."""
    template = "{} alone by the canal lock, nobody with them"
    analyser = classifier.analyser
    forms = ["a toddler", "a young child", "a 6-year-old girl", "a boy aged 7", "a small kid"]
    assert_same_as_neutral(classifier, template, "a child", forms[:4])
    words = analyser.analyse(template.format("a 6-year-old girl")).terms.words
    assert words[0] == "<child>" and "<person>" not in words
    child, adult = rows(classifier, [template.format("a child"), template.format("a man")])
    assert not np.array_equal(child, adult)


def test_an_elderly_person_is_elderly_only_where_the_note_makes_age_material(classifier):
    analyser = classifier.analyser
    material = "{} with dementia wandering in the road at night in his slippers"
    for elderly in ("An elderly man", "A man aged 84"):
        words = analyser.analyse(material.format(elderly)).terms.words
        assert words[:2] == ["elder", "<person>"], words
    assert_same_as_neutral(classifier, material, "An elderly man", ["A pensioner", "An old man"])
    plain = "{} driving erratically on the high street, mounted the kerb twice"
    assert "elder" not in analyser.analyse(plain.format("An elderly man")).terms.words
    assert_same_as_neutral(classifier, plain, "A man", ["An elderly man", "A man in his 80s"])


def test_pregnant_stays_in_the_note(classifier):
    words = classifier.analyser.analyse("pregnant woman fallen down the stairs").terms.words
    assert words[0] == "pregnant" and words[1] == "<person>"


def test_called_as_a_verb_is_not_a_name(classifier):
    words = classifier.analyser.analyse("a man called police from the shop").terms.words
    assert words[:3] == ["<person>", "call", "polic"]


def test_evidence_and_terms_still_index_the_original_note(classifier):
    note = "CALLER ADV A MAN CALLED TARQUIN WITH A HANDGUN IN THE PARKING LOT POINTING IT AT PEOPLE"
    terms = classifier.analyser.analyse(note).terms
    k = terms.words.index("<person>")
    assert note[terms.starts[k] : terms.ends[k]] == "A MAN CALLED TARQUIN"
    result = classifier.classify(
        "Mr Oyelaran says a mixed-race male is waving a knife at people outside, stab wounds"
    )
    assert result.evidence
    for item in result.evidence:
        text = "Mr Oyelaran says a mixed-race male is waving a knife at people outside, stab wounds"
        assert text[item.start : item.end] == item.text


NAME_LETTERS = st.text(alphabet=string.ascii_lowercase, min_size=2, max_size=12)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=NAME_LETTERS, shout=st.booleans(), template=st.sampled_from([KNIFE, SCHOOL]))
def test_any_capitalised_name_after_called_leaves_the_row_unchanged(
    classifier, name, shout, template
):
    """A new name after "called" never changes the feature row (common English words and
    lexicon words, which are never names, are left out)."""
    assume(classifier.analyser.persons.could_be_name(name))
    # One token: the tokenizer reads "Id" as "I'd", two words, and no name pattern is that.
    assume(len(classifier.analyser.tokens(name)) == 1)
    base, named = template.format("a man"), template.format(f"a man called {name.title()}")
    if shout:
        base, named = base.upper(), named.upper()
    a, b = rows(classifier, [base, named])
    assert np.array_equal(a, b)


def test_the_persons_lexicon_is_versioned_data():
    raw = json.loads((REPO / "model" / "lexicon" / "persons.json").read_text("utf-8"))
    assert raw["version"] and raw["heads"]["person"] and raw["modifiers"]["ethnicity"]

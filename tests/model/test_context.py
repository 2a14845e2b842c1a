"""Text processing: offsets never move, and negated / historical / hypothetical cues are marked."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model._context import NoteAnalyser
from model._text import normalise


@pytest.fixture(scope="module")
def analyser() -> NoteAnalyser:
    return NoteAnalyser()


def contexts(analyser: NoteAnalyser, text: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for cue in analyser.analyse(text).cues:
        found.setdefault(cue.cue, set()).add(cue.context)
    return found


@given(st.text(max_size=300))
def test_normalise_keeps_every_offset(text):
    assert len(normalise(text)) == len(text)


def test_normalise_folds_quotes_dashes_and_case():
    assert normalise("He\u2019s \u201cOK\u201d \u2014 RP") == 'he\'s "ok" - rp'


@pytest.mark.parametrize(
    ("text", "cue", "context"),
    [
        ("No weapons seen, male calm", "WEAPON", "negated"),
        ("Denies SI, says he is safe", "SUICIDAL", "negated"),
        ("weapons: none", "WEAPON", "negated"),
        ("Took an OD last year, fine now", "OVERDOSE", "historical"),
        ("History of overdose in 2021", "OVERDOSE", "historical"),
        ("Worried he might jump", "SUICIDAL", "hypothetical"),
        ("if he comes back with a knife", "WEAPON", "hypothetical"),
        ("He has a knife and is shouting", "WEAPON", "present"),
        ("RP states brother on the bridge, says he will jump", "SUICIDAL", "present"),
        # A wish not to live is suicidal thinking, not a negated one.
        ("says he no longer wants to be alive", "SUICIDAL", "present"),
        ("she doesn't want to live anymore", "SUICIDAL", "present"),
    ],
)
def test_cue_context(analyser, text, cue, context):
    assert context in contexts(analyser, text).get(cue, set()), contexts(analyser, text)


def test_negation_does_not_reach_past_a_clause_break(analyser):
    found = contexts(analyser, "No weapons seen, male has cut his wrists and is bleeding heavily")
    assert found["WEAPON"] == {"negated"}
    assert found["BLEEDING"] == {"present"}
    assert found["SELF_HARM"] == {"present"}


def test_not_breathing_is_a_cue_not_a_negation(analyser):
    assert contexts(analyser, "baby not breathing")["NOT_BREATHING"] == {"present"}
    assert contexts(analyser, "she can't breathe")["NOT_BREATHING"] == {"present"}


def test_abbreviations_match_the_same_cues_as_their_expansions(analyser):
    assert "OVERDOSE" in contexts(analyser, "pt took an OD tonight")
    assert "MH_DETENTION" in contexts(analyser, "AWOL from ward, S136 previously")
    assert "MISSING" in contexts(analyser, "MISPER since 1400hrs")


@pytest.mark.parametrize(
    "punctuated",
    [
        "male acting strangely, no weapons mentioned, nobody hurt",
        "no knife seen, not armed, nothing taken",
        "nil weapons seen, no injuries, not suicidal, nobody hurt",
    ],
)
def test_cue_contexts_are_the_same_without_commas(analyser, punctuated):
    """A new negation trigger starts its own scope, as a comma would have ended the last."""
    assert contexts(analyser, punctuated) == contexts(analyser, punctuated.replace(",", ""))


def test_a_trigger_that_follows_what_it_negates_still_does_without_a_comma(analyser):
    assert contexts(analyser, "weapons none no injuries")["WEAPON"] == {"negated"}


@pytest.mark.parametrize(
    "typed",
    [
        "she hasnt taken any paracetamol",
        "she hasn t taken any paracetamol",
        "she has nt taken any paracetamol",
        "She HASNT taken any paracetamol",
    ],
)
def test_a_negation_typed_without_its_apostrophe_still_negates(analyser, typed):
    assert contexts(analyser, typed)["OVERDOSE"] == {"negated"}


@pytest.mark.parametrize(
    ("with_apostrophes", "without"),
    [
        ("the caller's ex didn't go, I'm outside", "the caller s ex didn t go I m outside"),
        ("he can't breathe and won't wake", "he can t breathe and won t wake"),
        ("she's not ok, they don't know", "she s not ok they don t know"),
    ],
)
def test_a_contraction_reads_the_same_with_or_without_its_apostrophe(
    analyser, with_apostrophes, without
):
    def words(text):
        return [w for w in analyser.analyse(text).terms.words if w not in {",", "."}]

    assert words(with_apostrophes) == words(without)


@pytest.mark.parametrize(
    ("typed", "spelled"),
    [
        ("struggling 2 breathe", "struggling to breathe"),
        ("waiting 4 him outside", "waiting for him outside"),
        ("sorry 4 leaving", "sorry for leaving"),
        ("set fire 2 the door", "set fire to the door"),
    ],
)
def test_text_speak_digits_read_as_words_before_a_word(analyser, typed, spelled):
    assert analyser.analyse(typed).terms.words == analyser.analyse(spelled).terms.words


@pytest.mark.parametrize(
    "counted", ["2 males", "4 days", "2 of them", "2 yrs", "at 2 pm", "flat 2"]
)
def test_text_speak_digits_stay_numbers_when_something_is_counted(analyser, counted):
    words = analyser.analyse(counted).terms.words
    assert "to" not in words and "for" not in words


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_cue_spans_always_index_the_original_text(analyser, text):
    analysis = analyser.analyse(text)
    for cue in analysis.cues:
        assert 0 <= cue.start < cue.end <= len(text)
    for start, end in zip(analysis.terms.starts, analysis.terms.ends, strict=True):
        assert 0 <= start < end <= len(text)


def test_analysing_a_batch_gives_what_analysing_each_note_gives(analyser):
    texts = ["No weapons seen, male calm", "", "  ", "Took an OD last year", "knife!!"] * 3
    assert analyser.analyse_many(texts) == [analyser.analyse(t) for t in texts]


@given(st.lists(st.sampled_from(["he", "said", ".", "!", "?", "no", ",", "knife"]), max_size=30))
def test_sentences_start_after_end_punctuation_at_the_next_other_term(words):
    analyser = NoteAnalyser.__new__(NoteAnalyser)
    analyser._sentence_ends = frozenset(".!?")
    expected = [0] + [
        i for i in range(1, len(words)) if words[i - 1] in ".!?" and words[i] not in ".!?"
    ]
    assert analyser.sentence_starts(words) == expected


def _past_words(analyser, text: str) -> list[str]:
    analysis = analyser.analyse(text)
    return [analysis.terms.words[i] for i in sorted(analysis.historical_terms)]


def test_a_dated_past_event_is_past_in_every_word_of_its_clause(analyser):
    """'had swallowed a packet of tablets in 2019' is over: its plain words (not only the
    cue words) are read as past, so none of them scores as a danger now."""
    words = _past_words(
        analyser, "Her dad had swallowed a packet of tablets in 2019, fully recovered"
    )
    assert {"swallow", "packet", "tablet"} <= {w[:7] for w in words}
    assert not {"fulli", "recov"} & set(words)  # the comma ends the past clause
    words = _past_words(analyser, "overdose two years ago. Now on the bridge saying he will jump")
    assert words and not {"bridg", "jump", "now"} & set(words)


@pytest.mark.parametrize(
    "text",
    [
        "history of psychosis, hearing voices and shouting at the neighbours",
        "previous overdose, now on the bridge",
        "he was on the bridge before police arrived",
    ],
)
def test_a_named_condition_is_not_a_dated_event(analyser, text):
    # "history of" or "previous" names what someone has, not when something happened; a
    # condition stays current, and only its cue words carry the history mark.
    assert not [w for w in _past_words(analyser, text) if w.startswith(("hear", "bridg", "voic"))]


def test_the_past_mark_reaches_the_features_and_leaves_the_characters(analyser):
    from model._inputs import char_text, feature_words

    text = "took an overdose two years ago, fine now"
    analysis = analyser.analyse(text)
    assert "hist_overdos" in feature_words(analysis).words
    assert "overdose" not in char_text(text, analysis)


@pytest.mark.parametrize(
    "note",
    [
        "her husband is threatening to hang himself in the garage",
        "DAD THREATENING TO JUMP FROM THE BEDROOM WINDOW",
        "son threatened to kill himself last night",
    ],
)
def test_a_threat_to_self_is_not_a_threat_to_others(analyser, note):
    found = contexts(analyser, note)
    assert "THREAT_TO_SELF" in found
    assert "THREAT" not in found


def test_a_threat_to_someone_else_is_still_a_threat(analyser):
    found = contexts(analyser, "he is threatening his wife with a knife and says he will jump")
    assert found["THREAT"] == {"present"}


def test_a_cord_round_the_neck_is_a_ligature_not_an_assault(analyser):
    found = contexts(analyser, "found with a cord tied round the neck, barely conscious")
    assert found["LIGATURE"] == {"present"}
    assert "VIOLENCE_NOW" not in found
    assert contexts(analyser, "he has his hands round the neck of a woman")["VIOLENCE_NOW"]


@pytest.mark.parametrize(
    "note",
    [
        "caller has lost her keys and a glass of water was spilt",
        "broke his arm playing football, fit and well otherwise",
        "several people at the training course missed the bus",
        "dealing with his benefits claim, wrapped up warm",
    ],
)
def test_a_word_that_only_shares_a_cues_stem_is_no_cue(analyser, note):
    assert analyser.analyse(note).cues == []


@pytest.mark.parametrize(
    ("note", "cue"),
    [
        ("he was glassed outside the pub", "ASSAULT"),
        ("someone keyed my car", "DAMAGE"),
        ("she is fitting on the floor", "NOT_BREATHING"),
        ("dealing heroin from the flat", "DRUGS"),
        ("armed man at the door", "WEAPON"),
    ],
)
def test_the_cue_words_themselves_still_count(analyser, note, cue):
    assert contexts(analyser, note)[cue] == {"present"}

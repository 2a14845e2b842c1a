"""The trained classifier: calibrated scores, context-aware, evidence pointing at the note."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model import LABELS, ROUTES, BlockKind


def p(classifier, text: str, label: str) -> float:
    return classifier.classify(text).labels[label].probability


def test_result_has_every_label_with_probability_threshold_and_flag(classifier):
    result = classifier.classify("RP states brother on the bridge rail, says he will jump")
    assert set(result.labels) == set(LABELS)
    for score in result.labels.values():
        assert 0.0 <= score.probability <= 1.0
        assert score.flagged == (score.probability >= score.threshold)
    assert result.route.suggestion in ROUTES
    assert result.model_version == classifier.version


def test_fast_path_matches_scikit_learn(classifier, full_classifier):
    """The served model (plain arrays) scores as the fitted scikit-learn estimators do."""
    texts = ["male on the railway line", "bike stolen", "hearing voices, calm, safe at home"]
    ours = classifier.probabilities(texts)
    analyses = [full_classifier.analyser.analyse(t) for t in texts]
    matrix = full_classifier.space.transform(texts, analyses)
    for j, label in enumerate(LABELS):
        theirs = full_classifier.estimators[label].predict_proba(matrix)[:, 1]
        np.testing.assert_allclose(ours[:, j], theirs, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(
    ("present", "absent", "label"),
    [
        (
            "He has said he has suicidal thoughts and wants to die.",
            "He denies any suicidal thoughts, no SI.",
            "mental_health",
        ),
        (
            "Her ex punched her and threatened to kill her with a knife.",
            "No threats made, no weapons, her ex left calmly.",
            "crime",
        ),
        (
            "She has taken an overdose of paracetamol tonight and is drowsy.",
            "She took an overdose of paracetamol last year, fine now.",
            "threat_to_life",
        ),
        (
            "He is on the bridge parapet and says he will jump now.",
            "Worried he might do something one day, no plan.",
            "threat_to_life",
        ),
    ],
)
def test_negated_historical_and_hypothetical_cues_lower_the_score(
    classifier, present, absent, label
):
    assert p(classifier, present, label) > p(classifier, absent, label) + 0.2


def test_figures_of_speech_do_not_raise_a_threat_to_life(classifier):
    result = classifier.classify("hi, been killing time at the station, dying for a coffee lol")
    assert not result.labels["threat_to_life"].flagged


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("Man on the railway line says he wants to end his life, train due", "police-and-health"),
        ("Shed broken into overnight, tools stolen, nobody hurt", "police"),
        ("Caller hearing voices, at home with her mum, no thoughts of harm", "health-led"),
        ("Asking for the council's phone number about bin collection", "no-signal"),
    ],
)
def test_route_follows_rcrp(classifier, text, route):
    assert classifier.classify(text).route.suggestion == route


def test_evidence_points_at_the_original_words(classifier):
    text = (
        "RP states brother \u201con the bridge rail\u201d \u2014 says he\u2019ll JUMP, "
        "no weapons seen"
    )
    result = classifier.classify(text)
    assert result.evidence
    for item in result.evidence:
        assert text[item.start : item.end] == item.text
        assert item.label in LABELS
    ttl = [e.text.lower() for e in result.evidence if e.label == "threat_to_life" and not e.negated]
    assert any("bridge" in t or "jump" in t for t in ttl), ttl
    negated = [e for e in result.evidence if e.negated]
    assert any("weapons" in e.text for e in negated)
    assert all(e.context in ("negated", "historical", "hypothetical") for e in negated)


def test_route_reasons_quote_the_evidence(classifier):
    result = classifier.classify("Woman stabbed in the chest outside the pub, suspect still there")
    assert result.route.suggestion == "police"
    assert any("threat to life" in reason and "'" in reason for reason in result.route.reasons)


def test_classify_many_equals_classify(classifier):
    texts = ["bike stolen", "man not breathing", "voices telling her to hurt herself"]
    batch = classifier.classify_many(texts)
    assert [r.to_dict() for r in batch] == [classifier.classify(t).to_dict() for t in texts]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(min_size=1, max_size=400))
def test_any_unicode_note_is_scored_with_valid_offsets(classifier, text):
    result = classifier.classify(text)
    for score in result.labels.values():
        assert 0.0 <= score.probability <= 1.0
    for item in result.evidence:
        assert text[item.start : item.end] == item.text


def test_identity_words_do_not_move_scores(classifier):
    base = "{} male, 30s, standing on the bridge parapet saying he will jump"
    probs = [classifier.probabilities([base.format(w)])[0] for w in ("black", "white", "Asian")]
    assert np.ptp(np.array(probs), axis=0).max() < 1e-9
    names = ["Mohammed", "James", "Priya", "Tomasz"]
    probs = [classifier.probabilities([f"{n} has taken an overdose tonight"])[0] for n in names]
    assert np.ptp(np.array(probs), axis=0).max() < 1e-9


def test_direct_tfidf_rows_match_scikit_learn(classifier, full_classifier):
    from model._inputs import char_text, feature_words

    texts = ["Male on the railway line, 34M, says he will jump!", "bike stolen", "ok"]
    analyses = [classifier.analyser.analyse(t) for t in texts]
    ours = classifier.space.transform(texts, analyses).toarray()
    space = full_classifier.space
    words = space.words.transform([" ".join(feature_words(a).words) for a in analyses])
    chars = space.chars.transform([char_text(t, a) for t, a in zip(texts, analyses, strict=True)])
    word_columns = space.layout[BlockKind.WORDS]
    char_columns = space.layout[BlockKind.CHARS]
    np.testing.assert_allclose(
        ours[:, word_columns.start : word_columns.stop], words.toarray(), atol=1e-6
    )
    np.testing.assert_allclose(
        ours[:, char_columns.start : char_columns.stop], chars.toarray(), atol=1e-6
    )


FILLER = {
    "her",
    "his",
    "he",
    "she",
    "says",
    "said",
    "states",
    "in",
    "caller",
    "and",
    "is",
    "'s",
    "the",
    "a",
    "rp",
    "reports",
    "they",
    "them",
    "to",
    "at",
    "of",
    "on",
    "with",
    "has",
}


def test_evidence_shows_only_content_bearing_phrases(classifier):
    notes = [
        "caller says her brother is on the bridge rail and says he will jump",
        "RP states male w/ knife in the street, he is shouting at her",
        "she says her ex has hit her and is outside the door with a bat",
        "caller's son says he has taken all his tablets and is drowsy",
    ]
    shown = [e.text for result in classifier.classify_many(notes) for e in result.evidence]
    assert shown, "a note with clear signals shows evidence"
    for text in shown:
        words = text.lower().replace("'", " '").split()
        assert not all(w in FILLER for w in words), text

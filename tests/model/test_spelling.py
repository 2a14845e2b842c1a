"""The speller's remembered answers are the answers: a token asked again gets what a fresh
speller says, and the memory stays bounded."""

from __future__ import annotations

import pytest

from model import LEXICON_DIR, _engine
from model import _spelling as pure_spelling

# Short tokens (which ``near`` is asked about: "ARV", "chid" at a sentence start), slips,
# English words, names and non-words.
TOKENS = ["arv", "chid", "fier", "sam", "rp", "knfie", "strnagling", "knife", "oisin", "x1", "ok"]


def spelling_modules():
    modules = [pure_spelling]
    if _engine.compiled_problem() is None:
        from model._fast import _spelling

        modules.append(_spelling)
    return modules


@pytest.mark.parametrize("module", spelling_modules(), ids=lambda m: m.__name__)
def test_answers_asked_again_are_a_fresh_spellers(module):
    speller = module.Speller.load(LEXICON_DIR / "spelling.txt")
    first = [(speller.near(t), speller.correct(t)) for t in TOKENS]
    again = [(speller.near(t), speller.correct(t)) for t in reversed(TOKENS)][::-1]
    fresh = module.Speller.load(LEXICON_DIR / "spelling.txt")
    assert first == again == [(fresh.near(t), fresh.correct(t)) for t in TOKENS]
    # Both answers vary over these tokens: the test would see a constant answer.
    assert {near for near, _ in first} == {True, False}
    assert any(corrected != t for t, (_, corrected) in zip(TOKENS, first, strict=True))


def test_the_memory_of_answers_stays_bounded(monkeypatch):
    monkeypatch.setattr(pure_spelling, "CACHE_SIZE", 3)
    speller = pure_spelling.Speller.load(LEXICON_DIR / "spelling.txt")
    for token in TOKENS:
        speller.near(token)
        speller.correct(token)
    assert len(speller._near) <= 4
    assert len(speller._answers) <= 4

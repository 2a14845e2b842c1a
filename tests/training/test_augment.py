"""Counterfactual augmentation changes who is in a note, never what happens in it."""

from __future__ import annotations

import re

from training import RELATIONS, REPORTERS, REPORTING_VERBS, swap_relations, swap_reporters

NOTES = [
    "Her FLATMATE has a knife; the flatmate is shouting at her husband",
    "My Husband hit me again and my ex-partner keeps texting",
    "Neighbourhood watch report: brother-in-law's van blocking the road",
    "son and grandmother safe at home",  # a child and an elderly relative: never swapped
]


def kind(word: str) -> int:
    return next(k for k, words in enumerate(RELATIONS) if word.lower() in words)


WORDS = sorted((w for kind in RELATIONS for w in kind), key=len, reverse=True)
RELATION = re.compile(rf"(?<![\w-])({'|'.join(map(re.escape, WORDS))})(?![\w-])", re.IGNORECASE)


def relations(text: str) -> list[str]:
    return RELATION.findall(text)


def masked(text: str) -> str:
    return RELATION.sub("<R>", text)


def test_every_relation_becomes_another_of_its_own_kind_and_nothing_else_changes():
    result = swap_relations(NOTES, share=1.0, seed=5)
    assert result.swapped == 3
    for before, after in zip(NOTES, result.texts, strict=True):
        old, new = relations(before), relations(after)
        assert len(old) == len(new)
        for a, b in zip(old, new, strict=True):
            assert a.lower() != b.lower()
            assert kind(a) == kind(b)  # a partner stays a partner
            assert a.isupper() == b.isupper() and a[0].isupper() == b[0].isupper()
        # Outside the relation words the note is as written.
        assert masked(before) == masked(after)
    assert result.texts[3] == NOTES[3]
    assert "neighbourhood" in result.texts[2].lower()


def test_one_relation_becomes_the_same_other_wherever_it_recurs():
    text = swap_relations([NOTES[0]], share=1.0, seed=1).texts[0]
    first, second = relations(text)[0], relations(text)[1]
    assert first.lower() == second.lower()


def test_the_share_and_seed_decide_which_notes_change_reproducibly():
    notes = [f"note {k}: my flatmate is here" for k in range(400)]
    a = swap_relations(notes, share=0.3, seed=13)
    b = swap_relations(notes, share=0.3, seed=13)
    assert a == b
    assert 80 < a.swapped < 160
    assert swap_relations(notes, share=0.0, seed=13).texts == notes


def test_a_reporting_frame_is_replaced_and_the_account_kept_word_for_word():
    notes = [
        "Caller states her son has a knife",
        "RP REPORTS MALE ON THE BRIDGE RAIL",
        "rp says: neighbour shouting at kids",
        "Male has taken 20 paracetamol",
    ]
    result = swap_reporters(notes, share=1.0, seed=3)
    assert result.swapped == 4
    accounts = [
        "her son has a knife",
        "MALE ON THE BRIDGE RAIL",
        "neighbour shouting at kids",
        "male has taken 20 paracetamol",
    ]
    for after, account in zip(result.texts, accounts, strict=True):
        assert after.endswith(account)
        frame = after[: -len(account)].strip().lower()
        assert any(frame == f"{r} {v}".lower() for r in REPORTERS for v in REPORTING_VERBS)
    assert result.texts[1].isupper()  # an all-capitals note stays all capitals
    assert "caller states" not in result.texts[0].lower()


def test_reporter_swaps_are_reproducible_and_follow_the_share():
    notes = [f"Caller states incident {k}" for k in range(400)]
    a, b = swap_reporters(notes, 0.3, 7), swap_reporters(notes, 0.3, 7)
    assert a == b and 80 < a.swapped < 160
    assert swap_reporters(notes, 0.0, 7).texts == notes

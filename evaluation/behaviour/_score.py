"""Score the suite's notes once each and check every case against what the guide says."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from model import LABELS

from ._cases import Case

INV_TOLERANCE = 0.05  # an INV change may move no probability further than this
DIR_TOLERANCE = 0.02  # a DIR change may move the wrong way by no more than this
BATCH = 512


@dataclass(frozen=True)
class Answer:
    probabilities: tuple[float, ...]  # in LABELS order
    flags: tuple[bool, ...]


@dataclass(frozen=True)
class Outcome:
    case: Case
    passed: bool
    failed_labels: tuple[str, ...]
    delta: float | None  # INV/DIR: largest probability change over the labels
    severity: float  # how far wrong; picks the example failure shown
    summary: str  # what went wrong, without note text


def score(scorer, texts: Sequence[str]) -> dict[str, Answer]:
    """Each distinct note once, through the model's public ``classify_many``."""
    unique = list(dict.fromkeys(texts))
    answers: dict[str, Answer] = {}
    for start in range(0, len(unique), BATCH):
        batch = unique[start : start + BATCH]
        for text, result in zip(
            batch, scorer.classify_many(batch, with_evidence=False), strict=True
        ):
            answers[text] = Answer(
                tuple(result.labels[label].probability for label in LABELS),
                tuple(result.labels[label].flagged for label in LABELS),
            )
    return answers


def _mft(case: Case, a: Answer) -> Outcome:
    failed, severity, parts = [], 0.0, []
    for label, want in case.expect.items():
        j = LABELS.index(label)
        if a.flags[j] != bool(want):
            failed.append(label)
            severity = max(severity, abs(a.probabilities[j] - 0.5) + 0.5)
            parts.append(f"{label} {a.probabilities[j]:.2f} (want {'flag' if want else 'none'})")
    return Outcome(case, not failed, tuple(failed), None, severity, "; ".join(parts))


def _inv(case: Case, a: Answer, b: Answer) -> Outcome:
    failed, parts = [], []
    moves = [abs(pb - pa) for pa, pb in zip(a.probabilities, b.probabilities, strict=True)]
    for j, label in enumerate(LABELS):
        flipped = a.flags[j] != b.flags[j]
        if flipped or moves[j] > INV_TOLERANCE:
            failed.append(label)
            note = " flag flips" if flipped else ""
            parts.append(f"{label} {a.probabilities[j]:.2f}->{b.probabilities[j]:.2f}{note}")
    severity = max(moves) + (1.0 if a.flags != b.flags else 0.0)
    return Outcome(case, not failed, tuple(failed), max(moves), severity, "; ".join(parts))


def _dir(case: Case, a: Answer, b: Answer) -> Outcome:
    failed, parts, severity = [], [], 0.0
    for label, way in case.direction.items():
        j = LABELS.index(label)
        move = b.probabilities[j] - a.probabilities[j]
        wrong = -move if way == "up" else move
        if wrong > DIR_TOLERANCE:
            failed.append(label)
            severity = max(severity, wrong)
            parts.append(f"{label} {a.probabilities[j]:.2f}->{b.probabilities[j]:.2f} (want {way})")
    for label, want in (case.expect_changed or {}).items():
        j = LABELS.index(label)
        if b.flags[j] != bool(want):
            if label not in failed:
                failed.append(label)
            severity = max(severity, abs(b.probabilities[j] - 0.5) + 0.5)
            parts.append(
                f"{label} {a.probabilities[j]:.2f}->{b.probabilities[j]:.2f} "
                f"(changed note must {'flag' if want else 'not flag'})"
            )
    moves = [abs(pb - pa) for pa, pb in zip(a.probabilities, b.probabilities, strict=True)]
    return Outcome(case, not failed, tuple(failed), max(moves), severity, "; ".join(parts))


def check(cases: Sequence[Case], answers: dict[str, Answer]) -> list[Outcome]:
    outcomes = []
    for case in cases:
        a = answers[case.text]
        if case.test == "mft":
            outcomes.append(_mft(case, a))
        elif case.test == "inv":
            outcomes.append(_inv(case, a, answers[case.changed]))
        else:
            outcomes.append(_dir(case, a, answers[case.changed]))
    return outcomes


def run(scorer, cases: Sequence[Case]) -> list[Outcome]:
    texts = [t for c in cases for t in (c.text, c.changed) if t is not None]
    return check(cases, score(scorer, texts))

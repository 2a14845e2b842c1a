"""Corpus audit: words whose label rate is skewed, and guide terms the corpus teaches backwards.

A linear model learns what its corpus shows. If every note containing "shot" is a decoy
("flu shot", "shot a film") labelled threat_to_life 0, the model learns that "shot" means
safety; if most "calm" notes are mental-health calls, "calm" comes to mean mental health.
The audit counts, per label, how notes containing each word or bigram are labelled, and
fails when an archetype term of the labelling guide has fewer positive examples than
decoys, or a neutral term's label rate is strongly skewed from the corpus base rate.
Only counts leave this module, never note text.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from scipy.stats import binom, false_discovery_control
from sklearn.feature_extraction.text import CountVectorizer

from model import LABELS
from notefiles import NoteSet

from ._audit_terms import BUNDLED_TERMS, AuditTerm, load_audit_terms

# Words as a labeller reads them: lower-cased, apostrophes kept ("isn't"), digits allowed.
TOKEN_PATTERN = r"(?u)\b\w[\w']*\b"
# Pseudo-notes at the base rate added to every term's counts, so a word seen in 10 notes
# cannot look as skewed as one seen in 1,000.
PRIOR_NOTES = 2.0


@dataclass(frozen=True)
class AuditSettings:
    min_count: int = 10  # a word or bigram is listed only if at least this many notes hold it
    max_q: float = 0.01  # Benjamini-Hochberg q of the two-sided binomial test
    min_log_odds: float = float(np.log(2.0))  # |smoothed log-odds ratio| to the base rate
    neutral_max_p: float = 0.001  # a neutral term fails only when skewed beyond chance...
    neutral_log_odds: float = float(np.log(2.0))  # ...and by at least this log-odds ratio
    top: int = 15


@dataclass
class AuditReport:
    """Everything ``rightcall data audit`` shows or writes; ``passed`` decides the exit code."""

    notes: int
    base_rates: dict[str, float]
    settings: AuditSettings
    skewed: list[dict]
    archetypes: list[dict]
    neutral: list[dict]
    model_weights: dict | None = None
    terms_file: str = str(BUNDLED_TERMS)
    files: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[dict]:
        return [row for row in [*self.archetypes, *self.neutral] if row["status"] == "fail"]

    @property
    def passed(self) -> bool:
        return not self.failures

    def to_json(self) -> dict:
        return {
            "passed": self.passed,
            "notes": self.notes,
            "files": self.files,
            "terms_file": self.terms_file,
            "base_rates": self.base_rates,
            "settings": asdict(self.settings),
            "failures": [
                {"kind": r["kind"], "label": r["label"], "term": r["term"]} for r in self.failures
            ],
            "archetypes": self.archetypes,
            "neutral": self.neutral,
            "skewed_terms": self.skewed,
            "model_weights": self.model_weights,
        }


def smoothed_log_odds(positives: np.ndarray, notes: np.ndarray, base: float) -> np.ndarray:
    """Log-odds of the label among a term's notes minus the corpus log-odds, with a prior."""
    with_label = positives + PRIOR_NOTES * base
    without = notes - positives + PRIOR_NOTES * (1.0 - base)
    return np.log(with_label / without) - np.log(base / (1.0 - base))


def binomial_p(positives: np.ndarray, notes: np.ndarray, base: float) -> np.ndarray:
    """Two-sided binomial test (twice the smaller tail) that a term's rate is the base rate."""
    lower = binom.cdf(positives, notes, base)
    upper = binom.sf(positives - 1, notes, base)
    return np.minimum(1.0, 2.0 * np.minimum(lower, upper))


def skewed_terms(texts: list[str], labels: np.ndarray, settings: AuditSettings) -> list[dict]:
    """Words and bigrams in at least ``min_count`` notes whose rate of some label is skewed."""
    vectoriser = CountVectorizer(
        token_pattern=TOKEN_PATTERN,
        ngram_range=(1, 2),
        min_df=settings.min_count,
        binary=True,
        dtype=np.int32,
    )
    try:
        present = vectoriser.fit_transform(texts).tocsc()
    except ValueError:  # no word reaches min_count
        return []
    names = vectoriser.get_feature_names_out()
    notes = np.asarray(present.sum(axis=0)).ravel().astype(np.int64)
    positives = np.asarray(present.T @ labels.astype(np.int64)).astype(np.int64)
    base = labels.mean(axis=0)
    effects = np.zeros(positives.shape)
    p_values = np.ones(positives.shape)
    for j in range(len(LABELS)):
        if 0.0 < base[j] < 1.0:
            effects[:, j] = smoothed_log_odds(positives[:, j], notes, base[j])
            p_values[:, j] = binomial_p(positives[:, j], notes, base[j])
    q_values = false_discovery_control(p_values.ravel()).reshape(p_values.shape)
    skew = (q_values <= settings.max_q) & (np.abs(effects) >= settings.min_log_odds)
    rows = []
    for i in np.flatnonzero(skew.any(axis=1)):
        rows.append(
            {
                "term": str(names[i]),
                "notes": int(notes[i]),
                "positives": {label: int(positives[i, j]) for j, label in enumerate(LABELS)},
                "skewed": {
                    label: {
                        "rate": round(positives[i, j] / notes[i], 4),
                        "log_odds": round(float(effects[i, j]), 3),
                        "q": float(f"{q_values[i, j]:.3g}"),
                    }
                    for j, label in enumerate(LABELS)
                    if skew[i, j]
                },
            }
        )
    return rows


def term_counts(
    terms: list[AuditTerm], texts: list[str], labels: np.ndarray, settings: AuditSettings
) -> tuple[list[dict], list[dict]]:
    """Positive examples and decoys of each archetype term; label rate of each neutral term."""
    archetypes, neutral = [], []
    base = labels.mean(axis=0)
    for term in terms:
        j = LABELS.index(term.label)
        matched = np.array(term.matches(texts), dtype=bool)
        notes = int(matched.sum())
        positives = int(labels[matched, j].sum())
        row = {
            "kind": term.kind,
            "label": term.label,
            "term": term.term,
            "notes": notes,
            "positives": positives,
            "decoys": notes - positives,
            "meaning": term.meaning,
        }
        if term.kind == "archetype":
            row["status"] = "absent" if notes == 0 else "pass"
            if positives < notes - positives:
                row["status"] = "fail"
            archetypes.append(row)
            continue
        effect = float(smoothed_log_odds(np.array(positives), np.array(notes), base[j]))
        p_value = float(binomial_p(np.array(positives), np.array(notes), base[j]))
        strongly = p_value <= settings.neutral_max_p and abs(effect) >= settings.neutral_log_odds
        row.update(
            rate=round(positives / notes, 4) if notes else None,
            base_rate=round(float(base[j]), 4),
            log_odds=round(effect, 3),
            p=float(f"{p_value:.3g}"),
            status="fail" if strongly else ("absent" if notes == 0 else "pass"),
        )
        neutral.append(row)
    return archetypes, neutral


def largest_weights(classifier, top: int) -> dict:
    """The ``top`` word features and cue features by absolute weight in each label's model.

    Ranked apart: a cue column is 0 or 1 while a word's tf-idf value is well below 1, so
    cue weights are larger and would crowd every word out of one list.
    """
    weights = classifier.feature_weights()
    out = {}
    for label in LABELS:
        ranked = sorted(weights[label], key=lambda pair: -abs(pair[1]))
        out[label] = {
            kind: [
                {"feature": name, "weight": round(w, 4)}
                for name, w in ranked
                if name.startswith("cue:") == (kind == "cues")
            ][:top]
            for kind in ("words", "cues")
        }
    return {"model": classifier.name, "version": classifier.version, "labels": out}


def audit_notes(
    notes: NoteSet,
    terms: list[AuditTerm] | None = None,
    classifier=None,
    settings: AuditSettings | None = None,
    terms_file: Path = BUNDLED_TERMS,
) -> AuditReport:
    """Audit labelled notes (and, given a loaded ``model.Classifier``, its largest weights)."""
    settings = settings or AuditSettings()
    if notes.labels is None:
        raise ValueError("the audit needs labelled notes")
    terms = terms if terms is not None else load_audit_terms(terms_file)
    labels = notes.labels
    archetypes, neutral = term_counts(terms, notes.texts, labels, settings)
    return AuditReport(
        notes=len(notes),
        base_rates={label: round(float(labels[:, j].mean()), 4) for j, label in enumerate(LABELS)},
        settings=settings,
        skewed=skewed_terms(notes.texts, labels, settings),
        archetypes=archetypes,
        neutral=neutral,
        model_weights=largest_weights(classifier, settings.top) if classifier else None,
        terms_file=str(terms_file),
        files=sorted({source.rsplit(":", 1)[0] for source in notes.sources}),
    )

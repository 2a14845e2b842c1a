"""Descriptive statistics of a labelled file, for `rightcall data stats`."""

from __future__ import annotations

from collections import Counter

import numpy as np

from model import LABELS
from notefiles import NoteSet


def describe(notes: NoteSet) -> dict:
    n = len(notes)
    lengths = np.array([len(t) for t in notes.texts])
    words = np.array([len(t.split()) for t in notes.texts])
    stats: dict = {"notes": n}
    if notes.labels is not None:
        stats["labels"] = {
            label: {
                "positive": int(notes.labels[:, j].sum()),
                "negative": int(n - notes.labels[:, j].sum()),
            }
            for j, label in enumerate(LABELS)
        }
        combos = Counter(tuple(int(x) for x in row) for row in notes.labels)
        stats["combinations"] = {
            "+".join(label for label, bit in zip(LABELS, combo, strict=True) if bit)
            or "none": count
            for combo, count in sorted(combos.items())
        }
        stats["co_occurrence"] = {
            a: {
                b: int((notes.labels[:, i] & notes.labels[:, j]).sum())
                for j, b in enumerate(LABELS)
            }
            for i, a in enumerate(LABELS)
        }
    for column in ("style", "source", "split"):
        if column in notes.extra:
            stats[column] = dict(Counter(str(v) for v in notes.extra[column]).most_common())
    if "hard" in notes.extra:
        hard = [h for h in notes.extra["hard"] if h]
        stats["hard_cases"] = {
            "notes": len(hard),
            "tags": dict(Counter(t for h in hard for t in h).most_common()),
        }
    quantiles = (0, 10, 50, 90, 100)
    stats["length_chars"] = {f"p{q}": int(np.percentile(lengths, q)) for q in quantiles}
    stats["length_words"] = {f"p{q}": int(np.percentile(words, q)) for q in quantiles}
    text_counts = Counter(notes.texts)
    stats["duplicates"] = {
        "exact_duplicate_texts": sum(c - 1 for c in text_counts.values() if c > 1),
        "normalised_duplicate_texts": n - len({" ".join(t.lower().split()) for t in notes.texts}),
    }
    return stats

"""The model as plain arrays: all that scoring reads, loaded without scikit-learn.

``model.joblib`` keeps the fitted scikit-learn objects, the source of truth for retraining,
audits and the reference tests. ``scorer.npz`` holds the same numbers as NumPy arrays plus
a JSON header, written beside it from the same classifier. Loading it imports no
scikit-learn (most of a cold start) and unpickles nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ._classifier import Classifier, LinearForm
from ._features import FeatureSpace, TfidfBlock
from ._labels import LABELS

SCORER_FORMAT = 1
_BLOCKS = ("words", "chars")


def write_scorer(path: Path, classifier: Classifier) -> None:
    space = classifier.space
    header: dict = {
        "format": SCORER_FORMAT,
        "labels": list(LABELS),
        "cue_names": list(space.cue_names),
        "cue_weight": float(space.cue_weight),
        "blocks": {},
    }
    arrays: dict[str, np.ndarray] = {}
    for name, block in zip(_BLOCKS, space._tfidf_blocks(), strict=True):
        if block is None:
            continue
        header["blocks"][name] = {
            "ngram_range": list(block.ngram_range),
            "sublinear": block.sublinear,
            "norm_floor": float(block.norm_floor),
        }
        names = block.names()
        if any("\n" in n for n in names):
            raise ValueError(f"a {name} n-gram holds a line break; it cannot be stored")
        arrays[f"{name}_names"] = np.frombuffer("\n".join(names).encode("utf-8"), np.uint8)
        arrays[f"{name}_idf"] = block.idf
    for field, values in classifier.linear._asdict().items():
        arrays[field] = np.asarray(values, dtype=np.float64)
    arrays["header"] = np.frombuffer(json.dumps(header).encode("utf-8"), np.uint8)
    with Path(path).open("wb") as handle:
        np.savez(handle, **arrays)


def read_scorer(path: Path) -> tuple[FeatureSpace, LinearForm]:
    """The feature space and linear form stored at ``path``; ValueError if malformed."""
    with np.load(path, allow_pickle=False) as stored:
        arrays = {key: stored[key] for key in stored.files}
    header = json.loads(arrays["header"].tobytes().decode("utf-8"))
    if header.get("format") != SCORER_FORMAT:
        raise ValueError(f"unknown scorer format {header.get('format')}")
    if tuple(header["labels"]) != LABELS:
        raise ValueError(f"scores labels {header['labels']}, not {list(LABELS)}")
    blocks = []
    for name in _BLOCKS:
        settings = header["blocks"].get(name)
        if settings is None:
            blocks.append(None)
            continue
        text = arrays[f"{name}_names"].tobytes().decode("utf-8")
        names = text.split("\n") if text else []
        vocabulary = {gram: column for column, gram in enumerate(names)}
        idf = arrays[f"{name}_idf"]
        if len(vocabulary) != len(names) or idf.shape != (len(names),):
            raise ValueError(f"the {name} block's n-grams and idf do not match")
        blocks.append(
            TfidfBlock(
                vocabulary,
                idf,
                tuple(settings["ngram_range"]),
                settings["sublinear"],
                settings["norm_floor"],
            )
        )
    space = FeatureSpace.from_blocks(
        blocks[0], blocks[1], header["cue_names"], header["cue_weight"]
    )
    linear = LinearForm(*(arrays[field] for field in LinearForm._fields))
    if linear.weights.shape != (space.layout.width, len(LABELS)):
        raise ValueError(f"weights of shape {linear.weights.shape} do not fit the feature space")
    for field, values in linear._asdict().items():
        if values.dtype != np.float64 or (field != "weights" and values.shape != (len(LABELS),)):
            raise ValueError(f"{field}: {values.dtype} of shape {values.shape}")
    return space, linear

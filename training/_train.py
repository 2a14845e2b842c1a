"""`rightcall train`: fit, calibrate, tune thresholds, measure, and write a versioned artefact."""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from evaluation import all_label_metrics
from evaluation.behaviour import summary as behaviour_summary
from model import LABELS, Classifier, NoteAnalyser, point_latest, write_artefact
from notefiles import ColumnMapping, NoteSet, load_notes

from ._augment import swap_persons, swap_relations, swap_reporters
from ._card import model_card
from ._config import TrainConfig
from ._fit import Progress, fit
from ._thresholds import tune_threshold

SPLIT_SHARES = (("train", 70), ("dev", 15), ("test", 15))


@dataclass
class TrainResult:
    version: str
    path: Path
    metrics: dict[str, dict[str, dict]]


def split_notes(notes: NoteSet) -> dict[str, NoteSet]:
    """Use a file's own ``split`` column, else a stable hash of ``group`` (or id)."""
    given = notes.extra.get("split")
    keys = notes.extra.get("group") or notes.ids
    names = []
    for i in range(len(notes)):
        if given and given[i] in ("train", "dev", "test"):
            names.append(given[i])
            continue
        bucket = int(hashlib.sha256(str(keys[i]).encode()).hexdigest(), 16) % 100
        names.append("train" if bucket < 70 else "dev" if bucket < 85 else "test")
    return {
        split: _subset(notes, [i for i, n in enumerate(names) if n == split])
        for split, _ in SPLIT_SHARES
    }


def _subset(notes: NoteSet, rows: list[int]) -> NoteSet:
    return NoteSet(
        [notes.ids[i] for i in rows],
        [notes.texts[i] for i in rows],
        notes.labels[rows] if notes.labels is not None else None,
        {k: [v[i] for i in rows] for k, v in notes.extra.items()},
        [notes.sources[i] for i in rows],
    )


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            cwd=Path(__file__).parent,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None


def new_version(models_dir: Path) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    version, n = stamp, 1
    while (models_dir / version).exists():
        n += 1
        version = f"{stamp}-{n}"
    return version


def train(
    config: TrainConfig,
    out_dir: Path,
    data: list[Path] | None = None,
    mapping: ColumnMapping | None = None,
    progress: Progress = lambda step: None,
) -> TrainResult:
    progress("loading data")
    if data:
        splits = split_notes(load_notes(data, mapping))
        files = list(data)
    else:
        splits = {
            s: load_notes(getattr(config.data, s), mapping)
            for s in ("train", "dev", "test")
            if getattr(config.data, s)
        }
        files = [*config.data.train, *config.data.dev, *config.data.test]
    train_set = splits["train"]
    dev_set = splits.get("dev")
    if dev_set is None or len(dev_set) == 0:
        raise ValueError("no dev notes: thresholds are tuned on a dev split")
    analyser = NoteAnalyser()
    groups = train_set.extra.get("group") or train_set.ids
    augmentation = config.augmentation
    augmented = swap_persons(
        analyser, train_set.texts, augmentation.person_swap_share, augmentation.seed
    )
    related = swap_relations(
        augmented.texts, augmentation.relation_swap_share, augmentation.seed + 1
    )
    reported = swap_reporters(
        related.texts, augmentation.reporter_swap_share, augmentation.seed + 2
    )
    space, estimators = fit(
        config, analyser, reported.texts, train_set.labels, progress, groups=groups
    )
    provisional = Classifier(analyser, space, estimators, dict.fromkeys(LABELS, 0.5))
    progress("tuning thresholds on dev")
    dev_probs = provisional.probabilities(dev_set.texts)
    thresholds = {
        label: tune_threshold(dev_set.labels[:, j], dev_probs[:, j], config.thresholds[label])
        for j, label in enumerate(LABELS)
    }
    metrics = {"dev": all_label_metrics(dev_set.labels, dev_probs, thresholds)}
    test_set = splits.get("test")
    if test_set is not None and len(test_set):
        progress("measuring on test")
        test_probs = provisional.probabilities(test_set.texts)
        metrics["test"] = all_label_metrics(test_set.labels, test_probs, thresholds)
    progress("running the behaviour suite")
    behaviour = (
        behaviour_summary(Classifier(analyser, space, estimators, thresholds))
        if config.behaviour_suite
        else None
    )
    progress("writing artefact")
    out_dir.mkdir(parents=True, exist_ok=True)
    version = new_version(out_dir)
    classifier = Classifier(analyser, space, estimators, thresholds, version=version)
    training = {
        "threshold_policy": {
            label: config.thresholds[label].model_dump(exclude_none=True) for label in LABELS
        },
        "calibration": config.model.calibration,
        "training_config": config.model_dump(mode="json"),
        "data_counts": {split: len(s) for split, s in splits.items()},
        "augmentation": {
            **augmentation.model_dump(),
            "person_swapped_notes": augmented.swapped,
            "relation_swapped_notes": related.swapped,
            "reporter_swapped_notes": reported.swapped,
        },
        "behaviour": behaviour,
        "git_commit": _git_commit(),
        "metrics": metrics,
    }
    path = write_artefact(out_dir, classifier, training, files, model_card)
    point_latest(out_dir, version)
    return TrainResult(version, path, metrics)

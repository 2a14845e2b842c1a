"""The model artefact on disk: write it, and load it only when every hash matches.

Layout of ``models/<version>/``: ``model.joblib`` (library types only), ``scorer.npz``
(the same model as plain arrays, which is what serving and scoring load), ``lexicon/``
(the exact lexicon the model was trained with), ``MODEL_CARD.md`` and ``manifest.json``
holding the sha256 of every other file. ``models/latest`` is a
symlink to the newest version.
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
import shutil
import warnings
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from ._classifier import Classifier
from ._engine import analyser_class
from ._features import FEATURE_VERSION
from ._heap import collector_paused
from ._labels import LABELS
from ._names import MANIFEST_FILE, MODEL_FILE, SCORER_FILE
from ._scorer_file import read_scorer, write_scorer
from ._text import LEXICON_DIR

FORMAT_VERSION = 1
# Libraries whose version must match exactly: pickles and features depend on them.
PINNED_LIBRARIES = ("scikit-learn", "numpy", "scipy", "spacy", "snowballstemmer", "PyStemmer")

log = logging.getLogger("rightcall.model")


class ArtefactError(Exception):
    """A model artefact is missing, tampered with, or incompatible; the message names the file."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def library_versions() -> dict[str, str | None]:
    versions = {"python": platform.python_version()}
    for name in PINNED_LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:  # no PyStemmer: snowballstemmer's Python stems
            versions[name] = None
    return versions


def write_artefact(
    models_dir: Path,
    classifier: Classifier,
    training: dict[str, Any],
    data_files: Sequence[Path],
    model_card: Callable[[dict[str, Any]], str],
    lexicon_dir: Path = LEXICON_DIR,
) -> Path:
    """Write ``classifier`` as ``models_dir/<its version>/`` (which must not exist yet).

    The manifest holds what training recorded (``training``: config, policies, metrics ...)
    and everything ``verify`` checks: labels, thresholds, lexicon, feature and library
    versions, the sha256 of each data file, and finally the sha256 of every file written.
    ``model_card`` renders MODEL_CARD.md from that manifest.
    """
    directory = Path(models_dir) / classifier.version
    manifest = {
        "name": classifier.name,
        "version": classifier.version,
        "labels": list(LABELS),
        "thresholds": classifier.thresholds,
        **training,
        "data_files": {str(p): sha256_file(Path(p)) for p in data_files},
        "lexicon_version": classifier.analyser.version,
        "feature_version": FEATURE_VERSION,
        "versions": library_versions(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    directory.mkdir(parents=True, exist_ok=False)
    import joblib

    if classifier.estimators is None:
        raise ValueError("only a classifier with its fitted estimators can be written")
    payload = {"feature_space": classifier.space, "estimators": classifier.estimators}
    joblib.dump({"format": FORMAT_VERSION, **payload}, directory / MODEL_FILE, compress=3)
    write_scorer(directory / SCORER_FILE, classifier)
    shutil.copytree(lexicon_dir, directory / "lexicon")
    (directory / "MODEL_CARD.md").write_text(model_card(manifest), encoding="utf-8")
    files = sorted(
        p.relative_to(directory).as_posix()
        for p in directory.rglob("*")
        if p.is_file() and p.name != MANIFEST_FILE
    )
    manifest = {
        **manifest,
        "format": FORMAT_VERSION,
        "files": {name: sha256_file(directory / name) for name in files},
    }
    (directory / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    return directory


def point_latest(models_dir: Path, version: str) -> None:
    """Atomically repoint ``models/latest`` at ``version``."""
    link = models_dir / "latest"
    tmp = models_dir / f".latest-{version}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(version)
    tmp.replace(link)


def read_manifest(path: Path) -> dict[str, Any]:
    manifest_path = Path(path) / MANIFEST_FILE
    if not manifest_path.is_file():
        raise ArtefactError(f"{manifest_path}: manifest missing; refusing to load the model")
    try:
        return json.loads(manifest_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ArtefactError(f"{manifest_path}: manifest is not valid JSON ({error})") from None


def verify(path: Path) -> dict[str, Any]:
    """Check every hash, the label set and library versions; return the manifest."""
    path = Path(path)
    if not path.is_dir():
        raise ArtefactError(f"{path}: no model directory here")
    manifest = read_manifest(path)
    files = manifest.get("files")
    if not isinstance(files, dict) or MODEL_FILE not in files:
        raise ArtefactError(f"{path / MANIFEST_FILE}: lists no {MODEL_FILE}")
    for name, expected in files.items():
        target = (path / name).resolve()
        if path.resolve() not in target.parents or not target.is_file():
            raise ArtefactError(f"{path / name}: listed in the manifest but missing")
        if sha256_file(target) != expected:
            raise ArtefactError(f"{path / name}: sha256 does not match the manifest (tampered?)")
    if tuple(manifest.get("labels", ())) != LABELS:
        raise ArtefactError(
            f"{path / MANIFEST_FILE}: trained for labels {manifest.get('labels')}, "
            f"this rightcall serves {list(LABELS)}"
        )
    if manifest.get("feature_version") != FEATURE_VERSION:
        raise ArtefactError(
            f"{path / MANIFEST_FILE}: built by feature code version "
            f"{manifest.get('feature_version')}, this rightcall uses {FEATURE_VERSION}; "
            "retrain with `rightcall train`"
        )
    recorded = manifest.get("versions", {})
    installed = library_versions()
    for name in PINNED_LIBRARIES:
        if recorded.get(name) != installed[name]:
            raise ArtefactError(
                f"{path / MANIFEST_FILE}: trained with {name} {recorded.get(name)}, "
                f"installed is {installed[name]}; retrain with `rightcall train`"
            )
    return manifest


def load(path: str | Path, with_estimators: bool = False) -> Classifier:
    """Load a verified model from a directory such as ``models/latest``.

    Scoring needs only ``scorer.npz``, read without scikit-learn; ``with_estimators``
    (or an artefact from before that file) unpickles the fitted scikit-learn objects too.
    The cyclic collector is paused meanwhile: a model is a few hundred thousand objects
    made at once, and full collections walking them took a third of loading (2026-12-06:
    0.59-0.61 against 0.39-0.46 s). Garbage it leaves goes at the next collection
    (``freeze_loaded`` collects it when a reload replaces this model).
    """
    with collector_paused():
        return _load(Path(path), with_estimators)


def _load(path: Path, with_estimators: bool) -> Classifier:
    manifest = verify(path)
    if with_estimators or SCORER_FILE not in manifest["files"]:
        if not with_estimators:
            log.warning(
                "%s has no %s (trained before it existed): loading it with scikit-learn, "
                "which starts slower; retrain to get one",
                path,
                SCORER_FILE,
            )
        space, estimators = _read_estimators(path)
        linear = None
    else:
        try:
            space, linear = read_scorer(path / SCORER_FILE)
        except Exception as error:  # a verified file that still cannot be read
            raise ArtefactError(f"{path / SCORER_FILE}: cannot be loaded ({error})") from None
        estimators = None
    analyser = analyser_class()(path / "lexicon")
    return Classifier(
        analyser,
        space,
        estimators,
        manifest["thresholds"],
        name=manifest.get("name", "rightcall"),
        version=manifest["version"],
        manifest=manifest,
        linear=linear,
    )


def _read_estimators(path: Path) -> tuple[Any, dict[str, Any]]:
    import joblib
    from sklearn.exceptions import InconsistentVersionWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentVersionWarning)
        try:
            payload = joblib.load(path / MODEL_FILE)
        except InconsistentVersionWarning as warning:
            raise ArtefactError(f"{path / MODEL_FILE}: {warning}") from None
        except Exception as error:  # a verified file that still fails to unpickle
            raise ArtefactError(f"{path / MODEL_FILE}: cannot be loaded ({error})") from None
    if payload.get("format") != FORMAT_VERSION:
        raise ArtefactError(f"{path / MODEL_FILE}: unknown artefact format {payload.get('format')}")
    return payload["feature_space"], payload["estimators"]

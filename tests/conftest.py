"""Shared fixtures: one small real model trained once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "data" / "corpus"
PUBLIC_EVAL = REPO.parent / "shared" / "eval" / "public-calls.jsonl"


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory) -> Path:
    """A models/ folder holding one model trained on the bundled corpus with the default config."""
    from training import load_config, train

    out = tmp_path_factory.mktemp("models")
    train(load_config(), out)
    return out


@pytest.fixture(scope="session")
def model_path(models_dir) -> Path:
    return models_dir / "latest"


@pytest.fixture(scope="session")
def classifier(model_path):
    """The model as serving and scoring load it: from ``scorer.npz``, no scikit-learn."""
    from model import load

    return load(model_path)


@pytest.fixture(scope="session")
def full_classifier(model_path):
    """The same model with its fitted scikit-learn objects, the reference for the arithmetic."""
    from model import load

    return load(model_path, with_estimators=True)


@pytest.fixture()
def model_copy(model_path, tmp_path) -> Path:
    """A private copy of the trained model that a test may tamper with."""
    target = tmp_path / "models" / "copy"
    shutil.copytree(model_path.resolve(), target)
    return target

"""Artefacts load only when every hash, the label set and library versions check out."""

from __future__ import annotations

import json

import numpy as np
import pytest

from model import LABELS, MANIFEST_FILE, MODEL_FILE, ArtefactError, load, sha256_file


def flip_one_byte(path, offset: int = 200) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def test_manifest_records_what_a_reviewer_needs(model_path):
    manifest = json.loads((model_path / MANIFEST_FILE).read_text())
    assert manifest["labels"] == list(LABELS)
    assert set(manifest["thresholds"]) == set(LABELS)
    assert manifest["threshold_policy"]["threat_to_life"] == {
        "policy": "min_recall",
        "target": 0.97,
    }
    assert manifest["threshold_policy"]["crime"] == {"policy": "best_f1", "tolerance": 0.005}
    assert manifest["calibration"] == "sigmoid"
    for library in ("python", "scikit-learn", "spacy", "numpy"):
        assert manifest["versions"][library]
    assert manifest["data_files"] and all(len(h) == 64 for h in manifest["data_files"].values())
    assert set(manifest["metrics"]) == {"dev", "test"}
    assert manifest["created"] and "training_config" in manifest
    for name, digest in manifest["files"].items():
        assert sha256_file(model_path / name) == digest
    assert (model_path / "MODEL_CARD.md").read_text().startswith("# Model card")


def test_latest_points_at_the_newest_version(models_dir):
    latest = models_dir / "latest"
    assert latest.is_symlink()
    assert json.loads((latest / MANIFEST_FILE).read_text())["version"] == latest.resolve().name


def test_a_flipped_byte_in_the_model_is_refused(model_copy):
    flip_one_byte(model_copy / MODEL_FILE)
    with pytest.raises(ArtefactError, match=f"{MODEL_FILE}: sha256 does not match"):
        load(model_copy)


def test_a_changed_lexicon_is_refused(model_copy):
    path = model_copy / "lexicon" / "cues.jsonl"
    path.write_text(path.read_text() + "\n")
    with pytest.raises(ArtefactError, match="cues.jsonl: sha256 does not match"):
        load(model_copy)


def test_a_missing_manifest_is_refused(model_copy):
    (model_copy / MANIFEST_FILE).unlink()
    with pytest.raises(ArtefactError, match="manifest missing"):
        load(model_copy)


def test_a_different_label_set_is_refused(model_copy):
    manifest = json.loads((model_copy / MANIFEST_FILE).read_text())
    manifest["labels"] = ["mental_health", "crime"]
    (model_copy / MANIFEST_FILE).write_text(json.dumps(manifest))
    with pytest.raises(ArtefactError, match="trained for labels"):
        load(model_copy)


def test_a_different_scikit_learn_version_is_refused(model_copy):
    manifest = json.loads((model_copy / MANIFEST_FILE).read_text())
    manifest["versions"]["scikit-learn"] = "1.0.0"
    (model_copy / MANIFEST_FILE).write_text(json.dumps(manifest))
    with pytest.raises(ArtefactError, match="trained with scikit-learn 1.0.0"):
        load(model_copy)


def test_same_data_config_and_seed_give_the_same_probabilities(classifier, tmp_path):
    from training import load_config, train

    train(load_config(), tmp_path)
    again = load(tmp_path / "latest")
    texts = ["male on the railway line", "bike stolen", "hearing voices, safe at home"]
    np.testing.assert_array_equal(classifier.probabilities(texts), again.probabilities(texts))
    assert again.thresholds == classifier.thresholds


def test_an_artefact_built_by_other_feature_code_is_refused(model_copy):
    manifest = json.loads((model_copy / MANIFEST_FILE).read_text())
    manifest["feature_version"] = "0"
    (model_copy / MANIFEST_FILE).write_text(json.dumps(manifest))
    with pytest.raises(ArtefactError, match="feature code version 0"):
        load(model_copy)

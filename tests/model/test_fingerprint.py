"""The bundled model behaves exactly as recorded in ``tests/fingerprint.json``.

A refactor must not move a single probability, flag, route or evidence span. When the
model is changed on purpose, run ``scripts/fingerprint.py --update`` and commit the file.
"""

from __future__ import annotations

import json

import pytest

from scripts.fingerprint import FINGERPRINT_FILE, SOURCES, fingerprint_texts, read_texts

SAVED = json.loads(FINGERPRINT_FILE.read_text("utf-8"))


@pytest.mark.parametrize("name", sorted(SAVED["sources"]))
def test_bundled_model_matches_its_saved_fingerprint(classifier, name):
    path = SOURCES[name]
    if not path.is_file():
        pytest.skip(f"{path} not present on this machine")
    found = fingerprint_texts(classifier, read_texts(path))
    assert found == SAVED["sources"][name], (
        f"{name}: the model's outputs changed; if on purpose, run scripts/fingerprint.py --update"
    )

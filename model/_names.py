"""How artefacts are named on disk. A light module: settings validate a version name
without importing scikit-learn and spaCy."""

from __future__ import annotations

import re

MODEL_FILE = "model.joblib"
MANIFEST_FILE = "manifest.json"
VERSION_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
SCORER_FILE = "scorer.npz"

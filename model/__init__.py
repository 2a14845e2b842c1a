"""rightcall's inference side: what training, evaluation, scoring and serving must agree on.

Names are imported on first use (PEP 562), so that reading a setting or a version pattern
does not pull in scikit-learn and spaCy: `rightcall serve` starts in a fraction of the time.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from ._heap import collector_paused as _collector_paused

# public name -> the module that defines it
_EXPORTS = {
    "ArtefactError": "_artefact",
    "Block": "_layout",
    "BlockKind": "_layout",
    "Classifier": "_classifier",
    "ClassifyResult": "_results",
    "ENGINE_VARIABLE": "_engine",
    "EngineError": "_engine",
    "Evidence": "_results",
    "FEATURE_VERSION": "_features",
    "FeatureLayout": "_layout",
    "FeatureSpace": "_features",
    "LABELS": "_labels",
    "LABEL_TITLES": "_labels",
    "LEXICON_DIR": "_text",
    "LabelScore": "_results",
    "MANIFEST_FILE": "_names",
    "MODEL_FILE": "_names",
    "SCORER_FILE": "_names",
    "NoteAnalyser": "_engine",
    "PEOPLE": "_persons",
    "PERSON": "_persons",
    "ROUTES": "_labels",
    "Route": "_results",
    "VERSION_PATTERN": "_names",
    "analyser_class": "_engine",
    "char_vectoriser": "_features",
    "collector_paused": "_heap",
    "compiled_problem": "_engine",
    "engine_name": "_engine",
    "freeze_loaded": "_heap",
    "load": "_artefact",
    "normalise": "_text",
    "percent": "_route",
    "point_latest": "_artefact",
    "read_manifest": "_artefact",
    "route_for": "_route",
    "sha256_file": "_artefact",
    "suggest_route": "_route",
    "verify": "_artefact",
    "word_vectoriser": "_features",
    "write_artefact": "_artefact",
    "write_spelling_list": "_spelling",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'model' has no attribute {name!r}")
    # A first use imports NumPy and the model's modules: many objects at once, no
    # garbage to speak of, so the cyclic collector waits (about 0.05 s of a cold start).
    with _collector_paused():
        if name == "NoteAnalyser":
            # The analyser of this process's term pipeline: compiled when built, else Python.
            value = import_module("._engine", __name__).analyser_class()
        else:
            value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])

"""rightcall's inference side: what training, evaluation, scoring and serving must agree on."""

from ._artefact import (
    MANIFEST_FILE,
    MODEL_FILE,
    VERSION_PATTERN,
    ArtefactError,
    load,
    point_latest,
    read_manifest,
    sha256_file,
    verify,
    write_artefact,
)
from ._classifier import Classifier
from ._engine import ENGINE_VARIABLE, EngineError, analyser_class, compiled_problem, engine_name
from ._features import FEATURE_VERSION, FeatureSpace, char_vectoriser, word_vectoriser
from ._labels import LABEL_TITLES, LABELS, ROUTES
from ._layout import Block, BlockKind, FeatureLayout
from ._persons import PEOPLE, PERSON
from ._results import ClassifyResult, Evidence, LabelScore, Route
from ._route import percent, route_for, suggest_route
from ._spelling import write_spelling_list
from ._text import LEXICON_DIR, normalise

# The note analyser of this process's term pipeline: compiled when built, else pure Python.
NoteAnalyser = analyser_class()

__all__ = [
    "ENGINE_VARIABLE",
    "EngineError",
    "analyser_class",
    "compiled_problem",
    "engine_name",
    "LEXICON_DIR",
    "PEOPLE",
    "PERSON",
    "normalise",
    "FEATURE_VERSION",
    "LABELS",
    "LABEL_TITLES",
    "MANIFEST_FILE",
    "MODEL_FILE",
    "ROUTES",
    "VERSION_PATTERN",
    "ArtefactError",
    "Block",
    "BlockKind",
    "Classifier",
    "ClassifyResult",
    "Evidence",
    "FeatureLayout",
    "FeatureSpace",
    "LabelScore",
    "NoteAnalyser",
    "Route",
    "char_vectoriser",
    "load",
    "percent",
    "point_latest",
    "read_manifest",
    "route_for",
    "sha256_file",
    "suggest_route",
    "verify",
    "word_vectoriser",
    "write_artefact",
    "write_spelling_list",
]

"""rightcall's inference side: what training and serving must agree on."""

from ._artefact import ArtefactError, load, verify
from ._classifier import Classifier
from ._labels import LABELS, ROUTES
from ._results import ClassifyResult, Evidence, LabelScore, Route
from ._route import route_for

__all__ = [
    "LABELS",
    "ROUTES",
    "ArtefactError",
    "Classifier",
    "ClassifyResult",
    "Evidence",
    "LabelScore",
    "Route",
    "load",
    "route_for",
    "verify",
]

"""``/v1/model``: the manifest of the model being served, straight from the verified file."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from model import MODEL_FILE

from ..deps import AnyRole, ClassifierDep
from ..schemas import error_responses

router = APIRouter(prefix="/v1", tags=["model"])


@router.get("/model", responses=error_responses(401, 503))
def model_manifest(_role: AnyRole, classifier: ClassifierDep) -> dict[str, Any]:
    """The manifest: version, labels, thresholds, calibration, metrics, file hashes, created.

    ``sha256`` is the hash of the model file itself, verified when it was loaded.
    """
    manifest = dict(classifier.manifest)
    manifest["sha256"] = manifest.get("files", {}).get(MODEL_FILE)
    return manifest

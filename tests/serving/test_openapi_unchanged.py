"""The HTTP API's published contract (``/openapi.json``) is exactly the recorded one.

Clients are generated from this schema: a refactor must not rename an operation, a field
or a status. When the API is changed on purpose, rewrite ``fixtures/openapi.json`` from
``create_app(...).openapi()`` (``json.dumps(schema, indent=2, sort_keys=True)``).
"""

from __future__ import annotations

import json
from pathlib import Path

from serving import Settings, create_app

FIXTURE = Path(__file__).parent / "fixtures" / "openapi.json"


def test_openapi_schema_is_unchanged(tmp_path):
    settings = Settings(models_dir=tmp_path / "models", database_url="sqlite://")
    schema = create_app(settings).openapi()
    assert schema == json.loads(FIXTURE.read_text("utf-8"))

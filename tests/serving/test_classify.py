"""POST /v1/classify and /v1/classify/batch through HTTP."""

from __future__ import annotations

import math

import pytest
from fastapi.testclient import TestClient

from model import LABELS, ROUTES
from serving import create_app
from serving.routes.classify import INLINE_MAX_CHARS
from serving.schemas import BatchResponse, NoteResult

from .conftest import NOTE, assert_error, make_settings

CONTEXTS = {"present", "negated", "historical", "hypothetical"}


def check_result(result: dict, text: str, version: str) -> None:
    """The issue's response shape, with evidence that points into the note as sent."""
    assert result["model"] == {"name": "rightcall", "version": version}
    assert set(result["labels"]) == set(LABELS)
    for score in result["labels"].values():
        assert set(score) == {"probability", "flagged", "threshold"}
        assert 0.0 <= score["probability"] <= 1.0 and math.isfinite(score["probability"])
        assert score["flagged"] == (score["probability"] >= score["threshold"])
    assert result["route"]["suggestion"] in ROUTES
    assert all(isinstance(reason, str) for reason in result["route"]["reasons"])
    for item in result["evidence"]:
        assert set(item) == {"label", "start", "end", "text", "weight", "negated", "context"}
        assert item["label"] in LABELS and item["context"] in CONTEXTS
        assert text[item["start"] : item["end"]] == item["text"]
        assert item["negated"] == (item["context"] != "present")


def test_classify_answers_with_scores_route_and_evidence(local_client, classifier):
    text = "Caller's brother has a knife and says he will kill himself tonight."
    response = local_client.post("/v1/classify", json={"text": text, "call_id": "CAD-1"})
    assert response.status_code == 200
    body = response.json()
    assert body["request_id"] == response.headers["x-request-id"]
    assert len(body["request_id"]) == 32
    assert body["call_id"] == "CAD-1"
    check_result(body, text, classifier.version)
    assert body["labels"]["threat_to_life"]["flagged"]
    assert body["evidence"], "a note like this must come with evidence"
    # The same model called directly gives the same numbers: the API adds nothing.
    direct = classifier.classify(text).to_dict()
    assert body["labels"] == direct["labels"]
    assert body["route"] == direct["route"]


@pytest.mark.parametrize(
    "text",
    [
        "Caller's brother has a knife and says he will kill himself tonight.",
        "Pt denies any thoughts of suicide, no weapons in the house.",
        "Car alarm going off on the street since this morning, no one around.",
        "caller says neighbour threatening to stab him " * 60,  # longer than INLINE_MAX_CHARS
    ],
)
def test_classify_body_is_exactly_the_documented_note_result(local_client, text):
    """The route serialises its answer itself: the bytes must be what validating them
    against NoteResult and dumping gives (every field, in order, no extra, same types)."""
    response = local_client.post("/v1/classify", json={"text": text, "call_id": "CAD-7"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert (
        NoteResult.model_validate_json(response.content, strict=True).model_dump_json()
        == response.text
    )
    assert list(response.json()) == list(NoteResult.model_fields)


def test_long_notes_get_the_same_answer_as_short_ones(local_client, classifier):
    """Notes over INLINE_MAX_CHARS are classified in the thread pool, the rest inline."""
    text = "Man shouting he will hurt someone, neighbours scared. " * 60
    assert len(text) > INLINE_MAX_CHARS
    body = local_client.post("/v1/classify", json={"text": text}).json()
    assert body["labels"] == classifier.classify(text).to_dict()["labels"]


def test_batch_body_is_exactly_the_documented_batch_response(local_client):
    notes = [{"text": "Neighbour's dog barking all night."}, {"text": NOTE, "call_id": "C1"}]
    response = local_client.post("/v1/classify/batch", json={"notes": notes})
    assert response.status_code == 200
    assert (
        BatchResponse.model_validate_json(response.content, strict=True).model_dump_json()
        == response.text
    )


def test_openapi_documents_the_classify_request_and_response(local_client):
    paths = local_client.get("/openapi.json").json()["paths"]
    for path, request, answer in (
        ("/v1/classify", "ClassifyRequest", "NoteResult"),
        ("/v1/classify/batch", "BatchRequest", "BatchResponse"),
    ):
        operation = paths[path]["post"]
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": f"#/components/schemas/{request}"}
        ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok == {"$ref": f"#/components/schemas/{answer}"}


def test_negated_cues_are_marked(local_client, classifier):
    text = "Pt denies any thoughts of suicide, no weapons in the house."
    body = local_client.post("/v1/classify", json={"text": text}).json()
    check_result(body, text, classifier.version)
    assert any(item["negated"] for item in body["evidence"])


def test_batch_gives_each_note_the_single_note_answer(local_client, classifier):
    texts = ["Neighbour's dog barking all night.", NOTE, "Man with a gun outside the school."]
    notes = [{"text": t, "call_id": f"C{i}"} for i, t in enumerate(texts)]
    response = local_client.post("/v1/classify/batch", json={"notes": notes})
    assert response.status_code == 200
    body = response.json()
    assert body["model"]["version"] == classifier.version
    assert len(body["results"]) == 3
    for i, (text, result) in enumerate(zip(texts, body["results"], strict=True)):
        assert result["request_id"] == f"{body['request_id']}.{i}"
        assert result["call_id"] == f"C{i}"
        check_result(result, text, classifier.version)
        single = local_client.post("/v1/classify", json={"text": text}).json()
        assert result["labels"] == single["labels"]
        assert result["evidence"] == single["evidence"]


def test_batch_of_exactly_the_maximum_is_accepted(local_client):
    notes = [{"text": f"note {i}: shoplifter detained by security"} for i in range(256)]
    response = local_client.post("/v1/classify/batch", json={"notes": notes})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 256


@pytest.mark.parametrize(
    "text",
    [
        "المتصل يقول إن جاره يهدده بسكين",  # Arabic, right to left
        "来电者说邻居拿着刀威胁他",  # Chinese
        "Звонящий говорит, что сосед угрожает ножом",  # Cyrillic
        "man with knife 🔪😡 threatening to kill 👨‍👩‍👧 family",  # emoji, ZWJ sequence
        "bell\x07 escape\x1b[31m red\x1b[0m tab\tcr\r\nline\u2028sep\u200b zero-width",
        "e\u0301\u0301\u0301 combining marks, \ufeffBOM inside, \U0001d54f maths letters",
        "x" * 10_000,
    ],
)
def test_other_scripts_emoji_and_control_characters_are_classified(local_client, classifier, text):
    response = local_client.post("/v1/classify", json={"text": text})
    assert response.status_code == 200, response.text[:200]
    check_result(response.json(), text, classifier.version)


def test_classify_is_503_until_a_model_is_loaded(tmp_path):
    empty = tmp_path / "models"
    empty.mkdir()
    with TestClient(create_app(make_settings(tmp_path, empty))) as client:
        assert_error(client.post("/v1/classify", json={"text": "car alarm"}), 503)
        assert_error(client.post("/v1/classify/batch", json={"notes": [{"text": "a"}]}), 503)
        assert client.get("/healthz").status_code == 200

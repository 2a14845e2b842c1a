"""Every kind of bad input gets a 4xx in the error shape, never a 500, never an echo."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import MARKER, NOTE, assert_error

JSON = {"content-type": "application/json"}
LABELS_OK = {"mental_health": False, "crime": True, "threat_to_life": False}


def post_raw(client, path: str, body: bytes, content_type: str | None = "application/json"):
    return client.post(
        path, content=body, headers={"content-type": content_type} if content_type else {}
    )


def as_json(value) -> bytes:
    return json.dumps(value).encode()


BAD_CLASSIFY = {
    "empty text": (as_json({"text": ""}), 422),
    "whitespace text": (as_json({"text": " \t\n\u00a0\u2003 "}), 422),
    "text over 10,000 characters": (as_json({"text": MARKER + "x" * 10_000}), 422),
    "text is a number": (as_json({"text": 12345}), 422),
    "text is a list": (as_json({"text": [MARKER]}), 422),
    "text is null": (as_json({"text": None}), 422),
    "text missing": (as_json({"call_id": "C1"}), 422),
    "unknown field": (as_json({"text": NOTE, "priority": "high"}), 422),
    "unknown field holding the note": (as_json({"text": "ok", "note": NOTE}), 422),
    "call_id is a number": (as_json({"text": NOTE, "call_id": 7}), 422),
    "call_id too long": (as_json({"text": NOTE, "call_id": "c" * 129}), 422),
    "body is a list": (as_json([NOTE]), 422),
    "body is a string": (as_json(NOTE), 422),
    "invalid JSON": (b'{"text": "' + MARKER.encode() + b'"', 400),
    "trailing garbage": (b'{"text": "ok"} ' + MARKER.encode(), 400),
    "non-UTF-8 bytes": (b'{"text": "' + MARKER.encode() + b' caf\xe9 \xff\xfe"}', 400),
    "UTF-16 body": (('{"text": "' + NOTE + '"}').encode("utf-16"), 400),
    "lone surrogate escape": (b'{"text": "' + MARKER.encode() + b' \\ud800 x"}', 422),
    "encoded surrogate bytes": (b'{"text": "' + MARKER.encode() + b' \xed\xa0\x80"}', 400),
    "NUL character": (as_json({"text": MARKER + "\x00 knife"}), 422),
    "empty body": (b"", 422),
}


@pytest.mark.parametrize("case", BAD_CLASSIFY)
def test_bad_classify_input_is_refused_cleanly(local_client, case):
    body, status = BAD_CLASSIFY[case]
    assert_error(post_raw(local_client, "/v1/classify", body), status)


@pytest.mark.parametrize(
    "case",
    [
        "empty text",
        "text over 10,000 characters",
        "unknown field",
        "text is a number",
        "NUL character",
        "lone surrogate escape",
    ],
)
def test_bad_note_inside_a_batch_is_refused_cleanly(local_client, case):
    body, status = BAD_CLASSIFY[case]
    note = json.loads(body)
    batch = as_json({"notes": [{"text": "fine note"}, note]})
    error = assert_error(post_raw(local_client, "/v1/classify/batch", batch), status)
    assert "notes.1" in error["error"]


@pytest.mark.parametrize(
    ("path", "field"),
    [("/v1/classify", "text"), ("/v1/classify/batch", "notes"), ("/v1/feedback", "labels")],
)
@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"", "application/json"), (b"", None), (b"null", "application/json")],
    ids=["empty", "empty without content type", "null"],
)
def test_missing_body_names_the_field_to_send(local_client, path, field, body, content_type):
    error = assert_error(post_raw(local_client, path, body, content_type), 422)
    assert "body is empty" in error["error"]
    assert f'"{field}"' in error["error"]


def test_missing_classify_body_names_text_and_the_optional_call_id(local_client):
    error = assert_error(post_raw(local_client, "/v1/classify", b""), 422)
    assert error["error"] == (
        'the request body is empty: send a JSON object with "text" (optional: "call_id")'
    )


BAD_BATCH = {
    "257 notes": as_json({"notes": [{"text": NOTE}] * 257}),
    "no notes": as_json({"notes": []}),
    "notes not a list": as_json({"notes": {"text": NOTE}}),
    "notes of strings": as_json({"notes": [NOTE]}),
    "unknown top-level field": as_json({"notes": [{"text": "a"}], "text": NOTE}),
}


@pytest.mark.parametrize("case", BAD_BATCH)
def test_bad_batch_is_refused_cleanly(local_client, case):
    assert_error(post_raw(local_client, "/v1/classify/batch", BAD_BATCH[case]), 422)


def test_body_over_one_mebibyte_is_refused_by_content_length(local_client):
    body = as_json({"text": MARKER + "x" * (1 << 20)})
    error = assert_error(post_raw(local_client, "/v1/classify", body), 413)
    assert "1048576" in error["error"]


def test_body_over_one_mebibyte_is_refused_while_streaming(local_client):
    """No Content-Length (chunked): the size is counted as the body arrives."""
    chunk = b"x" * 65536

    def body():
        yield b'{"text": "' + MARKER.encode()
        for _ in range(20):
            yield chunk
        yield b'"}'

    response = local_client.post("/v1/classify", content=body(), headers=JSON)
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert_error(response, 413)


def test_invalid_content_length_is_refused(local_client):
    response = local_client.post(
        "/v1/classify", content=b'{"text": "x"}', headers={**JSON, "content-length": "abc"}
    )
    assert_error(response, 400)


def test_wrong_content_type_is_415(local_client):
    assert_error(post_raw(local_client, "/v1/classify", as_json({"text": NOTE}), "text/plain"), 415)
    assert_error(post_raw(local_client, "/v1/classify", as_json({"text": NOTE}), None), 415)


@pytest.mark.parametrize(
    "body",
    [
        {"labels": LABELS_OK, "text": NOTE},  # names no note
        {"request_id": "not-an-id", "labels": LABELS_OK, "text": NOTE},
        {"call_id": "C1", "labels": {"mental_health": True}, "text": NOTE},  # labels missing
        {"call_id": "C1", "labels": {**LABELS_OK, "fire": True}, "text": NOTE},
        {"call_id": "C1", "labels": {**LABELS_OK, "crime": "yes"}, "text": NOTE},
        {"call_id": "C1", "labels": LABELS_OK, "text": NOTE, "route_taken": "ambulance"},
        {"call_id": "C1", "labels": LABELS_OK, "text": "   "},
        {"call_id": "C1", "labels": LABELS_OK, "text": NOTE + "x" * 10_000},
        {"call_id": "C1", "labels": LABELS_OK, "text": NOTE, "comment": "c" * 2001},
        {"call_id": "C1", "labels": LABELS_OK, "text": NOTE, "extra": 1},
    ],
)
def test_bad_feedback_is_refused_cleanly(local_client, body):
    assert_error(local_client.post("/v1/feedback", json=body), 422)


def test_unknown_paths_and_methods_answer_in_the_error_shape(local_client):
    assert_error(local_client.get("/v1/nothing-here"), 404)
    assert_error(local_client.get("/v1/classify"), 405)
    assert_error(local_client.post("/v1/admin/reload", json={"version": "../../etc"}), 404)


# Hypothesis: whatever arrives, the answer is a 200 with a well-formed result or a 4xx
# in the error shape that does not quote the note.

ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=400)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(text=ANY_TEXT)
def test_any_text_is_classified_or_refused_cleanly(local_client, text):
    response = local_client.post("/v1/classify", content=as_json({"text": text}), headers=JSON)
    if response.status_code == 200:
        body = response.json()
        for item in body["evidence"]:
            assert text[item["start"] : item["end"]] == item["text"]
        assert all(0.0 <= s["probability"] <= 1.0 for s in body["labels"].values())
    else:
        assert_error(response, 422, secret=text if len(text.strip()) >= 12 else None)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    body=JSON_VALUES, path=st.sampled_from(["/v1/classify", "/v1/classify/batch", "/v1/feedback"])
)
def test_any_json_body_gets_a_clean_answer(local_client, body, path):
    response = local_client.post(path, content=as_json(body), headers=JSON)
    if response.status_code >= 300:
        assert_error(response, tuple(range(400, 500)), secret=None)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(body=st.binary(max_size=300))
def test_any_bytes_get_a_clean_answer(local_client, body):
    response = post_raw(local_client, "/v1/classify", body)
    if response.status_code != 200:
        assert_error(response, tuple(range(400, 500)), secret=None)

"""Which term pipeline a process runs, and why it falls back to pure Python."""

from __future__ import annotations

import json
import logging

import pytest

from model import _engine


@pytest.fixture()
def fresh_choice(monkeypatch):
    _engine.context_module.cache_clear()
    yield monkeypatch
    _engine.context_module.cache_clear()


def test_python_engine_can_be_forced(fresh_choice):
    fresh_choice.setenv(_engine.ENGINE_VARIABLE, "python")
    assert _engine.engine_name() == "python"
    assert _engine.analyser_class().__module__ == "model._context"


def test_unknown_engine_is_a_clear_error(fresh_choice):
    fresh_choice.setenv(_engine.ENGINE_VARIABLE, "rust")
    with pytest.raises(_engine.EngineError, match="expected one of auto, compiled, python"):
        _engine.engine_name()


def test_a_build_older_than_its_source_is_not_used(tmp_path):
    record = tmp_path / "sources.json"
    record.write_text(json.dumps({"_text": "0" * 64}), encoding="utf-8")
    assert "older _text.py" in _engine.compiled_problem(record)
    assert "not built" in _engine.compiled_problem(tmp_path / "missing.json")
    record.write_text("{", encoding="utf-8")
    assert "unreadable" in _engine.compiled_problem(record)


def test_missing_build_falls_back_with_one_warning(fresh_choice, tmp_path, caplog):
    fresh_choice.setattr(_engine, "_RECORD", tmp_path / "missing.json")
    fresh_choice.setattr(
        _engine.compiled_problem, "__defaults__", (tmp_path / "missing.json", _engine.PACKAGE_DIR)
    )
    with caplog.at_level(logging.WARNING, logger="rightcall.model"):
        assert _engine.engine_name() == "python"
    assert "compiled term pipeline not used: it is not built" in caplog.text
    fresh_choice.setenv(_engine.ENGINE_VARIABLE, "compiled")
    _engine.context_module.cache_clear()
    with pytest.raises(_engine.EngineError, match="cannot run: it is not built"):
        _engine.engine_name()


def test_compiled_engine_is_chosen_when_built(fresh_choice):
    if (problem := _engine.compiled_problem()) is not None:
        pytest.skip(f"compiled term pipeline not available: {problem}")
    fresh_choice.delenv(_engine.ENGINE_VARIABLE, raising=False)
    assert _engine.engine_name() == "compiled"
    assert _engine.analyser_class().__module__ == "model._fast._context"


def test_a_build_without_the_row_scorer_or_with_an_older_one_is_not_used(tmp_path):
    record = tmp_path / "sources.json"
    current = json.loads((_engine.PACKAGE_DIR / "_fast" / "sources.json").read_text("utf-8"))
    if "_row_scorer" not in current:
        pytest.skip("the compiled pipeline is not built here")
    record.write_text(json.dumps({**current, "_row_scorer": "0" * 64}), encoding="utf-8")
    assert "older _row_scorer.pyx" in _engine.compiled_problem(record)
    del current["_row_scorer"]
    record.write_text(json.dumps(current), encoding="utf-8")
    assert "before _row_scorer was compiled" in _engine.compiled_problem(record)


def test_the_python_engine_scores_with_numpy_and_python_evidence(fresh_choice, model_path):
    from model import load

    fresh_choice.setenv(_engine.ENGINE_VARIABLE, "python")
    assert load(model_path).scoring_engine == "python"


def test_a_build_older_than_a_modules_types_is_not_used(tmp_path):
    """A module's C types (``model/_fast/NAME.pxd``) are part of its build: each is recorded,
    and one changed or added since makes the build stale."""
    current = json.loads((_engine.PACKAGE_DIR / "_fast" / "sources.json").read_text("utf-8"))
    if "_row_scorer" not in current:
        pytest.skip("the compiled pipeline is not built here")
    types = sorted((_engine.PACKAGE_DIR / "_fast").glob("*.pxd"))
    assert types, "the compiled modules' types are missing"
    assert {f"_fast/{path.name}" for path in types} <= set(current)
    record = tmp_path / "sources.json"
    record.write_text(json.dumps({**current, f"_fast/{types[0].name}": "0" * 64}), "utf-8")
    assert f"older {types[0].name}" in _engine.compiled_problem(record)
    del current[f"_fast/{types[0].name}"]  # a .pxd added since the build
    record.write_text(json.dumps(current), "utf-8")
    assert f"built before {types[0].name}" in _engine.compiled_problem(record)

"""Which term pipeline runs: the compiled one (``model._fast``) when it is built from the
current source, else the pure-Python one.

Both are the same source files, so they give identical terms, cues, features and
probabilities (tested); the compiled one is about twice as fast at note analysis. The
choice is made once per process; ``RIGHTCALL_ENGINE`` (auto, compiled or python) forces it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable
from functools import lru_cache
from importlib import import_module
from pathlib import Path
from types import ModuleType

ENGINE_VARIABLE = "RIGHTCALL_ENGINE"
ENGINES = ("auto", "compiled", "python")
PACKAGE_DIR = Path(__file__).parent
_RECORD = PACKAGE_DIR / "_fast" / "sources.json"

log = logging.getLogger("rightcall.model")


class EngineError(RuntimeError):
    """The compiled pipeline was asked for and cannot run."""


def compiled_problem(record: Path | None = None, package: Path = PACKAGE_DIR) -> str | None:
    """Why the compiled pipeline cannot run, or None when it can."""
    record = _RECORD if record is None else record
    if not record.exists():
        return "it is not built (no C compiler or Cython at install time?)"
    try:
        built = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"its record {record} is unreadable"
    for name, digest in sorted(built.items()):
        source = package / name  # a module's types: "_fast/NAME.pxd"
        if not name.endswith(".pxd"):
            source = package / f"{name}.pyx"
            if not source.exists():
                source = package / f"{name}.py"
        if not source.exists() or hashlib.sha256(source.read_bytes()).hexdigest() != digest:
            return f"it was built from an older {source.name} (run ./dev setup to rebuild it)"
    for name in ("_row_scorer", "_evidence_typed", "_inputs", "_evidence", "_windows", "_english"):
        if name not in built:
            return f"it was built before {name} was compiled (run ./dev setup to rebuild it)"
    for types in sorted((package / "_fast").glob("*.pxd")):
        if f"_fast/{types.name}" not in built:
            return f"it was built before {types.name} (run ./dev setup to rebuild it)"
    try:
        from ._fast import (  # noqa: F401
            _context,
            _evidence,
            _evidence_typed,
            _inputs,
            _row_scorer,
            _windows,
        )
    except ImportError as exc:
        return f"it does not import ({exc.__class__.__name__})"
    return None


@lru_cache(maxsize=1)
def context_module() -> ModuleType:
    """The ``_context`` module of the engine this process runs."""
    wanted = os.environ.get(ENGINE_VARIABLE, "auto").strip().lower() or "auto"
    if wanted not in ENGINES:
        raise EngineError(f"{ENGINE_VARIABLE}={wanted!r}: expected one of {', '.join(ENGINES)}")
    if wanted != "python":
        problem = compiled_problem()
        if problem is None:
            from ._fast import _context

            return _context
        if wanted == "compiled":
            raise EngineError(f"the compiled term pipeline cannot run: {problem}")
        log.warning("compiled term pipeline not used: %s; running the pure-Python path", problem)
    from . import _context

    return _context


def engine_name() -> str:
    """ "compiled" or "python": what ``NoteAnalyser`` runs in this process."""
    return "compiled" if context_module().__name__.startswith("model._fast") else "python"


def analyser_class() -> type:
    """The ``NoteAnalyser`` class of this process's engine."""
    return context_module().NoteAnalyser


def evidence_mapper_class() -> type:
    """The ``EvidenceMapper`` class of this process's engine."""
    return _engine_module("_evidence").EvidenceMapper


def note_inputs_function() -> Callable:
    """``note_inputs`` of this process's engine (see ``model/_inputs.py``)."""
    return _engine_module("_inputs").note_inputs


def windows_function() -> Callable:
    """``long_note_windows`` of this process's engine (see ``model/_windows.py``)."""
    return _engine_module("_windows").long_note_windows


def feature_words_function() -> Callable:
    """``feature_words`` of this process's engine (see ``model/_inputs.py``)."""
    return _engine_module("_inputs").feature_words


def row_scorer_class() -> type | None:
    """The typed ``RowScorer`` with the compiled engine; None with the pure-Python one
    (feature rows and scores are then built with numpy)."""
    if engine_name() != "compiled":
        return None
    return import_module("._fast._row_scorer", __package__).RowScorer


def evidence_assembler_class() -> type | None:
    """The typed ``EvidenceAssembler`` (evidence from the row scorer's selection) with the
    compiled engine; None with the pure-Python one (``EvidenceMapper.evidence`` runs)."""
    if engine_name() != "compiled":
        return None
    return import_module("._fast._evidence_typed", __package__).EvidenceAssembler


def _engine_module(name: str) -> ModuleType:
    """Module ``name`` of this process's engine: ``model._fast.name`` or ``model.name``."""
    prefix = "._fast." if engine_name() == "compiled" else "."
    return import_module(prefix + name, __package__)

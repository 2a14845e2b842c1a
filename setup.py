"""Builds the compiled term pipeline: the model's text modules compiled by Cython.

The same source files are compiled, unchanged, into ``model._fast``; the ``.py`` modules stay
the pure-Python reference the tests compare with. ``model/_row_scorer.pyx`` is typed Cython
for the scoring arithmetic; the numpy path it replaces is its reference. The extensions are
optional: without a C compiler the install still succeeds and the model runs the pure-Python
path (it says so). ``model/_fast/sources.json`` records the hash of each source compiled, so
a build older than its source is never used.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).parent
# The per-note term pipeline, in import order: spelling -> text -> persons -> context; then
# the feature inputs of an analysed note, and evidence, which maps scores back to its words.
COMPILED = ["_spelling", "_text", "_persons", "_context", "_inputs", "_evidence"]
# Typed code with no Python twin: feature rows and linear scores (the numpy path is its
# reference) and evidence from them (``EvidenceMapper.evidence`` is its reference).
TYPED = ["_row_scorer", "_evidence_typed"]
RECORD_FILE = "sources.json"  # read by model/_engine.py


class BuildCompiled(build_ext):
    """Compiles on both cores, then records what was compiled (only if it all built)."""

    def finalize_options(self) -> None:
        super().finalize_options()
        if self.parallel is None:
            self.parallel = 2

    def run(self) -> None:
        super().run()
        built = [Path(self.get_ext_fullpath(ext.name)) for ext in self.extensions]
        if not all(path.exists() for path in built):
            print("[rightcall] compiled term pipeline not built: the pure-Python path will run")
            return
        record = {
            name: hashlib.sha256((ROOT / "model" / source).read_bytes()).hexdigest()
            for name, source in _sources().items()
        }
        # Beside the compiled modules, wherever they went: in place (editable install) or the
        # build tree (wheel), never both.
        target = built[0].parent / RECORD_FILE
        target.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _sources() -> dict[str, str]:
    """Each compiled module's source file in ``model/``."""
    return {**{name: f"{name}.py" for name in COMPILED}, **{name: f"{name}.pyx" for name in TYPED}}


def _extensions() -> list[Extension]:
    try:
        from Cython.Build import cythonize
    except ImportError:  # build requirements not installed: pure Python only
        print("[rightcall] Cython not available: the pure-Python path will run")
        return []
    modules = [
        Extension(f"model._fast.{name}", [f"model/{source}"]) for name, source in _sources().items()
    ]
    compiled = cythonize(
        modules,
        compiler_directives={"language_level": 3, "binding": True},
        quiet=True,
    )
    for extension in compiled:
        extension.optional = True  # set after cythonize, which does not carry it over
    return compiled


setup(ext_modules=_extensions(), cmdclass={"build_ext": BuildCompiled})

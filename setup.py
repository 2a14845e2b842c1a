"""Builds the compiled term pipeline: the model's text modules compiled by Cython.

The same source files are compiled, unchanged, into ``model._fast``; the ``.py`` modules stay
the pure-Python reference the tests compare with. Where ``model/_fast/NAME.pxd`` exists it
gives the compiled module C types (classes as extension types with typed attributes, methods
callable from C, typed locals): Cython's "augmenting .pxd", so the reference stays plain
Python, and its annotations are left to it. ``model/_row_scorer.pyx`` and
``model/_evidence_typed.pyx`` are typed Cython for the scoring arithmetic and evidence; the
numpy path and ``EvidenceMapper`` are their references. The extensions are optional: without
a C compiler the install still succeeds and the model runs the pure-Python path (it says so).
``model/_fast/sources.json`` records the hash of each source and ``.pxd`` compiled, so a build
older than its source is never used.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).parent
# The per-note term pipeline, in import order: spelling -> text -> persons -> context; then
# the feature inputs of an analysed note, evidence, which maps scores back to its words, and
# the sentence windows of long notes.
COMPILED = [
    "_english",
    "_spelling",
    "_text",
    "_persons",
    "_context",
    "_inputs",
    "_evidence",
    "_windows",
]
# Typed code with no Python twin: feature rows and linear scores (the numpy path is its
# reference) and evidence from them (``EvidenceMapper.evidence`` is its reference).
TYPED = ["_row_scorer", "_evidence_typed"]
RECORD_FILE = "sources.json"  # read by model/_engine.py
TYPES_DIR = ROOT / "model" / "_fast"  # NAME.pxd: the C types of compiled module NAME


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
        # A module's types are part of what was compiled: a changed .pxd makes the build stale.
        record.update(_types_record())
        # Beside the compiled modules, wherever they went: in place (editable install) or the
        # build tree (wheel), never both.
        target = built[0].parent / RECORD_FILE
        target.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _sources() -> dict[str, str]:
    """Each compiled module's source file in ``model/``."""
    return {**{name: f"{name}.py" for name in COMPILED}, **{name: f"{name}.pyx" for name in TYPED}}


def _types_record() -> dict[str, str]:
    """The hash of each module's .pxd, as the build record holds it ("_fast/NAME.pxd")."""
    return {
        f"_fast/{pxd.name}": hashlib.sha256(pxd.read_bytes()).hexdigest()
        for pxd in sorted(TYPES_DIR.glob("*.pxd"))
    }


def _recorded_types() -> dict[str, str] | None:
    """The .pxd hashes of the last recorded build in place, or None without a usable record."""
    try:
        built = json.loads((TYPES_DIR / RECORD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return {name: digest for name, digest in built.items() if name.endswith(".pxd")}


def _extensions() -> list[Extension]:
    try:
        from Cython.Build import cythonize
    except ImportError:  # build requirements not installed: pure Python only
        print("[rightcall] Cython not available: the pure-Python path will run")
        return []
    # Cython rebuilds a module when its source changes but does not see a .pxd kept in another
    # directory: a module whose .pxd was added, changed or removed since the recorded build
    # (or every module, without a record) is rebuilt here.
    now, built = _types_record(), _recorded_types()
    compiled = []
    for name, source in _sources().items():
        directives = {"language_level": 3, "binding": True}
        types = f"_fast/{name}.pxd"
        if types in now:
            # Typed by its .pxd; the annotations are the reference's (``i: int`` is not C).
            directives["annotation_typing"] = False
        compiled += cythonize(
            [Extension(f"model._fast.{name}", [f"model/{source}"])],
            compiler_directives=directives,
            quiet=True,
            include_path=[str(ROOT)],  # where model/_fast/NAME.pxd is found
            force=built is None or built.get(types) != now.get(types),
        )
    for extension in compiled:
        extension.optional = True  # set after cythonize, which does not carry it over
    return compiled


setup(ext_modules=_extensions(), cmdclass={"build_ext": BuildCompiled})

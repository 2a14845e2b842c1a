"""Keeping a loaded model out of the cyclic garbage collector's way in a long batch run."""

from __future__ import annotations

import gc


def freeze_loaded() -> None:
    """Move every object alive now (the loaded model above all: its lexicons, caches and
    evidence tables) to the collector's permanent generation.

    Scoring a chunk of notes keeps thousands of analyses alive at once, so the collector's
    full passes come often, and each walked the whole model again: an eighth of batch
    scoring time (2026-12-06, 159 against 138 µs a note). Forked workers also keep sharing
    the frozen pages instead of copying them when the collector would have touched them
    (the ``gc.freeze`` documentation). For processes that load a model once and keep it.
    """
    gc.collect()
    gc.freeze()

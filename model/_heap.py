"""Keeping a loaded model out of the cyclic garbage collector's way."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


def freeze_loaded() -> None:
    """Move every object alive now (the loaded model above all: its lexicons, spelling
    dictionary, caches and evidence tables, about 320,000 objects) to the collector's
    permanent generation, after collecting what an earlier model left behind.

    A full collection walks every tracked object: about 80 ms with the model in the heap.
    Batch scoring keeps thousands of analyses alive at once, so full collections come often,
    and they cost an eighth of its time (2026-12-06: 159 against 138 µs a note); a server's
    caches grow with new words until one lands on a request. Forked workers also keep sharing
    the frozen pages instead of copying them when the collector would have touched them (the
    ``gc.freeze`` documentation). For processes that load a model and keep it: call it after
    each load (objects frozen by the call before are thawed and collected first, so a model
    replaced by a reload is not kept). The first call collects nothing: loading leaves next
    to no garbage (0 to 25 objects measured; loads run with the collector paused), not worth
    a full pass (45-85 ms) in every ``rightcall score``; a later call frees it with the model
    it came with.
    """
    if gc.get_freeze_count():  # an earlier model is frozen: thaw it, so a replaced one goes
        gc.unfreeze()
        gc.collect()
    gc.freeze()


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off while a batch of notes is scored (or a model loaded), then
    as it was.

    Scoring makes no reference cycles (``tests/scoring/test_score_rows.py`` scores test notes
    and finds none left for the collector), so reference counting frees everything it makes.
    Yet it makes thousands of short-lived containers per chunk and keeps a chunk's analyses
    alive, so the collector ran often and walked them for nothing: about a tenth of batch
    scoring (2026-12-06, 2,000-note chunks, CPU time, best of four passes: 116 against
    104 µs a note).

    For batch loops (``rightcall score`` and its workers) and loading, not a server's
    requests: the switch is the whole process's, so while a server reloads its model (about
    a second) cycles its requests leave wait for the collector too. A nested pause leaves it
    to the outer one; with threads, the first pause to end turns it back on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

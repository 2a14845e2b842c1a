"""A process that keeps its model freezes it out of the garbage collector's full passes."""

from __future__ import annotations

import gc

from model import freeze_loaded


def test_freeze_loaded_moves_live_objects_out_of_the_collectors_reach():
    kept = [[k] for k in range(1000)]  # container objects the collector tracks
    try:
        freeze_loaded()
        assert gc.get_freeze_count() >= len(kept)
    finally:
        gc.unfreeze()

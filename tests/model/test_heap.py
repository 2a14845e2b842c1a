"""A process that keeps its model freezes it out of the garbage collector's full passes; a
batch pauses the collector and leaves it as it was."""

from __future__ import annotations

import gc
import weakref

import pytest

from model import ArtefactError, collector_paused, freeze_loaded, load


class _Node:
    pass


def test_freeze_loaded_moves_live_objects_out_of_the_collectors_reach():
    kept = [[k] for k in range(1000)]  # container objects the collector tracks
    try:
        freeze_loaded()
        assert gc.get_freeze_count() >= len(kept)
    finally:
        gc.unfreeze()


def test_a_model_dropped_after_a_reload_is_collected_at_the_next_freeze():
    gc.unfreeze()  # as in a process that has frozen nothing yet
    gc.collect()
    left = _Node()
    left.itself = left  # garbage a load left behind, unreachable already
    left_gone = weakref.ref(left)
    del left
    old = _Node()
    old.itself = old  # a cycle, as a model has: only the collector can free it
    gone = weakref.ref(old)
    try:
        freeze_loaded()  # the first load: frozen with its garbage, no full pass
        del old
        gc.collect()
        assert gone() is not None  # frozen: out of the collector's reach
        assert left_gone() is not None
        freeze_loaded()  # the next load thaws and collects first
        assert gone() is None
        assert left_gone() is None
    finally:
        gc.unfreeze()


def test_the_collector_is_paused_for_a_batch_and_then_as_it_was():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still holds
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # it was off before: left off
    finally:
        gc.enable()


def test_loading_a_model_leaves_the_collector_on_whether_it_loads_or_not(model_path, tmp_path):
    assert load(model_path).version
    assert gc.isenabled()
    with pytest.raises(ArtefactError):
        load(tmp_path)  # no manifest: refused
    assert gc.isenabled()

"""The column layout of a feature row: named blocks side by side, each owning a slice.

The feature space builds rows by it, the classifier scores them by it and evidence names
columns by it, so no one else works out an offset. A new block is one more entry in
``FeatureSpace.layout`` (and a ``BlockKind`` here).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np


class BlockKind(StrEnum):
    WORDS = "words"  # TF-IDF word n-grams over context-marked terms
    CHARS = "chars"  # TF-IDF character n-grams over the blanked, normalised note
    CUES = "cues"  # one binary column per cue and context

    @property
    def shown(self) -> bool:
        """Whether evidence can show this block's columns as phrases of the note
        (a character n-gram is no phrase)."""
        return self is not BlockKind.CHARS


@dataclass(frozen=True, slots=True)
class Block:
    """Columns ``start`` to ``stop - 1`` of a feature row."""

    kind: BlockKind
    start: int
    stop: int

    @property
    def width(self) -> int:
        return self.stop - self.start

    def __contains__(self, column: int) -> bool:
        return self.start <= column < self.stop

    def holds(self, columns: np.ndarray) -> np.ndarray:
        """Which of ``columns`` (global indices) are in this block."""
        return (columns >= self.start) & (columns < self.stop)


class FeatureLayout:
    """The blocks of a feature row in order; a block of width zero is still listed."""

    def __init__(self, widths: Iterable[tuple[BlockKind, int]]) -> None:
        blocks = []
        start = 0
        for kind, width in widths:
            blocks.append(Block(kind, start, start + width))
            start += width
        self.blocks: tuple[Block, ...] = tuple(blocks)
        self.width = start
        self._by_kind = {block.kind: block for block in blocks}
        if len(self._by_kind) != len(blocks):
            raise ValueError("each kind of block appears once in a layout")

    def __getitem__(self, kind: BlockKind) -> Block:
        return self._by_kind[kind]

    def __contains__(self, kind: BlockKind) -> bool:
        return kind in self._by_kind

    def shown(self, columns: np.ndarray) -> np.ndarray:
        """Which of ``columns`` (global indices) evidence can show."""
        mask = np.zeros(len(columns), dtype=bool)
        for block in self.blocks:
            if block.kind.shown:
                mask |= block.holds(columns)
        return mask

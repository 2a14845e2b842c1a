"""A file of notes to score, checked before any note is scored: every problem named by file
and line, and nothing written."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ._files import ColumnMapping, DataError, Problem, iter_rows


def validate_unlabelled(path: Path, mapping: ColumnMapping) -> int:
    """Count rows in one streaming pass; raise DataError with every problem found.

    Ids are passed through as given (duplicates are not an error when scoring), so memory
    stays constant however long the file is.
    """
    problems: list[Problem] = []
    count = 0
    for n, row in iter_rows(path, [mapping.text, mapping.id]):
        if isinstance(row, Problem):
            problems.append(row)
            continue
        text = row.get(mapping.text)
        if not isinstance(text, str) or not text.strip():
            problems.append(Problem(str(path), n, f"missing or empty text ({mapping.text!r})"))
        count += 1
    if problems:
        raise DataError(problems)
    if count == 0:
        raise DataError([Problem(str(path), None, "no rows")])
    return count


class Validation:
    """The answer of a check made elsewhere: ``result()`` is the count, or raises what the
    check raised."""

    def __init__(self, answer: Callable[[], tuple[bool, object]]) -> None:
        self._answer = answer

    def result(self) -> int:
        ok, value = self._answer()
        if not ok:
            raise value  # type: ignore[misc]
        return value  # type: ignore[return-value]


@contextmanager
def validated_meanwhile(path: Path, mapping: ColumnMapping) -> Iterator[Validation]:
    """``validate_unlabelled`` in a forked process while this one goes on (``rightcall
    score`` imports and loads its model meanwhile). The check was 0.1 s per 100,000 notes
    on the command's path, with the other core idle. A check still running when the block
    ends (the model failed to load, say) is stopped. Where fork is not available the check
    runs here, before the block."""
    if "fork" not in multiprocessing.get_all_start_methods():
        try:
            outcome: tuple[bool, object] = (True, validate_unlabelled(path, mapping))
        except DataError as error:
            outcome = (False, error)
        yield Validation(lambda: outcome)
        return
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    checker = context.Process(target=_validate_into, args=(path, mapping, sending), daemon=True)
    checker.start()
    sending.close()

    def answer() -> tuple[bool, object]:
        try:
            return receiving.recv()
        except EOFError:
            raise RuntimeError(f"the check of {path} ended without answering") from None

    try:
        yield Validation(answer)
    finally:
        checker.terminate()  # done already, unless the block ended early
        checker.join()
        receiving.close()


def _validate_into(path: Path, mapping: ColumnMapping, sending) -> None:
    try:
        outcome: tuple[bool, object] = (True, validate_unlabelled(path, mapping))
    except Exception as error:  # the caller raises it: DataError, or an unreadable file
        outcome = (False, error)
    sending.send(outcome)
    sending.close()

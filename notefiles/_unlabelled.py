"""A file of notes to score, checked before any note is scored: every problem named by file
and line, and nothing written."""

from __future__ import annotations

import multiprocessing
import signal
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
    ends (the model failed to load, say) is stopped. Where no process can be forked the
    check runs here, before the block."""
    checker = None
    if "fork" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("fork")
        receiving, sending = context.Pipe(duplex=False)
        checker = context.Process(
            target=_validate_into, args=(path, mapping, receiving, sending), daemon=True
        )
        try:
            checker.start()
        except OSError:  # no process to be had (limits, memory): check here instead
            checker = None
            receiving.close()
        finally:
            sending.close()
    if checker is None:
        outcome = _checked(path, mapping)
        yield Validation(lambda: outcome)
        return

    def answer() -> tuple[bool, object]:
        try:
            return receiving.recv()
        except Exception:  # it died (killed, out of memory) or sent what cannot be read
            problem = Problem(str(path), None, "the check of this file ended without answering")
            return (False, DataError([problem]))

    try:
        yield Validation(answer)
    finally:
        checker.terminate()  # done already, unless the block ended early
        checker.join()
        receiving.close()


def _checked(path: Path, mapping: ColumnMapping) -> tuple[bool, object]:
    """(True, the count), or (False, what the check raised, for the caller to raise)."""
    try:
        return (True, validate_unlabelled(path, mapping))
    except Exception as error:  # DataError, or a file that cannot be read at all
        return (False, error)


def _validate_into(path: Path, mapping: ColumnMapping, receiving, sending) -> None:
    receiving.close()  # the command's end: were it to die, sending fails instead of waiting
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the command's; it stops this
    outcome = _checked(path, mapping)
    try:
        sending.send(outcome)
    except BrokenPipeError:
        return  # the command is gone
    except Exception:  # an error that does not pickle: named, its message (maybe a note) not
        problem = Problem(str(path), None, f"could not be read ({type(outcome[1]).__name__})")
        sending.send((False, DataError([problem])))
    finally:
        sending.close()

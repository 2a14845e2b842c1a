"""A file checked in another process while the command loads its model answers as the check
made in place: the same count, or every problem by file and line; and a check the command
no longer waits for is stopped."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from notefiles import ColumnMapping, DataError, Problem, validate_unlabelled, validated_meanwhile
from notefiles import _unlabelled as unlabelled

GOOD = '{"id": "a", "text": "he has a knife"}\n{"text": "she is on the bridge"}\n'
BAD = '{"id": "a", "text": "he has a knife"}\n{"id": "b", "text": "  "}\nnot json\n'


@pytest.fixture(params=["fork", "in place"])
def start_methods(request, monkeypatch):
    if request.param == "in place":  # as where fork is not available
        monkeypatch.setattr(unlabelled.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    return request.param


def test_a_good_file_gives_its_count(tmp_path, start_methods):
    path = tmp_path / "notes.jsonl"
    path.write_text(GOOD, encoding="utf-8")
    with validated_meanwhile(path, ColumnMapping()) as validation:
        assert validation.result() == 2 == validate_unlabelled(path, ColumnMapping())


def test_a_bad_file_gives_every_problem_by_line(tmp_path, start_methods):
    path = tmp_path / "notes.jsonl"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(DataError) as in_place:
        validate_unlabelled(path, ColumnMapping())
    with (
        validated_meanwhile(path, ColumnMapping()) as validation,
        pytest.raises(DataError) as elsewhere,
    ):
        validation.result()
    assert elsewhere.value.problems == in_place.value.problems
    assert [p.line for p in elsewhere.value.problems] == [2, 3]
    assert str(elsewhere.value) == str(in_place.value)


def test_a_missing_file_is_a_problem_not_a_traceback(tmp_path, start_methods):
    with (
        validated_meanwhile(tmp_path / "absent.jsonl", ColumnMapping()) as validation,
        pytest.raises(DataError) as error,
    ):
        validation.result()
    assert "absent.jsonl" in str(error.value)


def test_a_data_error_crosses_processes_whole():
    error = DataError([Problem("f.jsonl", 3, "invalid JSON"), Problem("f.jsonl", None, "x")])
    again = pickle.loads(pickle.dumps(error))
    assert again.problems == error.problems
    assert str(again) == str(error)


def test_a_check_left_running_is_stopped(tmp_path, monkeypatch):
    def slow(path, mapping):
        time.sleep(60)
        return 0

    monkeypatch.setattr(unlabelled, "validate_unlabelled", slow)
    started = time.monotonic()
    with (
        pytest.raises(RuntimeError, match="model failed"),
        validated_meanwhile(tmp_path / "notes.jsonl", ColumnMapping()),
    ):
        assert multiprocessing.active_children()  # the check is running elsewhere
        raise RuntimeError("the model failed to load")
    assert time.monotonic() - started < 30
    assert not multiprocessing.active_children()


def test_a_check_that_dies_is_a_problem_not_a_hang(tmp_path, monkeypatch):
    monkeypatch.setattr(unlabelled, "validate_unlabelled", lambda path, mapping: os._exit(3))
    with (
        validated_meanwhile(tmp_path / "notes.jsonl", ColumnMapping()) as validation,
        pytest.raises(DataError, match="ended without answering"),
    ):
        validation.result()


def test_an_error_that_cannot_cross_is_named_without_its_message(tmp_path, monkeypatch):
    class Unpicklable(Exception):  # a local class: pickle cannot find it
        pass

    def fails(path, mapping):
        raise Unpicklable("he has a knife")  # an error message may quote a note

    monkeypatch.setattr(unlabelled, "validate_unlabelled", fails)
    with (
        validated_meanwhile(tmp_path / "notes.jsonl", ColumnMapping()) as validation,
        pytest.raises(DataError) as error,
    ):
        validation.result()
    assert "could not be read (Unpicklable)" in str(error.value)
    assert "knife" not in str(error.value)


def test_ctrl_c_is_the_commands_not_the_checks(tmp_path, monkeypatch):
    def slow(path, mapping):
        time.sleep(1.0)
        return 7

    monkeypatch.setattr(unlabelled, "validate_unlabelled", slow)
    with validated_meanwhile(tmp_path / "notes.jsonl", ColumnMapping()) as validation:
        (checker,) = multiprocessing.active_children()
        time.sleep(0.2)
        os.kill(checker.pid, signal.SIGINT)
        assert validation.result() == 7


ORPHAN = """
import multiprocessing, os, sys
from pathlib import Path
from notefiles import ColumnMapping, validated_meanwhile
with validated_meanwhile(Path(sys.argv[1]), ColumnMapping()) as validation:
    print(multiprocessing.active_children()[0].pid, flush=True)
    os._exit(0)  # the command dies before it reads the answer or stops the check
"""


def test_a_check_whose_command_died_ends_by_itself(tmp_path):
    path = tmp_path / "notes.jsonl"
    path.write_text("not json\n" * 20_000, encoding="utf-8")  # an answer bigger than a pipe
    started = subprocess.run(
        [sys.executable, "-c", ORPHAN, str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )
    pid = int(started.stdout.split()[0])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _running(pid):
        time.sleep(0.1)
    assert not _running(pid)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z"  # a zombie has ended; only its parent's reaping is left

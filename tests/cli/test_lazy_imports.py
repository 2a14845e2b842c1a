"""`rightcall serve` starts fast: its front end imports no model stack it does not use.

Cold start to ready was 5 s, 2 of them spent importing training, evaluation, scikit-learn
and spaCy in the command line before it handed over to the server process (and later
0.18 s importing FastAPI there for one bind check).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("sklearn", "spacy", "pandas", "scipy", "training", "evaluation", "scoring")


def imported_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    ).stdout.split()
    return set(out)


def test_serve_command_front_end_imports_no_model_stack():
    loaded = imported_after(
        "from cli.main import build\n"
        "build(['serve'])\n"
        "from cli._common import server_settings\n"
        "server_settings()\n"
        "import serving.logs, serving.bind"
    )
    # The web framework too: the server process imports it once, after the hand-over.
    unwanted = {*HEAVY, "fastapi", "starlette", "uvicorn"}
    assert not loaded & unwanted, loaded & unwanted


def test_model_names_load_on_first_use():
    loaded = imported_after("import model\nassert model.VERSION_PATTERN.match('v1')")
    assert not loaded & set(HEAVY), loaded & set(HEAVY)
    assert "numpy" not in loaded
    assert "numpy" in imported_after("import model\nmodel.NoteAnalyser")


def test_unknown_model_name_is_an_attribute_error():
    import model

    with pytest.raises(AttributeError, match="no_such_name"):
        model.no_such_name  # noqa: B018


def test_every_command_is_listed_and_one_command_runs_alone():
    help_text = subprocess.run(
        [sys.executable, "-m", "cli.main", "--help"], capture_output=True, text=True, timeout=120
    ).stdout
    from cli.main import COMMANDS

    for name in COMMANDS:
        assert name in help_text
    serve_help = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.argv=['rightcall','serve','--help'];from cli.main import main; main()",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert serve_help.returncode == 0
    assert "Usage: rightcall serve" in serve_help.stdout


def test_scoring_and_classifying_import_no_spacy_scipy_or_scikit_learn(model_path):
    """The typed row scorer builds no sparse matrix: scipy (about 70 ms of every start) and
    scikit-learn stay unimported by a loaded model scoring and classifying notes; spaCy's
    English is read from model/spacy_english.json (its import was 0.37 s)."""
    from model import compiled_problem

    if compiled_problem() is not None:
        pytest.skip("the pure-Python engine scores with scipy rows")
    loaded = imported_after(
        "import scoring\n"
        "from model import load\n"
        f"classifier = load({str(model_path)!r})\n"
        "classifier.probabilities(['he has a knife', 'RP: police', 'he has a knife. ' * 30])\n"
        "classifier.classify('caller says her son is threatening to jump')"
    )
    assert not loaded & {"spacy", "scipy", "sklearn"}, loaded & {"spacy", "scipy", "sklearn"}

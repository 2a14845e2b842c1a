"""Counterfactual fairness: the bundled set, the measurement, the CLI section, and the model.

The model test is the one that matters: no identity swap in the bundled set may move any
probability by more than 0.05 or flip a flag.
"""

from __future__ import annotations

import difflib
import importlib.util
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cli.main import app
from evaluation import (
    ATTRIBUTES,
    TOLERANCE,
    evaluate_fairness,
    fairness_figures,
    identity_grid,
    load_counterfactuals,
)
from evaluation import BUNDLED_COUNTERFACTUALS as BUNDLED
from model import LABELS
from notefiles import DataError
from tests.conftest import CORPUS, REPO

runner = CliRunner()
GENERATOR = REPO / "data" / "fairness" / "generate.py"


def generator():
    """data/fairness/generate.py as a module (it is a script, not part of a package)."""
    name = "rightcall_fairness_generate"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, GENERATOR)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while it loads
        spec.loader.exec_module(module)
    return sys.modules[name]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_the_bundled_set_is_what_the_generator_writes(tmp_path):
    out = tmp_path / "counterfactuals.jsonl"
    generator().main(["--out", str(out)])
    assert out.read_bytes() == BUNDLED.read_bytes(), "run python data/fairness/generate.py"


def test_the_held_out_names_are_regenerated_and_stay_out_of_the_lexicon(tmp_path):
    """data/fairness/heldout-names.jsonl measures name neutralisation beyond the list, so
    none of its names may be in the identity lexicon."""
    gen = generator()
    out = tmp_path / "heldout.jsonl"
    gen.main(["--heldout", "--out", str(out)])
    assert out.read_bytes() == gen.HELDOUT_OUT.read_bytes()
    identity = json.loads((REPO / "model" / "lexicon" / "identity.json").read_text("utf-8"))
    listed = {*identity["names"], *identity["drop"], *identity["neutral"]}
    held = {n.lower() for names in gen.HELDOUT_FIRST_NAMES.values() for n in names}
    assert not (held | {n.lower() for n in gen.HELDOUT_SURNAMES}) & listed
    assert {json.loads(line)["attribute"] for line in out.read_text("utf-8").splitlines()} == {
        "name"
    }


def test_each_group_differs_only_in_identity_words():
    gen = generator()
    notes = load_counterfactuals(BUNDLED)
    groups: dict[str, list[int]] = {}
    for i, group in enumerate(notes.extra["group"]):
        groups.setdefault(group, []).append(i)
    for group, rows in groups.items():
        attribute = notes.extra["attribute"][rows[0]]
        allowed = gen.words_of(attribute) | {"a", "an"}
        first = re.findall(r"[\w-]+", notes.texts[rows[0]].lower())
        for i in rows[1:]:
            other = re.findall(r"[\w-]+", notes.texts[i].lower())
            changed = set()
            matcher = difflib.SequenceMatcher(a=first, b=other, autojunk=False)
            for op, a0, a1, b0, b1 in matcher.get_opcodes():
                if op != "equal":
                    changed.update(first[a0:a1] + other[b0:b1])
            assert changed, f"{group}: {notes.ids[i]} is the same note"
            assert changed <= allowed, f"{group}: {notes.ids[i]} also changes {changed - allowed}"


def test_the_set_covers_every_attribute_and_all_three_labels():
    rows = [json.loads(line) for line in BUNDLED.read_text("utf-8").splitlines()]
    by_attribute: dict[str, set] = {}
    for row in rows:
        by_attribute.setdefault(row["attribute"], set()).add(row["group"])
    assert set(by_attribute) == set(ATTRIBUTES)
    assert all(len(groups) >= 5 for groups in by_attribute.values()), by_attribute
    for label in LABELS:
        assert {row[label] for row in rows} == {0, 1}, label
    # Adult ages only: a child in a note is a real difference, not an identity swap.
    assert all(int(row["value"]) >= 18 for row in rows if row["attribute"] == "age")
    values = {row["value"] for row in rows}
    assert {
        "black",
        "white",
        "Asian",
        "Mohammed",
        "James",
        "Priya",
        "Muslim",
        "Christian",
        "Polish",
        "British",
        "male",
        "female",
    } <= values


def test_no_identity_swap_moves_a_score_or_flips_a_flag(classifier):
    figures = evaluate_fairness(classifier, BUNDLED)
    failures = [
        f"{f['label']} {f['group']}: {f['low']['value']!r} {f['low']['probability']:.3f} -> "
        f"{f['high']['value']!r} {f['high']['probability']:.3f}"
        f"{' (flag flips)' if f['flag_flip'] else ''}"
        for f in figures["failures"]
    ]
    assert not failures, "identity swaps move the model:\n" + "\n".join(failures)
    assert figures["passed"]
    for label in LABELS:
        assert figures["labels"][label]["max_delta"] <= TOLERANCE
        assert figures["labels"][label]["flag_flips"] == 0


class BiasedScorer:
    """A scorer that is unfair on purpose: "black" raises mental_health across its
    threshold, and each letter of a name nudges crime. The measurement must see both."""

    name = "biased"
    version = "test"
    thresholds = {"mental_health": 0.45, "crime": 0.5, "threat_to_life": 0.5}

    def probabilities(self, texts):
        rows = []
        for text in texts:
            mental = 0.5 if "black" in text.lower() else 0.4
            name = text.split()[0]
            rows.append([mental, 0.2 + 0.01 * len(name), 0.3])
        return np.array(rows)


def test_the_measurement_finds_deltas_and_flips(tmp_path):
    path = write_jsonl(
        tmp_path / "cf.jsonl",
        [
            {
                "id": "e1",
                "text": "Sam saw a black male with a knife",
                "group": "g-eth",
                "attribute": "ethnicity",
                "value": "black",
            },
            {
                "id": "e2",
                "text": "Sam saw a white male with a knife",
                "group": "g-eth",
                "attribute": "ethnicity",
                "value": "white",
            },
            {
                "id": "e3",
                "text": "Sam saw an Asian male with a knife",
                "group": "g-eth",
                "attribute": "ethnicity",
                "value": "Asian",
            },
            {
                "id": "n1",
                "text": "Jo called about a black dog",
                "group": "g-name",
                "attribute": "name",
                "value": "Jo",
            },
            {
                "id": "n2",
                "text": "Mohammed called about a black dog",
                "group": "g-name",
                "attribute": "name",
                "value": "Mohammed",
            },
        ],
    )
    figures = fairness_figures(BiasedScorer(), load_counterfactuals(path), path=path)
    mental, crime = figures["labels"]["mental_health"], figures["labels"]["crime"]
    assert mental["by_attribute"]["ethnicity"] == pytest.approx(
        {"groups": 1, "max_delta": 0.1, "mean_delta": 0.1, "flag_flips": 1, "over_tolerance": 1}
    )
    assert mental["by_attribute"]["name"]["max_delta"] == 0  # "black dog" in both notes
    assert crime["by_attribute"]["name"]["max_delta"] == pytest.approx(0.06)  # 8 - 2 letters
    assert crime["by_attribute"]["name"]["flag_flips"] == 0
    assert figures["labels"]["threat_to_life"]["max_delta"] == 0
    assert figures["max_delta"] == pytest.approx(0.1)
    assert (figures["flag_flips"], figures["over_tolerance"], figures["passed"]) == (1, 2, False)
    assert list(figures["attributes"]) == ["ethnicity", "name"]
    first = figures["failures"][0]  # flips come first
    assert (first["label"], first["group"], first["flag_flip"]) == ("mental_health", "g-eth", True)
    assert first["high"]["value"] == "black" and first["high"]["flagged"]
    assert not first["low"]["flagged"]
    assert figures["file"]["notes"] == 5 and figures["file"]["groups"] == 2


def test_a_malformed_counterfactual_file_is_refused_with_file_and_line(tmp_path):
    path = write_jsonl(
        tmp_path / "bad.jsonl",
        [
            {
                "id": "1",
                "text": "a black male",
                "group": "g1",
                "attribute": "ethnicity",
                "value": "black",
            },
            {
                "id": "2",
                "text": "a white male",
                "group": "g1",
                "attribute": "religion",
                "value": "white",
            },
            {
                "id": "3",
                "text": "a black male",
                "group": "g1",
                "attribute": "ethnicity",
                "value": "black",
            },
            {"id": "4", "text": "Jo called", "group": "g2", "attribute": "name", "value": "Jo"},
            {"id": "5", "text": "Sam called", "group": "g3", "value": "Sam"},
        ],
    )
    with pytest.raises(DataError) as caught:
        load_counterfactuals(path)
    problems = [str(p) for p in caught.value.problems]
    assert any(p.startswith(f"{path}:2:") and "one attribute a group" in p for p in problems)
    assert any(p.startswith(f"{path}:3:") and "twice" in p for p in problems)
    assert any(p.startswith(f"{path}:4:") and "at least two" in p for p in problems)
    assert any(p.startswith(f"{path}:5:") and "'attribute'" in p for p in problems)
    result = runner.invoke(
        app,
        [
            "evaluate",
            "--model",
            "rules",
            "--data",
            str(CORPUS / "test.jsonl"),
            "--fairness",
            str(path),
        ],
    )
    assert result.exit_code == 2
    assert f"{path}:2:" in result.output and "counterfactual file" in result.output


@pytest.fixture(scope="module")
def small_eval(tmp_path_factory) -> Path:
    lines = (CORPUS / "test.jsonl").read_text("utf-8").splitlines()[::40]
    path = tmp_path_factory.mktemp("fair-eval") / "eval.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_evaluate_reports_fairness_in_json_report_and_gates(model_path, small_eval, tmp_path):
    result = runner.invoke(
        app,
        [
            "evaluate",
            "--model",
            str(model_path),
            "--data",
            str(small_eval),
            "--resamples",
            "0",
            "--json",
            str(tmp_path / "e.json"),
            "--report",
            str(tmp_path / "report"),
            "--gate",
            "fairness.max_delta<=1",
            "--gate",
            "fairness.flag_flips>=0",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Identity swaps" in result.output
    fair = json.loads((tmp_path / "e.json").read_text("utf-8"))["fairness"]
    # The default: the bundled set and the behaviour suite's identity grid (issue 14).
    assert fair["file"]["path"] == str(BUNDLED)
    assert fair["file"]["notes"] == len(BUNDLED.read_text("utf-8").splitlines())
    grid = identity_grid()
    assert fair["identity_grid"]["notes"] == len(grid) > 200 * 40
    assert fair["identity_grid"]["groups"] == len(set(grid.extra["group"]))
    assert "identity grid" in result.output
    attributes = {*ATTRIBUTES, *grid.extra["attribute"]}
    assert list(fair["attributes"])[: len(ATTRIBUTES)] == list(ATTRIBUTES)
    assert set(fair["attributes"]) == attributes
    assert (
        sum(fair["attributes"].values()) == fair["file"]["groups"] + fair["identity_grid"]["groups"]
    )
    for label in LABELS:
        section = fair["labels"][label]
        assert set(section["by_attribute"]) == attributes
        assert section["max_delta"] == max(a["max_delta"] for a in section["by_attribute"].values())
    assert fair["max_delta"] == max(fair["labels"][label]["max_delta"] for label in LABELS)
    gates = json.loads((tmp_path / "e.json").read_text("utf-8"))["gates"]
    assert [g["measured"] for g in gates] == [fair["max_delta"], fair["flag_flips"]]
    html = (tmp_path / "report" / "report.html").read_text("utf-8")
    assert "Fairness: identity swaps" in html
    assert all(f'<td class="l">{attribute}</td>' in html for attribute in ATTRIBUTES)


def test_fairness_can_be_left_out_but_not_when_a_gate_needs_it(model_path, small_eval, tmp_path):
    result = runner.invoke(
        app,
        [
            "evaluate",
            "--model",
            "rules",
            "--data",
            str(small_eval),
            "--resamples",
            "0",
            "--no-fairness",
            "--json",
            str(tmp_path / "e.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "e.json").read_text("utf-8"))["fairness"] is None
    result = runner.invoke(
        app,
        [
            "evaluate",
            "--model",
            "rules",
            "--data",
            str(small_eval),
            "--no-fairness",
            "--gate",
            "fairness.flag_flips<=0",
        ],
    )
    assert result.exit_code == 2 and "--no-fairness" in result.output
    result = runner.invoke(
        app,
        [
            "evaluate",
            "--model",
            "rules",
            "--data",
            str(small_eval),
            "--gate",
            "fairness.unfairness<=0",
        ],
    )
    assert result.exit_code == 2 and "max_delta" in result.output


def test_a_forces_own_counterfactual_file_replaces_the_default(model_path, small_eval, tmp_path):
    own = tmp_path / "own.jsonl"
    rows = BUNDLED.read_text("utf-8").splitlines()[:40]
    own.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "evaluate",
            "--model",
            "rules",
            "--data",
            str(small_eval),
            "--resamples",
            "0",
            "--fairness",
            str(own),
            "--json",
            str(tmp_path / "e.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    fair = json.loads((tmp_path / "e.json").read_text("utf-8"))["fairness"]
    assert fair["file"]["path"] == str(own) and fair["file"]["notes"] == 40
    assert fair["identity_grid"] is None
    assert "identity grid" not in result.output

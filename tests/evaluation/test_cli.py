"""`rightcall evaluate` through the command line: JSON, report, gates, baselines, comparison."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from typer.testing import CliRunner

from cli.main import app
from evaluation import MAX_CATEGORIES
from model import LABELS
from tests.conftest import CORPUS

runner = CliRunner()
SCRIPT_NOTE = {
    "id": "xss-1",
    "text": '<script>alert("rightcall")</script> man holding a knife to his wife\'s throat '
    "shouting he will kill her, children in the house",
    "mental_health": 0,
    "crime": 0,
    "threat_to_life": 0,
    "style": "uk-log",
}


@pytest.fixture(scope="module")
def eval_file(tmp_path_factory):
    """Every fourth note of the bundled test split, plus a note whose text is HTML."""
    lines = (CORPUS / "test.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines[::4]]
    path = tmp_path_factory.mktemp("eval") / "force-eval.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in [*rows, SCRIPT_NOTE]), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def full_run(eval_file, model_path, tmp_path_factory):
    """One evaluation with every output, shared by the tests that read its files."""
    out = tmp_path_factory.mktemp("out")
    result = runner.invoke(
        app,
        [
            "evaluate",
            "--model",
            str(model_path),
            "--data",
            str(eval_file),
            "--json",
            str(out / "eval.json"),
            "--report",
            str(out / "report"),
            "--prevalence",
            "threat_to_life=0.03",
            "--worst",
            "10000",
            "--gate",
            "threat_to_life.recall>=0.5",
            "--gate",
            "rcrp.route_agreement>0.3",
        ],
    )
    return result, out


def _evaluate(*args: str):
    return runner.invoke(app, ["evaluate", *args])


def test_json_holds_every_section(full_run, eval_file):
    result, out = full_run
    assert result.exit_code == 0, result.output
    figures = json.loads((out / "eval.json").read_text(encoding="utf-8"))
    for key in (
        "schema_version",
        "model",
        "data",
        "bootstrap",
        "labels",
        "rcrp",
        "slices",
        "errors",
        "comparison",
        "gates",
    ):
        assert key in figures
    assert figures["data"]["notes"] == len(eval_file.read_text().splitlines())
    for label in LABELS:
        section = figures["labels"][label]
        assert set(section["at_threshold"]) == {
            "precision",
            "recall",
            "specificity",
            "f1",
            "tp",
            "fp",
            "fn",
            "tn",
        }
        assert set(section["threshold_free"]) == {
            "roc_auc",
            "average_precision",
            "brier",
            "log_loss",
            "ece",
        }
        counts = {k: section["at_threshold"][k]["value"] for k in ("tp", "fp", "fn", "tn")}
        assert sum(counts.values()) == figures["data"]["notes"]
        assert len(section["calibration"]["bins"]) == 10
        assert sum(b["count"] for b in section["calibration"]["bins"]) == figures["data"]["notes"]
        assert any(row["is_model_threshold"] for row in section["sweep"])
        assert [r["precision_target"] for r in section["recall_at_precision"]] == [0.5, 0.7, 0.9]
        assert set(figures["errors"][label]) == {"false_negatives", "false_positives"}
    assert figures["labels"]["threat_to_life"]["prevalence"]["rate"] == 0.03
    assert figures["labels"]["crime"]["prevalence"] is None
    assert {"style", "hard", "length_words"} <= set(figures["slices"])
    sources = {json.loads(line).get("source") for line in eval_file.read_text().splitlines()}
    # a column with more values than a slice table shows is left out (evaluation/_slices.py)
    assert ("source" in figures["slices"]) == (2 <= len(sources - {None}) <= MAX_CATEGORIES)
    assert "group" not in figures["slices"]  # one value per few notes: not a category
    assert [g["passed"] for g in figures["gates"]] == [True, True]


def test_report_says_why_a_column_has_no_slices(full_run):
    result, out = full_run
    assert result.exit_code == 0, result.output
    html = (out / "report" / "report.html").read_text(encoding="utf-8")
    section = html.split("Columns not sliced", 1)[1].split("<h2>", 1)[0]
    assert "<b>split</b>: one value in every note" in section  # every note is "test"
    assert "<b>group</b>: " in section and "distinct values" in section
    assert "<b>style</b>" not in section and "<b>hard</b>" not in section


def test_report_is_self_contained_and_escapes_note_text(full_run):
    result, out = full_run
    assert result.exit_code == 0, result.output
    html = (out / "report" / "report.html").read_text(encoding="utf-8")

    class Links(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.urls: list[tuple[str, str]] = []
            self.tags: list[str] = []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)
            self.urls += [(tag, value or "") for name, value in attrs if name in ("src", "href")]

    parser = Links()
    parser.feed(html)
    assert "script" not in parser.tags
    assert all(not url.startswith(("http:", "https:", "//")) for _, url in parser.urls)
    images = [url for tag, url in parser.urls if tag == "img"]
    assert len(images) == 3 * len(LABELS)  # reliability, precision-recall, histogram per label
    assert all(url.startswith("data:image/png;base64,") for url in images)
    assert "&lt;script&gt;alert(&#34;rightcall&#34;)&lt;/script&gt;" in html
    assert "xss-1" in html


def test_note_text_is_never_printed(full_run, eval_file):
    result, _ = full_run
    for line in eval_file.read_text(encoding="utf-8").splitlines():
        assert json.loads(line)["text"][:40] not in result.output


def test_a_failing_gate_exits_1_naming_the_gate_and_the_value(eval_file, model_path, tmp_path):
    result = _evaluate(
        "--model",
        str(model_path),
        "--data",
        str(eval_file),
        "--resamples",
        "50",
        "--gate",
        "crime.recall>=0.2",
        "--gate",
        "crime.precision>0.9999",
        "--json",
        str(tmp_path / "e.json"),
    )
    assert result.exit_code == 1
    assert "gate passed: crime.recall>=0.2" in result.output
    assert "gate failed: crime.precision>0.9999 (measured 0." in result.output
    figures = json.loads((tmp_path / "e.json").read_text())  # written before exiting
    assert [g["passed"] for g in figures["gates"]] == [True, False]


@pytest.mark.parametrize(
    "gate",
    [
        "threat_to_life.recall=>0.9",
        "threat_to_life.recall>=high",
        "recall>=0.9",
        "threat.recall>=0.9",
        "crime.accuracy>=0.5",
        "rcrp.recall>=0.5",
        "crime.expected_ppv>=0.2",  # needs --prevalence crime=RATE
    ],
)
def test_a_malformed_gate_exits_2_before_any_work(gate, eval_file, tmp_path):
    result = _evaluate(
        "--model", str(tmp_path / "no-model"), "--data", str(eval_file), "--gate", gate
    )
    assert result.exit_code == 2
    assert "gate" in result.output and gate in result.output


@pytest.mark.parametrize("option", ["crime", "crime=1.5", "burglary=0.1", "crime=abc"])
def test_a_bad_prevalence_exits_2(option, eval_file):
    result = _evaluate("--model", "rules", "--data", str(eval_file), "--prevalence", option)
    assert result.exit_code == 2
    assert "--prevalence" in result.output


def test_prevalence_moves_ppv_as_the_hand_computation_says(eval_file, tmp_path):
    figures = {}
    for rate in ("0.03", "0.3"):
        out = tmp_path / f"{rate}.json"
        result = _evaluate(
            "--model",
            "rules",
            "--data",
            str(eval_file),
            "--resamples",
            "50",
            "--prevalence",
            f"threat_to_life={rate}",
            "--json",
            str(out),
        )
        assert result.exit_code == 0, result.output
        figures[rate] = json.loads(out.read_text())["labels"]["threat_to_life"]
    for rate, section in figures.items():
        counts = {k: section["at_threshold"][k]["value"] for k in ("tp", "fp", "fn", "tn")}
        sensitivity = counts["tp"] / (counts["tp"] + counts["fn"])
        specificity = counts["tn"] / (counts["tn"] + counts["fp"])
        p = float(rate)
        expected = sensitivity * p / (sensitivity * p + (1 - specificity) * (1 - p))
        stated = section["prevalence"]
        assert stated["expected_ppv"]["value"] == pytest.approx(expected)
        assert stated["false_alarms_per_1000"]["value"] == pytest.approx(
            1000 * (1 - specificity) * (1 - p)
        )
        assert stated["expected_ppv"]["ci_low"] <= expected <= stated["expected_ppv"]["ci_high"]
    # The file's own PPV sits between: rarer calls, fewer of the flags are real.
    assert (
        figures["0.03"]["prevalence"]["expected_ppv"]["value"]
        < figures["0.3"]["prevalence"]["expected_ppv"]["value"]
    )


def test_rules_baseline_is_evaluated_like_a_model_and_compared(eval_file, model_path, tmp_path):
    out = tmp_path / "compare.json"
    result = _evaluate(
        "--model",
        str(model_path),
        "--compare",
        "rules-nonegation",
        "--data",
        str(eval_file),
        "--resamples",
        "200",
        "--json",
        str(out),
        "--report",
        str(tmp_path / "report"),
    )
    assert result.exit_code == 0, result.output
    assert "Compared with rules-nonegation" in result.output
    comparison = json.loads(out.read_text())["comparison"]
    assert comparison["other"]["name"] == "rules-nonegation"
    for label in LABELS:
        for name in ("recall", "precision", "roc_auc", "brier"):
            row = comparison["labels"][label][name]
            assert row["delta"] == pytest.approx(row["model"] - row["other"])
            assert row["ci_low"] <= row["delta"] <= row["ci_high"]
    missed = comparison["rcrp"]["threat_to_life_missed"]
    assert missed["delta"] == missed["model"] - missed["other"]
    html = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    assert "Compared with rules-nonegation" in html


def test_a_model_compared_with_itself_differs_by_exactly_zero(
    eval_file, model_path, model_copy, tmp_path
):
    out = tmp_path / "same.json"
    result = _evaluate(
        "--model",
        str(model_path),
        "--compare",
        str(model_copy),
        "--data",
        str(eval_file),
        "--resamples",
        "100",
        "--json",
        str(out),
    )
    assert result.exit_code == 0, result.output
    comparison = json.loads(out.read_text())["comparison"]
    for label in LABELS:
        for row in comparison["labels"][label].values():
            assert row["delta"] == 0
            assert (row["ci_low"], row["ci_high"]) in ((0, 0), (None, None))


def test_bad_data_names_file_and_line_and_evaluates_nothing(tmp_path):
    path = tmp_path / "bad.jsonl"
    good = json.dumps(
        {"id": "1", "text": "caller fine", "mental_health": 0, "crime": 0, "threat_to_life": 0}
    )
    bad_label = good.replace('"1"', '"2"').replace(
        '"threat_to_life": 0', '"threat_to_life": "maybe"'
    )
    path.write_text(f"{good}\n{{not json\n{bad_label}\n", encoding="utf-8")
    out = tmp_path / "e.json"
    result = _evaluate("--model", "rules", "--data", str(path), "--json", str(out))
    assert result.exit_code == 2
    assert f"{path}:2: invalid JSON" in result.output
    assert f"{path}:3: unknown value 'maybe'" in result.output
    assert not out.exists()


def test_missing_model_and_unknown_slice_column_exit_2(eval_file, tmp_path):
    result = _evaluate("--model", str(tmp_path / "nowhere"), "--data", str(eval_file))
    assert result.exit_code == 2
    assert "nowhere" in result.output
    result = _evaluate("--model", "rules", "--data", str(eval_file), "--slice-col", "force_area")
    assert result.exit_code == 2
    assert "force_area" in result.output


def test_a_forces_column_names_and_chosen_slices(tmp_path, eval_file):
    rows = [json.loads(line) for line in eval_file.read_text().splitlines()]
    renamed = [
        {
            "ref": r["id"],
            "narrative": r["text"],
            "MH": r["mental_health"],
            "CR": "Y" if r["crime"] else "N",
            "TTL": r["threat_to_life"],
            "shift": "night" if i % 2 else "day",
        }
        for i, r in enumerate(rows)
    ]
    path = tmp_path / "force.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in renamed), encoding="utf-8")
    out = tmp_path / "e.json"
    result = _evaluate(
        "--model",
        "rules",
        "--data",
        str(path),
        "--text-col",
        "narrative",
        "--id-col",
        "ref",
        "--label-col",
        "mental_health=MH",
        "--label-col",
        "crime=CR",
        "--label-col",
        "threat_to_life=TTL",
        "--slice-col",
        "shift",
        "--resamples",
        "50",
        "--json",
        str(out),
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(out.read_text())
    assert set(figures["slices"]) == {"shift", "length_words"}
    assert {v: g["n"] for v, g in figures["slices"]["shift"].items()} == {
        "day": (len(rows) + 1) // 2,
        "night": len(rows) // 2,
    }
    assert figures["labels"]["crime"]["positives"] == sum(r["crime"] for r in rows)

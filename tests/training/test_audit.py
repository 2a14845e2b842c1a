"""`rightcall data audit`: archetype terms taught backwards fail, skewed words are listed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli.main import app
from tests.conftest import CORPUS
from training import AuditTerm, words_pattern

runner = CliRunner()
SECRET = "Mrs Quillington at 14 Larkspur Row"  # must never reach the terminal or the JSON


def note(i: int, text: str, mh: int = 0, crime: int = 0, ttl: int = 0) -> dict:
    return {"id": f"n{i}", "text": text, "mental_health": mh, "crime": crime, "threat_to_life": ttl}


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def background(start: int, n: int = 40) -> list[dict]:
    """Notes without any audited term, with every label present in some of them."""
    texts = ["caller reports a noise next door", "lost wallet on the bus", "query about a form"]
    return [
        note(
            start + i,
            f"{texts[i % 3]} {SECRET}",
            mh=int(i % 4 == 0),
            crime=int(i % 5 == 0),
            ttl=int(i % 3 == 0),
        )
        for i in range(n)
    ]


def audit(*args: str):
    return runner.invoke(app, ["data", "audit", *map(str, args)])


def test_shot_only_in_decoys_fails_with_a_table_of_failing_terms(tmp_path):
    decoys = [note(i, f"had a flu shot at the clinic, {SECRET}") for i in range(3)]
    rows = decoys + [note(3, f"says he was shot in the chest {SECRET}", ttl=1)] + background(10)
    out = tmp_path / "audit.json"
    result = audit(write_jsonl(tmp_path / "notes.jsonl", rows), "--json", out)
    assert result.exit_code == 1, result.output
    assert "FAILING terms" in result.output
    report = json.loads(out.read_text())
    assert report["passed"] is False
    assert report["failures"] == [{"kind": "archetype", "label": "threat_to_life", "term": "shot"}]
    shot = next(r for r in report["archetypes"] if r["term"] == "shot")
    assert (shot["notes"], shot["positives"], shot["decoys"]) == (4, 1, 3)
    assert SECRET not in result.output and SECRET not in out.read_text()
    assert "clinic" not in out.read_text()  # decoy text stays out, only counts go in


def test_true_cases_outnumbering_decoys_pass_with_a_forces_own_columns(tmp_path):
    rows = [note(i, f"had a flu shot at the clinic {SECRET}") for i in range(3)]
    rows += [note(3 + i, f"RP says her son has been shot {SECRET}", ttl=1) for i in range(4)]
    rows += background(10)
    frame = pd.DataFrame(rows).rename(
        columns={"text": "NOTES", "id": "REF", "threat_to_life": "RISK", "crime": "CRIME_FLAG"}
    )
    frame["RISK"] = frame["RISK"].map({1: "Y", 0: "N"})
    path = tmp_path / "calls.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "audit.json"
    result = audit(
        path,
        "--text-col",
        "NOTES",
        "--id-col",
        "REF",
        "--label-col",
        "threat_to_life=RISK",
        "--label-col",
        "crime=CRIME_FLAG",
        "--json",
        out,
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["passed"] is True and report["notes"] == len(rows)
    shot = next(r for r in report["archetypes"] if r["term"] == "shot")
    assert (shot["positives"], shot["decoys"], shot["status"]) == (4, 3, "pass")
    assert SECRET not in result.output


def test_a_planted_skewed_word_is_listed_with_its_counts_and_an_even_one_is_not(tmp_path):
    # "zebra" is in 12 notes, all mental_health; "call" is in every note, at the base rate.
    rows = [note(i, "zebra call", mh=1, crime=int(i < 4)) for i in range(12)]
    rows += [
        note(100 + i, "call about the weather", mh=int(i % 4 == 0), crime=int(i % 2 == 0))
        for i in range(48)
    ]
    out = tmp_path / "audit.json"
    result = audit(write_jsonl(tmp_path / "notes.jsonl", rows), "--min-count", 10, "--json", out)
    assert result.exit_code == 0, result.output
    skewed = {r["term"]: r for r in json.loads(out.read_text())["skewed_terms"]}
    assert "call" not in skewed
    zebra = skewed["zebra"]
    assert zebra["notes"] == 12
    assert zebra["positives"] == {"mental_health": 12, "crime": 4, "threat_to_life": 0}
    assert zebra["skewed"]["mental_health"]["rate"] == 1.0
    assert zebra["skewed"]["mental_health"]["log_odds"] > 1.0
    assert "crime" not in zebra["skewed"]  # 4 of 12 against a base of 28 of 60: not skewed
    assert "zebra" in result.output  # shown in the mental_health table


def test_a_neutral_word_strongly_skewed_to_mental_health_fails(tmp_path):
    rows = [note(i, "patient on the ward is upset", mh=1) for i in range(30)]
    rows += [note(100 + i, "caller reports noise", mh=int(i % 10 == 0)) for i in range(60)]
    out = tmp_path / "audit.json"
    result = audit(write_jsonl(tmp_path / "notes.jsonl", rows), "--json", out)
    assert result.exit_code == 1, result.output
    report = json.loads(out.read_text())
    assert report["failures"] == [{"kind": "neutral", "label": "mental_health", "term": "patient"}]


def test_a_bad_row_exits_2_naming_file_and_line(tmp_path):
    rows = [note(0, "caller reports noise"), note(1, f"flu shot {SECRET}")]
    rows[1]["threat_to_life"] = "maybe"
    path = write_jsonl(tmp_path / "notes.jsonl", rows)
    with path.open("a") as handle:
        handle.write("{not json\n")
    result = audit(path)
    assert result.exit_code == 2
    assert f"{path}:2: unknown value 'maybe'" in result.output
    assert f"{path}:3: invalid JSON" in result.output
    assert SECRET not in result.output


def test_a_malformed_terms_file_exits_2(tmp_path):
    terms = tmp_path / "terms.toml"
    terms.write_text('[[archetype]]\nlabel = "threat_to_life"\nterm = "shot"\n', "utf-8")
    data = write_jsonl(tmp_path / "notes.jsonl", background(0))
    result = audit(data, "--terms", terms)
    assert result.exit_code == 2
    assert "exactly one of `words` or `pattern`" in result.output


def test_with_a_model_the_largest_weights_are_the_linear_models_own(model_path, tmp_path):
    out = tmp_path / "audit.json"
    data = write_jsonl(tmp_path / "notes.jsonl", background(0))
    result = audit(data, "--model", model_path, "--top", 5, "--json", out)
    assert result.exit_code == 0, result.output
    weights = json.loads(out.read_text())["model_weights"]["labels"]
    from model import LABELS, load

    classifier = load(model_path, with_estimators=True)
    names = classifier.space.words.get_feature_names_out().tolist()
    for label in LABELS:
        words, cues = weights[label]["words"], weights[label]["cues"]
        assert len(words) == len(cues) == 5
        assert all(r["feature"].startswith("cue:") for r in cues)
        for rows in (words, cues):
            sizes = [abs(r["weight"]) for r in rows]
            assert sizes == sorted(sizes, reverse=True)
        linear = classifier.estimators[label].calibrated_classifiers_[0].estimator
        all_words = sorted(abs(w) for w in linear.coef_[0, : len(names)])
        assert abs(words[0]["weight"]) == pytest.approx(all_words[-1], abs=1e-4)
        for row in words:
            column = names.index(row["feature"])
            assert abs(linear.coef_[0, column] - row["weight"]) < 1e-4
        assert words[0]["feature"] in result.output
    assert "Largest weights of model" in result.output


def test_the_bundled_corpus_passes_the_audit(tmp_path):
    out = tmp_path / "audit.json"
    result = audit(*sorted(CORPUS.glob("*.jsonl")), "--json", out)
    failures = json.loads(out.read_text())["failures"] if out.exists() else result.output
    assert result.exit_code == 0, f"failing terms: {failures}"


@given(
    word=st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=12),
    before=st.sampled_from(["", "RP says ", "(", "2x "]),
    after=st.sampled_from(["", " now", ".", "!", ", then"]),
)
def test_a_term_matches_its_words_whole_in_any_case_and_never_inside_a_longer_word(
    word, before, after
):
    # The context words themselves ("RP says ", ", then") would be whole-word matches.
    assume(word not in re.findall(r"[a-z]+", f"{before} {after}".lower()))
    term = AuditTerm(
        "archetype", "threat_to_life", word, re.compile(words_pattern([word]), re.I), ""
    )
    assert term.matches([f"{before}{word.upper()}{after}", f"{before}x{word}{after}"]) == [
        True,
        False,
    ]

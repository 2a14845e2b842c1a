"""The behaviour suite's generator: reproducible, large, covering every capability and test."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluation.behaviour import (
    SuiteError,
    capabilities,
    cases_jsonl,
    clip,
    generate,
    identity_cases,
    identity_counterfactuals,
    load_lexicon,
)
from tests.conftest import REPO

REQUIRED = {
    "archetype": {"mft"},
    "negation": {"mft", "dir"},
    "history": {"mft", "dir"},
    "hypothetical": {"mft", "dir"},
    "reported": {"mft", "inv"},
    "figurative": {"mft", "dir"},
    "robustness": {"inv"},
    "abbreviation": {"mft", "inv"},
    "length": {"mft", "dir"},
    "identity": {"inv"},
}


@pytest.fixture(scope="module")
def cases():
    return generate(seed=13)


def test_same_seed_same_cases_byte_for_byte(cases):
    again = generate(seed=13)
    assert cases_jsonl(again).encode() == cases_jsonl(cases).encode()
    assert cases_jsonl(generate(seed=14)) != cases_jsonl(cases)


def test_at_least_3000_cases_besides_identity_covering_every_capability_and_test(cases):
    assert len([c for c in cases if c.capability != "identity"]) >= 3000
    found: dict[str, set] = {}
    for case in cases:
        found.setdefault(case.capability, set()).add(case.test)
    assert set(capabilities()) == set(REQUIRED)
    for capability, tests in REQUIRED.items():
        assert tests <= found[capability], capability
    assert len({c.id for c in cases}) == len(cases)


def test_archetypes_cover_every_item_of_the_issue_in_several_casings(cases):
    archetype = [c for c in cases if c.capability == "archetype"]
    templates = {c.template.split(".", 1)[1] for c in archetype}
    wanted = {
        "firearm-pointed", "knife-threat", "blunt-weapon", "acid", "height", "water", "railway",
        "ligature", "overdose", "poison", "fire", "not-breathing", "strangulation",
        "child-danger", "vulnerable-adult", "theft", "burglary", "fraud", "assault-over",
        "criminal-damage", "drugs", "breach-of-order", "public-order", "sexual-offence",
        "harassment",
    }  # fmt: skip
    assert wanted <= templates
    casings = Counter((c.template, c.casing) for c in archetype)
    for template in {c.template for c in archetype}:
        assert {casing for t, casing in casings if t == template} == {"as-typed", "upper", "lower"}


def test_mft_asserts_only_labels_and_dir_states_a_direction(cases):
    for case in cases:
        if case.test == "mft":
            assert case.expect and case.changed is None
        else:
            assert case.changed is not None and case.changed != case.text
        if case.test == "dir":
            assert case.direction


def test_identity_grid_is_at_least_200_bases_by_40_descriptions():
    cases = identity_cases()
    per_base = Counter(c.group for c in cases)
    assert len(per_base) >= 200
    assert min(per_base.values()) >= 40
    details = {c.detail for c in cases}
    for variant in ("a mixed-race man", "a mixed race man", "a Mixed Race man", "a young lad"):
        assert any(d.endswith(": " + variant) for d in details)
    attributes = {d.split(":")[0] for d in details}
    assert {"ethnicity", "nationality", "religion", "gender", "sexuality", "age", "name",
            "title", "disability"} <= attributes  # fmt: skip


def test_identity_descriptions_leave_out_what_the_guide_makes_material():
    details = " ".join(c.detail.lower() for c in identity_cases())
    for material in ("child", "pregnant", "vulnerable", "boy", "girl", "teenage", "baby"):
        assert not re.search(rf"\b{material}", details), material


def test_identity_names_are_held_out_from_the_model_lexicon():
    identity = json.loads((REPO / "model" / "lexicon" / "identity.json").read_text("utf-8"))
    known = {name.lower() for name in identity["names"]}
    names = set()
    for case in identity_cases():
        attribute, description = case.detail.split(": ", 1)
        if attribute in ("name", "title"):
            names.update(w.lower() for w in re.findall(r"[A-Z][\w'-]+", description))
    names -= {"mr", "mrs", "ms", "dr"}
    assert len(names) >= 20
    assert not names & known


def test_counterfactuals_load_in_the_fairness_section(tmp_path):
    from evaluation import load_counterfactuals

    rows = list(identity_counterfactuals())
    assert {"id", "text", "group", "attribute", "value", "template", "threat_to_life"} <= set(
        rows[0]
    )
    path = tmp_path / "cf.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    notes = load_counterfactuals(path)
    assert len(notes) == len(rows)


def test_a_force_lexicon_adds_and_replaces_words(tmp_path):
    local = tmp_path / "force.toml"
    local.write_text(
        '[add]\nplace = ["on Sauchiehall Street"]\n[replace]\nknife = ["chib", "shank"]\n',
        encoding="utf-8",
    )
    cases = generate(seed=13, only=["archetype"], lexicon=load_lexicon([local]))
    knife = [c for c in cases if c.template == "archetype.knife-threat"]
    assert knife and all(re.search(r"chib|shank", c.text, re.I) for c in knife)
    assert any("sauchiehall street" in c.text.lower() for c in cases)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[add\nplace = 1", "not valid TOML"),
        ('[replace]\nnope = ["x"]', "no such list"),
        ("[add]\nplace = []", "non-empty list"),
        ('[extra]\nplace = ["x"]', "unknown section"),
    ],
)
def test_a_bad_lexicon_is_refused_naming_the_file(tmp_path, content, message):
    local = tmp_path / "bad.toml"
    local.write_text(content, encoding="utf-8")
    with pytest.raises(SuiteError, match=message) as raised:
        load_lexicon([local])
    assert str(local) in str(raised.value)


@given(st.text(max_size=400))
def test_an_example_never_shows_more_than_120_characters(text):
    shown = clip(text)
    assert len(shown) <= 120
    assert text.startswith(shown.rstrip("…"))

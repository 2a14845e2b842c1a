"""Templates as data: one TOML file a capability under ``templates/``, read and checked here.

Each ``[[template]]`` says which test it is (``mft``, ``inv`` or ``dir``), the wordings it is
written in, and what the labelling guide says about the result. See README.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from model import LABELS

from ._lexicon import HERE, SuiteError, read_toml

TEMPLATES = HERE / "templates"
TESTS = ("mft", "inv", "dir")
CASINGS = ("as-typed", "upper", "lower")
DIRECTIONS = ("up", "down")
PERTURBATIONS = ("upper", "lower", "no_punctuation", "typo", "textspeak", "asr")
# {name}, {Name} (capitalised), {a:name} / {A:name} (with its article)
PLACEHOLDER = re.compile(r"\{(?:([aA]):)?([A-Za-z][A-Za-z0-9_]*)\}")
FILLER_PREFIX = "filler_"


@dataclass(frozen=True)
class Template:
    id: str  # "capability.name"
    capability: str
    test: str
    cases: int
    texts: tuple[str, ...] = ()
    pairs: tuple[tuple[str, str], ...] = ()
    expect: dict | None = None
    direction: dict | None = None
    expect_changed: dict | None = None
    perturbation: str | None = None
    sources: tuple[str, ...] = ()
    casing: tuple[str, ...] = ("as-typed",)
    filler_words: int = 100
    path: str = ""

    def slots(self) -> set[str]:
        found = set()
        for text in (*self.texts, *(t for pair in self.pairs for t in pair)):
            for _, name in PLACEHOLDER.findall(text):
                found.add(name[0].lower() + name[1:])
        return found


def _labels(path: Path, tid: str, key: str, value, allowed) -> dict:
    if not isinstance(value, dict) or not value:
        raise SuiteError(f"{path}: template {tid!r}: {key} must be a table of labels")
    for label, v in value.items():
        if label not in LABELS:
            raise SuiteError(
                f"{path}: template {tid!r}: {key} names {label!r}; use {', '.join(LABELS)}"
            )
        if v not in allowed or isinstance(v, bool):
            raise SuiteError(
                f"{path}: template {tid!r}: {key}.{label} = {v!r}; use one of {allowed}"
            )
    return dict(value)


def _strings(path: Path, tid: str, key: str, value) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise SuiteError(f"{path}: template {tid!r}: {key} must be a list of strings")
    return tuple(value)


def _template(path: Path, capability: str, raw: dict) -> Template:
    tid = raw.get("id")
    if not isinstance(tid, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", tid):
        raise SuiteError(f"{path}: every template needs an id of lower-case words and hyphens")
    known = {
        "id", "test", "cases", "texts", "pairs", "expect", "direction", "expect_changed",
        "perturbation", "sources", "casing", "filler_words",
    }  # fmt: skip
    unknown = sorted(set(raw) - known)
    if unknown:
        raise SuiteError(f"{path}: template {tid!r}: unknown key {unknown[0]!r}")
    test = raw.get("test")
    if test not in TESTS:
        raise SuiteError(f"{path}: template {tid!r}: test must be one of {', '.join(TESTS)}")
    cases = raw.get("cases", 0)
    if not isinstance(cases, int) or isinstance(cases, bool) or cases < 1:
        raise SuiteError(f"{path}: template {tid!r}: cases must be a positive whole number")
    fields: dict = {"id": f"{capability}.{tid}", "capability": capability, "test": test}
    fields.update(cases=cases, path=str(path))
    if "texts" in raw:
        fields["texts"] = _strings(path, tid, "texts", raw["texts"])
    if "pairs" in raw:
        pairs = raw["pairs"]
        if not isinstance(pairs, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(t, str) for t in p)
            for p in pairs
        ):
            raise SuiteError(f"{path}: template {tid!r}: pairs must be [original, changed] lists")
        fields["pairs"] = tuple((a, b) for a, b in pairs)
    if "casing" in raw:
        fields["casing"] = _strings(path, tid, "casing", raw["casing"])
        if set(fields["casing"]) - set(CASINGS):
            raise SuiteError(f"{path}: template {tid!r}: casing from {', '.join(CASINGS)}")
    if "filler_words" in raw:
        fields["filler_words"] = int(raw["filler_words"])
    for key, allowed in (("expect", (0, 1)), ("expect_changed", (0, 1))):
        if key in raw:
            fields[key] = _labels(path, tid, key, raw[key], allowed)
    if "direction" in raw:
        fields["direction"] = _labels(path, tid, "direction", raw["direction"], DIRECTIONS)
    if "perturbation" in raw:
        if raw["perturbation"] not in PERTURBATIONS:
            raise SuiteError(
                f"{path}: template {tid!r}: perturbation from {', '.join(PERTURBATIONS)}"
            )
        fields["perturbation"] = raw["perturbation"]
        fields["sources"] = _strings(path, tid, "sources", raw.get("sources", []))
    template = Template(**fields)
    _check_shape(path, tid, template)
    return template


def _check_shape(path: Path, tid: str, t: Template) -> None:
    def need(ok: bool, what: str) -> None:
        if not ok:
            raise SuiteError(f"{path}: template {tid!r}: a {t.test} test {what}")

    if t.test == "mft":
        need(bool(t.texts) and t.expect is not None, "needs texts and expect")
        need(not t.pairs, "takes texts, not pairs")
    elif t.test == "inv":
        need(bool(t.pairs) != bool(t.perturbation), "needs pairs or a perturbation, not both")
        need(not t.perturbation or bool(t.sources), "with a perturbation needs sources")
    else:
        need(bool(t.pairs) and t.direction is not None, "needs pairs and direction")


def load_templates(folder: Path = TEMPLATES) -> dict[str, list[Template]]:
    """Templates by capability, in file order; the capability is the file's ``capability``."""
    found: dict[str, list[Template]] = {}
    for path in sorted(folder.glob("*.toml")):
        data = read_toml(path)
        capability = data.get("capability")
        if not isinstance(capability, str) or not capability:
            raise SuiteError(f'{path}: needs a top-level capability = "name"')
        raws = data.get("template")
        if not isinstance(raws, list) or not raws:
            raise SuiteError(f"{path}: needs at least one [[template]]")
        templates = [_template(path, capability, raw) for raw in raws]
        ids = [t.id for t in templates]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise SuiteError(f"{path}: template id {dupes[0]!r} used twice")
        found.setdefault(capability, []).extend(templates)
    return found

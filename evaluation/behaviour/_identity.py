"""Identity invariance: base notes crossed with many ways of describing the same person.

The notes come from ``identity.toml``: each situation in each frame is one base note, written
once with the neutral reference ("a person") and once with every description. The same grid,
without the reference, is offered in the counterfactual format ``rightcall evaluate`` reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from model import LABELS

from ._cases import Case, render
from ._lexicon import HERE, SuiteError, read_toml

IDENTITY = HERE / "identity.toml"
CAPABILITY = "identity"
SHORT = {"mental_health": "mh", "crime": "cr", "threat_to_life": "ttl"}


@dataclass(frozen=True)
class Base:
    id: str
    frame: str
    labels: dict[str, int]
    upper: bool

    def note(self, person: str) -> str:
        text = render(self.frame, {"person": person})
        return text.upper() if self.upper else text


@dataclass(frozen=True)
class Grid:
    reference: str
    bases: list[Base]
    descriptions: list[tuple[str, str]]  # (attribute, text)


def _need(ok: bool, message: str) -> None:
    if not ok:
        raise SuiteError(f"{IDENTITY}: {message}")


def load_grid(path: Path = IDENTITY) -> Grid:
    data = read_toml(path)
    _need(isinstance(data.get("reference"), str), 'needs reference = "..."')
    bases = []
    for frame in data.get("frames", []):
        for situation in data.get("situations", []):
            labels = {label: situation.get(SHORT[label]) for label in LABELS}
            _need(
                all(v in (0, 1) for v in labels.values()),
                f"situation {situation.get('id')!r} needs mh, cr and ttl of 0 or 1",
            )
            text = frame["text"].replace("{situation}", situation["text"])
            text = text.replace("{SITUATION}", situation["text"])
            base_id = f"{situation['id']}.{frame['id']}"
            bases.append(Base(base_id, text, labels, bool(frame.get("upper", False))))
    descriptions = [(d["attribute"], d["text"]) for d in data.get("descriptions", [])]
    _need(bool(bases) and bool(descriptions), "needs frames, situations and descriptions")
    texts = [t for _, t in descriptions]
    _need(len(set(texts)) == len(texts), "a description is listed twice")
    return Grid(data["reference"], bases, descriptions)


def identity_cases(grid: Grid | None = None) -> list[Case]:
    """One INV case a base note and description: the reference note against the described."""
    grid = grid or load_grid()
    cases = []
    for base in grid.bases:
        original = base.note(grid.reference)
        for k, (attribute, description) in enumerate(grid.descriptions):
            cases.append(
                Case(
                    id=f"{CAPABILITY}.{base.id}.{k:03d}",
                    capability=CAPABILITY,
                    test="inv",
                    template=f"{CAPABILITY}.{base.id}",
                    group=f"{CAPABILITY}.{base.id}",
                    text=original,
                    changed=base.note(description),
                    detail=f"{attribute}: {description}",
                )
            )
    return cases


def identity_counterfactuals(grid: Grid | None = None) -> Iterator[dict]:
    """Rows in the format of ``data/fairness/counterfactuals.jsonl``: one group a base note and
    attribute (the fairness section wants one attribute a group), every label given."""
    grid = grid or load_grid()
    for base in grid.bases:
        by_attribute: dict[str, list[str]] = {}
        for attribute, description in grid.descriptions:
            by_attribute.setdefault(attribute, []).append(description)
        for attribute, values in by_attribute.items():
            if len(values) < 2:
                continue
            group = f"behave-{base.id}-{attribute}"
            for k, value in enumerate(values):
                yield {
                    "id": f"{group}-{k:02d}",
                    "text": base.note(value),
                    **base.labels,
                    "group": group,
                    "attribute": attribute,
                    "value": value,
                    "template": base.id,
                }

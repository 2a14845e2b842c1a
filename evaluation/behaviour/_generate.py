"""The whole suite from templates, lexicon and seed: the same inputs give the same cases."""

from __future__ import annotations

from pathlib import Path

from ._cases import Case, expand, seeded
from ._identity import CAPABILITY as IDENTITY
from ._identity import identity_cases, load_grid
from ._lexicon import Lexicon, SuiteError, load_lexicon
from ._perturb import perturb
from ._templates import TEMPLATES, Template, load_templates

DEFAULT_SEED = 13


def capabilities(folder: Path = TEMPLATES) -> list[str]:
    """Every capability the suite has, in report order."""
    return [*load_templates(folder), IDENTITY]


def _perturbed(template: Template, sources: list[Case], lexicon: Lexicon, seed: int) -> list[Case]:
    rng = seeded(seed, template.id)
    pool = [c for c in sources if c.test == "mft" and c.casing == "as-typed"]
    cases: list[Case] = []
    for source in rng.sample(pool, len(pool)):
        if len(cases) == template.cases:
            break
        changed = perturb(template.perturbation, source.text, rng, lexicon)
        if changed == source.text:
            continue
        cases.append(
            Case(
                id=f"{template.id}.{len(cases):04d}",
                capability=template.capability,
                test="inv",
                template=template.id,
                group=source.id,
                text=source.text,
                changed=changed,
                detail=template.perturbation,
            )
        )
    return cases


def generate(
    seed: int = DEFAULT_SEED,
    only: list[str] | None = None,
    lexicon: Lexicon | None = None,
    folder: Path = TEMPLATES,
) -> list[Case]:
    """Every case of the chosen capabilities (all when ``only`` is empty), in a fixed order."""
    lexicon = lexicon or load_lexicon()
    templates = load_templates(folder)
    known = [*templates, IDENTITY]
    unknown = [c for c in only or [] if c not in known]
    if unknown:
        raise SuiteError(f"unknown capability {unknown[0]!r}; use one of {', '.join(known)}")
    wanted = set(only or known)
    by_capability: dict[str, list[Case]] = {}
    # Perturbation templates reuse other capabilities' notes, so those are expanded first.
    plain = [t for ts in templates.values() for t in ts if not t.perturbation]
    for template in plain:
        by_capability.setdefault(template.capability, []).extend(expand(template, lexicon, seed))
    for ts in templates.values():
        for template in ts:
            if template.perturbation:
                missing = [s for s in template.sources if s not in templates]
                if missing:
                    raise SuiteError(
                        f"{template.path}: template {template.id!r}: no capability {missing[0]!r}"
                    )
                sources = [c for s in template.sources for c in by_capability.get(s, [])]
                by_capability.setdefault(template.capability, []).extend(
                    _perturbed(template, sources, lexicon, seed)
                )
    if IDENTITY in wanted:
        by_capability[IDENTITY] = identity_cases(load_grid())
    return [c for capability in known if capability in wanted for c in by_capability[capability]]


def cases_jsonl(cases: list[Case]) -> str:
    return "".join(case.to_json() + "\n" for case in cases)

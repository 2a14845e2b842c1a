"""CheckList-style behaviour suite: capability tests generated from templates kept as data."""

from ._cases import Case
from ._figures import clip, figures
from ._gates import check_gates, default_gates, parse_gate
from ._generate import DEFAULT_SEED, capabilities, cases_jsonl, generate
from ._identity import identity_cases, identity_counterfactuals
from ._lexicon import SuiteError, load_lexicon
from ._score import DIR_TOLERANCE, INV_TOLERANCE, Outcome, run


def summary(scorer, seed: int = DEFAULT_SEED) -> dict:
    """The whole suite on ``scorer`` against the default gates (the targets), for a model
    card: each gate's measured value and verdict, and each capability's failure rate."""
    known = capabilities()
    result = figures(run(scorer, generate(seed)), known)
    gates = check_gates([parse_gate(g, known) for g in default_gates()], result)
    return {
        "seed": seed,
        "cases": result["overall"]["cases"],
        "gates": [{k: g[k] for k in ("gate", "measured", "passed")} for g in gates],
        "failure_rates": {
            name: entry["failure_rate"] for name, entry in result["capabilities"].items()
        },
    }


__all__ = [
    "DEFAULT_SEED",
    "DIR_TOLERANCE",
    "INV_TOLERANCE",
    "Case",
    "Outcome",
    "SuiteError",
    "capabilities",
    "cases_jsonl",
    "check_gates",
    "clip",
    "default_gates",
    "figures",
    "generate",
    "identity_cases",
    "identity_counterfactuals",
    "load_lexicon",
    "parse_gate",
    "run",
    "summary",
]

"""The bundled model's behaviour as a few hashes: proof that a refactor changed nothing.

Trains the default model (``training/config.toml`` on the bundled corpus) into a temporary
folder and hashes, for the test split and the shared public evaluation file, the
probabilities of the batch path (rounded to 6 decimals) and everything a handler sees of
each note (probabilities, flags, thresholds, route and evidence) from the batch and the
one-note paths. ``tests/model/test_fingerprint.py`` recomputes them with the session's model
and compares with ``tests/fingerprint.json``.

    .venv/bin/python scripts/fingerprint.py            # print; fail if it differs
    .venv/bin/python scripts/fingerprint.py --update   # rewrite tests/fingerprint.json

Run ``--update`` only when the model is changed on purpose (features, lexicon, training
or defaults), and say so in the commit.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FINGERPRINT_FILE = ROOT / "tests" / "fingerprint.json"
DECIMALS = 6
# Names as stored in the fingerprint file, and where each is read from.
SOURCES = {
    "data/corpus/test.jsonl": ROOT / "data" / "corpus" / "test.jsonl",
    "shared/eval/public-calls.jsonl": ROOT.parent / "shared" / "eval" / "public-calls.jsonl",
}


def read_texts(path: Path) -> list[str]:
    return [json.loads(line)["text"] for line in path.read_text("utf-8").splitlines() if line]


def _digest(lines) -> str:
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def _seen(result) -> str:
    """What a handler sees of one result, model name and version left out."""
    seen = result.to_dict()
    del seen["model"]
    for score in seen["labels"].values():
        score["probability"] = round(score["probability"], DECIMALS)
        score["threshold"] = round(score["threshold"], DECIMALS)
    return json.dumps(seen, sort_keys=True)


def fingerprint_texts(classifier, texts: list[str]) -> dict:
    probabilities = classifier.probabilities(texts)
    return {
        "notes": len(texts),
        "probabilities": _digest(
            " ".join(f"{p:.{DECIMALS}f}" for p in row) for row in probabilities.tolist()
        ),
        "batch_results": _digest(map(_seen, classifier.classify_many(texts))),
        "single_results": _digest(_seen(classifier.classify(text)) for text in texts),
    }


def available_sources() -> dict[str, Path]:
    """The sources present on this machine (the shared public file may be missing)."""
    return {name: path for name, path in SOURCES.items() if path.is_file()}


def fingerprint(classifier, sources: dict[str, Path] | None = None) -> dict:
    sources = available_sources() if sources is None else sources
    return {
        "decimals": DECIMALS,
        "sources": {
            name: fingerprint_texts(classifier, read_texts(path)) for name, path in sources.items()
        },
    }


def fingerprint_default_model() -> dict:
    """Train the default model into a temporary folder and fingerprint it there."""
    from model import load
    from training import load_config, train

    with tempfile.TemporaryDirectory() as tmp:
        result = train(load_config(), Path(tmp))
        return fingerprint(load(result.path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", help=f"rewrite {FINGERPRINT_FILE}")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    found = fingerprint_default_model()
    text = json.dumps(found, indent=2, sort_keys=True) + "\n"
    print(text, end="")
    if args.update:
        FINGERPRINT_FILE.write_text(text, "utf-8")
        print(f"wrote {FINGERPRINT_FILE.relative_to(ROOT)}", file=sys.stderr)
        return 0
    if not FINGERPRINT_FILE.is_file():
        print(f"no {FINGERPRINT_FILE.relative_to(ROOT)}: run with --update", file=sys.stderr)
        return 1
    saved = json.loads(FINGERPRINT_FILE.read_text("utf-8"))
    differs = [
        name for name, value in found["sources"].items() if saved["sources"].get(name) != value
    ]
    for name in differs:
        print(f"{name}: differs from {FINGERPRINT_FILE.relative_to(ROOT)}", file=sys.stderr)
    return 1 if differs else 0


if __name__ == "__main__":
    sys.exit(main())

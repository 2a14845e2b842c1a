"""Write model/spacy_english.json: what inference reads of spaCy's English, so that scoring
and serving never import spaCy (its import was 0.37 s of a 1 s start).

    python scripts/export_spacy_english.py

It holds the tokenizer's patterns and special cases, the stop words and the sentence-ending
punctuation of the installed spaCy. ``tests/model/test_english.py`` fails when the
file no longer matches the installed spaCy: run this, and retrain.
"""

from __future__ import annotations

import json
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET = REPO / "model" / "spacy_english.json"


def spacy_english() -> dict:
    """The installed spaCy's English, as the file holds it."""
    import spacy
    from spacy.attrs import intify_attrs
    from spacy.lang.en.stop_words import STOP_WORDS
    from spacy.pipeline import Sentencizer
    from spacy.symbols import ORTH

    tokenizer = spacy.blank("en").tokenizer
    patterns = {}
    for name in ("prefix_search", "suffix_search", "infix_finditer", "url_match", "token_match"):
        function = getattr(tokenizer, name)
        pattern = getattr(function, "__self__", None)
        patterns[name] = None if pattern is None else [pattern.pattern, pattern.flags]
    return {
        "spacy": spacy.__version__,
        "faster_heuristics": tokenizer.faster_heuristics,
        "patterns": patterns,
        "special_cases": {
            key: [intify_attrs(piece, _do_deprecated=True)[ORTH] for piece in pieces]
            for key, pieces in sorted(tokenizer.rules.items())
        },
        "stop_words": sorted(STOP_WORDS),
        "sentence_ends": sorted(Sentencizer.default_punct_chars),
    }


def main() -> None:
    TARGET.write_text(
        json.dumps(spacy_english(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"spaCy's English written to {TARGET}")


if __name__ == "__main__":
    main()

"""Write model/lexicon/spelling.txt: the words a typing slip may be corrected to.

    python scripts/build_spelling.py [--train data/corpus/train.jsonl]

Targets are English words (symspellpy's list) seen at least twice in the training split, and
every word of the cue, context and abbreviation lexicons. Lexicon words get a large count so
that, between two equally close words, the one the lexicon knows wins. Only the training
split is read: no test note shapes the model.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

from model._spelling import MIN_LENGTH, english_words

REPO = Path(__file__).resolve().parent.parent
LEXICON = REPO / "model" / "lexicon"
WORD = re.compile(r"[a-z]+")
LEXICON_BOOST = 1_000_000


def lexicon_words() -> set[str]:
    words: set[str] = set()
    for line in (LEXICON / "cues.jsonl").read_text(encoding="utf-8").splitlines():
        for phrase in json.loads(line)["phrases"]:
            words.update(WORD.findall(phrase.lower()))
    context = json.loads((LEXICON / "context.json").read_text(encoding="utf-8"))
    for termset in context.values():
        if isinstance(termset, dict):
            for phrases in termset.values():
                for phrase in phrases:
                    words.update(WORD.findall(phrase.lower()))
    abbreviations = json.loads((LEXICON / "abbreviations.json").read_text(encoding="utf-8"))
    for expansion in abbreviations["expansions"].values():
        words.update(WORD.findall(expansion))
    return words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", type=Path, default=REPO / "data" / "corpus" / "train.jsonl")
    parser.add_argument("--out", type=Path, default=LEXICON / "spelling.txt")
    args = parser.parse_args()
    counts: Counter[str] = Counter()
    for line in args.train.read_text(encoding="utf-8").splitlines():
        counts.update(WORD.findall(json.loads(line)["text"].lower()))
    english = english_words()
    targets = {w: c for w, c in counts.items() if c >= 2 and w in english}
    for word in lexicon_words():
        targets[word] = targets.get(word, 0) + LEXICON_BOOST
    lines = [f"{w} {c}" for w, c in sorted(targets.items()) if len(w) >= MIN_LENGTH - 1]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} target words written to {args.out}")


if __name__ == "__main__":
    main()

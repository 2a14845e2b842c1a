"""Write model/lexicon/spelling.txt: the words a typing slip may be corrected to.

    python scripts/build_spelling.py [--train data/corpus/train.jsonl]

Run it after `rightcall data generate` (or after changing the lexicon). Only the training
split is read, so no test note shapes the model.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from model import write_spelling_list

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", type=Path, default=REPO / "data" / "corpus" / "train.jsonl")
    parser.add_argument("--lexicon", type=Path, default=REPO / "model" / "lexicon")
    args = parser.parse_args()
    lines = args.train.read_text(encoding="utf-8").splitlines()
    count = write_spelling_list((json.loads(line)["text"] for line in lines), args.lexicon)
    print(f"{count} target words written to {args.lexicon / 'spelling.txt'}")


if __name__ == "__main__":
    main()

"""Build the bundled corpus from the hand-written seeds, deterministically.

    python data/generate.py [--seeds data/seeds] [--out data/corpus] [--variants 5] [--seed 13]

Each seed note becomes one group: the seed itself plus ``--variants`` augmented
copies (names, addresses, ages and times substituted; call-handling abbreviations
swapped with their expansions; typos; casing). A group never straddles splits, and
seeds that are near-duplicates of each other are put in one group, so no paraphrase
of a test note is trained on. Same seeds + same arguments = byte-identical files.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELS = ("mental_health", "crime", "threat_to_life")
SPLITS = (("train", 70), ("dev", 15), ("test", 15))
NEAR_DUPLICATE = 0.6  # Jaccard similarity of word 3-gram shingles

NAMES = [
    "James",
    "Mohammed",
    "Aisha",
    "Olivia",
    "Jack",
    "Priya",
    "Tomasz",
    "Wei",
    "Kwame",
    "Fatima",
    "Liam",
    "Sophie",
    "Ahmed",
    "Grace",
    "Daniel",
    "Zainab",
    "Connor",
    "Emily",
    "Ravi",
    "Chloe",
    "Marcus",
    "Hannah",
    "Darius",
    "Siobhan",
    "Kofi",
    "Megan",
    "Ali",
    "Jessica",
    "Lukas",
    "Amara",
    "Ryan",
    "Leah",
    "Dev",
    "Bethany",
    "Omar",
    "Niamh",
    "Tyrone",
    "Ellie",
    "Piotr",
    "Yasmin",
    "Carlos",
    "Maria",
    "Jamal",
    "Lucy",
    "Sanjay",
    "Rosa",
    "Mateo",
    "Keisha",
    "Arjun",
    "Ewa",
    "Sarah",
    "Adam",
    "Nadia",
    "Imran",
    "Chen",
    "Ngozi",
    "Andrei",
    "Magdalena",
    "Shanice",
    "Luis",
    "Helen",
    "Peter",
    "Samira",
    "Kiran",
    "Oluwaseun",
    "Declan",
    "Agnieszka",
    "Malik",
    "Isla",
    "Deepak",
]
STREETS = [
    "Harlow",
    "Fenwick",
    "Marlow",
    "Kestrel",
    "Ashby",
    "Linden",
    "Brook",
    "Mercer",
    "Raven",
    "Orchard",
    "Wellfield",
    "Copper",
    "Haddon",
    "Thorn",
    "Millbrook",
    "Granby",
    "Elm",
    "Sycamore",
    "Bramley",
    "Castle",
    "Foxley",
    "Heron",
    "Juniper",
    "Larch",
    "Moss",
    "Northgate",
    "Pinfold",
    "Quarry",
    "Rowan",
    "Saxon",
    "Tanner",
    "Union",
    "Vicarage",
    "Willow",
    "Yarrow",
    "Albion",
    "Beacon",
    "Cedar",
    "Dunmore",
]
SUFFIXES = [
    "Road",
    "Street",
    "Lane",
    "Avenue",
    "Close",
    "Way",
    "Drive",
    "Court",
    "Grove",
    "Crescent",
    "Place",
    "Terrace",
]
# (expansion, abbreviation) pairs swapped in either direction, whole words, case-insensitive.
ABBREVIATIONS = [
    ("reporting person", "RP"),
    ("injured party", "IP"),
    ("missing person", "MISPER"),
    ("overdose", "OD"),
    ("suicidal ideation", "SI"),
    ("mental health", "MH"),
    ("domestic abuse", "DA"),
    ("road traffic collision", "RTC"),
    ("absent without leave", "AWOL"),
    ("section 136", "S136"),
    ("weapon", "WPN"),
    ("unknown", "UNK"),
    ("subject", "SUBJ"),
    ("advised", "ADV"),
    ("with", "w/"),
    ("without", "w/o"),
    ("ambulance", "LAS"),
    ("complainant", "COMP"),
    ("vehicle", "VEH"),
    ("self harm", "DSH"),
    ("history", "hx"),
    ("please", "pls"),
    ("because", "bc"),
    ("people", "ppl"),
    ("right now", "rn"),
]
PROTECTED = {
    "no",
    "not",
    "nil",
    "denies",
    "denied",
    "never",
    "none",
    "without",
    "nobody",
    "isn't",
    "wasn't",
    "doesn't",
    "didn't",
    "can't",
    "won't",
    "cannot",
}
KEYBOARD = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]

NAME_RE = re.compile(r"\b(" + "|".join(NAMES) + r")\b")
ADDRESS_RE = re.compile(r"\b(\d{1,4})(\s+)([A-Z][a-z]+)(\s+)(" + "|".join(SUFFIXES) + r")\b")
AGE_RE = re.compile(r"\b(\d{1,2})(\s?)(M|F|yo|y/o|-year-old| year old| years old)\b")
AGED_RE = re.compile(r"\b(aged )(\d{1,2})\b")
TIME_RE = re.compile(r"\b([01]\d|2[0-3])(:?)([0-5]\d)(\s?hrs)?\b")


def shingles(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def read_seeds(seed_dir: Path) -> list[dict]:
    seeds = []
    for path in sorted(seed_dir.glob("*.jsonl")):
        writer = path.stem
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                row = json.loads(line)
                row["seed_id"] = f"{writer.replace('writer-', 'w')}-{n:04d}"
                row["writer"] = writer
                seeds.append(row)
    return seeds


def group_seeds(seeds: list[dict]) -> list[str]:
    """Union near-duplicate seeds (possibly by different writers) into one group."""
    parent = list(range(len(seeds)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    sets = [shingles(s["text"]) for s in seeds]
    for i in range(len(seeds)):
        for j in range(i + 1, len(seeds)):
            if jaccard(sets[i], sets[j]) >= NEAR_DUPLICATE:
                parent[find(j)] = find(i)
    return [seeds[find(i)]["seed_id"] for i in range(len(seeds))]


def split_of(group: str, seed: int) -> str:
    bucket = int(hashlib.sha256(f"{seed}:{group}".encode()).hexdigest(), 16) % 100
    total = 0
    for name, share in SPLITS:
        total += share
        if bucket < total:
            return name
    return SPLITS[-1][0]


def new_age(age: int, rng: random.Random) -> int:
    """Another age in the same band, so that a child stays a child and an elder an elder."""
    if age < 18:
        return rng.randint(max(1, age - 2), min(17, age + 2))
    if age >= 65:
        return rng.randint(max(65, age - 5), min(95, age + 5))
    return rng.randint(max(18, age - 6), min(64, age + 6))


def substitute(text: str, rng: random.Random) -> str:
    mapping: dict[str, str] = {}

    def name(m: re.Match) -> str:
        if m.group(1) not in mapping:
            mapping[m.group(1)] = rng.choice(NAMES)
        return mapping[m.group(1)]

    text = NAME_RE.sub(name, text)
    text = ADDRESS_RE.sub(
        lambda m: (
            f"{rng.randint(1, 199)}{m.group(2)}{rng.choice(STREETS)}{m.group(4)}"
            f"{rng.choice(SUFFIXES)}"
        ),
        text,
    )
    text = AGE_RE.sub(lambda m: f"{new_age(int(m.group(1)), rng)}{m.group(2)}{m.group(3)}", text)
    text = AGED_RE.sub(lambda m: f"{m.group(1)}{new_age(int(m.group(2)), rng)}", text)

    def clock(m: re.Match) -> str:
        hour = (int(m.group(1)) + rng.choice((-1, 0, 0, 1))) % 24
        return f"{hour:02d}{m.group(2)}{rng.randint(0, 59):02d}{m.group(4) or ''}"

    return TIME_RE.sub(clock, text)


def swap_abbreviations(text: str, rng: random.Random) -> str:
    for expansion, abbreviation in ABBREVIATIONS:
        if rng.random() < 0.5:
            continue
        long_re = re.compile(r"(?<![\w/])" + re.escape(expansion) + r"(?![\w/])", re.I)
        short_re = re.compile(r"(?<![\w/])" + re.escape(abbreviation) + r"(?![\w/])")
        if long_re.search(text):
            text = long_re.sub(abbreviation, text)
        elif short_re.search(text):
            text = short_re.sub(expansion, text)
    return text


def typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    row = next((r for r in KEYBOARD if word[i].lower() in r), None)
    if row is None:
        return word
    j = row.index(word[i].lower())
    near = row[max(0, j - 1) : j] + row[j + 1 : j + 2]
    return word[:i] + rng.choice(near) + word[i + 1 :]


def add_typos(text: str, rng: random.Random, rate: float) -> str:
    def maybe(m: re.Match) -> str:
        word = m.group(0)
        if len(word) < 4 or word.lower() in PROTECTED or rng.random() >= rate:
            return word
        return typo(word, rng)

    return re.sub(r"[A-Za-z']+", maybe, text)


def recase(text: str, style: str, rng: random.Random) -> str:
    if style == "us-cad" or rng.random() < 0.3:
        return text.upper() if rng.random() < 0.5 else text.lower()
    return text.lower()


def variant(seed: dict, k: int, rng: random.Random) -> tuple[str, list[str]]:
    """The k-th augmented copy of a seed: always new names/places, plus one surface change."""
    text = substitute(seed["text"], rng)
    hard = list(seed.get("hard", []))
    kind = k % 4
    if kind in (0, 2):
        text = swap_abbreviations(text, rng)
    if kind in (1, 2):
        text = add_typos(text, rng, rate=0.04 if kind == 1 else 0.08)
        if "typos" not in hard and kind == 2:
            hard.append("typos")
    if kind == 3:
        text = recase(swap_abbreviations(text, rng), seed["style"], rng)
    return text, hard


def build(seed_dir: Path, variants: int, seed: int) -> dict[str, list[dict]]:
    seeds = read_seeds(seed_dir)
    groups = group_seeds(seeds)
    splits: dict[str, list[dict]] = {name: [] for name, _ in SPLITS}
    for row, group in zip(seeds, groups, strict=True):
        split = split_of(group, seed)
        texts_seen = {row["text"]}
        copies = [(row["text"], list(row.get("hard", [])), "seed")]
        for k in range(variants):
            rng = random.Random(f"{seed}:{row['seed_id']}:{k}")
            text, hard = variant(row, k, rng)
            if text not in texts_seen:
                texts_seen.add(text)
                copies.append((text, hard, "augmented"))
        for k, (text, hard, kind) in enumerate(copies):
            record = {"id": f"rc-{row['seed_id']}-{k}", "text": text}
            record.update({label: int(row[label]) for label in LABELS})
            record.update(
                {
                    "style": row["style"],
                    "group": group,
                    "source": f"{kind}:{row['writer']}",
                    "hard": hard,
                    "split": split,
                }
            )
            splits[split].append(record)
    return splits


def write(splits: dict[str, list[dict]], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, rows in splits.items():
        with (out / f"{name}.jsonl").open("w", encoding="utf-8", newline="\n") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=Path, default=HERE / "seeds")
    parser.add_argument("--out", type=Path, default=HERE / "corpus")
    parser.add_argument("--variants", type=int, default=6)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    splits = build(args.seeds, args.variants, args.seed)
    write(splits, args.out)
    for name, rows in splits.items():
        print(f"{name}: {len(rows)} notes in {len({r['group'] for r in rows})} groups")


if __name__ == "__main__":
    main()

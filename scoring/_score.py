"""Batch scoring: stream a file of notes through a model in chunks, bounded memory.

The input is validated in a first streaming pass (every problem reported, nothing
written), then scored chunk by chunk in a second pass.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path

import numpy as np
from pydantic_core import to_json

from model import LABELS, Classifier, collector_paused, route_for
from notefiles import ColumnMapping, DataError, Problem, iter_rows, validate_unlabelled

OUTPUT_FORMATS = {".jsonl": "jsonl", ".csv": "csv", ".parquet": "parquet"}
CHUNK = 2000
# Each label's two output columns, in ``LABELS`` order: made once, read for every note.
LABEL_COLUMNS = [(f"{label}_probability", f"{label}_flag") for label in LABELS]


def output_columns() -> list[str]:
    return ["id", *(name for pair in LABEL_COLUMNS for name in pair), "route"]


def iter_chunks(
    path: Path, mapping: ColumnMapping, size: int = CHUNK
) -> Iterator[tuple[list, list]]:
    ids, texts = [], []
    for n, row in iter_rows(path, [mapping.text, mapping.id]):
        note_id = row.get(mapping.id)
        ids.append(str(note_id) if note_id not in (None, "") else f"{path.stem}:{n}")
        texts.append(row[mapping.text])
        if len(texts) == size:
            yield ids, texts
            ids, texts = [], []
    if texts:
        yield ids, texts


def score_rows(
    classifier: Classifier, ids: list[str], texts: list[str], with_evidence: bool = False
) -> list[dict]:
    """One chunk's output rows, with the cyclic collector paused (see ``collector_paused``)."""
    with collector_paused():
        if with_evidence:
            return _rows_with_evidence(classifier, ids, texts)
        return _rows(classifier, ids, texts)


def _rows(classifier: Classifier, ids: list[str], texts: list[str]) -> list[dict]:
    # Without evidence no per-note result objects are needed: probabilities, flags, route.
    probabilities = classifier.probabilities(texts)
    thresholds = np.array([classifier.thresholds[label] for label in LABELS])
    flags = (probabilities >= thresholds).astype(np.int64).tolist()
    ttl, crime, mh = (LABELS.index(x) for x in ("threat_to_life", "crime", "mental_health"))
    rows = []
    for note_id, p, f in zip(ids, rounded(probabilities), flags, strict=True):
        row: dict = {"id": note_id}
        for (probability_name, flag_name), x, flag in zip(LABEL_COLUMNS, p, f, strict=True):
            row[probability_name] = x
            row[flag_name] = flag
        row["route"] = route_for(f[ttl] == 1, f[crime] == 1, f[mh] == 1)
        rows.append(row)
    return rows


def rounded(probabilities: np.ndarray, digits: int = 6) -> list[list[float]]:
    """Each value exactly as ``round(value, digits)`` gives it, rows as lists, at numpy's pace.

    With y = x * 10**digits and k the nearest integer, ``round`` gives k / 10**digits whenever
    y is not near a half: the product's error (half an ulp of y, under 1e-7 while y < 1e9)
    cannot then move the exact x * 10**digits to another k, and k / 10**digits is the double
    nearest that decimal, as ``round``'s own result is. Values near a half, large values and
    NaN go to ``round``. Tested equal to ``round`` with hypothesis."""
    scale = 10.0**digits
    with np.errstate(invalid="ignore", over="ignore"):  # NaN and inf go to ``round``
        scaled = probabilities * scale
        nearest = np.rint(scaled)
        out = nearest / scale
        unsure = ~((np.abs(scaled - nearest) < 0.4999) & (np.abs(scaled) < 1e9))
    if unsure.any():
        for at in zip(*np.nonzero(unsure), strict=True):
            out[at] = round(float(probabilities[at]), digits)
    return out.tolist()


def _rows_with_evidence(classifier: Classifier, ids: list[str], texts: list[str]) -> list[dict]:
    rows = []
    for note_id, result in zip(ids, classifier.classify_many(texts), strict=True):
        row: dict = {"id": note_id}
        for label, (probability_name, flag_name) in zip(LABELS, LABEL_COLUMNS, strict=True):
            score = result.labels[label]
            row[probability_name] = round(score.probability, 6)
            row[flag_name] = int(score.flagged)
        row["route"] = result.route.suggestion
        row["evidence"] = json.dumps([asdict(e) for e in result.evidence])
        rows.append(row)
    return rows


class ScoreWriter:
    """Writes scored rows to .jsonl, .csv or .parquet; the file appears only when complete."""

    def __init__(self, path: Path, with_evidence: bool = False) -> None:
        self.format = OUTPUT_FORMATS.get(path.suffix.lower())
        if self.format is None:
            raise DataError(
                [Problem(str(path), None, "output must end in " + ", ".join(OUTPUT_FORMATS))]
            )
        self.path = path
        self.columns = output_columns() + (["evidence"] if with_evidence else [])
        self.tmp = path.with_name(path.name + ".partial")
        self._parquet = None
        self.handle = None
        if self.format == "jsonl":
            self.handle = self.tmp.open("wb")
        elif self.format == "csv":
            self.handle = self.tmp.open("w", encoding="utf-8", newline="")
            self.csv = csv.DictWriter(self.handle, fieldnames=self.columns)
            self.csv.writeheader()

    def write(self, rows: list[dict]) -> None:
        if self.format == "jsonl":
            self.handle.write(json_lines(rows))
        elif self.format == "csv":
            self.csv.writerows(rows)
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            schema = _arrow_schema(self.columns)
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self.tmp, schema)
            self._parquet.write_table(pa.Table.from_pylist(rows, schema=schema))

    def write_json_lines(self, lines: bytes) -> None:
        """Rows a worker encoded with ``json_lines`` (JSONL output only)."""
        if self.format != "jsonl":
            raise ValueError(f"JSON lines written to a {self.format} output")
        self.handle.write(lines)

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
        if self._parquet is not None:
            self._parquet.close()
        self.tmp.replace(self.path)

    def abort(self) -> None:
        if self.handle is not None:
            self.handle.close()
        if self._parquet is not None:
            self._parquet.close()
        self.tmp.unlink(missing_ok=True)


def json_lines(rows: list[dict]) -> bytes:
    """Rows as JSONL output lines (``ScoreWriter`` writes them, or a worker encodes them)."""
    return b"".join(map(_json_line, rows))


def _json_line(row: dict) -> bytes:
    """One output line: compact UTF-8 JSON by pydantic-core (a fifth of the time of
    ``json.dumps``); a row it cannot encode (an id with a lone surrogate) by ``json``."""
    try:
        return to_json(row) + b"\n"
    except ValueError:
        return json.dumps(row).encode("utf-8") + b"\n"


def _arrow_schema(columns: list[str]):
    """A fixed schema, so every chunk (and every engine) writes the same Parquet types."""
    import pyarrow as pa

    kinds = {"probability": pa.float64(), "flag": pa.int64()}
    return pa.schema([(c, kinds.get(c.rsplit("_", 1)[-1], pa.string())) for c in columns])


def score_file(
    classifier: Classifier,
    source: Path,
    output: Path,
    mapping: ColumnMapping | None = None,
    on_chunk: Callable[[int], None] = lambda n: None,
    with_evidence: bool = False,
    validated: bool = False,
) -> int:
    """Score every note of ``source`` into ``output``; returns the number of notes."""
    mapping = mapping or ColumnMapping()
    if not validated:  # ``validate_unlabelled`` already passed on this file
        validate_unlabelled(source, mapping)
    writer = ScoreWriter(output, with_evidence)
    total = 0
    try:
        for ids, texts in iter_chunks(source, mapping):
            writer.write(score_rows(classifier, ids, texts, with_evidence))
            total += len(ids)
            on_chunk(len(ids))
    except BaseException:
        writer.abort()
        raise
    writer.close()
    return total

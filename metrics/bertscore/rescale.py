"""The rescaling baselines BERTScore reads: where the project's are kept, and how a baseline file is read.

A baseline file is bert_score's ``LAYER,P,R,F`` table (one row per layer, layer 0 the word pieces) of the mean
scores of unrelated sentence pairs; :mod:`metrics.bertscore` rescales with it, :mod:`metrics.bertscore.baseline`
makes the project's own for the embedded model. Reading is kept apart from making so that the metric does not
import the maker, which itself scores with the metric's matching.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

from harness.errors import HarnessError

BASELINES = Path(__file__).parent / "baselines"


@dataclass(frozen=True)
class Baseline:
    """Per-layer (P, R, F) means from a baseline file, and a short hash of the file for signatures."""

    rows: dict[int, tuple[float, float, float]]
    sha256: str

    def layer(self, layer: int, *, model: str) -> tuple[float, float, float]:
        if layer not in self.rows:
            raise HarnessError(f"bertscore: the rescaling baseline of {model!r} has no layer {layer}")
        return self.rows[layer]


def read_baseline(path: Path) -> Baseline:
    """A ``LAYER,P,R,F`` file (bert_score's format)."""
    data = path.read_bytes()
    rows: dict[int, tuple[float, float, float]] = {}
    reader = csv.reader(data.decode("utf-8").splitlines())
    header = next(reader)
    if [h.strip() for h in header] != ["LAYER", "P", "R", "F"]:
        raise HarnessError(f"{path}: line 1: expected the header LAYER,P,R,F, got {','.join(header)}")
    for line, row in enumerate(reader, start=2):
        try:
            layer, p, r, f = int(row[0]), float(row[1]), float(row[2]), float(row[3])
        except (ValueError, IndexError):
            raise HarnessError(f"{path}: line {line}: expected LAYER,P,R,F numbers, got {','.join(row)}") from None
        rows[layer] = (p, r, f)
    return Baseline(rows, hashlib.sha256(data).hexdigest())

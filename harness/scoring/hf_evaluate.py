"""Shared pieces of the metrics' Hugging Face ``evaluate`` wrappers (``metrics/<name>/<name>.py``).

Each wrapper declares its own docstring, citation and options; the input features (one string prediction
and one string reference, the source, per example) and the aggregation (the plain mean, computed as the
runner computes it, or per-example lists) are the same for all of them and live here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from harness.scoring.registry import Metric


def text_pair_features() -> Any:
    """``datasets.Features`` of a prediction string and a reference string."""
    import datasets  # seconds to import; only evaluate users come here

    return datasets.Features({"predictions": datasets.Value("string"), "references": datasets.Value("string")})


def metric_info(description: str | None, citation: str, inputs_description: str, **extra: Any) -> Any:
    """``evaluate.MetricInfo`` of a wrapper: its own texts (and e.g. ``reference_urls``), the shared features."""
    import evaluate

    return evaluate.MetricInfo(
        description=description,
        citation=citation,
        inputs_description=inputs_description,
        features=text_pair_features(),
        **extra,
    )


def compute(
    metric: Metric, predictions: Sequence[str], references: Sequence[str], *, use_aggregator: bool
) -> dict[str, Any]:
    """Score with the harness metric; the mean of every key (``math.fsum``, as ``run.json``), or lists."""
    if not predictions:
        raise ValueError(f"{metric.name}: no predictions to score (a mean over zero examples is undefined)")
    rows = metric.score(sources=list(references), candidates=list(predictions))
    if not use_aggregator:
        return {key: [row[key] for row in rows] for key in metric.keys()}
    return {key: math.fsum(row[key] for row in rows) / len(rows) for key in metric.keys()}

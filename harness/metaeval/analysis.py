"""One dataset's meta-evaluation: every level, coefficient and key with its interval, the significance
clusters, the human ceiling and (FRANK) the binary view, as one JSON-ready dict that the formats render.

Choices, each named in the output:

- every key is oriented so that higher means more faithful (a key where lower is better is negated) and keys
  without a better direction (counts) are left out, listed under ``excluded_keys``;
- intervals: :mod:`harness.metaeval.bootstrap`, one set of resamples for every key, level and coefficient;
- significance: :mod:`harness.metaeval.significance` on each level's headline coefficient (Kendall's tau-b at
  the summary and system levels, as Deutsch et al. 2021 and the WMT metrics task rank by; Pearson at the
  global level, where a permutation Kendall is out of reach, and at FRANK's partial level, which FRANK reports);
- a key constant in every group of a level (every used document, every system's summaries, ...) has nothing to
  correlate: it is listed under the level's ``constant_keys``, not ranked and not in the clusters (scored 0 by
  the undefined-groups policy, it would sit among the keys that track people least, or in the top cluster of a
  level where every key is weak); a key constant in most groups, or (partial level) one value in most summaries,
  is ranked with a ``warnings`` entry saying how far, since its correlation rests on the few groups left;
- human ceiling: where each annotator's rating is kept (SummEval's experts), each annotator against the mean of
  the others (leave one out), at every level and coefficient, and their mean: what a metric could be expected
  to reach if it agreed with people as well as one of them agrees with the rest. It is a conservative
  ceiling: the metrics are scored against the mean of all the annotators, which is less noisy than two.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from harness.errors import HarnessError, did_you_mean
from harness.metaeval import bootstrap, frank, levels, significance
from harness.metaeval import coefficients as coef
from harness.metaeval.coefficients import Array
from harness.metaeval.data import Scores
from harness.metaeval.weights import Weights
from harness.rank.stats import DEFAULT_ALPHA, DEFAULT_LEVEL, DEFAULT_RESAMPLES

HEADLINE = {
    levels.SUMMARY: coef.KENDALL,
    levels.SYSTEM: coef.KENDALL,
    levels.GLOBAL: coef.PEARSON,
    levels.PARTIAL: coef.PEARSON,
}
POLICY = (
    "summary level: a document whose human scores are all equal is skipped for every metric; where people's "
    "scores vary but a metric's do not, the metric scores 0 there (its covariance with people is 0), so every "
    "metric is averaged over the same documents"
)


@dataclass(frozen=True)
class Settings:
    """What ``harness meta-eval`` was asked for."""

    aspect: str | None = None
    levels: tuple[str, ...] | None = None
    resamples: int = DEFAULT_RESAMPLES
    seed: int = 1234
    alpha: float = DEFAULT_ALPHA
    confidence: float = DEFAULT_LEVEL

    def to_json(self) -> dict[str, Any]:
        return {
            "resamples": self.resamples,
            "seed": self.seed,
            "alpha": self.alpha,
            "confidence_level": self.confidence,
            "bootstrap": bootstrap.METHOD,
            "permutation": significance.METHOD,
            "clusters": "WMT metrics task (mt-metrics-eval AssignRanks) on Holm-adjusted p-values",
            "headline": dict(HEADLINE),
            "undefined_groups": POLICY,
            "orientation": "keys where lower is better are negated; keys with no better direction are left out",
        }


def evaluate(scores: Scores, settings: Settings) -> dict[str, Any]:
    """Every statistic of one dataset; raises :class:`HarnessError` for a level that people's scores leave
    undefined."""
    from threadpoolctl import threadpool_limits

    # The matrix products here are many and small (resamples x a dozen systems): BLAS threads cost more in
    # start-up and contention than they save (measured: 1.6x faster on 2 cores with one thread).
    with threadpool_limits(limits=1, user_api="blas"):
        return _evaluate(scores, settings)


def _evaluate(scores: Scores, settings: Settings) -> dict[str, Any]:
    info = scores.info
    aspect = settings.aspect or info.aspect
    if aspect not in scores.human:
        raise HarnessError(
            f"{info.name}: no human field {aspect!r}{did_you_mean(aspect, scores.human)} "
            f"(its fields: {', '.join(scores.human)})"
        )
    chosen_levels = settings.levels or info.levels
    h, present = scores.human[aspect], scores.present
    n, m = present.shape
    identity = Weights.identity(n, m)
    worlds = bootstrap.draw(n, m, resamples=settings.resamples, seed=settings.seed)
    annotators = scores.annotators.get(aspect)
    out_levels = []
    for level in chosen_levels:
        if level == levels.PARTIAL and not np.isfinite(
            levels.values(level, h[None], h, present, identity, coef.PEARSON)[0]
        ):
            raise HarnessError(f"{info.name}: {aspect} does not vary within any system: the partial level is undefined")
        out_levels.append(_level(scores, aspect, level, h, present, identity, worlds, annotators, settings))
    result: dict[str, Any] = {
        "dataset": info.name,
        "task": scores.task.name,
        "task_file": str(scores.task.path),
        "task_version": scores.task.version,
        "aspect": aspect,
        "split": scores.split,
        "data": scores.data,
        "shape": {"documents": n, "systems": m, "summaries": int(present.sum())},
        "systems": scores.systems,
        "signatures": scores.signatures,
        "keys": [{"key": k.name, "metric": k.metric, "orientation": k.orientation} for k in scores.keys],
        "excluded_keys": scores.excluded,
        "notes": scores.notes,
        "levels": out_levels,
    }
    if info.binary:
        result["binary"] = _binary(scores, present, worlds, settings)
    return result


def _interval(samples: Array, settings: Settings) -> dict[str, Any]:
    return bootstrap.interval(samples, level=settings.confidence).to_json()


def _level(
    scores: Scores,
    aspect: str,
    level: str,
    h: Array,
    present: Any,
    identity: Weights,
    worlds: Weights,
    annotators: Array | None,
    settings: Settings,
) -> dict[str, Any]:
    name = scores.info.name
    human_counts = levels.counts(level, h, h, present)
    if level == levels.SUMMARY and human_counts.used == 0:
        raise HarnessError(
            f"{name}: {aspect} is the same for every system in every document: the summary level is undefined "
            "(no ordering to agree with)"
        )
    constant_keys, warnings, varying = _constant_and_sparse(scores, level, h, present)
    coefficients: dict[str, Any] = {}
    for coefficient in levels.LEVEL_COEFFICIENTS[level]:
        rows: list[dict[str, Any]] = []
        for key in varying:
            x = scores.metric[key.name]
            point = float(levels.values(level, x[None], h, present, identity, coefficient)[0])
            if not np.isfinite(point):
                raise HarnessError(f"{name}: {aspect} does not vary at the {level} level: {coefficient} is undefined")
            samples = levels.values(level, x[None], h, present, worlds, coefficient)
            rows.append(
                {
                    "key": key.name,
                    "value": point,
                    "ci": _interval(samples, settings),
                    "n": levels.counts(level, x, h, present).to_json(),
                }
            )
        rows.sort(key=lambda row: -row["value"])
        block: dict[str, Any] = {"results": rows}
        if coefficient == HEADLINE[level] and len(rows) > 1:
            block["significance"] = _significance(scores, level, coefficient, h, present, rows, settings)
        if annotators is not None:
            block["ceiling"] = _ceiling(level, coefficient, annotators, present, identity, worlds, settings)
        coefficients[coefficient] = block
    return {
        "level": level,
        "description": levels.DESCRIPTIONS[level],
        "headline": HEADLINE[level],
        "n": human_counts.to_json() | {"metric_constant": None},
        "coefficients": coefficients,
        "constant_keys": constant_keys,
        "warnings": warnings,
    }


# A key constant in more than this share of a level's groups, or holding one value in more than this share of
# the summaries (partial level), is ranked with a warning: its correlation rests on the minority left.
SPARSE_SHARE = 0.5


def _constant_and_sparse(
    scores: Scores, level: str, h: Array, present: Any
) -> tuple[list[dict[str, Any]], dict[str, str], list[Any]]:
    """The keys constant in every group of ``level`` (not ranked), warnings for keys constant in most groups or
    (partial level) sparse, and the keys that are ranked."""
    constant: list[dict[str, Any]] = []
    warnings: dict[str, str] = {}
    varying = []
    for key in scores.keys:
        x = scores.metric[key.name]
        flat, groups, unit = levels.constant_groups(level, x, h, present)
        if groups and flat == groups:
            constant.append({"key": key.name, "constant_in": flat, "groups": groups, "unit": unit})
            continue
        varying.append(key)
        said = []
        if groups > 1 and flat > SPARSE_SHARE * groups:
            said.append(
                f"constant in {flat} of {groups} {unit}" + (" (scored 0 there)" if level == levels.SUMMARY else "")
            )
        if level == levels.PARTIAL:
            value, share = levels.modal_share(x, present)
            if share > SPARSE_SHARE:
                total = int(present.sum())
                said.append(
                    f"sparse: {share:.0%} of the {total} summaries have {key.name} = {key.orientation * value:g}, so "
                    f"its partial correlation rests on the other {total - round(share * total)}"
                )
        if said:
            warnings[key.name] = "; ".join(said)
    return constant, warnings, varying


def _significance(
    scores: Scores, level: str, coefficient: str, h: Array, present: Any, rows: list[dict[str, Any]], settings: Settings
) -> dict[str, Any]:
    observed = {row["key"]: row["value"] for row in rows}
    n_pairs = len(rows) * (len(rows) - 1) // 2
    permutations = significance.permutations_needed(n_pairs, settings.resamples, settings.alpha)
    pairs = significance.compare(
        level,
        coefficient,
        {key: scores.metric[key] for key in observed},
        h,
        present,
        observed,
        resamples=permutations,
        seed=settings.seed,
    )
    ranks = significance.clusters(observed, pairs, alpha=settings.alpha)
    for row in rows:
        row["rank"] = ranks[row["key"]]
    return {"permutations": permutations, "alpha": settings.alpha, "pairs": [pair.to_json() for pair in pairs]}


def _ceiling(
    level: str,
    coefficient: str,
    annotators: Array,
    present: Any,
    identity: Weights,
    worlds: Weights,
    settings: Settings,
) -> list[dict[str, Any]]:
    """Each annotator against the mean of the others, and the mean of those (per resample for its interval)."""
    rows = []
    points, samples = [], []
    for a in range(annotators.shape[0]):
        others = np.delete(annotators, a, axis=0).mean(axis=0)
        mine = annotators[a]
        point = float(levels.values(level, mine[None], others, present, identity, coefficient)[0])
        resampled = levels.values(level, mine[None], others, present, worlds, coefficient)
        points.append(point)
        samples.append(resampled)
        rows.append(
            {
                "annotator": a + 1,
                "value": point,
                "ci": _interval(resampled, settings),
                "n": levels.counts(level, mine, others, present).to_json(),
            }
        )
    # A resample where one annotator's statistic is undefined leaves the mean undefined in it too.
    mean_samples = np.mean(np.stack(samples), axis=0)
    rows.append({"annotator": "mean", "value": float(np.mean(points)), "ci": _interval(mean_samples, settings)})
    return rows


def _binary(scores: Scores, present: Any, worlds: Weights, settings: Settings) -> dict[str, Any]:
    """ROC-AUC of every key for "has any error" (the first binary field < 1) and each error type."""
    identity = Weights.identity(*present.shape)
    fields = scores.info.binary
    free = np.stack([frank.label(scores.human[field], present) for field in fields])
    labels: list[dict[str, Any]] = []
    for index, field in enumerate(fields):
        with_error, without = int((present & ~free[index]).sum()), int(free[index].sum())
        name = frank.ANY_ERROR if index == 0 else field
        labels.append({"label": name, "field": field, "with_error": with_error, "without": without, "auc": []})
    usable = [i for i, label in enumerate(labels) if label["with_error"] and label["without"]]
    for key in scores.keys:
        x = np.where(present, scores.metric[key.name], 0.0)
        points = frank.auc(x, free[usable], present, identity)[:, 0]
        resampled = frank.auc(x, free[usable], present, worlds)
        for i, point, samples in zip(usable, points, resampled, strict=True):
            labels[i]["auc"].append({"key": key.name, "value": float(point), "ci": _interval(samples, settings)})
    return {
        "definition": (
            "ROC-AUC: chance that a summary without the error scores higher than one with it (ties 1/2), over every "
            "summary pooled (so, like the global level, it also carries the differences between systems and between "
            "CNN/DM and XSum)"
        ),
        "labels": labels,
    }

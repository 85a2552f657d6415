"""Does a combination of keys beat every single key at tracking faithfulness? (issue 17, "defaults by evidence")

The combination is fitted on FRANK's *validation* split only (671 summaries; FRANK's authors tune there): ordinary
least squares of the human Factuality score on every key with a better direction, each z-scored with the
validation split's mean and standard deviation, plus a one-hot of the system, so that the weights describe
within-system variation, which is what FRANK's partial correlation measures. The fitted weights (system terms
dropped) then score SummEval and FRANK's *test* split, and the combination is meta-evaluated beside the single
keys exactly as ``harness meta-eval`` does (summary-level Kendall tau-b on SummEval consistency, partial Pearson on
FRANK test; same bootstrap, permutation test and clusters, :mod:`harness.metaeval.analysis`).

The rule from the issue: the combination may become the default only if it beats every single key with
non-overlapping 95% intervals on both; the script prints whether it does.

    python benchmarks/combined_key.py --results /tmp/results --metrics rouge,numeric,bertscore

Scores come from the runs in ``--results`` (as ``harness meta-eval`` gathers them; missing ones are scored first).
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from harness.metaeval import analysis, data
from harness.metaeval.levels import PARTIAL, SUMMARY

COMBINED = "combined"


def fit(scores: data.Scores) -> tuple[dict[str, float], dict[str, tuple[float, float]]]:
    """OLS weights of each z-scored key (with system one-hot terms) for the human aspect, and each key's
    (mean, sd) on the fitting data."""
    present = scores.present
    y = scores.human[scores.info.aspect][present]
    names = [k.name for k in scores.keys]
    columns, scale = [], {}
    for name in names:
        values = scores.metric[name][present]
        mean, sd = float(values.mean()), float(values.std())
        scale[name] = (mean, sd if sd > 0 else 1.0)
        columns.append((values - scale[name][0]) / scale[name][1])
    systems = np.nonzero(present)[1]
    onehot = np.eye(present.shape[1])[systems]
    design = np.column_stack([*columns, onehot])
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    return dict(zip(names, (float(b) for b in beta[: len(names)]), strict=True)), scale


def with_combined(scores: data.Scores, weights: dict[str, float], scale: dict[str, tuple[float, float]]) -> data.Scores:
    """``scores`` with the combination as one more key (NaN where a system did not summarise a document)."""
    combined = np.zeros(scores.present.shape)
    for name, weight in weights.items():
        mean, sd = scale[name]
        combined += weight * (scores.metric[name] - mean) / sd
    combined = np.where(scores.present, combined, np.nan)
    return dataclasses.replace(
        scores,
        keys=[*scores.keys, data.Key(COMBINED, COMBINED, 1.0)],
        metric={**scores.metric, COMBINED: combined},
    )


def headline(result: dict[str, Any]) -> list[dict[str, Any]]:
    (level,) = result["levels"]
    return list(level["coefficients"][level["headline"]]["results"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=Path("results"))
    parser.add_argument("--metrics", default="rouge,numeric,bertscore")
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1234)
    args = parser.parse_args()
    names = args.metrics.split(",")
    say = print

    frank = data.DATASETS["frank"]
    valid = data.gather(frank, results_dir=args.results, metric_names=names, split="valid", seed=args.seed)
    weights, scale = fit(valid)
    say(f"fitted on FRANK valid ({int(valid.present.sum())} summaries): OLS of factuality on z-scored keys + system")
    for name, weight in sorted(weights.items(), key=lambda item: -abs(item[1])):
        say(f"  {name:20s} {weight:+.4f}")
    verdicts = []
    for info, split, level in ((data.DATASETS["summeval"], None, SUMMARY), (frank, "test", PARTIAL)):
        scores = data.gather(info, results_dir=args.results, metric_names=names, split=split, seed=args.seed)
        settings = analysis.Settings(levels=(level,), resamples=args.resamples, seed=args.seed)
        rows = headline(analysis.evaluate(with_combined(scores, weights, scale), settings))
        say(f"\n{info.name}{' ' + split if split else ''}, {level} level ({info.aspect}):")
        say("| rank | key | value | 95% CI |")
        say("|---|---|---:|---|")
        for row in rows:
            ci = row["ci"]
            say(f"| {row.get('rank', '')} | {row['key']} | {row['value']:.3f} | [{ci['low']:.3f}, {ci['high']:.3f}] |")
        mine = next(row for row in rows if row["key"] == COMBINED)
        singles = [row for row in rows if row["key"] != COMBINED]
        beats = all(mine["ci"]["low"] > row["ci"]["high"] for row in singles)
        best = max(singles, key=lambda row: row["value"])
        verdicts.append(beats)
        say(
            f"combined {mine['value']:.3f} [{mine['ci']['low']:.3f}, {mine['ci']['high']:.3f}] vs best single key "
            f"{best['key']} {best['value']:.3f} [{best['ci']['low']:.3f}, {best['ci']['high']:.3f}]: "
            + ("beats every single key with non-overlapping intervals" if beats else "intervals overlap")
        )
    say(
        "\nverdict: "
        + (
            "the combination may be the default"
            if all(verdicts)
            else "keep a single key (the combination does not win)"
        )
    )


if __name__ == "__main__":
    main()

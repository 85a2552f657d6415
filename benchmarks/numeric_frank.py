"""Where the numeric metric's discrepancies fall on FRANK, by the human factuality of the summary, and what a change
to the metric adds or removes there.

Data: FRANK (Pagnoni et al. 2021; MIT), 2,246 CNN/DM and XSum summaries with a Factuality score (the share of
their sentences three annotators judged error-free), as the harness ships them in
``data/metaeval/frank/summaries.jsonl.gz``. A discrepancy (every kind but ``missing``) in a summary judged fully
factual is probably a false alarm; one in a summary judged at most half factual probably is not. 36% of the
summaries are fully factual: a checker that flagged at random would put about that share of its flags there.

Printed: for the metric as it is (default options) and as it was at ``--baseline-ref`` (taken from git into a
temporary folder, scored in its own process), the number of discrepancies and the share in fully factual
summaries; then the discrepancies the change added and removed (same summary, same start), by factuality and
kind. ``--list`` prints each added or removed one with its context.

Usage: ``.venv/bin/python benchmarks/numeric_frank.py [--baseline-ref 71eab0f] [--list]``
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from numeric_speed import checkout  # a sibling script: this folder is on the path when run as a script

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data" / "metaeval" / "frank" / "summaries.jsonl.gz"
Flag = tuple[str, int, str, str]  # summary id, start in the summary, kind, text


def rows() -> list[dict[str, object]]:
    with gzip.open(DATA, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def child(repo: Path) -> None:
    """Score every FRANK summary with the metric found in ``repo``; print its discrepancies as JSON."""
    sys.path.insert(0, str(repo))
    from metrics.numeric import Numeric

    data = rows()
    _, details = Numeric().score_with_details(
        sources=[str(r["source"]) for r in data], candidates=[str(r["candidate"]) for r in data]
    )
    assert details is not None
    flags = [
        (r["id"], d["candidate"]["start"], d["kind"], d["candidate"]["text"])
        for r, detail in zip(data, details)
        for d in detail["discrepancies"]
        if d["kind"] != "missing"
    ]
    print(json.dumps(flags))


def score(repo: Path) -> set[Flag]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(repo)], capture_output=True, text=True, check=True, cwd=REPO
    )
    return {(i, s, k, t) for i, s, k, t in json.loads(done.stdout)}


def summary(name: str, flags: set[Flag], factuality: dict[str, float]) -> None:
    factual = sum(factuality[f[0]] == 1.0 for f in flags)
    share = factual / len(flags) if flags else 0.0
    print(f"{name}: {len(flags)} discrepancies, {factual} ({share:.1%}) in fully factual summaries")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-ref", default="71eab0f")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    data = {str(r["id"]): r for r in rows()}
    factuality = {i: float(r["factuality"]) for i, r in data.items()}  # type: ignore[arg-type]
    print(f"FRANK: {len(data)} summaries, {sum(v == 1.0 for v in factuality.values()) / len(data):.1%} fully factual")
    with tempfile.TemporaryDirectory() as folder:
        checkout(args.baseline_ref, Path(folder))
        before = score(Path(folder))
    now = score(REPO)
    summary(f"baseline {args.baseline_ref}", before, factuality)
    summary("now", now, factuality)
    place = {(f[0], f[1]) for f in before}
    added = {f for f in now if (f[0], f[1]) not in place}
    kept = {(f[0], f[1]) for f in now}
    removed = {f for f in before if (f[0], f[1]) not in kept}
    for name, flags in (("added", added), ("removed", removed)):
        buckets = collections.Counter(
            "fully factual" if factuality[f[0]] == 1.0 else "at most half" if factuality[f[0]] <= 0.5 else "between"
            for f in flags
        )
        kinds = collections.Counter(f[2] for f in flags)
        print(f"{name}: {len(flags)}; by factuality {dict(buckets)}; by kind {dict(kinds)}")
        if args.list:
            for i, start, kind, text in sorted(flags):
                candidate = str(data[i]["candidate"])
                context = candidate[max(0, start - 60) : start + 60].replace("\n", " ")
                print(f"  {kind} {text!r} (factuality {factuality[i]:.2f}): {context}")


if __name__ == "__main__":
    main()

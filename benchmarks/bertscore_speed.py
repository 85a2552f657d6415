"""Speed of ``harness.score`` with BERTScore against ``bert_score.score``, as users call them, with an exactness check.

Workload: K systems (default 5) x N SummEval CNN/DM articles (default 50): the sources are the articles (field
``text`` of ``external/summeval/model_output_annotations/M*.jsonl``, the first N ids) and system k's candidates are
the k-th SummEval system's summaries, so every candidate is distinct and each article is the source of K pairs.
Same model (the embedded all-MiniLM-L6-v2) and layer, no idf.

Contenders, each in its own process (``--child``), rounds interleaved:

- ``harness per system``: ``harness.score(sources=..., candidates=..., metrics=[...])`` once per system;
- ``bert_score per system``: ``bert_score.score(candidates, sources, model_type=<the model's path>,
  num_layers=3)`` once per system (its defaults otherwise: batch size 64, the model loaded by each call);
- ``harness one call`` / ``bert_score one call``: one call over all K*N pairs.

The harness is timed with windowing off (``BertScore(window=False)``: bert_score's truncation at 512 tokens, the
same work as bert_score, the setting whose scores must equal bert_score's to 1e-6) and, per system, with its
default options too (``metrics=["bertscore"]``: windowing on, which encodes articles longer than the limit whole,
in windows: more work than bert_score does). Each process imports its libraries and scores one warm-up pair (not
in the workload) before its clock starts, so the first model load is not timed; the harness then reuses its loaded
model and cached source embeddings, as a process does. Printed: each round's pairs/s, median and min per
contender, the ratios of medians (and of mins), the load average before and after, and the largest |harness -
bert_score| over P/R/F with windowing off (exits 1 above 1e-6). On a shared machine wall times swing several-fold
with the other processes' load; the ratio of CPU times (``time.process_time`` of each contender's process: the work
it did, over all its threads) is printed too, as the steadier measure.

Usage: ``.venv/bin/python benchmarks/bertscore_speed.py [--systems K] [--docs N] [--rounds R]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parent.parent
WARM_UP = (["A warm-up sentence about the harbour plan."], ["The committee reviewed the harbour plan."])
CONTENDERS = (
    "harness-per-system",
    "bert_score-per-system",
    "harness-one-call",
    "bert_score-one-call",
    "harness-default",
)


def load(shared: Path, systems: int, docs: int) -> tuple[list[str], list[list[str]]]:
    folder = shared / "external" / "summeval" / "model_output_annotations"
    sources: list[str] = []
    outputs: list[list[str]] = []
    for path in sorted(folder.glob("M*_outputs_annotations.jsonl"))[:systems]:
        rows = sorted(
            (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()), key=lambda r: r["id"]
        )
        sources = [row["text"] for row in rows[:docs]]
        outputs.append([row["decoded"] for row in rows[:docs]])
    return sources, outputs


def child(contender: str, args: argparse.Namespace) -> dict[str, Any]:
    sources, outputs = load(args.shared, args.systems, args.docs)
    if contender.startswith("harness"):
        import harness
        from metrics.bertscore import BertScore

        def metric() -> Any:
            return "bertscore" if contender == "harness-default" else BertScore(window=False)

        harness.score(sources=WARM_UP[1], candidates=WARM_UP[0], metrics=[metric()])
        started, cpu = time.perf_counter(), time.process_time()
        if contender == "harness-one-call":
            rows = harness.score(sources=sources * len(outputs), candidates=sum(outputs, []), metrics=[metric()])
        else:
            rows = [row for cs in outputs for row in harness.score(sources=sources, candidates=cs, metrics=[metric()])]
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        values = [[row["bertscore_p"], row["bertscore_r"], row["bertscore_f"]] for row in rows]
    else:
        import bert_score

        from metrics.bertscore import DEFAULT_LAYER, _default_path

        options = {"model_type": _default_path(), "num_layers": DEFAULT_LAYER}
        bert_score.score(WARM_UP[0], WARM_UP[1], **options)
        started, cpu = time.perf_counter(), time.process_time()
        if contender == "bert_score-one-call":
            found = [bert_score.score(sum(outputs, []), sources * len(outputs), **options)]
        else:
            found = [bert_score.score(cs, sources, **options) for cs in outputs]
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        values = [list(v) for p, r, f in found for v in zip(p.tolist(), r.tolist(), f.tolist())]
    return {"seconds": seconds, "cpu": cpu, "pairs": len(values), "values": values}


def run_child(contender: str, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out.json"
        command = [sys.executable, __file__, "--child", contender, "--out", str(out)]
        command += ["--systems", str(args.systems), "--docs", str(args.docs), "--shared", str(args.shared)]
        subprocess.run(command, check=True)
        return dict(json.loads(out.read_text()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", type=int, default=5)
    parser.add_argument("--docs", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("HARNESS_SHARED", REPO.parent / "shared")))
    parser.add_argument("--child", choices=CONTENDERS, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.out.write_text(json.dumps(child(args.child, args)))
        return 0

    print(f"{args.systems} systems x {args.docs} SummEval articles, all-MiniLM-L6-v2, no idf")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    times: dict[str, list[float]] = {name: [] for name in CONTENDERS}
    cpus: dict[str, list[float]] = {name: [] for name in CONTENDERS}
    worst = 0.0
    for round_ in range(args.rounds):
        order = CONTENDERS if round_ % 2 == 0 else CONTENDERS[::-1]
        results = {name: run_child(name, args) for name in order}
        for name, result in results.items():
            times[name].append(result["seconds"])
            cpus[name].append(result["cpu"])
        print(
            f"round {round_ + 1}: "
            + ", ".join(f"{n} {r['pairs'] / r['seconds']:.1f} pairs/s" for n, r in results.items())
        )
        for ours, theirs in (
            ("harness-per-system", "bert_score-per-system"),
            ("harness-one-call", "bert_score-one-call"),
        ):
            for a, b in zip(results[ours]["values"], results[theirs]["values"]):
                worst = max(worst, *(abs(x - y) for x, y in zip(a, b)))
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name, values in times.items():
        print(
            f"{name:22} median {statistics.median(values):7.2f} s  min {min(values):7.2f} s  "
            f"(CPU: median {statistics.median(cpus[name]):7.2f} s)"
        )
    for label, ours, theirs in (
        ("per system, windowing off", "harness-per-system", "bert_score-per-system"),
        ("one call, windowing off  ", "harness-one-call", "bert_score-one-call"),
        ("per system, harness defaults (windowing on)", "harness-default", "bert_score-per-system"),
    ):
        median = statistics.median(times[theirs]) / statistics.median(times[ours])
        best = min(times[theirs]) / min(times[ours])
        cpu = statistics.median(cpus[theirs]) / statistics.median(cpus[ours])
        print(f"ratio {label}: harness is {median:.2f}x bert_score (median), {best:.2f}x (min), {cpu:.2f}x (CPU time)")
    print(f"largest |harness - bert_score| P/R/F, windowing off: {worst:.2e}")
    return 1 if worst > 1e-6 else 0


if __name__ == "__main__":
    sys.exit(main())

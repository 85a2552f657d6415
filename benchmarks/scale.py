"""Throughput of ``harness eval`` on one process, a process pool and a local Ray instance, and the driver's
peak memory as a run grows.

The data: 5 systems x 10,000 examples (``--examples``), resampled with a fixed seed (``--seed``) from the
real articles and system summaries in ``../shared/external``: the 100 REALSumm articles with their 25
systems' summaries (``realsumm/selected_docs_for_human_eval/{abs,ext}/*/out*.txt``, ``<t>`` tags as lines),
the 100 SummEval articles with their 16 models' (``summeval/model_output_annotations/M*.jsonl``) and the
499 FRANK articles with their 4 or 5 models' (``frank/data/articles-wfactcc-json/*.json``). Each example
draws an article, then each system draws one of that article's real summaries. Articles recur across
examples (about 700 distinct for 10,000 examples), as resampling implies; a worker's caches see an article
again only if it scored it before.

Each configuration runs in a fresh process (``--child``) that times ``harness.scoring.runner.run_eval`` on the task
with ``rouge`` and ``numeric`` and reports its own peak RSS (the driver's: pool and Ray workers are other
processes). Ray's start (``ray.init`` of a local instance) and stop are timed apart from the run. Printed:
pairs/s, the ratio to one worker and to the pool, the scoring CPU (CPU seconds the scoring processes spent,
summed over workers, from run.json: the work done, whatever the load; with one worker it is the driver's
own scoring), the driver's CPU seconds and peak RSS, the load average around each run (the machine may be
shared: a 1-vs-2-process ratio is only meaningful when nothing else runs), and with ``--memory`` the pool
again on a fifth of the examples, to show the driver's memory does not grow with the results.

Usage: ``.venv/bin/python benchmarks/scale.py [--examples N] [--configs one,pool,ray] [--memory]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SYSTEMS = 5


def _realsumm(shared: Path) -> list[tuple[str, list[str]]]:
    base = shared / "external/realsumm/selected_docs_for_human_eval"

    def lines(path: Path) -> list[str]:
        text = path.read_text(encoding="utf-8").splitlines()
        return [line.replace("<t>", "").replace("</t>", "\n").strip() for line in text]

    articles = lines(base / "abs/ptr_generator/src.txt")
    outputs = [lines(path) for path in sorted(base.glob("*/*/out*.txt"))]
    return [(article, [out[i] for out in outputs if out[i]]) for i, article in enumerate(articles)]


def _summeval(shared: Path) -> list[tuple[str, list[str]]]:
    found: dict[str, tuple[str, list[str]]] = {}
    for path in sorted((shared / "external/summeval/model_output_annotations").glob("M*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            found.setdefault(record["id"], (record["text"], []))[1].append(record["decoded"])
    return list(found.values())


def _frank(shared: Path) -> list[tuple[str, list[str]]]:
    found = []
    for path in sorted((shared / "external/frank/data/articles-wfactcc-json").glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        models = [name.removesuffix("_lines") for name in record.get("model_names", [])]
        summaries = [record[m] for m in models if isinstance(record.get(m), str) and record[m].strip()]
        if summaries and record.get("article", "").strip():
            found.append((record["article"], summaries))
    return found


def build(shared: Path, folder: Path, examples: int, seed: int) -> tuple[Path, int]:
    """Write the task (data, one candidate file per system, task.yaml); return it and the distinct articles."""
    pool = _realsumm(shared) + _summeval(shared) + _frank(shared)
    rng = random.Random(seed)
    data, candidates = [], [[] for _ in range(SYSTEMS)]
    used = set()
    for index in range(examples):
        article, summaries = pool[rng.randrange(len(pool))]
        used.add(article)
        example_id = f"ex{index:05d}"
        data.append({"id": example_id, "source": article})
        for system in range(SYSTEMS):
            candidates[system].append({"id": example_id, "candidate": rng.choice(summaries)})
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in data), encoding="utf-8")
    systems = []
    for system, rows in enumerate(candidates):
        (folder / f"sys{system}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        systems.append(f"  sys{system}: file:sys{system}.jsonl")
    task = folder / "task.yaml"
    task.write_text(
        "name: scale\nversion: 1\nkind: summarise\ndata: data.jsonl\nmetrics: [rouge, numeric]\n"
        "primary: rougeLsum_f\nsystems:\n" + "\n".join(systems) + "\n",
        encoding="utf-8",
    )
    return task, len(used)


def child(config: str, task_path: Path, out: Path, limit: int | None) -> dict[str, Any]:
    """One configuration, timed in this (fresh) process."""
    from harness.generate.systems import parse_spec
    from harness.parallel import Execution
    from harness.read.tasks import load_task
    from harness.scoring.runner import RunOptions, run_eval

    task = load_task(task_path)
    systems = {name: parse_spec(spec, base_dir=task.base_dir) for name, spec in task.systems.items()}
    found: dict[str, Any] = {}
    if config == "ray":
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        import ray

        started = time.perf_counter()
        ray.init(include_dashboard=False, log_to_driver=False)
        found["ray_start_s"] = time.perf_counter() - started
    execution = {"one": Execution(workers=1), "pool": Execution(), "ray": Execution(backend="ray")}[config]
    load = os.getloadavg()
    started = time.perf_counter()
    outcomes = run_eval(task, systems, options=RunOptions(results_dir=out, limit=limit, execution=execution))
    found["seconds"] = time.perf_counter() - started
    found["load_before"], found["load_after"] = load, os.getloadavg()
    if config == "ray":
        started = time.perf_counter()
        ray.shutdown()
        found["ray_stop_s"] = time.perf_counter() - started
    found["pairs"] = sum(outcome.n_examples for outcome in outcomes)
    run = json.loads((outcomes[0].run_dir / "run.json").read_text(encoding="utf-8"))
    found["execution"] = run["execution"]
    found["workers_cpu_s"] = run["timings"]["workers_cpu_s"]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    found["driver_peak_mb"] = usage.ru_maxrss / 1024
    found["driver_cpu_s"] = usage.ru_utime + usage.ru_stime  # includes start-up; on 2 cores it competes
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=10_000, help="examples (x5 systems = pairs)")
    parser.add_argument("--configs", default="one,pool,ray", help="comma-separated: one, pool, ray")
    parser.add_argument("--memory", action="store_true", help="also run the pool on a fifth of the examples")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("HARNESS_SHARED", REPO.parent / "shared")))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--task", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.task, args.out, args.limit)))
        return 0

    work = Path(tempfile.mkdtemp(prefix="harness-scale-"))
    task, distinct = build(args.shared, work / "task", args.examples, args.seed)
    cores = len(os.sched_getaffinity(0))
    print(f"{args.examples} examples x {SYSTEMS} systems = {args.examples * SYSTEMS} pairs from {distinct} distinct")
    print(f"articles; rouge + numeric; {cores} usable cores; results under {work}")
    runs = [(config, None) for config in args.configs.split(",")]
    if args.memory:
        runs.append(("pool", args.examples // 5))
    results: list[tuple[str, int | None, dict[str, Any]]] = []
    for config, limit in runs:
        command = [sys.executable, __file__, "--child", config, "--task", str(task), "--out"]
        command += [str(work / f"out-{config}-{limit or 'all'}")] + (["--limit", str(limit)] if limit else [])
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
        results.append((config, limit, json.loads(done.stdout.strip().splitlines()[-1])))
    base = next((r["pairs"] / r["seconds"] for c, limit, r in results if c == "one" and limit is None), None)
    pool = next((r["pairs"] / r["seconds"] for c, limit, r in results if c == "pool" and limit is None), None)
    print()
    print(
        f"{'config':<12}{'pairs':>8}{'seconds':>9}{'pairs/s':>9}{'vs one':>8}{'vs pool':>8}  "
        f"{'workers':>7}{'batches':>8}{'scoring CPU s':>14}{'driver CPU s':>13}{'driver MB':>10}  load avg"
    )
    for config, limit, r in results:
        rate = r["pairs"] / r["seconds"]
        versus_one = f"{rate / base:.2f}x" if base else "-"
        versus_pool = f"{rate / pool:.2f}x" if pool else "-"
        ex = r["execution"]
        load = f"{r['load_before'][0]:.2f} -> {r['load_after'][0]:.2f}"
        name = config if limit is None else f"{config}@{limit}"
        print(
            f"{name:<12}{r['pairs']:>8}{r['seconds']:>9.1f}{rate:>9.0f}{versus_one:>8}{versus_pool:>8}  "
            f"{ex['workers']:>7}{ex['batches']:>8}{r['workers_cpu_s']:>14.1f}{r['driver_cpu_s']:>13.1f}"
            f"{r['driver_peak_mb']:>10.0f}  {load}"
        )
    for config, _, r in results:
        if config == "ray":
            fixed = r["ray_start_s"] + r["ray_stop_s"]
            print(f"ray: start {r['ray_start_s']:.1f} s, stop {r['ray_stop_s']:.1f} s (fixed cost {fixed:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

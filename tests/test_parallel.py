"""Scoring on many workers (harness.parallel): the same rows for any --workers, per-example metric errors,
a pool that survives a killed worker, and runs that survive an interruption and are completed by --resume.

The test-only metrics below are plain classes, registered only for the test that needs them (a fixture
removes them again), so the contract tests over every registered metric never see them. Pool workers
import this module to unpickle them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from harness.errors import HarnessError
from harness.generate.systems import parse_spec
from harness.parallel import Execution
from harness.parallel.journal import reopen
from harness.parallel.work import Chunk, score_batch
from harness.read.tasks import MetricSpec, load_task
from harness.scoring import registry
from harness.scoring.registry import Metric
from harness.scoring.runner import RunOptions, run_eval
from harness.store.store import read_runs
from metrics.rouge import Rouge

REPO = Path(__file__).resolve().parent.parent


class Picky(Metric):
    """ROUGE-1 F, except that it raises on a candidate containing BOOM and gives NaN for one containing NAN;
    counts its calls so a test can see the batch was tried whole first."""

    name = "picky"
    description = "test only"
    calls: list[int] = []

    def keys(self) -> list[str]:
        return ["picky_f"]

    def signature(self) -> str:
        return "picky|test"

    def score(self, *, sources: Sequence[str], candidates: Sequence[str]) -> list[dict[str, float]]:
        Picky.calls.append(len(candidates))
        if any("BOOM" in candidate for candidate in candidates):
            raise ValueError("cannot score a\nBOOM")
        found = Rouge(types=["rouge1"]).score(sources=sources, candidates=candidates)
        return [{"picky_f": float("nan") if "NAN" in c else row["rouge1_f"]} for c, row in zip(candidates, found)]


class CrashOnce(Metric):
    """Kills the worker process scoring it, the first time only (a marker file remembers): a lost worker."""

    name = "crash_once"
    description = "test only"

    def __init__(self, *, marker: str = "", always: bool = False) -> None:
        self.marker = Path(marker)
        self.always = always

    def keys(self) -> list[str]:
        return ["crash_once_n"]

    def bounds(self, key: str) -> tuple[float, float]:
        return (0.0, 1e9)

    def signature(self) -> str:
        return "crash_once|test"

    def score(self, *, sources: Sequence[str], candidates: Sequence[str]) -> list[dict[str, float]]:
        if self.always or not self.marker.exists():
            self.marker.touch()
            os._exit(17)  # no cleanup, no exception: as a kill or a segfault would
        return [{"crash_once_n": float(len(c.split()))} for c in candidates]


@pytest.fixture
def registered() -> Iterator[Callable[[type[Metric]], None]]:
    """Register test-only metrics for one test."""
    added: list[str] = []

    def add(cls: type[Metric]) -> None:
        registry.register(cls)
        added.append(cls.name)

    yield add
    for name in added:
        registry._REGISTRY.pop(name, None)


def write_task(folder: Path, examples: list[dict[str, str]], systems: dict[str, list[str]], metrics: str) -> Path:
    """A task over ``examples`` with one candidate file per system (``systems``: name -> candidates)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in examples)
    (folder / "data.jsonl").write_text(lines, encoding="utf-8")
    specs = []
    for name, texts in systems.items():
        rows = [{"id": e["id"], "candidate": text} for e, text in zip(examples, texts)]
        (folder / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        specs.append(f"  {name}: file:{name}.jsonl")
    task = folder / "task.yaml"
    task.write_text(
        f"name: par\nversion: 1\nkind: rewrite\ndata: data.jsonl\nmetrics: {metrics}\nprimary: {{primary}}\n"
        "systems:\n" + "\n".join(specs) + "\n",
        encoding="utf-8",
    )
    return task


def small_examples(n: int) -> list[dict[str, str]]:
    """``n`` short sources with figures (so the numeric metric has something to match)."""
    return [
        {"id": f"x{i:03d}", "source": f"In {2000 + i} the town spent {i} million pounds on {i % 7} bridges."}
        for i in range(n)
    ]


def run(
    task: Path,
    out: Path,
    execution: Execution,
    metrics: tuple[MetricSpec, ...] | None = None,
    limit: int | None = None,
) -> dict[str, Path]:
    """``harness eval`` of the task's default systems in this process; system -> run folder."""
    parsed = load_task(task)
    systems = {name: parse_spec(spec, base_dir=parsed.base_dir) for name, spec in parsed.systems.items()}
    options = RunOptions(results_dir=out, limit=limit, execution=execution)
    outcomes = run_eval(parsed, systems, metric_specs=metrics, options=options)
    return {outcome.system: outcome.run_dir for outcome in outcomes}


def rows_of(run_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (run_dir / "examples.jsonl").read_text(encoding="utf-8").splitlines()]


def same_rows(first: dict[str, Path], second: dict[str, Path]) -> None:
    assert first.keys() == second.keys()
    for system in first:
        assert (first[system] / "examples.jsonl").read_bytes() == (second[system] / "examples.jsonl").read_bytes()
        one, two = (json.loads((d / "run.json").read_text()) for d in (first[system], second[system]))
        assert one["means"] == two["means"] and one["intervals"] == two["intervals"]


# --- scoring in a worker: each example isolated ------------------------------------------------------------------


def test_a_failing_pair_gets_the_error_and_the_others_their_scores() -> None:
    """The batch is tried whole (one call), then chunk by chunk, then pair by pair; a NaN row is its own error."""
    Picky.calls.clear()
    chunks = [
        Chunk("the cat sat on the mat", ("the cat sat", "a dog BOOM")),
        Chunk("prices rose in march", ("prices rose", "prices NAN")),
        Chunk("the council met", ("the council met",)),
    ]
    (result,) = [score_batch([Picky()], chunks)]
    outcomes = [pair["picky"] for pairs in result.pairs for pair in pairs]
    assert outcomes[1] == "ValueError: cannot score a BOOM"  # one line
    assert outcomes[3] == "picky_f=nan outside [0.0, 1.0]"
    expected = Rouge(types=["rouge1"]).score(sources=["the cat sat on the mat"], candidates=["the cat sat"])
    assert outcomes[0] == ({"picky_f": expected[0]["rouge1_f"]}, None)
    assert outcomes[4] == ({"picky_f": 1.0}, None)
    # whole batch (5), chunk 1 (2) then its pairs (1, 1), chunk 2 (2), chunk 3 (1)
    assert Picky.calls == [5, 2, 1, 1, 2, 1]


def test_metric_failure_is_recorded_per_example(
    tmp_path: Path, registered: Callable[[type[Metric]], None], cli: Callable[..., Any]
) -> None:
    """The failing example keeps its row with the error and no scores; run.json counts it; means are over
    the scored examples; the leaderboard shows the failed count."""
    registered(Picky)
    examples = small_examples(6)
    candidates = [e["source"] for e in examples]
    candidates[2] = "BOOM " + candidates[2]
    task = write_task(tmp_path / "t", examples, {"sys": candidates}, "[rouge, picky]")
    task.write_text(task.read_text().replace("{primary}", "rouge1_f"))
    out = tmp_path / "out"
    (run_dir,) = run(task, out, Execution(workers=1)).values()
    rows = rows_of(run_dir)
    assert [r["id"] for r in rows] == [e["id"] for e in examples]
    failed = rows[2]
    assert failed["error"] == {"stage": "metric:picky", "message": "ValueError: cannot score a BOOM"}
    assert not any(key.startswith(("rouge", "picky")) for key in failed) and failed["details"] == {}
    meta = json.loads((run_dir / "run.json").read_text())
    assert meta["failures"] == {"n": 1, "by_stage": {"metric:picky": 1}, "ids": ["x002"]}
    assert meta["examples"]["n"] == 5
    scored = [r for r in rows if "error" not in r]
    assert meta["means"]["picky_f"] == pytest.approx(sum(r["picky_f"] for r in scored) / 5, abs=1e-15)
    board = cli("leaderboard", "--results", str(out), "--format", "json")
    assert board.exit_code == 0, board.stderr
    assert json.loads(board.stdout)[0]["failed"] == 1


def test_every_example_failing_writes_no_run(tmp_path: Path, registered: Callable[[type[Metric]], None]) -> None:
    registered(Picky)
    examples = small_examples(3)
    task = write_task(tmp_path / "t", examples, {"sys": ["BOOM"] * 3}, "[picky]")
    task.write_text(task.read_text().replace("{primary}", "picky_f"))
    with pytest.raises(HarnessError, match="every example failed .*metric:picky.*BOOM"):
        run(task, tmp_path / "out", Execution(workers=1))
    assert not list((tmp_path / "out").rglob("examples.jsonl"))


# --- the same rows for any number of workers ---------------------------------------------------------------


@pytest.mark.slow
def test_workers_give_the_same_rows_on_the_seeds_paragraphs(tmp_path: Path, repo: Path) -> None:
    """The demo task with CPU metrics and a model metric (bertscore, loaded once per worker): one process and
    a two-process pool with small batches (other batch boundaries, other workers) write identical rows."""
    task = repo / "tasks" / "seeds-paragraphs.yaml"
    metrics = (MetricSpec("rouge"), MetricSpec("numeric"), MetricSpec("bertscore"))
    one = run(task, tmp_path / "one", Execution(workers=1), metrics, limit=7)
    pool = run(task, tmp_path / "pool", Execution(workers=2, batch_pairs=6), metrics, limit=7)
    same_rows(one, pool)
    meta = json.loads((next(iter(pool.values())) / "run.json").read_text())
    # 7 chunks of 4 pairs; a batch closes at 6 pairs or more: 3 batches of 2 chunks and one of 1.
    assert meta["execution"]["backend"] == "pool" and meta["execution"]["batches"] == 4
    assert meta["execution"]["threads_per_worker"] == max(1, len(os.sched_getaffinity(0)) // 2)


def realsumm_task(shared: Path, folder: Path, docs: int) -> Path:
    """REALSumm's first ``docs`` articles against three systems' summaries (lower-cased, <t> tags as lines)."""
    base = shared / "external/realsumm/selected_docs_for_human_eval/abs"

    def lines(name: str) -> list[str]:
        text = (base / name).read_text(encoding="utf-8").splitlines()[:docs]
        return [line.replace("<t>", "").replace("</t>", "\n").strip() for line in text]

    examples = [{"id": f"doc{i:03d}", "source": text} for i, text in enumerate(lines("ptr_generator/src.txt"))]
    systems = {"bart": lines("bart/out.txt"), "t5": lines("t5/out_base.txt"), "unilm": lines("unilm/out_v1.txt")}
    task = write_task(folder, examples, systems, "[rouge, numeric]")
    task.write_text(task.read_text().replace("{primary}", "rougeLsum_f"))
    return task


@pytest.mark.slow
def test_workers_give_the_same_rows_on_a_realsumm_slice(tmp_path: Path, shared: Path) -> None:
    task = realsumm_task(shared, tmp_path / "task", 40)
    one = run(task, tmp_path / "one", Execution(workers=1))
    same_rows(one, run(task, tmp_path / "pool", Execution(workers=2, batch_pairs=12)))


@pytest.mark.slow
def test_bertscore_with_idf_is_scored_whole_per_system(tmp_path: Path, repo: Path) -> None:
    """idf weights depend on every source of the call, so that metric is scored in one call per system
    (here, in the driver, beside a pool): its numbers are those of one call over all examples."""
    import harness

    parsed = load_task(repo / "tasks" / "seeds-paragraphs.yaml")
    systems = {name: parse_spec(parsed.systems[name], base_dir=parsed.base_dir) for name in ("seed-rewrite", "copy")}
    metrics = (MetricSpec("rouge"), MetricSpec("bertscore", {"idf": True}))
    options = RunOptions(results_dir=tmp_path / "pool", limit=8, execution=Execution(workers=2, batch_pairs=4))
    dirs = {o.system: o.run_dir for o in run_eval(parsed, systems, metric_specs=metrics, options=options)}
    assert json.loads((dirs["copy"] / "run.json").read_text())["execution"]["backend"] == "pool"
    rows = rows_of(dirs["seed-rewrite"])
    lines = (repo / "seeds/paragraphs.jsonl").read_text(encoding="utf-8").splitlines()[:8]
    data = [json.loads(line) for line in lines]
    whole = harness.score(
        sources=[d["source"] for d in data],
        candidates=[r.get("scored_candidate", r["candidate"]) for r in rows],
        metrics=[registry.build_metric("bertscore", {"idf": True})],
    )
    assert [r["bertscore_f"] for r in rows] == [w["bertscore_f"] for w in whole]


# --- a worker that dies ------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_pool_survives_a_killed_worker(tmp_path: Path, registered: Callable[[type[Metric]], None]) -> None:
    """A worker that dies mid-batch breaks the whole pool; it is rebuilt, the pending batches are sent again,
    and every example is written exactly once, as in an undisturbed run."""
    registered(CrashOnce)
    examples = small_examples(40)
    task = write_task(tmp_path / "t", examples, {"a": [e["source"] for e in examples]}, "[rouge]")
    task.write_text(task.read_text().replace("{primary}", "rouge1_f"))
    marker = tmp_path / "crashed"
    metrics = (MetricSpec("rouge"), MetricSpec("crash_once", {"marker": str(marker)}))
    crashed = run(task, tmp_path / "crashed-run", Execution(workers=2, batch_pairs=4), metrics)
    assert marker.exists()
    meta = json.loads((crashed["a"] / "run.json").read_text())
    assert meta["execution"]["worker_restarts"] == 1 and meta["failures"]["n"] == 0
    assert [r["id"] for r in rows_of(crashed["a"])] == [e["id"] for e in examples]
    same_rows(run(task, tmp_path / "calm", Execution(workers=1), metrics), crashed)


@pytest.mark.slow
def test_pool_stops_after_max_failures(tmp_path: Path, registered: Callable[[type[Metric]], None]) -> None:
    registered(CrashOnce)
    examples = small_examples(20)
    task = write_task(tmp_path / "t", examples, {"a": [e["source"] for e in examples]}, "[rouge]")
    task.write_text(task.read_text().replace("{primary}", "rouge1_f"))
    metrics = (MetricSpec("crash_once", {"marker": str(tmp_path / "m"), "always": True}),)
    with pytest.raises(HarnessError, match=r"died 2 times \(--max-failures 1\)"):
        run(task, tmp_path / "out", Execution(workers=2, batch_pairs=4, max_failures=1), metrics)
    (partial,) = [p.parent for p in (tmp_path / "out").rglob("partial.json")]
    assert reopen(partial).done == set()  # nothing scored, nothing lost: resumable


# --- interrupted from outside, then --resume ---------------------------------------------------------------------


def harness_with_slow_metric(*args: str) -> list[str]:
    """``harness`` in a subprocess with the test-only ``slow_rouge`` metric registered (tests/slow_metric.py)."""
    return [sys.executable, str(Path(__file__).parent / "slow_metric.py"), *args]


def slow_task(folder: Path) -> Path:
    """300 pairs: three batches of 128, split between two workers (slow_rouge sleeps 10 ms a pair: 0.6 s each)."""
    examples = small_examples(150)
    systems = {"a": [e["source"] for e in examples], "b": [e["source"][::-1] for e in examples]}
    task = write_task(folder, examples, systems, "[slow_rouge]")
    task.write_text(task.read_text().replace("{primary}", "rouge1_f"))
    return task


@pytest.fixture(scope="module")
def slow_reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    """The slow task, and its runs scored without interruption (in this process, on a pool)."""
    from slow_metric import SlowRouge

    folder = tmp_path_factory.mktemp("slow")
    task = slow_task(folder / "task")
    registry.register(SlowRouge)
    try:
        return task, run(task, folder / "whole", Execution(workers=2))
    finally:
        registry._REGISTRY.pop(SlowRouge.name, None)


def group_alive(pgid: int) -> list[int]:
    """Processes still in the process group (the driver, its forkserver and pool workers)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                alive.append(int(entry.name))
    return alive


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_killed_run_is_completed_by_resume(
    tmp_path: Path,
    how: signal.Signals,
    cli: Callable[..., Any],
    slow_reference: tuple[Path, dict[str, Path]],
    registered: Callable[[type[Metric]], None],
) -> None:
    """A run killed midway (SIGTERM: stopped cleanly, exit 130; SIGKILL: no chance to clean up) leaves partial
    runs that are not ranked, and no process behind; --resume scores only what is missing, and the rows
    equal those of an uninterrupted run."""
    from slow_metric import SlowRouge

    task, whole = slow_reference
    out = tmp_path / "out"
    process = subprocess.Popen(
        harness_with_slow_metric("eval", str(task), "--out", str(out), "--workers", "2"),
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: its workers can be found, and killed if left over
    )
    try:
        deadline = time.monotonic() + 120
        while not any(p.stat().st_size for p in out.glob("par/*/*/examples.jsonl")):
            assert process.poll() is None and time.monotonic() < deadline, "the run ended before it could be killed"
            time.sleep(0.02)
        process.send_signal(how)
        process.wait(timeout=60)  # reaped first: its pipes stay open while any worker lives
        deadline = time.monotonic() + 20
        while group_alive(process.pid) and time.monotonic() < deadline:  # orphaned workers exit on their own
            time.sleep(0.2)
        assert group_alive(process.pid) == []
        _, stderr = process.communicate(timeout=10)
        assert process.returncode == (130 if how == signal.SIGTERM else -signal.SIGKILL), stderr
        if how == signal.SIGTERM:
            assert "interrupted" in stderr and "--resume" in stderr
    finally:
        if process.poll() is None or group_alive(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    partial = sorted(p.parent for p in out.glob("par/*/*/partial.json"))
    assert len(partial) == 2 and not list(out.rglob("run.json"))
    kept = {p: len(reopen(p).done) for p in partial}
    assert 0 < sum(kept.values()) < 300
    board = cli("leaderboard", "--results", str(out))
    assert "partial run" in board.stderr and "--resume" in board.stderr

    registered(SlowRouge)
    resumed = cli("eval", "--resume", str(partial[1]), "--workers", "2")
    assert resumed.exit_code == 0, resumed.stderr
    assert f"{sum(kept.values())} rows kept" in resumed.stderr
    for run_dir in partial:
        reference = whole[run_dir.parent.name]
        assert (run_dir / "examples.jsonl").read_bytes() == (reference / "examples.jsonl").read_bytes()
        meta = json.loads((run_dir / "run.json").read_text())
        assert meta["execution"]["resumed_rows"] == kept[run_dir]
        assert meta["means"] == json.loads((reference / "run.json").read_text())["means"]
    assert read_runs(out)[1] == []


# --- partial runs on disk ----------------------------------------------------------------------------------------


def test_torn_last_line_is_dropped_on_resume(tmp_path: Path, repo: Path) -> None:
    """A kill during a write leaves half a line; reopening the run drops it, and the example is scored again."""
    task = repo / "tasks" / "seeds-paragraphs.yaml"
    out = tmp_path / "out"
    dirs = run(task, out, Execution(workers=1), (MetricSpec("rouge"),))
    run_dir = dirs["copy"]
    lines = (run_dir / "examples.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (run_dir / "run.json").unlink()
    (run_dir / "partial.json").write_text("{}")
    (run_dir / "examples.jsonl").write_text("".join(lines[:5]) + lines[5][:40], encoding="utf-8")
    journal = reopen(run_dir)
    assert len(journal.done) == 5
    assert (run_dir / "examples.jsonl").read_text(encoding="utf-8") == "".join(lines[:5])


def test_resume_refuses_what_cannot_be_resumed(tmp_path: Path, cli: Callable[..., Any], repo: Path) -> None:
    out = tmp_path / "out"
    dirs = run(repo / "tasks" / "seeds-paragraphs.yaml", out, Execution(workers=1), (MetricSpec("rouge"),))
    done = cli("eval", "--resume", str(dirs["copy"]))
    assert done.exit_code == 1 and "this run is complete" in done.stderr
    clash = cli("eval", "seeds", "--resume", str(dirs["copy"]))
    assert clash.exit_code == 1 and "drop TASK" in clash.stderr
    wrong = cli("eval", "--backend", "pool", "--ray-address", "auto")
    assert wrong.exit_code == 1 and "--ray-address needs --backend ray" in wrong.stderr

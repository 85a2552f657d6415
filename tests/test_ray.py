"""``--backend ray`` on a local Ray instance: the same rows as one process, per-example errors, and nothing left
running afterwards. (The two-node fault test is in test_ray_cluster.py: it needs Ray not to be running here.)

Ray writes its session (logs, sockets) under ``RAY_TMPDIR``: each module points it at a short folder of its
own (Unix socket paths must fit in 107 bytes) and removes it at the end, so a failed test leaves no
``/tmp/ray`` session behind; the instance is stopped by the fixture's finalizer whatever happens.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from test_parallel import Picky, realsumm_task, rows_of, run, same_rows, small_examples, write_task

from harness.parallel import Execution
from harness.read.tasks import MetricSpec
from harness.scoring import registry

pytestmark = pytest.mark.slow
MODEL_METRICS = (MetricSpec("rouge"), MetricSpec("numeric"), MetricSpec("bertscore"))
CPU_METRICS = (MetricSpec("rouge"), MetricSpec("numeric"))


def import_ray() -> ModuleType:
    """Ray, which CI installs (the ``ray`` extra); elsewhere the tests are skipped when it is missing."""
    if os.environ.get("CI"):
        import ray

        return ray
    return pytest.importorskip("ray")


def processes_mentioning(text: str) -> list[int]:
    """Live processes whose command line contains ``text`` (a Ray session folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if text in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.fixture(scope="module")
def ray_temp() -> Iterator[Path]:
    """A private RAY_TMPDIR; at the end: Ray stopped, no process of its sessions alive, the folder removed."""
    ray = import_ray()
    path = Path(tempfile.mkdtemp(prefix="ray-", dir="/tmp"))
    previous = os.environ.get("RAY_TMPDIR")
    os.environ["RAY_TMPDIR"] = str(path)
    try:
        yield path
    finally:
        if ray.is_initialized():
            ray.shutdown()
        deadline = time.monotonic() + 30
        while processes_mentioning(str(path)) and time.monotonic() < deadline:
            time.sleep(0.2)
        leftover = processes_mentioning(str(path))
        for pid in leftover:
            os.kill(pid, 9)
        if previous is None:
            os.environ.pop("RAY_TMPDIR", None)
        else:
            os.environ["RAY_TMPDIR"] = previous
        shutil.rmtree(path, ignore_errors=True)
        assert leftover == [], f"Ray processes left running: {leftover}"


def test_backend_starts_and_stops_its_own_local_instance(ray_temp: Path, tmp_path: Path, repo: Path) -> None:
    """With no Ray running, --backend ray starts a local instance, writes the rows one process writes on the
    seeds task (the whole article), and stops the instance: nothing of it is left."""
    ray = import_ray()
    assert not ray.is_initialized()
    task = repo / "tasks" / "seeds.yaml"
    one = run(task, tmp_path / "one", Execution(workers=1), CPU_METRICS)
    on_ray = run(task, tmp_path / "ray", Execution(backend="ray", workers=2, batch_pairs=1), CPU_METRICS)
    same_rows(one, on_ray)
    assert len(rows_of(on_ray["copy"])) == 1
    assert not ray.is_initialized()
    deadline = time.monotonic() + 30
    while processes_mentioning(str(ray_temp)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_mentioning(str(ray_temp)) == []


@pytest.fixture(scope="module")
def local_ray(ray_temp: Path) -> Iterator[Any]:
    """A local instance started here, as a user's ``ray.init()`` would be: the backend uses it and leaves it."""
    ray = import_ray()
    previous = os.environ.get("PYTHONPATH")
    # Ray's workers import the test-only metrics (test_parallel) by name: they inherit this when they start.
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).parent), previous]))
    try:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        yield ray
    finally:
        ray.shutdown()
        if previous is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = previous


def test_ray_writes_the_rows_one_process_writes(local_ray: Any, tmp_path: Path, repo: Path) -> None:
    """The demo task, bertscore on actors and the rest as tasks: identical examples.jsonl and run.json means."""
    task = repo / "tasks" / "seeds-paragraphs.yaml"
    one = run(task, tmp_path / "one", Execution(workers=1), MODEL_METRICS, limit=8)
    same_rows(one, run(task, tmp_path / "ray", Execution(backend="ray", batch_pairs=6), MODEL_METRICS, limit=8))
    assert local_ray.is_initialized()  # a caller's instance is used, not stopped


def test_ray_on_a_realsumm_slice(local_ray: Any, tmp_path: Path, shared: Path) -> None:
    slice_task = realsumm_task(shared, tmp_path / "realsumm", 30)
    one = run(slice_task, tmp_path / "r-one", Execution(workers=1))
    on_ray = run(slice_task, tmp_path / "r-ray", Execution(backend="ray", batch_pairs=12))
    same_rows(one, on_ray)


def test_ray_records_a_metric_failure_per_example(local_ray: Any, tmp_path: Path) -> None:
    registry.register(Picky)
    try:
        examples = small_examples(8)
        candidates = [e["source"] for e in examples]
        candidates[5] = "BOOM"
        task = write_task(tmp_path / "t", examples, {"s": candidates}, "[rouge, picky]")
        task.write_text(task.read_text().replace("{primary}", "rouge1_f"))
        (run_dir,) = run(task, tmp_path / "out", Execution(backend="ray", batch_pairs=3)).values()
    finally:
        registry._REGISTRY.pop(Picky.name, None)
    rows = rows_of(run_dir)
    assert [r.get("error") for r in rows].count(None) == 7
    assert rows[5]["error"] == {"stage": "metric:picky", "message": "ValueError: cannot score a BOOM"}

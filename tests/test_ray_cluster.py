"""A lost Ray node costs retries, not the run: a two-node cluster on this machine
(``ray.cluster_utils.Cluster``), one node killed while a run is in progress, and the run completes with every
example scored exactly once, as a run that lost nothing.

Ray must not be running in this process when the driver joins the cluster, so this test has a module of its
own. Its session files go to a private ``RAY_TMPDIR``, removed at the end with the cluster.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import slow_metric
from test_parallel import rows_of, run, same_rows, slow_task
from test_ray import import_ray, processes_mentioning

from harness.parallel import Execution
from harness.scoring import registry

pytestmark = pytest.mark.slow


@pytest.fixture
def cluster() -> Iterator[tuple[Any, Any]]:
    """A head node with 1 CPU and a worker node with 2 (the one to kill); stopped and removed at the end."""
    ray = import_ray()
    from ray.cluster_utils import Cluster

    path = Path(tempfile.mkdtemp(prefix="rayc-", dir="/tmp"))
    previous = {name: os.environ.get(name) for name in ("RAY_TMPDIR", "PYTHONPATH")}
    os.environ["RAY_TMPDIR"] = str(path)
    # The nodes' workers import the test-only metric by name, as a cluster with the code installed would.
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).parent), previous["PYTHONPATH"]]))
    # Missed heartbeats mark a node dead after 1.5 s here, not the default 15 s.
    config = {"health_check_period_ms": 500, "health_check_failure_threshold": 3, "health_check_initial_delay_ms": 0}
    made: Any = None
    try:
        made = Cluster(
            initialize_head=True,
            head_node_args={"num_cpus": 1, "include_dashboard": False, "_system_config": config},
        )
        worker = made.add_node(num_cpus=2)
        made.wait_for_nodes()
        yield made, worker
    finally:
        if ray.is_initialized():
            ray.shutdown()
        if made is not None:
            made.shutdown()
        deadline = time.monotonic() + 30
        while processes_mentioning(str(path)) and time.monotonic() < deadline:
            time.sleep(0.2)
        leftover = processes_mentioning(str(path))
        for pid in leftover:
            os.kill(pid, 9)
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(path, ignore_errors=True)
        assert leftover == [], f"Ray processes left running: {leftover}"


def test_a_killed_node_costs_retries_not_the_run(cluster: tuple[Any, Any], tmp_path: Path) -> None:
    made, worker = cluster
    task = slow_task(tmp_path / "task")
    registry.register(slow_metric.SlowRouge)
    out = tmp_path / "out"
    killed: dict[str, int] = {}

    def kill_worker_node() -> None:
        """As soon as the first rows are written, with most of the run still to do."""
        while not any(p.stat().st_size for p in out.glob("par/*/*/examples.jsonl")):
            time.sleep(0.01)
        killed["rows_then"] = sum(len(p.read_text().splitlines()) for p in out.glob("par/*/*/examples.jsonl"))
        made.remove_node(worker, allow_graceful=False)

    killer = threading.Thread(target=kill_worker_node, daemon=True)
    killer.start()
    try:
        on_ray = run(task, out, Execution(backend="ray", ray_address=made.address, batch_pairs=10, max_failures=3))
        reference = run(task, tmp_path / "calm", Execution(workers=1))
    finally:
        registry._REGISTRY.pop(slow_metric.SlowRouge.name, None)
    killer.join(timeout=5)
    assert 0 < killed["rows_then"] < 300  # the node died mid-run
    for run_dir in on_ray.values():
        assert json.loads((run_dir / "run.json").read_text())["execution"]["workers_lost"] >= 1
        ids = [row["id"] for row in rows_of(run_dir)]
        assert len(ids) == 150 and len(set(ids)) == 150  # every example exactly once
    same_rows(reference, on_ray)

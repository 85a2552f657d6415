"""Shared fixtures. Runs before any test module imports a library, so the offline settings take effect."""

from __future__ import annotations

import os
import tempfile

# No test may reach the Hugging Face hub: with these set, a stray download fails at once.
for _name in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE"):
    os.environ[_name] = "1"
# evaluate and datasets write module and dataset caches under HF_HOME; keep them out of the user's home.
os.environ.setdefault("HF_HOME", tempfile.mkdtemp(prefix="harness-test-hf-"))

import json  # noqa: E402
import textwrap  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def repo() -> Path:
    """The repository root."""
    return REPO


@pytest.fixture(scope="session")
def shared() -> Path:
    """``../shared`` beside the checkout (real evaluation data). Required in CI, skipped elsewhere."""
    path = Path(os.environ.get("HARNESS_SHARED", REPO.parent / "shared"))
    if not (path / "external").is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{path}/external not found: CI must run with shared/ beside the checkout")
        pytest.skip(f"{path}/external not found (set HARNESS_SHARED)")
    return path


@pytest.fixture
def cli() -> Callable[..., Any]:
    """Invoke the harness CLI in-process with typer's CliRunner; returns click's Result (stdout/stderr split)."""
    from harness.cli import app

    runner = CliRunner()

    def invoke(*args: str, **kwargs: Any) -> Any:
        return runner.invoke(app, list(args), catch_exceptions=False, **kwargs)

    return invoke


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def make_task(tmp_path: Path) -> Callable[..., Path]:
    """Write a small valid task (3 examples, a JSONL candidate file) into tmp_path; ``body`` overrides the YAML.

    Files: ``tmp_path/data.jsonl`` (ids a, b, c), ``tmp_path/cands.jsonl``, ``tmp_path/task.yaml``.
    """

    def make(body: str | None = None, examples: list[dict[str, Any]] | None = None) -> Path:
        examples = examples or [
            {"id": "a", "source": "The cat sat on the mat. It was warm."},
            {"id": "b", "source": "Prices rose 5% in March. Analysts expected 3%."},
            {"id": "c", "source": "The council approved the plan on Tuesday."},
        ]
        write_jsonl(tmp_path / "data.jsonl", examples)
        write_jsonl(
            tmp_path / "cands.jsonl", [{"id": e["id"], "candidate": e["source"].upper()[::-1]} for e in examples]
        )
        task = tmp_path / "task.yaml"
        task.write_text(
            textwrap.dedent(body)
            if body is not None
            else textwrap.dedent("""\
            name: tiny
            version: 1
            kind: rewrite
            data: data.jsonl
            metrics: [rouge]
            primary: rougeLsum_f
            systems:
              mine: file:cands.jsonl
              copy: copy
            """),
            encoding="utf-8",
        )
        return task

    return make

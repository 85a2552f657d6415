"""The results format, as documented: real runs validate against docs/schema/run.schema.json and
docs/schema/examples.schema.json (JSON Schema 2020-12), and the schemas reject what the readers reject."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "docs" / "schema"


def validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Runs of the demo task from `harness eval`: four systems scored, plus one whose file lacks half the ids."""
    work = tmp_path_factory.mktemp("schema")
    rows = (ROOT / "seeds" / "rewrite-paragraphs.jsonl").read_text(encoding="utf-8").splitlines()
    (work / "half.jsonl").write_text("\n".join(rows[:8]) + "\n", encoding="utf-8")
    harness = str(Path(sys.executable).parent / "harness")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    command = [harness, "eval", "seeds-paragraphs", "--metrics", "rouge,numeric,quotes", "--out", "out", "--quiet"]
    for extra in ([], ["--system", "half=file:half.jsonl", "--allow-missing"]):
        done = subprocess.run(
            [*command, *extra],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    found = sorted(path.parent for path in (work / "out").glob("*/*/*/run.json"))
    assert len(found) == 5
    return found


def test_real_runs_validate(runs: list[Path]) -> None:
    run_schema, example_schema = validator("run.schema.json"), validator("examples.schema.json")
    failed_rows = 0
    for run in runs:
        record = json.loads((run / "run.json").read_text(encoding="utf-8"))
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in run_schema.iter_errors(record)]
        assert not errors, (run, errors[:5])
        for number, line in enumerate((run / "examples.jsonl").read_text(encoding="utf-8").splitlines(), 1):
            row = json.loads(line)
            errors = [e.message for e in example_schema.iter_errors(row)]
            assert not errors, (f"{run}/examples.jsonl:{number}", errors[:5])
            failed_rows += "error" in row
    assert failed_rows == 8  # the half system's missing ids: rows with an error and no scores


def _broken(record: dict[str, Any], *path: str) -> dict[str, Any]:
    broken = copy.deepcopy(record)
    target = broken
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return broken


def test_schemas_reject_what_the_readers_reject(runs: list[Path]) -> None:
    run_schema, example_schema = validator("run.schema.json"), validator("examples.schema.json")
    record = json.loads((runs[0] / "run.json").read_text(encoding="utf-8"))
    for path in (("task", "name"), ("system", "name"), ("means",), ("examples", "n")):
        assert not run_schema.is_valid(_broken(record, *path)), path
    bad_interval = copy.deepcopy(record)
    bad_interval["intervals"]["rouge1_f"] = [0.1]
    assert not run_schema.is_valid(bad_interval)
    row = json.loads((runs[0] / "examples.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert example_schema.is_valid(row)
    assert not example_schema.is_valid({**row, "rouge1_f": "0.5"})  # a score that is not a number
    assert not example_schema.is_valid({**row, "error": {"stage": "generate", "message": "x"}})  # scores and error
    assert not example_schema.is_valid({"id": "p01", "candidate": None, "error": {"stage": "lunch", "message": "x"}})

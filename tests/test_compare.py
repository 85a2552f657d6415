"""The regression gate: ``harness compare``, ``harness eval --baseline``, the task's ``gate:``, JUnit and Markdown.

Most runs here are constructed (``run.json`` + ``examples.jsonl`` written through :func:`harness.store.store.write_run`
with known per-example scores), so every difference, interval and verdict can be checked against
:mod:`harness.rank.stats` directly. Exit codes: 0 pass, 1 a gate failed, 2 usage or configuration error.
"""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from harness.errors import HarnessError
from harness.gate.compare import compare_runs, default_gate, evaluate_gate, read_run
from harness.gate.config import Gate
from harness.rank import stats
from harness.read.tasks import load_task
from harness.store.store import write_run

Cli = Callable[..., Any]
SIGNATURE = "toy|v:1"
# The two published JUnit schemas (see tests/data/junit/SOURCE.md): Jenkins xunit's and Apache Ant's.
JUNIT_SCHEMAS = sorted((Path(__file__).parent / "data" / "junit").glob("*.xsd"))


def assert_valid_junit(path: Path) -> None:
    """Validate against every shipped JUnit schema; xmlschema raises with the offending element if not."""
    import xmlschema

    assert len(JUNIT_SCHEMAS) == 2
    for schema in JUNIT_SCHEMAS:
        xmlschema.XMLSchema(schema).validate(path)


def make_run(
    results: Path,
    system: str,
    scores: list[float],
    *,
    ids: list[str] | None = None,
    version: int = 1,
    signature: str = SIGNATURE,
    discrepancies: dict[str, list[dict[str, Any]]] | None = None,
    task_file: str | None = None,
    run_id: str | None = None,
) -> Path:
    """A run of task ``toy`` with one metric ``toy`` (key ``score``, higher is better) and a ``numeric``
    metric whose only detail is the discrepancies given per example id."""
    ids = ids or [f"e{i:03d}" for i in range(len(scores))]
    discrepancies = discrepancies or {}
    rows = [
        {
            "id": i,
            "candidate": "",
            "score": s,
            "numeric_precision": 1.0,
            "details": {"numeric": {"discrepancies": discrepancies.get(i, [])}},
        }
        for i, s in zip(ids, scores, strict=True)
    ]
    means = {"score": float(np.mean(scores)), "numeric_precision": 1.0}
    run = {
        "run_id": run_id or "20260101T000000.000000Z-000000",
        "task": {
            "name": "toy",
            "version": version,
            **({"file": task_file} if task_file else {}),
            "primary": "score",
            "data_sha256": "d",
        },
        "system": {"name": system, "spec": "file:x"},
        "examples": {"n": len(ids), "ids_sha256": "i"},
        "metrics": {
            "toy": {"keys": ["score"], "directions": {"score": "higher"}},
            "numeric": {"keys": ["numeric_precision"], "directions": {"numeric_precision": "higher"}},
        },
        "signatures": {"toy": signature, "numeric": "numeric|1"},
        "means": means,
        "seed": 1234,
    }
    return write_run(results, "toy", system, run, rows)


def code(result: Any, expected: int) -> Any:
    assert result.exit_code == expected, (result.exit_code, result.stdout, result.stderr)
    return result


UNSUPPORTED = {
    "kind": "unsupported",
    "candidate": {"text": "£7bn", "start": 10, "end": 14},
    "source": {"text": "£3m", "start": 4, "end": 7},
}


@pytest.fixture
def base_scores() -> list[float]:
    return list(np.random.default_rng(7).uniform(0.3, 0.9, size=40))


# --- the comparison itself: values from harness.rank.stats --------------------------------------------------------


def test_difference_interval_and_p_are_those_of_harness_stats(tmp_path: Path, base_scores: list[float]) -> None:
    rng = np.random.default_rng(11)
    cand = [s + d for s, d in zip(base_scores, rng.normal(-0.02, 0.05, size=40), strict=True)]
    b, c = make_run(tmp_path, "base", base_scores), make_run(tmp_path, "cand", cand)
    found = compare_runs(read_run(b), read_run(c), resamples=500, seed=9).key("score")
    # Every key shares one set of resamples: here the keys are (score, numeric_precision).
    pairs_c, pairs_b = [[x, 1.0] for x in cand], [[x, 1.0] for x in base_scores]
    assert found.difference == stats.paired_bootstrap(pairs_c, pairs_b, resamples=500, seed=9)[0]
    alone = stats.paired_bootstrap(cand, base_scores, resamples=500, seed=9)[0]
    assert (found.difference.low, found.difference.high) == (pytest.approx(alone.low), pytest.approx(alone.high))
    assert found.difference.mean == pytest.approx(np.mean(cand) - np.mean(base_scores), abs=1e-12)
    assert found.p == stats.permutation_test(pairs_c, pairs_b, resamples=500, seed=9)[0]
    assert found.p == stats.permutation_test(cand, base_scores, resamples=500, seed=9)[0]
    assert (found.baseline, found.candidate) == (pytest.approx(np.mean(base_scores)), pytest.approx(np.mean(cand)))


def test_only_common_ids_are_paired(tmp_path: Path) -> None:
    b = make_run(tmp_path, "base", [0.1, 0.2, 0.3], ids=["a", "b", "c"])
    c = make_run(tmp_path, "cand", [0.5, 0.6, 0.9], ids=["b", "c", "d"])
    comparison = compare_runs(read_run(b), read_run(c))
    assert comparison.ids == ["b", "c"] and (comparison.only_baseline, comparison.only_candidate) == (1, 1)
    assert comparison.key("score").difference.mean == pytest.approx(((0.5 - 0.2) + (0.6 - 0.3)) / 2)


# --- the gates, through the CLI ------------------------------------------------------------------------------


def test_identical_candidate_passes(cli: Cli, tmp_path: Path, base_scores: list[float]) -> None:
    b = make_run(tmp_path, "base", base_scores)
    c = make_run(tmp_path, "cand", base_scores)
    result = code(cli("compare", str(b), str(c), "--max-drop", "score=0.01", "--max-count", "unsupported=0"), 0)
    assert "— passed" in result.stdout and "| score | " in result.stdout and "gate passed" in result.stderr


def test_drop_larger_than_allowed_fails_with_exit_1(cli: Cli, tmp_path: Path, base_scores: list[float]) -> None:
    b = make_run(tmp_path, "base", base_scores)
    c = make_run(tmp_path, "cand", [s - 0.08 for s in base_scores])
    result = code(cli("compare", str(b), str(c), "--max-drop", "score=0.05"), 1)
    assert "| max-drop score=0.05 | **FAIL** |" in result.stdout and "lies wholly below -0.05" in result.stdout
    assert result.stderr.strip() == "gate failed: max-drop score=0.05"


def test_drop_smaller_than_allowed_passes(cli: Cli, tmp_path: Path, base_scores: list[float]) -> None:
    b = make_run(tmp_path, "base", base_scores)
    c = make_run(tmp_path, "cand", [s - 0.03 for s in base_scores])
    code(cli("compare", str(b), str(c), "--max-drop", "score=0.05"), 0)
    # The same drop is real (the interval is [-0.03, -0.03]) and so fails a gate that allows none.
    code(cli("compare", str(b), str(c), "--max-drop", "score=0"), 1)


def test_default_gate_is_no_real_drop_on_the_primary_key(cli: Cli, tmp_path: Path, base_scores: list[float]) -> None:
    b = make_run(tmp_path, "base", base_scores)
    c = make_run(tmp_path, "cand", [s - 0.01 for s in base_scores])
    result = code(cli("compare", str(b), str(c)), 1)
    assert "| max-drop score=0 | **FAIL** |" in result.stdout
    code(cli("compare", str(c), str(b)), 0)  # an improvement is never a drop


def test_noise_without_shift_passes_at_least_95_of_100_trials(tmp_path: Path) -> None:
    """The false alarm rate of the default gate, measured: candidate = baseline + zero-mean noise."""
    passes = 0
    for trial in range(100):
        rng = np.random.default_rng(trial)
        base = rng.uniform(0.2, 0.8, size=50)
        cand = base + rng.normal(0.0, 0.1, size=50)  # no shift: the observed difference is noise alone
        folder = tmp_path / str(trial)
        b, c = make_run(folder, "base", list(base)), make_run(folder, "cand", list(cand))
        comparison = compare_runs(read_run(b), read_run(c))
        passes += all(r.passed for r in evaluate_gate(comparison, default_gate(comparison)))
    assert passes >= 95, passes


def test_min_floor(cli: Cli, tmp_path: Path) -> None:
    b = make_run(tmp_path, "base", [0.5, 0.6])
    c = make_run(tmp_path, "cand", [0.5, 0.6])
    code(cli("compare", str(b), str(c), "--min", "score=0.55"), 0)
    result = code(cli("compare", str(b), str(c), "--min", "score=0.56"), 1)
    assert "candidate mean 0.5500 < 0.56" in result.stdout


def test_one_unsupported_number_fails_max_count_and_names_the_example(
    cli: Cli, tmp_path: Path, base_scores: list[float]
) -> None:
    b = make_run(tmp_path, "base", base_scores)
    c = make_run(tmp_path, "cand", base_scores, discrepancies={"e017": [UNSUPPORTED]})
    junit = tmp_path / "gate.xml"
    result = code(cli("compare", str(b), str(c), "--max-count", "unsupported=0", "--junit", str(junit)), 1)
    assert '- `e017` (max-count unsupported=0): unsupported: "£7bn" (closest in the source: "£3m")' in result.stdout
    assert "1 example(s) with a discrepancy of kind unsupported, 0 allowed: e017" in result.stdout
    code(cli("compare", str(b), str(c), "--max-count", "unsupported=1", "--max-count", "scale=0"), 0)

    root = ET.parse(junit).getroot()
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    suite = suites[0]
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["max-count unsupported=0", "example e017"]
    assert all(c.get("classname") and c.get("time") is not None for c in cases)
    assert suite.get("tests") == "2" and suite.get("failures") == "2" and suite.get("errors") == "0"
    failure = cases[1].find("failure")
    assert failure is not None and failure.get("type") == "HardCheckFailed"
    assert failure.get("message") == 'unsupported: "£7bn" (closest in the source: "£3m")'
    for element in root.iter():  # only elements and attributes of the JUnit schema CI systems read
        assert element.tag in {"testsuites", "testsuite", "properties", "property", "testcase", "failure"} | {
            "system-out",
            "system-err",
        }
    assert_valid_junit(junit)


def test_the_schemas_reject_what_ci_systems_could_not_read(tmp_path: Path) -> None:
    """The validation above can fail: a test case without a name, or a suite without its counts, is refused."""
    import xmlschema

    for broken in (
        '<testsuites><testsuite name="s" tests="1" failures="0" errors="0"><testcase classname="c" time="0"/>'
        "</testsuite></testsuites>",
        '<testsuites><testsuite name="s"><testcase name="t" classname="c" time="0"/></testsuite></testsuites>',
    ):
        path = tmp_path / "broken.xml"
        path.write_text(broken, encoding="utf-8")
        for schema in JUNIT_SCHEMAS:
            with pytest.raises(xmlschema.XMLSchemaValidationError):
                xmlschema.XMLSchema(schema).validate(path)


def test_junit_of_a_passing_gate_has_no_failure(cli: Cli, tmp_path: Path) -> None:
    b, c = make_run(tmp_path, "base", [0.5, 0.6]), make_run(tmp_path, "cand", [0.5, 0.6])
    junit = tmp_path / "gate.xml"
    code(cli("compare", str(b), str(c), "--junit", str(junit), "--min", "score=0.1"), 0)
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "1" and suite.get("failures") == "0"
    assert not list(suite.iter("failure"))
    assert_valid_junit(junit)


def test_markdown_summary_is_appended_to_github_step_summary(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    b = make_run(tmp_path, "base", [0.5, 0.6, 0.7])
    c = make_run(tmp_path, "cand", [0.1, 0.2, 0.3])
    result = code(cli("compare", str(b), str(c), "--max-drop", "score=0.1"), 1)
    assert summary.read_text(encoding="utf-8") == "earlier step\n" + result.stdout
    assert result.stdout.startswith("## harness compare: toy — FAILED")


# --- refusals and usage errors: exit 2, one line naming what differs -----------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"signature": "toy|v:2"}, "metric signatures differ for toy: baseline toy|v:1 vs candidate toy|v:2"),
        ({"version": 2}, "task versions differ: baseline 1, candidate 2"),
        ({"ids": ["x", "y"]}, "no example ids in common (baseline: a, b…; candidate: x, y…)"),
    ],
)
def test_refuses_incomparable_runs(cli: Cli, tmp_path: Path, change: dict[str, Any], message: str) -> None:
    b = make_run(tmp_path, "base", [0.5, 0.6], ids=["a", "b"])
    c = make_run(tmp_path, "cand", [0.5, 0.6], **{"ids": ["a", "b"], **change})
    result = code(cli("compare", str(b), str(c)), 2)
    assert result.stdout == "" and message in result.stderr and len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--max-drop", "score"], "--max-drop 'score': expected --max-drop numeric_precision=0.02"),
        (["--max-drop", "scor=0.1"], "key 'scor' is not compared here (did you mean 'score'?)"),
        (["--max-drop", "score=-1"], "the allowed drop must be >= 0"),
        (["--max-count", "unsuported=0"], "unknown discrepancy kind 'unsuported' (did you mean 'unsupported'?)"),
        (["--max-count", "unit=0.5"], "--max-count 'unit=0.5': expected --max-count unsupported=0"),
        (["--min", "score=1", "--min", "score=2"], "--min 'score' given twice"),
    ],
)
def test_bad_gate_options_exit_2(cli: Cli, tmp_path: Path, args: list[str], message: str) -> None:
    b, c = make_run(tmp_path, "base", [0.5, 0.6]), make_run(tmp_path, "cand", [0.5, 0.6])
    result = code(cli("compare", str(b), str(c), *args), 2)
    assert message in result.stderr


def test_results_folder_with_system(cli: Cli, tmp_path: Path) -> None:
    make_run(tmp_path / "old", "mine", [0.5, 0.6], run_id="20260101T000000.000000Z-aaaaaa")
    make_run(tmp_path / "new", "mine", [0.9, 0.9], run_id="20260101T000000.000000Z-aaaaaa")
    make_run(tmp_path / "new", "mine", [0.1, 0.1], run_id="20260102T000000.000000Z-bbbbbb")  # the newest
    code(cli("compare", str(tmp_path / "old"), str(tmp_path / "new"), "--system", "mine"), 1)
    result = code(cli("compare", str(tmp_path / "old"), str(tmp_path / "new"), "--system", "mien"), 2)
    assert "no run of system 'mien' (did you mean 'mine'?)" in result.stderr
    result = code(cli("compare", str(tmp_path / "old"), str(tmp_path / "new")), 2)
    assert "no run.json here; give a run directory, or a results directory with --system" in result.stderr
    code(cli("compare", str(tmp_path / "missing"), str(tmp_path / "new")), 2)


# --- the task's gate: section --------------------------------------------------------------------------------

TASK = """\
    name: tiny
    version: 1
    kind: rewrite
    data: data.jsonl
    metrics: [rouge, numeric]
    primary: rougeLsum_f
    systems:
      mine: file:cands.jsonl
      copy: copy
    """


def test_task_gate_is_parsed(make_task: Callable[..., Path]) -> None:
    gate = "gate:\n  max_drop: {rougeLsum_f: 0.02}\n  min: {numeric_precision: 0.9}\n  max_count: {scale: 0}\n"
    task = load_task(make_task(textwrap.dedent(TASK) + gate))
    assert task.gate == Gate({"rougeLsum_f": 0.02}, {"numeric_precision": 0.9}, {"scale": 0})
    assert load_task(make_task(textwrap.dedent(TASK))).gate == Gate()


@pytest.mark.parametrize(
    ("gate", "line", "message"),
    [
        ("gate:\n  max_drops: {rougeLsum_f: 0.1}\n", 11, "unknown gate 'max_drops' (did you mean 'max_drop'?)"),
        ("gate:\n  max_drop:\n    rougeLsum: 0.1\n", 12, "'rougeLsum' is not a key of the task's metrics"),
        ("gate:\n  max_drop:\n    rougeLsum_f: -0.1\n", 12, "the allowed drop must be >= 0"),
        ("gate:\n  min:\n    rougeLsum_f: high\n", 12, "min rougeLsum_f: expected a number, got 'high'"),
        ("gate:\n  max_count:\n    scale: 0\n    units: 1\n", 13, "unknown discrepancy kind 'units'"),
        ("gate: [max_drop]\n", 10, "'gate' must be a mapping"),
    ],
)
def test_bad_task_gate_names_file_and_line(make_task: Callable[..., Path], gate: str, line: int, message: str) -> None:
    path = make_task(textwrap.dedent(TASK) + gate)
    with pytest.raises(HarnessError) as caught:
        load_task(path)
    assert str(caught.value).startswith(f"{path}:{line}: ") and message in str(caught.value)


def test_compare_applies_the_task_gate_and_flags_override_it(
    cli: Cli, make_task: Callable[..., Path], tmp_path: Path
) -> None:
    task = make_task(textwrap.dedent(TASK) + "gate:\n  min: {rougeLsum_f: 0.99}\n")
    out = tmp_path / "out"
    code(cli("eval", str(task), "--system", "mine", "--system", "copy", "--out", str(out)), 0)
    mine, copy = (next(p for p in (out / "tiny" / s).iterdir()) for s in ("mine", "copy"))
    result = code(cli("compare", str(copy), str(mine)), 1)  # the task's floor fails, and so does no drop
    assert "| min rougeLsum_f=0.99 | **FAIL** |" in result.stdout and "max-drop" not in result.stdout
    code(cli("compare", str(copy), str(mine), "--min", "rougeLsum_f=0", "--max-drop", "rougeLsum_f=1"), 0)
    code(cli("compare", str(copy), str(copy)), 0)


def test_max_drop_on_a_count_is_a_configuration_error(cli: Cli, make_task: Callable[..., Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    code(cli("eval", str(make_task(textwrap.dedent(TASK))), "--system", "copy", "--out", str(out)), 0)
    run = next((out / "tiny" / "copy").iterdir())
    result = code(cli("compare", str(run), str(run), "--max-drop", "numeric_n_source=1"), 2)
    assert "numeric_n_source is a count with no better direction" in result.stderr


# --- harness eval --baseline ---------------------------------------------------------------------------------


def test_eval_with_baseline_runs_and_gates(cli: Cli, make_task: Callable[..., Path], tmp_path: Path) -> None:
    task, out = str(make_task(textwrap.dedent(TASK))), tmp_path / "out"
    code(cli("eval", task, "--system", "copy", "--out", str(out)), 0)
    copy_run = next((out / "tiny" / "copy").iterdir())
    # Against a results folder: the newest run of the same system before this one, so itself: passes.
    result = code(cli("eval", task, "--system", "copy", "--out", str(out), "--baseline", str(out)), 0)
    assert "tiny: ranked by rougeLsum_f" in result.stdout and "## harness compare: tiny — passed" in result.stdout
    assert len(list((out / "tiny" / "copy").iterdir())) == 2
    junit = tmp_path / "gate.xml"
    args = ["--baseline", str(copy_run), "--max-drop", "rougeLsum_f=0.1", "--junit", str(junit)]
    result = code(cli("eval", task, "--system", "mine", "--out", str(out), *args), 1)
    assert "| max-drop rougeLsum_f=0.1 | **FAIL** |" in result.stdout
    assert ET.parse(junit).getroot().find("testsuite/testcase/failure") is not None
    assert_valid_junit(junit)
    two = code(cli("eval", task, "--system", "mine", "--system", "copy", "--out", str(out), "--baseline", str(out)), 2)
    assert "--baseline gates one system" in two.stderr
    assert code(cli("eval", task, "--system", "nope", "--out", str(out), "--baseline", str(out)), 2).stderr
    code(cli("eval", task, "--system", "copy", "--out", str(out), "--max-drop", "rougeLsum_f=0.1"), 2)


# --- end to end on the seeds: four figures changed --------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from typer.testing import CliRunner

    from harness.cli import app

    out = tmp_path_factory.mktemp("seeds") / "results"
    args = ["eval", "seeds-paragraphs", "--system", "seed-rewrite", "--system", "seed-rewrite-misnumbered"]
    result = CliRunner().invoke(app, [*args, "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    base, cand = (next((out / "seeds-paragraphs" / s).iterdir()) for s in args[3::2])
    return base, cand


def test_seeds_misnumbered_rewrite_fails_the_gate(cli: Cli, seeds_runs: tuple[Path, Path], tmp_path: Path) -> None:
    base, cand = seeds_runs
    junit = tmp_path / "gate.xml"
    gates = ["--max-drop", "numeric_precision=0.02", "--max-count", "scale=0", "--max-count", "value=0"]
    result = code(cli("compare", str(base), str(cand), *gates, "--junit", str(junit)), 1)
    assert "| max-drop numeric_precision=0.02 | **FAIL** |" in result.stdout
    assert '- `p11` (max-count scale=0): scale: "£500bn" where the source has "£500m"' in result.stdout
    assert '- `p16` (max-count value=0): value: "754,000" where the source has "745,000"' in result.stdout
    assert_valid_junit(junit)
    names = [c.get("name") for c in ET.parse(junit).getroot().iter("testcase")]
    assert names == [
        "max-drop numeric_precision=0.02",
        "max-count scale=0",
        "example p11",
        "max-count value=0",
        "example p16",
    ]
    code(cli("compare", str(base), str(base), *gates), 0)
    code(cli("compare", str(cand), str(cand), *gates[:2]), 0)


def test_run_json_is_untouched_by_compare(cli: Cli, seeds_runs: tuple[Path, Path]) -> None:
    base, cand = seeds_runs
    before = {p: p.read_bytes() for run in seeds_runs for p in run.iterdir()}
    code(cli("compare", str(base), str(cand), "--max-count", "scale=0"), 1)
    assert {p: p.read_bytes() for run in seeds_runs for p in run.iterdir()} == before
    assert json.loads((cand / "run.json").read_text(encoding="utf-8"))["task"]["name"] == "seeds-paragraphs"


def test_eval_baseline_catches_one_new_unsupported_number(
    cli: Cli, make_task: Callable[..., Path], tmp_path: Path
) -> None:
    """Scored for real: the candidate copies every source but adds a vote count the source never gives."""
    task, out = make_task(textwrap.dedent(TASK)), tmp_path / "out"
    code(cli("eval", str(task), "--system", "copy", "--out", str(out)), 0)
    copy_run = next((out / "tiny" / "copy").iterdir())
    sources = [json.loads(line) for line in (tmp_path / "data.jsonl").read_text(encoding="utf-8").splitlines()]
    edited = {"c": "The council approved the plan on Tuesday by 12 votes."}
    rows = [{"id": r["id"], "candidate": edited.get(r["id"], r["source"])} for r in sources]
    (tmp_path / "new.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    gate = ["--baseline", str(copy_run), "--max-count", "unsupported=0", "--max-drop", "rougeLsum_f=1"]
    result = code(
        cli("eval", str(task), "--system", f"copy=file:{tmp_path / 'new.jsonl'}", "--out", str(out), *gate), 1
    )
    assert '- `c` (max-count unsupported=0): unsupported: "12" (the source has no such figure)' in result.stdout
    assert "| max-drop rougeLsum_f=1 | pass |" in result.stdout

"""Issue 20, "the first hour and the bad day": what a new user and a broken input ran into.

Broken run files (``--skip-broken``), a CSV whose quote is never closed, a source that is not a string,
``harness score`` with ``harness eval``'s rules, empty answers from a generating system, rescoring a run with
failed examples, a whole-set metric that fails, progress output, ``--quiet`` and the help text.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import sys
import textwrap
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from chat_server import ChatServer

from harness.generate.cache import default_path
from harness.scoring import registry
from harness.scoring.registry import Metric

Cli = Callable[..., Any]


def one_error(result: Any, *fragments: str) -> str:
    """Exit 1, exactly one line on stderr (``error: ...``) holding every fragment, and no traceback."""
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    for fragment in fragments:
        assert fragment in lines[0], f"{fragment!r} not in {lines[0]!r}"
    return lines[0]


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.stdout + result.stderr
    return result


# --- broken run.json / examples.jsonl ----------------------------------------------------------------------------


@pytest.fixture
def results(cli: Cli, make_task: Callable[..., Path], tmp_path: Path) -> Path:
    """Two ranked systems (mine, copy) of the tiny task."""
    out = tmp_path / "results"
    ok(cli("eval", str(make_task()), "--out", str(out), "--resamples", "20"))
    return out


def run_dir(results: Path, system: str) -> Path:
    (found,) = [p for p in (results / "tiny" / system).iterdir() if not p.name.startswith(".")]
    return found


BREAKS = [
    # (id, file, new content, what the message says after the file)
    ("truncated-run-json", "run.json", lambda text: text[: len(text) // 2], ["invalid JSON", "(cut off?)"]),
    ("empty-run-json", "run.json", lambda text: "", ["run.json: empty file"]),
    ("list-run-json", "run.json", lambda text: "[1, 2]\n", ["run.json: expected a JSON object, got an array"]),
    ("no-means", "run.json", lambda text: json.dumps({**json.loads(text), "means": [1]}), ["'means' is missing"]),
    (
        "examples-invalid-line",
        "examples.jsonl",
        lambda text: text.replace("\n", "\n{oops\n", 1),
        ["examples.jsonl:2: invalid JSON"],
    ),
    (
        "examples-cut-at-a-line",
        "examples.jsonl",
        lambda text: "".join(text.splitlines(keepends=True)[:2]),
        ["examples.jsonl: holds 2 examples; run.json describes 3"],
    ),
    (
        "examples-score-missing",
        "examples.jsonl",
        lambda text: text.replace('"rouge1_p"', '"rouge1_x"', 1),
        ["examples.jsonl:1: example 'a': 'rouge1_p' is missing or not a number"],
    ),
]


@pytest.mark.parametrize(("name", "edit", "fragments"), [b[1:] for b in BREAKS], ids=[b[0] for b in BREAKS])
def test_broken_run_is_an_error_naming_the_file(
    cli: Cli, results: Path, name: str, edit: Callable[[str], str], fragments: list[str]
) -> None:
    """leaderboard and report: exit 1, one line naming the broken file and what is wrong with it."""
    broken = run_dir(results, "copy")
    path = broken / name
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    for command in (("leaderboard",), ("report", "--out", str(results.parent / "r.html"))):
        line = one_error(cli(*command, "--results", str(results), "--resamples", "20"), *fragments)
        assert str(broken / name.split(":")[0]) in line and "--skip-broken" in line
        assert "Error:" not in line and "list indices" not in line  # no raw exception text
    assert not (results.parent / "r.html").exists()


@pytest.mark.parametrize("name", ["run.json", "examples.jsonl"])
def test_skip_broken_ranks_the_rest_and_says_why_in_every_format(cli: Cli, results: Path, name: str) -> None:
    broken = run_dir(results, "copy")
    (broken / name).write_text("{cut", encoding="utf-8")
    why = f"{name}:1: invalid JSON"
    args = ("--results", str(results), "--resamples", "20", "--skip-broken")
    table = ok(cli("leaderboard", *args)).stdout
    assert f"not ranked: copy ({broken.name}): {why}" in table and "mine" in table
    md = ok(cli("leaderboard", *args, "--format", "md")).stdout
    assert f"- not ranked: copy ({broken.name}): {why}" in md
    rows = json.loads(ok(cli("leaderboard", *args, "--format", "json")).stdout)
    assert [(r["system"], r["rank"]) for r in rows] == [("mine", 1), ("copy", None)]
    assert rows[1]["not_ranked"].startswith(why) and rows[1]["run"] == str(broken)
    found = list(csv.DictReader(io.StringIO(ok(cli("leaderboard", *args, "--format", "csv")).stdout)))
    assert [(r["system"], r["rank"]) for r in found] == [("mine", "1"), ("copy", "")]
    assert found[0]["not_ranked"] == "" and found[1]["not_ranked"].startswith(why)
    page, summary = results.parent / "r.html", results.parent / "r.md"
    ok(cli("report", *args, "--out", str(page), "--markdown", str(summary)))
    assert f"Not ranked: copy ({broken.name}): {why}" in page.read_text(encoding="utf-8")
    assert f"not ranked: copy ({broken.name}): {why}" in summary.read_text(encoding="utf-8")


def test_eval_lists_an_unrelated_broken_run_instead_of_failing(
    cli: Cli, results: Path, make_task: Callable[..., Path]
) -> None:
    """A new eval's runs are written: an older broken run in the folder is shown as not ranked."""
    broken = run_dir(results, "copy")
    (broken / "run.json").write_text("", encoding="utf-8")
    result = ok(cli("eval", str(make_task()), "--system", "mine", "--out", str(results), "--resamples", "20"))
    assert f"not ranked: copy ({broken.name}): run.json: empty file" in result.stdout


# --- data files ----------------------------------------------------------------------------------------------------


def test_csv_unterminated_quote_is_the_csv_files_error(cli: Cli, make_task: Callable[..., Path]) -> None:
    """The quote opened on line 3 swallowed the rows after it; the error names the CSV and that line, not the
    candidate file whose ids then no longer matched."""
    task = make_task()
    data = task.parent / "data.csv"
    data.write_text(
        'id,source\na,The cat sat on the mat.\nb,"Prices rose 5% in March.\nc,The council met on Tuesday.\n',
        encoding="utf-8",
    )
    task.write_text(task.read_text(encoding="utf-8").replace("data.jsonl", "data.csv"), encoding="utf-8")
    one_error(cli("eval", str(task), "--out", str(task.parent / "out")), f"{data}:3: invalid CSV", "quoted field")


@pytest.mark.parametrize(("value", "kind"), [(5, "int"), (2.5, "float"), (["x"], "list"), (None, "null")])
def test_source_of_the_wrong_type_says_so(cli: Cli, make_task: Callable[..., Path], value: Any, kind: str) -> None:
    task = make_task()
    rows = [{"id": "a", "source": "The cat sat."}, {"id": "b", "source": value}]
    (task.parent / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    one_error(
        cli("eval", str(task), "--system", "copy", "--out", str(task.parent / "out")),
        f"{task.parent / 'data.jsonl'}:2: example 'b': field 'source' (source) must be a string, got {kind}",
    )


# --- harness score: the rules of harness eval --------------------------------------------------------------------


PAIR = {"id": 1, "source": "a b", "candidate": "a"}


@pytest.mark.parametrize(
    ("records", "fragment"),
    [
        ([PAIR, {"id": 2, "source": " ", "candidate": "a"}], ":2: example '2': field 'source' (source) is empty"),
        ([PAIR, {"id": 1, "source": "c", "candidate": "c"}], ":2: duplicate id '1' (first at line 1)"),
        ([{"id": 1.5, "source": "a b", "candidate": "a"}], ":1: field 'id' must be a non-empty string or integer"),
        ([{"id": 1, "source": "a b", "candidate": 3}], ":1: example '1': 'candidate' must be a string, got int"),
    ],
    ids=["empty-source", "duplicate-id", "float-id", "candidate-int"],
)
def test_score_pairs_follows_eval_rules(cli: Cli, tmp_path: Path, records: list[Any], fragment: str) -> None:
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = cli("score", "--pairs", str(pairs))
    one_error(result, f"{pairs}{fragment}")
    assert result.stdout == ""


def test_score_rejects_an_empty_source_file(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "src.txt").write_text(" \n", encoding="utf-8")
    (tmp_path / "cand.txt").write_text("Something.", encoding="utf-8")
    one_error(cli("score", str(tmp_path / "src.txt"), str(tmp_path / "cand.txt")), "src.txt: the source is empty")


# --- what a person sees --------------------------------------------------------------------------------------------


def test_eval_help_shows_the_ray_extra_with_its_brackets(cli: Cli) -> None:
    result = ok(cli("eval", "--help", env={"COLUMNS": "250"}))
    assert "pip install 'harness[ray]'" in result.stdout


def test_skip_broken_leaves_the_broken_run_as_it_is(cli: Cli, results: Path) -> None:
    """--skip-broken leaves the broken run's files as they are (nothing already written is lost)."""
    broken = run_dir(results, "copy")
    (broken / "run.json").write_text("[]", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in broken.iterdir()}
    ok(cli("leaderboard", "--results", str(results), "--skip-broken", "--resamples", "20"))
    assert {p.name: p.read_bytes() for p in broken.iterdir()} == before
    shutil.rmtree(broken)
    ok(cli("leaderboard", "--results", str(results), "--resamples", "20"))


# --- empty answers from generating systems -----------------------------------------------------------------------

PROMPT_TASK = textwrap.dedent("""\
    name: tiny
    version: 1
    kind: rewrite
    data: data.jsonl
    metrics: [rouge]
    primary: rougeLsum_f
    prompt: "Rewrite this:\\n\\n{source}"
    systems:
    """)


@pytest.fixture
def chat() -> Iterator[ChatServer]:
    server = ChatServer().start()
    yield server
    server.stop()


def cached(out: Path) -> int:
    with sqlite3.connect(default_path(out)) as db:
        return int(db.execute("SELECT COUNT(*) FROM generations").fetchone()[0])


def newest(out: Path, system: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    found = sorted(p for p in (out / "tiny" / system).iterdir() if not p.name.startswith("."))[-1]
    lines = (found / "examples.jsonl").read_text(encoding="utf-8").splitlines()
    return json.loads((found / "run.json").read_text(encoding="utf-8")), {r["id"]: r for r in map(json.loads, lines)}


def test_empty_answer_is_retried_and_then_succeeds(cli: Cli, make_task: Callable[..., Path], chat: ChatServer) -> None:
    task = make_task(PROMPT_TASK + f"  local: {{spec: 'openai:test@{chat.url}', backoff: 0.001}}\n")
    out = task.parent / "out"
    chat.script.faults["Prices"] = ["empty", "empty"]
    ok(cli("eval", str(task), "--out", str(out)))
    run, rows = newest(out, "local")
    assert run["failures"]["n"] == 0 and rows["b"]["candidate"].startswith("Prices rose")
    assert chat.requests == 3 + 2 and cached(out) == 3


def test_empty_answer_fails_the_example_is_never_cached_and_is_asked_again(
    cli: Cli, make_task: Callable[..., Path], chat: ChatServer
) -> None:
    task = make_task(PROMPT_TASK + f"  local: {{spec: 'openai:test@{chat.url}', backoff: 0.001, attempts: 2}}\n")
    out = task.parent / "out"
    chat.script.always["Prices"] = "empty"
    result = ok(cli("eval", str(task), "--out", str(out)))
    run, rows = newest(out, "local")
    assert run["failures"]["ids"] == ["b"] and run["examples"]["n"] == 2
    assert rows["b"]["error"]["message"].startswith("empty answer") and "allow_empty: true" in result.stderr
    assert cached(out) == 2 and chat.requests == 2 + 2
    ok(cli("eval", str(task), "--out", str(out)))
    assert chat.requests == 4 + 2  # only 'b' is asked again (twice: attempts 2)


def test_allow_empty_scores_and_caches_the_empty_answer(
    cli: Cli, make_task: Callable[..., Path], chat: ChatServer
) -> None:
    spec = f"{{spec: 'openai:test@{chat.url}', allow_empty: true, attempts: 2, backoff: 0.001}}"
    task = make_task(PROMPT_TASK + f"  local: {spec}\n")
    out = task.parent / "out"
    chat.script.always["Prices"] = "empty"
    result = ok(cli("eval", str(task), "--out", str(out)))
    run, rows = newest(out, "local")
    assert run["failures"]["n"] == 0 and rows["b"]["candidate"] == "" and chat.requests == 3 and cached(out) == 3
    assert "empty candidates scored and flagged" in result.stderr
    ok(cli("eval", str(task), "--out", str(out), "--option", "allow_empty=false"))
    assert chat.requests == 3 + 2  # the cached empty answer is not good enough without allow_empty: asked again


SILENT = textwrap.dedent("""\
    # Prints nothing for the article about prices (as a crashed pipeline that exits 0 might), the article otherwise.
    import sys
    article = sys.stdin.read().split("\\n\\n", 1)[-1]
    with open("calls.txt", "a") as log:
        log.write(article[:6] + "\\n")
    print("" if "Prices" in article else article)
    """)


def test_command_that_prints_nothing_is_asked_again_on_the_next_run(cli: Cli, make_task: Callable[..., Path]) -> None:
    task = make_task(PROMPT_TASK + f"  quiet: command:{sys.executable} silent.py\n")
    (task.parent / "silent.py").write_text(SILENT, encoding="utf-8")
    out = task.parent / "out"
    ok(cli("eval", str(task), "--out", str(out)))
    run, rows = newest(out, "quiet")
    assert run["failures"]["ids"] == ["b"] and rows["b"]["error"]["message"].startswith("empty answer")
    calls = (task.parent / "calls.txt").read_text(encoding="utf-8").splitlines()
    assert sorted(calls) == ["Prices", "The ca", "The co"]  # a command is not retried within a run
    ok(cli("eval", str(task), "--out", str(out)))
    assert (task.parent / "calls.txt").read_text(encoding="utf-8").splitlines()[3:] == ["Prices"]


# --- a metric scored whole (bertscore with idf) that fails ---------------------------------------------------------


class WholeBoom(Metric):
    """Scored in one call per system (as bertscore with idf is); that call raises when a candidate says BOOM."""

    name = "whole_boom"
    description = "test only"

    def keys(self) -> list[str]:
        return ["whole_boom_n"]

    def bounds(self, key: str) -> tuple[float, float]:
        return (0.0, 1e9)

    def signature(self) -> str:
        return "whole_boom|test"

    def per_example(self) -> bool:
        return False

    def score(self, *, sources: Sequence[str], candidates: Sequence[str]) -> list[dict[str, float]]:
        if any("BOOM" in candidate for candidate in candidates):
            raise RuntimeError("CUDA out of\nmemory (pretend)")
        return [{"whole_boom_n": float(len(c.split()))} for c in candidates]


@pytest.fixture
def whole_boom() -> Iterator[None]:
    registry.register(WholeBoom)
    yield
    registry._REGISTRY.pop(WholeBoom.name, None)


def test_a_failing_whole_set_metric_is_recorded_not_fatal(
    cli: Cli, make_task: Callable[..., Path], whole_boom: None
) -> None:
    """The system whose one call failed has every example recorded as failed on that metric (and no run, as
    when all its examples fail); the other system's run is written with its scores."""
    task = make_task()
    cands = task.parent / "cands.jsonl"
    cands.write_text(cands.read_text(encoding="utf-8").replace('"candidate": "', '"candidate": "BOOM ', 1))
    out = task.parent / "out"
    result = cli("eval", str(task), "--metrics", "rouge,whole_boom", "--out", str(out), "--workers", "1")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("error: system 'mine': every example failed ({'metric:whole_boom': 3})")
    assert "failed when scoring all examples in one call" in line and "RuntimeError: CUDA out of memory" in line
    (copy_run,) = (out / "tiny" / "copy").iterdir()
    assert line.endswith(f"; written: {copy_run}")
    meta = json.loads((copy_run / "run.json").read_text(encoding="utf-8"))
    assert meta["means"]["whole_boom_n"] > 0 and meta["failures"]["n"] == 0
    assert not (out / "tiny" / "mine").exists() or not list((out / "tiny" / "mine").iterdir())


# --- rescoring a generated run that had failed examples ------------------------------------------------------------


def test_rescoring_candidates_with_failures_scores_those_that_exist(cli: Cli, make_task: Callable[..., Path]) -> None:
    """A generated run's candidates.jsonl lacks the example that failed: `file:` on it is an error that says what
    to do; with --allow-missing the others are scored and the missing one is counted and named."""
    task = make_task(PROMPT_TASK + f"  quiet: command:{sys.executable} silent.py\n")
    (task.parent / "silent.py").write_text(SILENT, encoding="utf-8")
    out = task.parent / "out"
    ok(cli("eval", str(task), "--out", str(out)))
    generated = sorted((out / "tiny" / "quiet").iterdir())[-1] / "candidates.jsonl"
    again = ("eval", str(task), "--system", f"again=file:{generated}", "--out", str(out))
    one_error(cli(*again), f"{generated}: candidate ids do not match", "'b'", "--allow-missing")
    result = ok(cli(*again, "--allow-missing"))
    assert "again: 1 of 3 examples have no candidate and are not scored" in result.stderr and "'b'" in result.stderr
    run, rows = newest(out, "again")
    assert run["examples"]["n"] == 2 and run["failures"] == {"n": 1, "by_stage": {"missing": 1}, "ids": ["b"]}
    assert rows["b"]["error"] == {"stage": "missing", "message": f"no candidate for this id in {generated}"}
    board = json.loads(ok(cli("leaderboard", "--results", str(out), "--format", "json")).stdout)
    assert {row["system"]: row["failed"] for row in board}["again"] == 1


# --- Ray's token-authentication notice -------------------------------------------------------------------------------


def test_ray_token_auth_notice_is_dropped_and_other_messages_kept(caplog: pytest.LogCaptureFixture) -> None:
    """Ray logs "Token authentication is enabled ..." at every local start (its default, not a problem): it does
    not reach the user; another message of the same logger does, and the filter is gone after the start."""
    import logging

    from harness.parallel.ray_backend import AUTH_LOGGER, RayBackend

    ray_log = logging.getLogger(AUTH_LOGGER)

    class FakeRay:
        def init(self, **options: Any) -> None:
            ray_log.warning("Token authentication is enabled for this Ray cluster. Set RAY_AUTH_MODE=disabled ...")
            ray_log.warning("Token authentication is enabled but no authentication token was found")
            ray_log.warning("something else")

    backend = object.__new__(RayBackend)
    backend._ray = FakeRay()
    with caplog.at_level(logging.WARNING, logger=AUTH_LOGGER):
        backend._connect(None, 1)
        ray_log.warning("Token authentication is enabled for this Ray cluster (after the start)")
    assert [r.getMessage() for r in caplog.records] == [
        "Token authentication is enabled but no authentication token was found",
        "something else",
        "Token authentication is enabled for this Ray cluster (after the start)",
    ]


# --- progress, --quiet, and the paths eval --resume prints ----------------------------------------------------------


def test_not_a_terminal_gets_one_line_per_finished_system(cli: Cli, make_task: Callable[..., Path]) -> None:
    """CliRunner's stderr is not a terminal: no bar, a line for each system when its generation ends, and a
    line per written run."""
    task = make_task(PROMPT_TASK + f"  quiet: command:{sys.executable} silent.py\n  copy: copy\n")
    (task.parent / "silent.py").write_text(SILENT, encoding="utf-8")
    result = ok(cli("eval", str(task), "--out", str(task.parent / "out")))
    assert "generated quiet: 2 of 3 examples (0 cached, 1 failed) in " in result.stderr
    assert "%|" not in result.stderr and "ex/s" not in result.stderr  # no tqdm bar in a log
    wrote = [line for line in result.stderr.splitlines() if line.startswith("wrote ")]
    assert sorted(line.split(" (")[1] for line in wrote) == ["2 examples scored)", "3 examples scored)"]


def test_quiet_silences_progress_but_not_warnings_or_runs(cli: Cli, make_task: Callable[..., Path]) -> None:
    task = make_task(PROMPT_TASK + f"  quiet: command:{sys.executable} silent.py\n")
    (task.parent / "silent.py").write_text(SILENT, encoding="utf-8")
    result = ok(cli("eval", str(task), "--out", str(task.parent / "out"), "--quiet"))
    lines = result.stderr.splitlines()
    assert [line.split(" ")[0] for line in lines] == ["wrote", "warning:"], lines
    assert "1 of 3 examples failed to generate" in lines[1]


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_quiet_on_a_terminal_draws_no_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal the scoring bar is drawn (tqdm, rate and time left); with --quiet it is not."""
    from harness.cli import _ProgressBar

    for enabled, drawn in ((True, True), (False, False)):
        terminal = FakeTerminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        bar = _ProgressBar(enabled=enabled)
        bar.start(4)
        bar.advance(2)
        bar.close()
        assert ("2/4" in terminal.getvalue() and "ex/s" in terminal.getvalue()) is drawn


@pytest.mark.slow
def test_model_loading_bar_stays_out_of_a_log(tmp_path: Path, repo: Path) -> None:
    """bertscore loads its model with transformers' "Loading weights" bar: not in stderr sent to a file (as a
    user's own HF_HUB_DISABLE_PROGRESS_BARS=0 shows it is there to keep out)."""
    import os
    import subprocess

    (tmp_path / "s.txt").write_text("The cat sat on the mat.", encoding="utf-8")
    (tmp_path / "c.txt").write_text("A cat sat.", encoding="utf-8")
    harness = [sys.executable, "-m", "harness", "score", "s.txt", "c.txt", "--metrics", "bertscore"]
    env = {k: v for k, v in os.environ.items() if k != "HF_HUB_DISABLE_PROGRESS_BARS"}
    logs = {}
    for name, extra in (("default", {}), ("asked", {"HF_HUB_DISABLE_PROGRESS_BARS": "0"})):
        done = subprocess.run(harness, cwd=tmp_path, env={**env, **extra}, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        logs[name] = done.stderr
    assert "Loading weights" not in logs["default"] and "Loading weights" in logs["asked"]


def test_eval_and_resume_print_written_runs_in_one_form(
    make_task: Callable[..., Path], cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An interrupted eval completed by --resume with a relative path: every run it writes is printed as the
    eval prints them (relative to the current folder), not the one given relative and the others absolute."""
    import metrics.rouge

    examples = [{"id": f"e{i}", "source": f"Item {i} cost {i} pounds. The cat sat on mat {i}."} for i in range(100)]
    make_task(examples=examples)
    monkeypatch.chdir(tmp_path)
    real = metrics.rouge.Rouge.score
    calls = {"n": 0}

    def score_then_interrupt(self: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(self, **kwargs)

    monkeypatch.setattr(metrics.rouge.Rouge, "score", score_then_interrupt)
    assert cli("eval", "task.yaml", "--out", "results", "--workers", "1").exit_code == 130
    monkeypatch.setattr(metrics.rouge.Rouge, "score", real)
    partial = sorted(p.parent.relative_to(tmp_path) for p in tmp_path.glob("results/tiny/*/*/partial.json"))
    resumed = ok(cli("eval", "--resume", str(partial[0]), "--workers", "1"))
    wrote = sorted(line.split(" ")[1] for line in resumed.stderr.splitlines() if line.startswith("wrote "))
    assert wrote == sorted(map(str, partial)), resumed.stderr
    again = ok(cli("eval", "task.yaml", "--out", "results", "--workers", "1", "--system", "copy"))
    (line,) = [line for line in again.stderr.splitlines() if line.startswith("wrote ")]
    assert line.startswith("wrote results/tiny/copy/")

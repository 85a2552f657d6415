"""``openai:`` systems against a real chat-completions server on 127.0.0.1 (tests/chat_server.py), end to end
through ``harness eval``: scores, the cache (second run sends nothing, --refresh, --no-cache), retries on 429,
permanent 500s as per-example failures shown on the leaderboard, timeouts, malformed JSON, concurrency,
a killed run resumed, the API key kept out of every file, and candidates.jsonl rescored with ``file:``.

The generated text is the article itself (the server echoes what follows the prompt's blank line), so a
generating system scores like ``copy``. Most runs use ``--metrics rouge`` to stay fast; the done-when
command runs with the task's own metrics once.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from chat_server import ChatServer, answer_for

from harness.generate.cache import default_path
from harness.rank import stats
from harness.rank.leaderboard import build_boards
from harness.store.store import examples_by_id

Cli = Callable[..., Any]
REPO = Path(__file__).resolve().parent.parent
TASK = "seeds-paragraphs"
N = 16
P01, P02, P03 = "Home Office has said", "sea barriers", "Gérald Darmanin"  # in paragraphs p01, p02, p03
FAST = ["--metrics", "rouge", "--option", "backoff=0.001"]


@pytest.fixture
def chat() -> Iterator[ChatServer]:
    server = ChatServer().start()
    yield server
    server.stop()


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "results"


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.stdout + result.stderr
    return result


def runs(out: Path, system: str = "local") -> list[Path]:
    folder = out / TASK / system
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.is_dir() else []


def run_json(run_dir: Path) -> dict[str, Any]:
    return json.loads((run_dir / "run.json").read_text(encoding="utf-8"))


def cached_rows(out: Path) -> int:
    with sqlite3.connect(default_path(out)) as db:
        return int(db.execute("SELECT COUNT(*) FROM generations").fetchone()[0])


def sources() -> dict[str, str]:
    lines = (REPO / "seeds" / "paragraphs.jsonl").read_text(encoding="utf-8").splitlines()
    return {record["id"]: record["source"] for record in map(json.loads, lines)}


def evaluate(cli: Cli, chat: ChatServer, out: Path, *extra: str, system: str = "local") -> Any:
    return cli("eval", TASK, "--system", f"{system}=openai:test@{chat.url}", "--out", str(out), *extra)


# --- the done-when command, and the cache --------------------------------------------------------------------


@pytest.mark.slow
def test_done_when_first_run_scores_second_run_sends_nothing(cli: Cli, chat: ChatServer, out: Path) -> None:
    """`harness eval seeds-paragraphs --system local=openai:test@URL`: 16 requests, 16 examples scored with the
    task's metrics (rouge, numeric, bertscore); the same command again makes zero requests and scores the same."""
    first = ok(cli("eval", TASK, "--system", f"local=openai:test@{chat.url}", "--out", str(out)))
    assert chat.requests == N and sorted(chat.counts().values()) == [1] * N
    assert "local" in first.stdout and "seeds-paragraphs: ranked by rougeL_p" in first.stdout
    second = ok(cli("eval", TASK, "--system", f"local=openai:test@{chat.url}", "--out", str(out)))
    assert chat.requests == N, "the second run must be answered from the cache alone"
    assert "16 cached, 0 to generate" in second.stderr
    before, after = (run_json(r) for r in runs(out))
    assert before["examples"]["n"] == after["examples"]["n"] == N
    assert before["means"] == after["means"]
    assert before["means"]["rougeLsum_f"] == pytest.approx(1.0) and "bertscore_f" in before["means"]
    assert before["generation"]["requests"] == N and after["generation"]["requests"] == 0
    assert after["generation"]["cache"] == {"mode": "read-write", "path": str(default_path(out)), "hits": N}
    rows = examples_by_id(runs(out)[0])
    texts = sources()
    assert {i: r["candidate"] for i, r in rows.items()} == texts
    # The request was the task's prompt over the (cleaned) source, with the default options.
    body = chat.bodies[0]
    assert body["model"] == "test" and body["temperature"] == 0.0 and body["max_tokens"] == 1024
    assert body["messages"][0]["content"].startswith("Rewrite the following article in your own words")
    assert answer_for(body["messages"][0]["content"]) in texts.values()


def test_run_records_the_prompt_and_writes_candidates(cli: Cli, chat: ChatServer, out: Path) -> None:
    """run.json holds the prompt template and its sha256; candidates.jsonl (file: format) holds every candidate,
    and its sha256 is the run's candidates_sha256."""
    import hashlib

    from harness.read.tasks import load_task

    ok(evaluate(cli, chat, out, *FAST))
    (run_dir,) = runs(out)
    run = run_json(run_dir)
    template = load_task(REPO / "tasks" / f"{TASK}.yaml").prompt
    assert template is not None
    assert run["generation"]["prompt"] == {"template": template.text, "sha256": template.sha256}
    assert template.sha256 == hashlib.sha256(template.text.encode()).hexdigest()
    data = (run_dir / "candidates.jsonl").read_bytes()
    assert run["system"]["candidates_sha256"] == hashlib.sha256(data).hexdigest()
    assert [json.loads(line) for line in data.decode().splitlines()] == [
        {"id": i, "candidate": text} for i, text in sources().items()
    ]
    assert run["failures"] == {"n": 0, "by_stage": {}, "ids": []}


def test_candidates_file_rescored_with_file_spec(cli: Cli, chat: ChatServer, out: Path) -> None:
    """--system again=file:<run>/candidates.jsonl scores the same without any request."""
    ok(evaluate(cli, chat, out, *FAST))
    (run_dir,) = runs(out)
    ok(cli("eval", TASK, "--system", f"again=file:{run_dir / 'candidates.jsonl'}", "--out", str(out), *FAST[:2]))
    assert chat.requests == N
    (again,) = runs(out, "again")
    assert run_json(again)["means"] == run_json(run_dir)["means"]
    assert run_json(again)["system"]["candidates_sha256"] == run_json(run_dir)["system"]["candidates_sha256"]


def test_refresh_requests_again_and_overwrites(cli: Cli, chat: ChatServer, out: Path) -> None:
    """--refresh ignores the cache (16 new requests) and overwrites the cached answers (still 16 rows)."""
    ok(evaluate(cli, chat, out, *FAST))
    ok(evaluate(cli, chat, out, *FAST, "--refresh"))
    assert chat.requests == 2 * N and cached_rows(out) == N
    assert run_json(runs(out)[-1])["generation"]["cache"]["mode"] == "refresh"
    ok(evaluate(cli, chat, out, *FAST))
    assert chat.requests == 2 * N


def test_no_cache_neither_reads_nor_writes(cli: Cli, chat: ChatServer, out: Path) -> None:
    """--no-cache: no cache file is created, and a warm cache is not read."""
    ok(evaluate(cli, chat, out, *FAST, "--no-cache"))
    assert not (out / ".cache").exists()
    ok(evaluate(cli, chat, out, *FAST))
    assert cached_rows(out) == N
    ok(evaluate(cli, chat, out, *FAST, "--no-cache"))
    assert chat.requests == 3 * N and cached_rows(out) == N


def test_cache_key_follows_the_options(cli: Cli, chat: ChatServer, out: Path) -> None:
    """A different temperature is a different system: the cache misses; the same again hits."""
    ok(evaluate(cli, chat, out, *FAST))
    ok(evaluate(cli, chat, out, *FAST, "--option", "temperature=0.7", "--option", "seed=7"))
    assert chat.requests == 2 * N
    assert chat.bodies[-1]["temperature"] == 0.7 and chat.bodies[-1]["seed"] == 7
    ok(evaluate(cli, chat, out, *FAST, "--option", "temperature=0.7", "--option", "seed=7"))
    assert chat.requests == 2 * N and cached_rows(out) == 2 * N


# --- faults ----------------------------------------------------------------------------------------------------


def test_429_then_success_is_retried(cli: Cli, chat: ChatServer, out: Path) -> None:
    """Two 429s, then an answer: the example is scored; 3 requests for its prompt, 18 in all."""
    chat.script.faults[P02] = ["429", "429"]
    result = ok(evaluate(cli, chat, out, *FAST))
    counts = chat.counts()
    assert [n for prompt, n in counts.items() if P02 in prompt] == [3]
    assert chat.requests == N + 2
    run = run_json(runs(out)[0])
    assert run["examples"]["n"] == N and run["failures"]["n"] == 0 and run["generation"]["requests"] == N + 2
    assert "warning" not in result.stderr


def test_permanent_500_fails_one_example_only(cli: Cli, chat: ChatServer, out: Path) -> None:
    """A prompt that always gets 500: tried `attempts` times, then recorded as that example's error and left out
    of the scores; the others are scored, the run is written, and the leaderboard shows 1 failed."""
    chat.script.always[P03] = "500"
    result = ok(evaluate(cli, chat, out, *FAST, "--option", "attempts=3"))
    assert [n for prompt, n in chat.counts().items() if P03 in prompt] == [3]
    (run_dir,) = runs(out)
    run = run_json(run_dir)
    assert run["failures"] == {"n": 1, "by_stage": {"generate": 1}, "ids": ["p03"]}
    assert run["examples"]["n"] == N - 1
    rows = [json.loads(line) for line in (run_dir / "examples.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == list(sources())  # every example, in task order
    (failed,) = [r for r in rows if r["id"] == "p03"]
    assert set(failed) == {"id", "candidate", "error"} and failed["candidate"] is None
    assert failed["error"]["stage"] == "generate"
    message = failed["error"]["message"]
    assert message.startswith("HTTP 500 from ") and "The server had an error" in message
    assert "(gave up after 3 attempts)" in message and "\n" not in message
    scored = [r for r in rows if r["id"] != "p03"]
    assert run["means"]["rouge1_f"] == pytest.approx(sum(r["rouge1_f"] for r in scored) / (N - 1))
    assert "p03" not in (run_dir / "candidates.jsonl").read_text(encoding="utf-8")
    assert "warning: local: 1 of 16 examples failed to generate" in result.stderr
    # The leaderboard printed by eval has a `failed` column, and its footer says what it means.
    header = next(line for line in result.stdout.splitlines() if line.lstrip().startswith("#"))
    assert header.split()[:5] == ["#", "system", "n", "failed", "rougeL_p"]
    assert any(line.split()[:4] == ["1", "local", "15", "1"] for line in result.stdout.splitlines())
    assert "failed = examples not scored (their generation or a metric failed" in result.stdout


def test_hang_past_the_timeout_fails_that_example(cli: Cli, chat: ChatServer, out: Path) -> None:
    """A server that does not answer one prompt: each attempt ends at the timeout, then the example fails."""
    chat.script.always[P01] = "hang"
    ok(evaluate(cli, chat, out, *FAST, "--option", "timeout=0.3", "--option", "attempts=2"))
    run = run_json(runs(out)[0])
    assert run["failures"]["ids"] == ["p01"] and run["examples"]["n"] == N - 1
    message = examples_by_id(runs(out)[0])["p01"]["error"]["message"]
    assert "within 0.3 s" in message and "gave up after 2 attempts" in message
    assert [n for prompt, n in chat.counts().items() if P01 in prompt] == [2]


def test_malformed_json_is_not_retried(cli: Cli, chat: ChatServer, out: Path) -> None:
    """A 200 with a body that is not JSON: one request, the example fails with 'malformed JSON'; rerun, the
    server now answers, and only that example is requested again."""
    chat.script.faults[P02] = ["malformed"]
    ok(evaluate(cli, chat, out, *FAST))
    assert [n for prompt, n in chat.counts().items() if P02 in prompt] == [1]
    assert examples_by_id(runs(out)[0])["p02"]["error"]["message"].startswith("malformed JSON from ")
    ok(evaluate(cli, chat, out, *FAST))
    assert chat.requests == N + 1
    second = run_json(runs(out)[-1])
    assert second["failures"]["n"] == 0 and second["generation"]["cache"]["hits"] == N - 1


def test_every_example_failing_writes_no_run(cli: Cli, chat: ChatServer, out: Path) -> None:
    """401 on every prompt (not retried): exit 1 with the first error on one line, and no run is written."""
    chat.script.always[" "] = "401"
    result = evaluate(cli, chat, out, *FAST)
    assert result.exit_code == 1, result.stdout + result.stderr
    (line,) = result.stderr.strip().splitlines()[-1:]
    assert line.startswith("error: system 'local': all 16 examples failed to generate, so no run is written")
    assert "example 'p01': HTTP 401" in line and "Invalid API key" in line
    assert chat.requests == N
    assert not list(out.rglob("run.json"))


def test_concurrency_limit_is_respected(cli: Cli, chat: ChatServer, out: Path) -> None:
    """--concurrency 3: the server holds each request until 3 are in flight; never more than 3 at once."""
    chat.script.hold_until_in_flight, chat.script.hold_total = 3, N
    ok(evaluate(cli, chat, out, *FAST, "--concurrency", "3"))
    assert chat.max_in_flight == 3 and chat.requests == N


def test_concurrency_one_is_sequential(cli: Cli, chat: ChatServer, out: Path) -> None:
    ok(evaluate(cli, chat, out, *FAST, "--concurrency", "1"))
    assert chat.max_in_flight == 1 and chat.requests == N


# --- the API key ----------------------------------------------------------------------------------------------


def test_api_key_is_sent_but_never_written(
    cli: Cli, chat: ChatServer, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key from the env var named by api_key_env reaches the server in the Authorization header, and appears
    in no file under the results folder (runs, candidates, the SQLite cache), even when the server echoes it in
    an error message, nor on stdout or stderr."""
    key = "sk-test-5f0c1e7d9a2b4c6e8f0a1b2c3d4e5f6a"
    monkeypatch.setenv("HARNESS_TEST_KEY", key)
    chat.script.always[P01] = "echo-key"
    result = ok(evaluate(cli, chat, out, *FAST, "--option", "api_key_env=HARNESS_TEST_KEY"))
    assert set(chat.authorization) == {f"Bearer {key}"}
    message = examples_by_id(runs(out)[0])["p01"]["error"]["message"]
    assert "Incorrect API key provided: [API key]" in message
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.suffix == ".sqlite" for p in files) and any(p.name == "candidates.jsonl" for p in files)
    for path in files:
        assert key.encode() not in path.read_bytes(), path
    assert key not in result.stdout + result.stderr


def test_no_key_sends_no_authorization(cli: Cli, chat: ChatServer, out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A local server needs no key: with the variable unset, no Authorization header is sent."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    ok(evaluate(cli, chat, out, *FAST))
    assert set(chat.authorization) == {None}


# --- a killed run resumes -------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill"])
def test_killed_run_resumes_with_only_the_missing_requests(
    cli: Cli, chat: ChatServer, out: Path, sig: signal.Signals
) -> None:
    """A `harness eval` process against a slow server is interrupted (Ctrl-C: exit 130) or killed after some
    answers: no run is written, every answer received before is in the cache, and the next run sends exactly
    the prompts that were not answered, once each."""
    chat.script.delay = 0.15
    command = [sys.executable, "-m", "harness", "eval", TASK, "--system", f"local=openai:test@{chat.url}"]
    command += ["--out", str(out), "--concurrency", "2", *FAST]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while chat.answered < 6 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert process.poll() is None, process.communicate()
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == (130 if sig == signal.SIGINT else -signal.SIGKILL), stderr
    if sig == signal.SIGINT:
        assert "interrupted" in stderr and "Traceback" not in stderr
    assert not list(out.rglob("run.json"))
    kept = cached_rows(out)
    assert 2 <= kept < N  # 6 answered when the signal was sent; the last one or two may not have arrived
    first = chat.counts()
    chat.script.delay = 0.0
    ok(evaluate(cli, chat, out, *FAST))
    second = chat.counts() - first
    assert sum(second.values()) == N - kept and set(second.values()) == {1}
    run = run_json(runs(out)[0])
    assert run["examples"]["n"] == N and run["generation"]["cache"]["hits"] == kept
    assert run["generation"]["requests"] == N - kept


@pytest.mark.slow
def test_ctrl_c_does_not_wait_for_requests_in_flight(chat: ChatServer, out: Path) -> None:
    """Every request hangs (the client's timeout is 120 s): Ctrl-C still ends the process at once with 130."""
    chat.script.always[" "] = "hang"
    command = [sys.executable, "-m", "harness", "eval", TASK, "--system", f"local=openai:test@{chat.url}"]
    process = subprocess.Popen([*command, "--out", str(out), *FAST], cwd=REPO, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while chat.requests < 4 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)  # far below the 120 s a request in flight could take
    assert process.returncode == 130 and "interrupted" in stderr, stderr


# --- the leaderboard with failures ------------------------------------------------------------------------------


def test_leaderboard_significance_pairs_the_examples_all_runs_scored(cli: Cli, chat: ChatServer, out: Path) -> None:
    """Two generating systems, one failing on p03, and `lead-3`: all ranked; the paired test uses the 15 ids all
    three scored (its p-values equal a direct call on those ids); the failed count is in every format."""
    ok(evaluate(cli, chat, out, *FAST, system="good"))
    chat.script.always[P03] = "500"
    # --no-cache: the cache key is the system's configuration, not its name, so "good"'s answers would serve it.
    ok(evaluate(cli, chat, out, *FAST, "--option", "attempts=1", "--no-cache", system="flaky"))
    ok(cli("eval", TASK, "--system", "lead-3", "--out", str(out), *FAST[:2]))
    (board,), problems = build_boards(out, TASK, resamples=200, seed=7)
    assert problems == [] and {r.system for r in board.ranked} == {"good", "flaky", "lead-3"}
    assert len(board.common_ids) == N - 1 and "p03" not in board.common_ids
    assert {r.system: board.failed(r) for r in board.ranked} == {"good": 0, "flaky": 1, "lead-3": 0}
    key = "rouge1_f"
    best = max(board.ranked, key=lambda r: r.meta["means"][key]).system
    rows = {r.system: examples_by_id(r.path) for r in board.ranked}
    others = [r.system for r in board.ranked if r.system != best]
    raw = [
        stats.permutation_test(
            [rows[best][i][key] for i in board.common_ids],
            [rows[s][i][key] for i in board.common_ids],
            resamples=200,
            seed=7,
        )[0]
        for s in others
    ]
    assert board.p_values[key] == dict(zip(others, stats.holm(raw), strict=True))
    listed = json.loads(ok(cli("leaderboard", "--results", str(out), "--format", "json")).stdout)
    assert {row["system"]: row["failed"] for row in listed} == {"good": 0, "flaky": 1, "lead-3": 0}
    csv_text = ok(cli("leaderboard", "--results", str(out), "--format", "csv")).stdout
    assert csv_text.splitlines()[0].startswith("task,system,rank,n,failed,")
    markdown = ok(cli("leaderboard", "--results", str(out), "--format", "md")).stdout
    assert "| # | system | n | failed |" in markdown


def test_compare_and_report_skip_failed_examples(cli: Cli, chat: ChatServer, out: Path, tmp_path: Path) -> None:
    """`harness compare` pairs the examples both runs scored (the failed one is counted as only in the other),
    and `harness report` renders a board whose run has a failed example."""
    ok(evaluate(cli, chat, out, *FAST, system="good"))
    chat.script.always[P03] = "500"
    ok(evaluate(cli, chat, out, *FAST, "--option", "attempts=1", "--no-cache", system="flaky"))
    good, flaky = runs(out, "good")[0], runs(out, "flaky")[0]
    compared = ok(cli("compare", str(good), str(flaky)))
    assert "15 common examples (1 only in the baseline)" in compared.stdout
    assert "only in the candidate" not in compared.stdout
    ok(cli("report", "--results", str(out), "--out", str(tmp_path / "report.html")))
    assert "flaky" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_progress_bar_shows_rate_and_eta(capsys: pytest.CaptureFixture[str], tmp_path: Path, chat: ChatServer) -> None:
    """With the bar on (a terminal), tqdm writes examples done, the rate and the ETA to stderr; off, nothing."""
    from harness.generate.driver import GenerationSettings, generate
    from harness.generate.systems import parse_spec

    config = parse_spec(f"openai:test@{chat.url}", base_dir=tmp_path).generator
    assert config is not None
    prompts = {f"e{i}": f"Rewrite:\n\nText number {i}." for i in range(5)}
    found = generate(
        system="bar",
        spec="openai:test",
        config=config,
        prompts=prompts,
        settings=GenerationSettings(progress_bar=True),
    )
    assert found.texts == {i: p.split("\n\n")[1] for i, p in prompts.items()} and found.failures == {}
    err = capsys.readouterr().err
    assert "generating bar" in err and "5/5" in err and "ex/s" in err and "<" in err  # elapsed<remaining
    generate(system="quiet", spec="openai:test", config=config, prompts=prompts, settings=GenerationSettings())
    assert "quiet" not in capsys.readouterr().err

"""Generating systems without a model: spec forms, options, the task's prompt, the cache key, the backoff, and
``command:`` systems (a small Python script run once per example).

Every bad input is one line on stderr naming the task file and line, the system or the option, with exit 1.
"""

from __future__ import annotations

import json
import random
import sqlite3
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from chat_server import ChatServer

from harness.errors import HarnessError
from harness.generate.base import Answer
from harness.generate.cache import GenerationCache, cache_key, default_path
from harness.generate.driver import MAX_DELAY_S, backoff_delay
from harness.generate.options import DEFAULT_BASE_URL, parse_options
from harness.generate.prompts import parse_template
from harness.generate.systems import parse_spec
from harness.read.example import Example
from harness.read.tasks import load_task

Cli = Callable[..., Any]
PROMPT = 'prompt: "Rewrite this:\\n\\n{source}"\n'
SCRIPT = textwrap.dedent("""\
    # A rewriting "system": upper-cases the article after the prompt's blank line; fails on request.
    import sys, time
    prompt = sys.stdin.read()
    article = prompt.split("\\n\\n", 1)[-1]
    if "council" in article:
        print("starting", file=sys.stderr)
        print("boom: cannot rewrite a council story", file=sys.stderr)
        sys.exit(3)
    if "Prices" in article and "--slow" in sys.argv:
        time.sleep(30)
    print(article.upper())
    """)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "results"


@pytest.fixture
def chat() -> Iterator[ChatServer]:
    server = ChatServer().start()
    yield server
    server.stop()


def one_error(result: Any, *fragments: str) -> str:
    """Exit 1, no traceback, and one error line (the last on stderr, after any progress lines) holding every
    fragment."""
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    (line,) = [line for line in result.stderr.strip().splitlines() if line.startswith("error:")]
    assert result.stderr.strip().endswith(line)
    for fragment in fragments:
        assert fragment in line, f"{fragment!r} not in {line!r}"
    return line


def task_with(make_task: Callable[..., Path], extra: str, systems: str = "  copy: copy\n") -> Path:
    """The tiny task of conftest (ids a, b, c) with ``extra`` top-level YAML and the given systems block."""
    body = "name: tiny\nversion: 1\nkind: rewrite\ndata: data.jsonl\nmetrics: [rouge]\nprimary: rougeLsum_f\n"
    return make_task(body + extra + "systems:\n" + systems)


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


# --- spec forms ------------------------------------------------------------------------------------------------


def test_openai_spec_with_and_without_base_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """MODEL@URL takes the URL (trailing slash dropped); without it, OPENAI_BASE_URL, else OpenAI's own."""
    spec = parse_spec("openai:llama3.1:8b@http://127.0.0.1:11434/v1/", base_dir=tmp_path)
    assert spec.kind == "openai" and spec.generator is not None
    assert (spec.generator.target, spec.generator.base_url) == ("llama3.1:8b", "http://127.0.0.1:11434/v1")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    assert parse_spec("openai:gpt-4o-mini", base_dir=tmp_path).generator.base_url == DEFAULT_BASE_URL  # type: ignore[union-attr]
    monkeypatch.setenv("OPENAI_BASE_URL", "http://vllm:8000/v1")
    assert parse_spec("openai:m", base_dir=tmp_path).generator.base_url == "http://vllm:8000/v1"  # type: ignore[union-attr]


def test_hf_spec_path_or_hub_id(tmp_path: Path) -> None:
    """An existing folder (relative to the spec's base) is made absolute; NAME or ORG/NAME is a hub id."""
    (tmp_path / "models" / "tiny").mkdir(parents=True)
    local = parse_spec("hf:models/tiny", base_dir=tmp_path).generator
    assert local is not None and local.target == str((tmp_path / "models" / "tiny").resolve())
    hub = parse_spec("hf:google/flan-t5-small", base_dir=tmp_path).generator
    assert hub is not None and hub.target == "google/flan-t5-small"


def test_command_spec_runs_in_the_base_folder(tmp_path: Path) -> None:
    config = parse_spec("command:python -c 'print(1)'", base_dir=tmp_path).generator
    assert config is not None and config.cwd == tmp_path.resolve() and config.target == "python -c 'print(1)'"


SPEC_ERRORS = [
    ("openai:", ["openai: needs a model name"]),
    ("openai:gpt@localhost:8000", ["base URL after '@' must start with http:// or https://"]),
    ("hf:", ["hf: needs a model id or a local model folder"]),
    ("hf:./no/such/model", ["model folder", "not found", "save_pretrained"]),
    ("command:", ["command: needs a command line"]),
    ("command:python -c 'unbalanced", ["cannot split the command line"]),
    ("opnai:gpt-4o", ["unknown system spec 'opnai:gpt-4o'", "did you mean 'openai:MODEL[@BASE_URL]'?"]),
]


@pytest.mark.parametrize(("spec", "fragments"), SPEC_ERRORS, ids=[s for s, _ in SPEC_ERRORS])
def test_bad_generating_spec(
    cli: Cli, make_task: Callable[..., Path], out: Path, spec: str, fragments: list[str]
) -> None:
    task = task_with(make_task, PROMPT)
    one_error(cli("eval", str(task), "--system", f"x={spec}", "--out", str(out)), *fragments)
    assert not out.exists()


# --- options ---------------------------------------------------------------------------------------------------


def test_options_defaults_and_types() -> None:
    options = parse_options("openai", {"temperature": 1, "max_tokens": 64, "system_prompt": "Be exact."})
    assert options.temperature == 1.0 and isinstance(options.temperature, float)
    assert (options.max_tokens, options.timeout, options.attempts) == (64, 120.0, 5)
    assert options.output_options("openai") == {
        "temperature": 1.0,
        "max_tokens": 64,
        "seed": None,
        "system_prompt": "Be exact.",
    }
    assert parse_options("command", {}).timeout == 600.0  # a command gets longer than one request
    assert options.given == ("temperature", "max_tokens", "system_prompt")


OPTION_ERRORS = [
    ("openai", {"temprature": 0}, "unknown generation option 'temprature' (did you mean 'temperature'?)"),
    ("openai", {"device": "cuda"}, "option 'device' does not apply to openai: systems (only to hf:)"),
    ("command", {"temperature": 0}, "option 'temperature' does not apply to command: systems (only to openai:, hf:)"),
    ("openai", {"max_tokens": 0}, "option 'max_tokens' must be at least 1, got 0"),
    ("openai", {"max_tokens": 1.5}, "option 'max_tokens' must be an integer, got 1.5"),
    ("openai", {"temperature": True}, "option 'temperature' must be a number, got True"),
    ("openai", {"timeout": 0}, "option 'timeout' must be more than 0 seconds"),
    ("hf", {"device": "gpu"}, "option 'device' must be auto, cpu, mps, cuda or cuda:N, got 'gpu'"),
    ("openai", {"system_prompt": " "}, "option 'system_prompt' must not be empty"),
]


@pytest.mark.parametrize(("kind", "raw", "message"), OPTION_ERRORS, ids=[m.split(",")[0] for _, _, m in OPTION_ERRORS])
def test_bad_option(kind: str, raw: dict[str, Any], message: str) -> None:
    with pytest.raises(HarnessError) as caught:
        parse_options(kind, raw)
    assert str(caught.value) == message


def test_task_system_mapping_with_options(make_task: Callable[..., Path]) -> None:
    """A systems entry may be {spec: ..., option: value}: the spec is kept as a string, the options apart."""
    task = load_task(
        task_with(make_task, PROMPT, "  copy: copy\n  local: {spec: 'openai:m@http://h/v1', temperature: 0.5}\n")
    )
    assert task.systems == {"copy": "copy", "local": "openai:m@http://h/v1"}
    assert task.system_options == {"local": {"temperature": 0.5}}


TASK_ERRORS = [
    (
        "  local:\n    spec: 'openai:m@http://h/v1'\n    temprature: 0\n",
        "temprature: 0",
        "system 'local': unknown generation option 'temprature' (did you mean 'temperature'?)",
    ),
    ("  local:\n    temperature: 0\n", "local:", "system 'local': a mapping entry needs 'spec'"),
    ("  c:\n    spec: copy\n    temperature: 0\n", "c:", "system spec 'copy' takes no options (temperature)"),
]


@pytest.mark.parametrize(("systems", "at", "message"), TASK_ERRORS, ids=["unknown-option", "no-spec", "not-generating"])
def test_bad_system_entry_names_its_line(
    cli: Cli, make_task: Callable[..., Path], out: Path, systems: str, at: str, message: str
) -> None:
    task = task_with(make_task, PROMPT, systems)
    one_error(cli("eval", str(task), "--out", str(out)), f"{task}:{line_of(task, at)}: {message}")


CLI_OPTION_ERRORS = [
    (["--option", "temprature=0"], "--option 'temprature=0': unknown generation option 'temprature'"),
    (["--option", "temperature"], "--option 'temperature': expected KEY=VALUE"),
    (["--option", "max_tokens=many"], "--option 'max_tokens=many': option 'max_tokens' must be an integer"),
    (["--option", "device=cpu"], "system 'local' (openai:m@http://127.0.0.1:9/v1): option 'device' does not apply"),
    (["--no-cache", "--refresh"], "--no-cache and --refresh contradict each other"),
]


@pytest.mark.parametrize(("args", "message"), CLI_OPTION_ERRORS, ids=lambda x: str(x)[:30])
def test_bad_cli_option(cli: Cli, make_task: Callable[..., Path], out: Path, args: list[str], message: str) -> None:
    task = task_with(make_task, PROMPT)
    result = cli("eval", str(task), "--system", "local=openai:m@http://127.0.0.1:9/v1", "--out", str(out), *args)
    one_error(result, message)
    assert not out.exists()


def test_option_without_generating_system(cli: Cli, make_task: Callable[..., Path], out: Path) -> None:
    task = task_with(make_task, PROMPT)
    one_error(cli("eval", str(task), "--option", "temperature=0", "--out", str(out)), "none of the chosen systems")


def test_task_options_reach_the_request_and_cli_overrides_them(
    cli: Cli, make_task: Callable[..., Path], out: Path, chat: ChatServer
) -> None:
    """temperature and system_prompt from the task's mapping are sent; --option temperature=0.9 wins."""
    entry = f"  local: {{spec: 'openai:m@{chat.url}', temperature: 0.3, system_prompt: 'Keep every figure.'}}\n"
    task = task_with(make_task, PROMPT, entry)
    assert cli("eval", str(task), "--system", "local", "--out", str(out)).exit_code == 0
    body = chat.bodies[-1]
    assert body["temperature"] == 0.3 and body["messages"][0] == {"role": "system", "content": "Keep every figure."}
    assert body["messages"][1]["content"].startswith("Rewrite this:\n\n")
    assert cli("eval", str(task), "--out", str(out), "--option", "temperature=0.9").exit_code == 0
    assert chat.bodies[-1]["temperature"] == 0.9
    run_dir = sorted((out / "tiny" / "local").iterdir())[-1]
    recorded = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))["generation"]
    assert recorded["options"] == {"temperature": 0.9, "system_prompt": "Keep every figure."}


# --- the prompt --------------------------------------------------------------------------------------------------


def test_template_fields_and_rendering() -> None:
    template = parse_template("[{id}] Rewrite, as long as {reference!r} if you like; keep {{braces}}:\n\n{source}")
    assert template.fields == ("id", "reference", "source")
    example = Example("x1", "The text.", "Ref.", 3)
    assert template.render(example, location="d.jsonl") == (
        "[x1] Rewrite, as long as 'Ref.' if you like; keep {braces}:\n\nThe text."
    )
    with pytest.raises(HarnessError, match=r"d.jsonl:3: example 'x1' has no reference"):
        template.render(Example("x1", "The text.", None, 3), location="d.jsonl")


PROMPT_ERRORS = [
    ("Rewrite: {sorce}", "prompt field {sorce} is not an example field (did you mean 'source'?)"),
    ("Rewrite: {}", "prompt has a positional field {}"),
    ("Rewrite: {source.title}", "prompt field {source.title}: only plain names are allowed"),
    ("Rewrite: {source", "prompt is not a valid format string"),
    ("Rewrite the article.", "prompt never uses {source}"),
]


@pytest.mark.parametrize(("prompt", "message"), PROMPT_ERRORS, ids=[p for p, _ in PROMPT_ERRORS])
def test_bad_prompt_names_the_task_line(
    cli: Cli, make_task: Callable[..., Path], out: Path, prompt: str, message: str
) -> None:
    task = task_with(make_task, f"description: x\nprompt: {json.dumps(prompt)}\n")
    one_error(cli("eval", str(task), "--out", str(out)), f"{task}:{line_of(task, 'prompt:')}: {message}")


def test_generating_system_on_a_task_without_prompt(cli: Cli, make_task: Callable[..., Path], out: Path) -> None:
    task = task_with(make_task, "")
    result = cli("eval", str(task), "--system", "local=openai:m@http://127.0.0.1:9/v1", "--out", str(out))
    one_error(result, "system 'local' (openai:m@http://127.0.0.1:9/v1) generates its candidates", "has no 'prompt'")
    assert not out.exists()


def test_shipped_seeds_tasks_have_the_rewrite_prompt(repo: Path) -> None:
    for name in ("seeds", "seeds-paragraphs"):
        prompt = load_task(repo / "tasks" / f"{name}.yaml").prompt
        assert prompt is not None and prompt.fields == ("source",)
        assert (
            prompt.text == "Rewrite the following article in your own words, keeping every fact and figure:\n\n{source}"
        )


# --- cache and backoff --------------------------------------------------------------------------------------------


def test_cache_key_is_the_identity_and_the_prompt() -> None:
    identity = {"kind": "openai", "model": "m", "base_url": "http://h/v1", "temperature": 0.0}
    key = cache_key(identity, "Rewrite:\n\nA.")
    assert key == cache_key(dict(reversed(identity.items())), "Rewrite:\n\nA.")  # order-free
    assert key != cache_key(identity, "Rewrite:\n\nA. ")
    assert key != cache_key({**identity, "temperature": 0.5}, "Rewrite:\n\nA.")
    assert len(key) == 64


def test_cache_survives_reopening_and_rejects_other_files(tmp_path: Path) -> None:
    path = default_path(tmp_path)
    cache = GenerationCache(path)
    cache.put("k", Answer("text", {"finish_reason": "stop"}), identity={"kind": "x"}, prompt="p")
    cache.close()
    again = GenerationCache(path)
    assert again.get("k") == Answer("text", {"finish_reason": "stop"}) and again.get("nope") is None
    assert len(again) == 1
    again.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    path.write_bytes(b"this is not a database, it is a text file of some length " * 20)
    with pytest.raises(HarnessError, match="not a usable generation cache .* delete the file or pass --no-cache"):
        GenerationCache(path)


def test_backoff_doubles_with_jitter_and_honours_retry_after() -> None:
    rng = random.Random(5)
    for attempt in range(1, 10):
        step = min(MAX_DELAY_S, 0.5 * 2 ** (attempt - 1))
        delays = [backoff_delay(attempt, base=0.5, rng=rng) for _ in range(50)]
        assert all(step / 2 <= d <= step for d in delays)
        assert len(set(delays)) > 1  # jittered
    assert backoff_delay(1, base=0.5, rng=rng, retry_after=7.0) == 7.0
    assert backoff_delay(1, base=0.5, rng=rng, retry_after=1e6) == MAX_DELAY_S


# --- command: systems -----------------------------------------------------------------------------------------------


@pytest.fixture
def script_task(make_task: Callable[..., Path]) -> Path:
    task = task_with(make_task, PROMPT, f"  shout: command:{sys.executable} shout.py\n")
    (task.parent / "shout.py").write_text(SCRIPT, encoding="utf-8")
    return task


def read_run(out: Path, system: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    run_dir = sorted((out / "tiny" / system).iterdir())[-1]
    lines = (run_dir / "examples.jsonl").read_text(encoding="utf-8").splitlines()
    rows = {row["id"]: row for row in map(json.loads, lines)}
    return json.loads((run_dir / "run.json").read_text(encoding="utf-8")), rows


def test_command_system_stdout_is_the_candidate(cli: Cli, script_task: Path, out: Path) -> None:
    """The script (relative to the task folder) reads the prompt on stdin; a non-zero exit fails that example with
    stderr's last line; the others are scored; a second run runs nothing; editing the script misses the cache."""
    result = cli("eval", str(script_task), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    run, rows = read_run(out, "shout")
    assert rows["a"]["candidate"] == "THE CAT SAT ON THE MAT. IT WAS WARM."
    assert rows["c"]["error"] == {
        "stage": "generate",
        "message": "command exited with status 3: boom: cannot rewrite a council story",
    }
    assert run["failures"]["ids"] == ["c"] and run["examples"]["n"] == 2
    assert run["generation"]["identity"]["files"]["shout.py"]  # the script's content is part of the key
    second = cli("eval", str(script_task), "--out", str(out))
    assert "2 cached, 1 to generate" in second.stderr
    (script_task.parent / "shout.py").write_text(SCRIPT + "# edited\n", encoding="utf-8")
    third = cli("eval", str(script_task), "--out", str(out))
    assert "0 cached, 3 to generate" in third.stderr


def test_command_timeout_fails_the_example(cli: Cli, make_task: Callable[..., Path], out: Path) -> None:
    task = task_with(
        make_task, PROMPT, f"  shout: {{spec: 'command:{sys.executable} shout.py --slow', timeout: 0.5}}\n"
    )
    (task.parent / "shout.py").write_text(SCRIPT, encoding="utf-8")
    assert cli("eval", str(task), "--out", str(out)).exit_code == 0
    _, rows = read_run(out, "shout")
    assert rows["b"]["error"]["message"] == "command timed out after 0.5 s"
    assert rows["a"]["candidate"].startswith("THE CAT")


def test_command_not_found_is_one_error(cli: Cli, make_task: Callable[..., Path], out: Path) -> None:
    task = task_with(make_task, PROMPT)
    result = cli("eval", str(task), "--system", "x=command:no-such-rewriter --fast", "--out", str(out))
    one_error(result, "system spec 'command:no-such-rewriter --fast': command 'no-such-rewriter' not found on PATH")
    assert not list(out.rglob("run.json"))


def test_command_non_utf8_stdout(cli: Cli, make_task: Callable[..., Path], out: Path) -> None:
    code = "import sys; sys.stdin.read(); sys.stdout.buffer.write(b'caf\\\\xe9')"
    task = task_with(make_task, PROMPT, f'  latin: "command:{sys.executable} -c \\"{code}\\""\n')
    result = cli("eval", str(task), "--out", str(out))
    one_error(result, "all 3 examples failed to generate", "stdout that is not UTF-8 (byte offset 3)")

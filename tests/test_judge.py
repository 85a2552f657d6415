"""The ``judge`` metric against scripted local judges: a ``command:`` script and an OpenAI-compatible server on
127.0.0.1 that returns log-probabilities. Both protocols parse, aggregate, cache (a rerun sends nothing),
survive malformed answers, and the expected rating equals the hand computation."""

from __future__ import annotations

import json
import math
import statistics
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from chat_server import ChatServer

from harness.errors import HarnessError
from harness.scoring.registry import build_metric
from metrics.judge import Judge
from metrics.judge import parse as judge_parse

SOURCE = "The council approved the plan on Tuesday. Work starts in May."
FAITHFUL = "The council approved the plan. Work starts in May."
FLAMINGO = "The council approved the plan. A flamingo opened the meeting."


def judge_script(folder: Path, body: str) -> str:
    """An executable Python judge: the prompt on stdin, ``body`` decides the reply; each call is logged."""
    script = folder / "judge.py"
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        "prompt = sys.stdin.read()\n"
        f"with open({str(folder / 'calls.log')!r}, 'a') as log:\n"
        "    log.write('call\\n')\n" + textwrap.dedent(body),
        encoding="utf-8",
    )
    script.chmod(0o755)
    return f"command:{script}"


def calls(folder: Path) -> int:
    log = folder / "calls.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


RATING_BODY = """\
    rewrite = prompt.split("Rewrite:")[1]
    if "MALFORMED" in rewrite:
        print("I would rather not say.")
    elif "flamingo" in rewrite:
        print("The rewrite invents a flamingo.\\nRating: 2")
    else:
        print("5")
"""

CLAIMS_BODY = """\
    import re
    lines = re.findall(r"^(\\d+)\\. (.*)$", prompt.split("sentences):")[1], re.M)
    for number, sentence in lines:
        if "MALFORMED" in sentence:
            print("no idea")
        elif "flamingo" in sentence:
            print(f"{number}. unsupported: entity error (no flamingo in the source)")
        else:
            print(f"{number}. supported")
"""


def test_rating_parser() -> None:
    for reply, expected in [("4", 4), (" 4.\n", 4), ("Rating: 3", 3), ("**Score:** 2", 2), ("So... score = 5", 5)]:
        assert judge_parse.rating(reply) == expected, reply
    for reply in ["", "4.5", "Rating: 7", "10", "I'd say 4 or 5", "Rating: 4.5", "four"]:
        with pytest.raises(judge_parse.ParseFailure):
            judge_parse.rating(reply)


def test_expected_rating_by_hand() -> None:
    # G-Eval: sum_s p(s) * s over the tokens 1-5, renormalised: (4 * 0.6 + 5 * 0.3 + 3 * 0.05) / 0.95.
    top = [["4", math.log(0.6)], [" 5", math.log(0.3)], ["3", math.log(0.05)], ["Rating", math.log(0.05)]]
    found = judge_parse.expected_rating([{"token": "4", "logprob": math.log(0.6), "top": top}], 4)
    assert found == pytest.approx(4.05 / 0.95, abs=1e-12)
    assert judge_parse.expected_rating(None, 4) is None
    assert judge_parse.expected_rating([{"token": "Sure", "logprob": -0.1, "top": []}], 4) is None


def test_claims_parser() -> None:
    verdicts = judge_parse.claims("1. supported\n2) Unsupported - circumstantial error\n[3] not supported", 3)
    assert [(v.supported, v.kind) for v in verdicts] == [(True, None), (False, "circumstance"), (False, "other")]
    for reply in ["1. supported", "1. supported\n1. supported\n2. supported", "1. supported\n3. supported"]:
        with pytest.raises(judge_parse.ParseFailure):
            judge_parse.claims(reply, 2)


def test_rating_with_a_command_judge_caches_and_fails_one_example(tmp_path: Path) -> None:
    spec = judge_script(tmp_path, RATING_BODY)
    cache = str(tmp_path / "cache.sqlite")
    metric = Judge(model=spec, cache=cache)
    rows, details = metric.score_with_details(sources=[SOURCE, SOURCE], candidates=[FAITHFUL, FLAMINGO])
    # Ratings 5 and 2 map to (5 - 1) / 4 and (2 - 1) / 4.
    assert rows == [{"judge_score": 1.0, "judge_sd": 0.0}, {"judge_score": 0.25, "judge_sd": 0.0}]
    assert details is not None and details[1]["ratings"] == [2] and details[1]["from"] == ["reply"]
    assert calls(tmp_path) == 2 and metric.ledger.requests == 2
    # A rerun, by a fresh instance, sends nothing.
    again = Judge(model=spec, cache=cache)
    assert again.score(sources=[SOURCE, SOURCE], candidates=[FAITHFUL, FLAMINGO]) == rows
    assert calls(tmp_path) == 2 and again.ledger.requests == 0 and again.ledger.cached == 2
    # An unreadable reply fails its example, quoting it; never a number.
    with pytest.raises(HarnessError, match=r"judge: example 1: reply 'I would rather not say\.' gives no rating"):
        metric.score(sources=[SOURCE, SOURCE], candidates=[FAITHFUL, "MALFORMED rewrite."])


def test_claims_with_a_command_judge(tmp_path: Path) -> None:
    spec = judge_script(tmp_path, CLAIMS_BODY)
    metric = Judge(model=spec, protocol="claims", cache=str(tmp_path / "cache.sqlite"))
    rows, details = metric.score_with_details(sources=[SOURCE] * 3, candidates=[FAITHFUL, FLAMINGO, ""])
    assert rows == [
        {"judge_score": 1.0, "judge_sd": 0.0},
        {"judge_score": 0.5, "judge_sd": 0.0},  # 1 of 2 sentences supported
        {"judge_score": 0.0, "judge_sd": 0.0},  # empty: not sent
    ]
    assert details is not None
    second = details[1]["sentences"][1]
    assert (
        second["text"] == "A flamingo opened the meeting."
        and FLAMINGO[second["start"] : second["end"]] == second["text"]
    )
    assert (second["supported"], second["kind"]) == (False, "entity")
    assert details[1]["sentences"][0]["supported"] is True and details[2]["empty"] == "candidate"
    assert calls(tmp_path) == 2
    assert (
        Judge(model=spec, protocol="claims", cache=str(tmp_path / "cache.sqlite")).score(
            sources=[SOURCE] * 3, candidates=[FAITHFUL, FLAMINGO, ""]
        )
        == rows
    )
    assert calls(tmp_path) == 2
    with pytest.raises(HarnessError, match="judge: example 0: reply 'no idea' has no verdict for sentence 1 of 1"):
        metric.score(sources=[SOURCE], candidates=["MALFORMED claim."])


def test_samples_average_and_spread(tmp_path: Path) -> None:
    # The script answers 5, 3, 4 on its first, second and third call for a prompt.
    log = str(tmp_path / "calls.log")
    body = f"count = sum(1 for _ in open({log!r}))\nprint([5, 3, 4][(count - 1) % 3])\n"
    spec = judge_script(tmp_path, body)
    metric = Judge(model=spec, samples=3, cache=str(tmp_path / "cache.sqlite"))
    (row,) = metric.score(sources=[SOURCE], candidates=[FAITHFUL])
    values = [(5 - 1) / 4, (3 - 1) / 4, (4 - 1) / 4]
    assert row == {"judge_score": math.fsum(values) / 3, "judge_sd": statistics.pstdev(values)}
    assert row["judge_sd"] == pytest.approx(math.sqrt((0.25**2 + 0.25**2) / 3))
    assert Judge(model=spec, samples=3, cache=str(tmp_path / "cache.sqlite")).score(
        sources=[SOURCE], candidates=[FAITHFUL]
    ) == [row]
    assert calls(tmp_path) == 3


@pytest.fixture
def server() -> Iterator[ChatServer]:
    chat = ChatServer().start()
    yield chat
    chat.stop()


def _logprobs(prompt: str) -> list[dict[str, Any]] | None:
    if "nolog" in prompt:
        return None
    alternatives = [("4", 0.6), ("5", 0.3), ("3", 0.05), (" Rating", 0.05)]
    top = [{"token": t, "logprob": math.log(p), "bytes": list(t.encode())} for t, p in alternatives]
    return [{"token": "4", "logprob": math.log(0.6), "bytes": [52], "top_logprobs": top}]


def test_rating_with_logprobs_from_a_server(server: ChatServer, tmp_path: Path) -> None:
    server.script.reply = lambda prompt: "garbled" if "MALFORMED" in prompt else "4"
    server.script.logprobs = _logprobs
    spec = f"openai:judge@{server.url}"
    cache = str(tmp_path / "cache.sqlite")
    metric = Judge(model=spec, cache=cache)
    rows, details = metric.score_with_details(sources=[SOURCE, SOURCE], candidates=[FAITHFUL, "nolog rewrite."])
    expected = (4 * 0.6 + 5 * 0.3 + 3 * 0.05) / 0.95  # by hand: 4.2631...
    assert rows[0]["judge_score"] == pytest.approx((expected - 1) / 4, abs=1e-12)
    assert rows[1] == {"judge_score": 0.75, "judge_sd": 0.0}  # no log-probs: the reply's 4
    assert details is not None and details[0]["from"] == ["logprobs"] and details[1]["from"] == ["reply"]
    assert server.bodies[0]["logprobs"] is True and server.bodies[0]["top_logprobs"] == 5
    assert details[0]["tokens"]["prompt_tokens"] > 0
    assert server.requests == 2
    again = Judge(model=spec, cache=cache)
    assert again.score(sources=[SOURCE, SOURCE], candidates=[FAITHFUL, "nolog rewrite."]) == rows
    assert server.requests == 2 and again.ledger.requests == 0
    with pytest.raises(HarnessError, match="reply 'garbled' gives no rating"):
        metric.score(sources=[SOURCE], candidates=["MALFORMED"])
    assert "judge|model:openai:judge@" in metric.signature() and "expected:logprobs-top5" in metric.signature()


def test_claims_from_a_server_and_a_server_error(server: ChatServer, tmp_path: Path) -> None:
    server.script.reply = lambda prompt: "1. supported\n2. unsupported: out-of-article error"
    server.script.always = {"explode": "500"}
    metric = Judge(
        model=f"openai:judge@{server.url}",
        protocol="claims",
        cache=str(tmp_path / "c.sqlite"),
        generation={"attempts": 2, "backoff": 0.0},
    )
    (row,) = metric.score(sources=[SOURCE], candidates=[FLAMINGO])
    assert row == {"judge_score": 0.5, "judge_sd": 0.0}
    assert "logprobs" not in server.bodies[-1]  # only the rating protocol asks for them
    with pytest.raises(HarnessError, match="judge: example 0: the judge failed: HTTP 500"):
        metric.score(sources=[SOURCE], candidates=["It will explode. Twice."])


def test_options_and_errors(tmp_path: Path) -> None:
    unset = build_metric("judge")  # listed and signed without a model
    assert unset.signature().startswith("judge|model:unset|protocol:rating|")
    with pytest.raises(HarnessError) as caught:
        unset.score(sources=[SOURCE], candidates=[FAITHFUL])
    assert "\n" not in str(caught.value) and "--metric-option judge.model=" in str(caught.value)
    with pytest.raises(HarnessError, match="must be a generating spec"):
        Judge(model="gpt-4o")
    with pytest.raises(HarnessError, match="'protocol' must be rating or claims"):
        Judge(protocol="vote")
    with pytest.raises(HarnessError, match="samples > 1 with temperature 0"):
        Judge(model="openai:judge@http://127.0.0.1:9/v1", samples=2)
    with pytest.raises(HarnessError, match="unknown generation option 'temprature'"):
        Judge(model="openai:judge@http://127.0.0.1:9/v1", generation={"temprature": 1})
    bad = tmp_path / "bad.txt"
    bad.write_text("Rate {rewrite} against {source}.", encoding="utf-8")
    with pytest.raises(HarnessError, match=r"bad.txt: field \{rewrite\} is not filled by the rating protocol"):
        Judge(prompt=str(bad))
    own = tmp_path / "own.txt"
    own.write_text("Source: {source}\nRewrite: {candidate}\nScore 1-5:", encoding="utf-8")
    assert Judge(prompt=str(own)).signature() != Judge().signature()


def test_eval_and_meta_eval_with_metric_options(
    cli: Callable[..., Any], make_task: Callable[..., Path], tmp_path: Path
) -> None:
    spec = judge_script(tmp_path, RATING_BODY)
    task = make_task()
    results = tmp_path / "results"
    typo = cli("eval", str(task), "--metrics", "judge", "--metric-option", f"judge.modle={spec}")
    assert typo.exit_code == 1 and "did you mean 'model'?" in typo.stderr
    other = cli("eval", str(task), "--metric-option", f"judge.model={spec}")
    assert other.exit_code == 1 and "metric 'judge' is not among the metrics of this run" in other.stderr
    args = ["eval", str(task), "--metrics", "rouge,judge", "--out", str(results), "--workers", "1"]
    cache = f"judge.cache={tmp_path / 'cache.sqlite'}"
    done = cli(*args, "--metric-option", f"judge.model={spec}", "--metric-option", cache)
    assert done.exit_code == 0, done.stderr
    runs = sorted(results.glob("tiny/*/*/run.json"))
    assert len(runs) == 2
    meta = json.loads(runs[0].read_text())
    assert meta["signatures"]["judge"].startswith(f"judge|model:{spec}|")
    assert 0.0 <= meta["means"]["judge_score"] <= 1.0
    assert calls(tmp_path) == 6  # 3 examples x 2 systems, each prompt asked once


def test_eval_records_a_malformed_answer_as_that_examples_failure(
    cli: Callable[..., Any], make_task: Callable[..., Path], tmp_path: Path
) -> None:
    spec = judge_script(tmp_path, RATING_BODY)
    task = make_task()
    cands = [json.loads(line) for line in (tmp_path / "cands.jsonl").read_text().splitlines()]
    cands[1]["candidate"] = "MALFORMED rewrite."
    (tmp_path / "cands.jsonl").write_text("".join(json.dumps(c) + "\n" for c in cands), encoding="utf-8")
    results = tmp_path / "results"
    options = ["--metric-option", f"judge.model={spec}", "--metric-option", "judge.cache=false"]
    done = cli("eval", str(task), "--system", "mine", "--metrics", "judge", "--out", str(results), *options)
    assert done.exit_code == 0, done.stderr
    (run,) = results.glob("tiny/mine/*/run.json")
    meta = json.loads(run.read_text())
    assert meta["failures"]["ids"] == ["b"] and meta["examples"]["n"] == 2
    rows = {r["id"]: r for r in map(json.loads, (run.parent / "examples.jsonl").read_text().splitlines())}
    assert rows["b"]["error"]["stage"] == "metric:judge" and "gives no rating" in rows["b"]["error"]["message"]
    # Isolating the failure scored the batch again in pieces: with the cache off, nothing was asked twice.
    assert calls(tmp_path) == 3


def test_eval_records_the_judge_tokens(
    cli: Callable[..., Any], make_task: Callable[..., Path], server: ChatServer, tmp_path: Path
) -> None:
    server.script.reply = lambda prompt: "Rating: 4"
    task = make_task()
    results = tmp_path / "results"
    options = ["--metric-option", f"judge.model=openai:judge@{server.url}", "--metric-option"]
    done = cli(
        "eval",
        str(task),
        "--system",
        "mine",
        "--metrics",
        "judge",
        "--out",
        str(results),
        *options,
        f"judge.cache={tmp_path / 'c.sqlite'}",
    )
    assert done.exit_code == 0, done.stderr
    (run,) = results.glob("tiny/mine/*/run.json")
    meta = json.loads(run.read_text())
    # The server counts a prompt's words as its prompt tokens and the reply's as completion tokens.
    template = Judge().template
    examples = [json.loads(line) for line in (tmp_path / "data.jsonl").read_text().splitlines()]
    candidates = {c["id"]: c["candidate"] for c in map(json.loads, (tmp_path / "cands.jsonl").read_text().splitlines())}
    prompt_tokens = sum(
        len(template.render(source=e["source"], candidate=candidates[e["id"]]).split()) for e in examples
    )
    assert meta["metric_tokens"]["judge"] == {"prompt_tokens": prompt_tokens, "completion_tokens": 2 * 3}
    assert meta["means"]["judge_score"] == 0.75 and server.requests == 3


@pytest.mark.slow
def test_meta_eval_summeval_with_a_command_judge(cli: Callable[..., Any], tmp_path: Path) -> None:
    # A fast shell judge whose rating follows the length of the prompt: a real, if poor, judge, end to end over
    # the shipped SummEval data (1,200 summaries).
    script = tmp_path / "judge.sh"
    script.write_text('#!/bin/sh\nn=$(wc -c)\necho "Rating: $(( n % 5 + 1 ))"\n', encoding="utf-8")
    script.chmod(0o755)
    results = tmp_path / "results"
    args = ["meta-eval", "summeval", "--metrics", "judge", "--results", str(results), "--resamples", "20"]
    options = ["--metric-option", f"judge.model=command:{script}", "--metric-option", f"judge.cache={tmp_path / 'c'}"]
    done = cli(*args, *options, "--format", "json")
    assert done.exit_code == 0, done.stderr
    (dataset,) = json.loads(done.stdout)["datasets"]
    assert dataset["signatures"]["judge"].startswith(f"judge|model:command:{script}|protocol:rating|")
    keys = {row["key"] for level in dataset["levels"] for row in level["coefficients"]["kendall_tau_b"]["results"]}
    assert "judge_score" in keys

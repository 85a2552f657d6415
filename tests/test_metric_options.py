"""``--metric-option NAME.KEY=VALUE`` on eval, score, probe and meta-eval; the probe matrix and the report's
drill-down with the model-based metrics (nli with a tiny random checkpoint built here, judge as a script)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tiny_nli import build_tiny_nli

from harness.errors import HarnessError
from harness.read.tasks import MetricSpec
from harness.scoring.metric_options import apply_metric_options, parse_metric_options

CLAIMS_JUDGE = """\
import re, sys
prompt = sys.stdin.read()
for number, sentence in re.findall(r"^(\\d+)\\. (.*)$", prompt.split("sentences):")[1], re.M):
    verdict = "unsupported: entity error" if "flamingo" in sentence else "supported"
    print(f"{number}. {verdict}")
"""


def _judge(folder: Path) -> str:
    script = folder / "claims_judge.py"
    script.write_text(f"#!{sys.executable}\n{CLAIMS_JUDGE}", encoding="utf-8")
    script.chmod(0o755)
    return f"command:{script}"


def test_values_are_read_as_yaml() -> None:
    found = parse_metric_options(
        [
            "rouge.use_stemmer=false",
            "nli.labels={entailment: 0, contradiction: 2}",
            "nli.batch_size=8",
            "judge.model=command:./my judge.sh --flag",
            "judge.generation={temperature: 1, max_tokens: 8}",
        ]
    )
    assert found == {
        "rouge": {"use_stemmer": False},
        "nli": {"labels": {"entailment": 0, "contradiction": 2}, "batch_size": 8},
        "judge": {"model": "command:./my judge.sh --flag", "generation": {"temperature": 1, "max_tokens": 8}},
    }


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("rouge.use_stemer=false", "metric 'rouge' has no option 'use_stemer' (did you mean 'use_stemmer'?)"),
        ("jduge.model=x", "unknown metric 'jduge' (did you mean 'judge'?)"),
        ("judge=command:x", "expected NAME.KEY=VALUE"),
        ("judge.model", "expected NAME.KEY=VALUE"),
        ("nli.labels={entailment: 0", "the value is not valid YAML"),
    ],
)
def test_typos_and_bad_flags(item: str, message: str) -> None:
    with pytest.raises(HarnessError) as caught:
        parse_metric_options([item])
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_flags_override_the_task_and_must_name_a_chosen_metric() -> None:
    specs = (MetricSpec("rouge", {"use_stemmer": True, "rouge_types": ["rouge1"]}), MetricSpec("numeric"))
    found = apply_metric_options(specs, {"rouge": {"use_stemmer": False}})
    assert found[0].options == {"use_stemmer": False, "rouge_types": ["rouge1"]} and found[1] == specs[1]
    with pytest.raises(HarnessError, match="metric 'judge' is not among the metrics of this run"):
        apply_metric_options(specs, {"judge": {"model": "command:x"}})
    with pytest.raises(HarnessError, match="given twice"):
        parse_metric_options(["rouge.use_stemmer=false", "rouge.use_stemmer=true"])


def test_probe_takes_every_configured_metric(make_task: Callable[..., Path], tmp_path: Path) -> None:
    from harness.probe.runner import _metrics
    from harness.read.tasks import load_task

    task = load_task(make_task())
    notes: list[str] = []
    names = [m.name for m in _metrics(task, None, {}, notes.append)]
    assert "nli" not in names and "judge" not in names and "rouge" in names
    assert any("metric 'judge' left out: it needs model" in note for note in notes)
    configured = [m.name for m in _metrics(task, None, {"judge": {"model": _judge(tmp_path)}}, notes.append)]
    assert "judge" in configured and "nli" not in configured


def test_probe_matrix_with_the_judge(cli: Any, make_task: Callable[..., Path], tmp_path: Path) -> None:
    task = make_task()
    args = ["probe", str(task), "--metrics", "rouge,judge", "--format", "json", "--out", str(tmp_path / "out")]
    options = ["--metric-option", f"judge.model={_judge(tmp_path)}", "--metric-option", "judge.protocol=claims"]
    result = cli(*args, *options, "--metric-option", f"judge.cache={tmp_path / 'c.sqlite'}")
    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)
    assert "judge_score" in found["keys"]
    bad = cli(*args, "--metric-option", "nli.model=./x")
    assert bad.exit_code == 1 and "metric 'nli' is not among the metrics of this run" in bad.stderr


def test_eval_and_report_shade_unsupported_sentences(cli: Any, make_task: Callable[..., Path], tmp_path: Path) -> None:
    from harness.report.report import build_report, render_html

    examples = [
        {"id": "a", "source": "The council approved the plan on Tuesday. Work starts in May."},
        {"id": "b", "source": "Prices rose 5% in March. Analysts expected 3%."},
    ]
    task = make_task(examples=examples)
    (tmp_path / "cands.jsonl").write_text(
        json.dumps({"id": "a", "candidate": "The council approved the plan. A flamingo opened the meeting."})
        + "\n"
        + json.dumps({"id": "b", "candidate": "Prices rose 5% in March."})
        + "\n",
        encoding="utf-8",
    )
    nli_model = build_tiny_nli(tmp_path / "nli")
    results = tmp_path / "results"
    done = cli(
        "eval",
        str(task),
        "--system",
        "mine",
        "--metrics",
        "rouge,nli,judge",
        "--out",
        str(results),
        "--metric-option",
        f"nli.model={nli_model}",
        "--metric-option",
        f"judge.model={_judge(tmp_path)}",
        "--metric-option",
        "judge.protocol=claims",
        "--metric-option",
        f"judge.cache={tmp_path / 'c.sqlite'}",
    )
    assert done.exit_code == 0, done.stderr
    (run,) = results.glob("tiny/mine/*/run.json")
    meta = json.loads(run.read_text())
    assert meta["signatures"]["nli"].startswith(f"nli|model:{nli_model}|weights:sha256:")
    assert meta["means"]["judge_score"] == (0.5 + 1.0) / 2  # a: 1 of 2 sentences supported; b: 1 of 1
    assert meta["metric_tokens"]["judge"] == {"prompt_tokens": 0, "completion_tokens": 0}  # a command counts none
    rows = [json.loads(line) for line in (run.parent / "examples.jsonl").read_text().splitlines()]
    flagged = {s["text"] for s in rows[0]["details"]["judge"]["sentences"] if not s["supported"]}
    assert flagged == {"A flamingo opened the meeting."}
    nli_flagged = {s["text"] for s in rows[0]["details"]["nli"]["sentences"] if not s["supported"]}
    assert nli_flagged  # the seeded random checkpoint calls some sentence neutral (checked, so the loop below runs)
    (board,) = build_report(results).boards
    view = board.examples[0]["systems"]["mine"]
    pieces = [(text, tip) for unit in view["units"] for text, cls, tip in unit if "unsup" in cls.split()]
    joined = "".join(text for text, _ in pieces)  # a marked sentence's pieces are contiguous
    assert "A flamingo opened the meeting." in joined
    assert any("judge: unsupported (entity)" in tip for text, tip in pieces if "flamingo" in text)
    for sentence in nli_flagged:  # what the random checkpoint did not find entailed is marked too
        assert sentence in joined
        assert any(tip.startswith("nli: ") or "; nli: " in tip for text, tip in pieces if text in sentence)
    assert "w-unsup" in render_html(build_report(results))

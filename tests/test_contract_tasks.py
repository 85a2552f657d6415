"""Contract test over every task file in tasks/: it parses, its data loads, and every default system runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.generate.systems import candidates_for, parse_spec
from harness.read.cleaning import clean_text
from harness.read.tasks import KINDS, load_examples, load_task
from harness.scoring.registry import build_metric

TASK_FILES = sorted((Path(__file__).resolve().parent.parent / "tasks").glob("*.yaml"))


def test_there_are_tasks() -> None:
    assert {p.stem for p in TASK_FILES} >= {"seeds", "seeds-paragraphs"}


@pytest.mark.parametrize("path", TASK_FILES, ids=lambda p: p.stem)
def test_task_contract(path: Path) -> None:
    """Name matches the file, kind known, data valid, every default system covers every example."""
    task = load_task(path)
    assert task.name == path.stem
    assert task.kind in KINDS
    dataset = load_examples(task)
    ids = [e.id for e in dataset.examples]
    assert len(ids) == len(set(ids)) > 0
    assert len(dataset.sha256) == 64
    keys = [k for spec in task.metrics for k in build_metric(spec.name, spec.options).keys()]
    assert task.primary in keys
    assert task.systems, "a shipped task lists default systems"
    for example in dataset.examples:
        assert clean_text(example.source, task.clean)[0].strip(), f"{example.id}: clean removes the whole source"
        if task.prompt is not None:  # a generating system (openai:, hf:, command:) can run on every example
            assert example.source in task.prompt.render(example, location=dataset.location)
    for name, spec in task.systems.items():
        produced = candidates_for(parse_spec(spec, base_dir=task.base_dir), dataset.examples, ids)
        assert list(produced.texts) == ids, name
        assert all(isinstance(t, str) for t in produced.texts.values())


def test_seeds_tasks_shape(repo: Path) -> None:
    """The issue fixes these: one whole-document example; 16 aligned paragraphs; the same three systems."""
    whole, paragraphs = (load_task(repo / "tasks" / f"{n}.yaml") for n in ("seeds", "seeds-paragraphs"))
    assert len(load_examples(whole).examples) == 1
    assert len(load_examples(paragraphs).examples) == 16
    for task in (whole, paragraphs):
        specs = sorted(task.systems.values())
        assert specs[0].startswith("copy") and "lead:3" in specs
        assert any(s.startswith("file:") for s in specs)


def test_seeds_clean_rules_remove_exactly_the_boilerplate(repo: Path) -> None:
    """The headline and cookie notice of the article and the Source: credit of the rewrite, nothing else."""
    task = load_task(repo / "tasks" / "seeds.yaml")
    article = (repo / "seeds" / "000_4b7b94a5a67c6868.txt").read_text(encoding="utf-8")
    rewrite = (repo / "seeds" / "001_c22f7d92e186d757.txt").read_text(encoding="utf-8")
    cleaned, removed = clean_text(article, task.clean)
    assert [r.rule for r in removed] == ["headline", "cookie-notice"]
    assert removed[0].line.startswith("British police and security services")
    assert cleaned.startswith("UK security experts will help France")
    assert cleaned.endswith("record high of 745,000 in 2022.")
    cleaned, removed = clean_text(rewrite, task.clean)
    assert [(r.rule, r.line) for r in removed] == [("source-credit", "Source: theguardian.com")]
    assert len([line for line in cleaned.split("\n") if line.strip()]) == 16

"""The meta-evaluation data shipped in data/metaeval/: exactly what derive.py makes of ../shared/external, small,
licensed, and holding what the papers and the raw files' SOURCE notes say."""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from harness.errors import HarnessError
from harness.read.tasks import HumanSpec, load_examples, load_task

DATA = Path(__file__).resolve().parent.parent / "data" / "metaeval"


def _derive() -> ModuleType:
    spec = importlib.util.spec_from_file_location("derive", DATA / "derive.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()]


def test_shipped_files_are_small_and_licensed() -> None:
    files = sorted(DATA.rglob("*.jsonl.gz"))
    assert len(files) == 2 + 12 + 14 + 11 + 1  # documents x2, SummEval 12, REALSumm 14 + 11, FRANK 1
    assert all(path.stat().st_size < 5_000_000 for path in files)
    for folder in ("summeval", "realsumm", "frank"):
        assert (DATA / folder / "SOURCE.md").is_file()
        assert any((DATA / folder / name).is_file() for name in ("LICENSE", "LICENSE.txt"))


def test_derivation_is_reproducible(shared: Path) -> None:
    """Re-derive from ../shared/external: the same rows, byte for byte once decompressed (the compressed bytes
    also depend on the zlib build), and the licences copied unchanged."""
    built = _derive().build(shared / "external")
    shipped = {
        str(p.relative_to(DATA)) for p in DATA.rglob("*") if p.is_file() and p.name not in ("SOURCE.md", "derive.py")
    }
    assert set(built) == shipped
    for name, content in built.items():
        on_disk = (DATA / name).read_bytes()
        if name.endswith(".gz"):
            assert gzip.decompress(content) == gzip.decompress(on_disk), f"{name} is stale: rerun derive.py"
        else:
            assert content == on_disk, name


def test_summeval_expert_means_match_the_source_note() -> None:
    """Per-system means of the expert mean, from shared/external/summeval/SOURCE.md's table (computed there from
    the raw files by whoever copied them, independently of derive.py)."""
    published = {"M8": (4.6533, 3.5467), "M11": (3.2700, 3.1467), "M17": (4.9267, 4.2300), "M23": (4.9100, 4.2600)}
    for system, (consistency, relevance) in published.items():
        rows = _rows(DATA / "summeval" / "systems" / f"{system}.jsonl.gz")
        assert len(rows) == 100
        assert sum(float(r["consistency"]) for r in rows) / 100 == pytest.approx(consistency, abs=5e-5)  # type: ignore[arg-type]
        assert sum(float(r["relevance"]) for r in rows) / 100 == pytest.approx(relevance, abs=5e-5)  # type: ignore[arg-type]
        for row in rows:
            ratings = row["consistency_annotators"]
            assert isinstance(ratings, list) and len(ratings) == 3
            assert row["consistency"] == pytest.approx(sum(ratings) / 3)


def test_realsumm_shape_and_the_duplicated_bart() -> None:
    """100 documents; 14 abstractive and 11 extractive systems; abs and ext 'bart' identical (REALSumm issue #3)."""
    assert len(_rows(DATA / "realsumm" / "documents.jsonl.gz")) == 100
    assert len(list((DATA / "realsumm" / "abs").glob("*.jsonl.gz"))) == 14
    assert len(list((DATA / "realsumm" / "ext").glob("*.jsonl.gz"))) == 11
    assert _rows(DATA / "realsumm" / "abs" / "bart.jsonl.gz") == _rows(DATA / "realsumm" / "ext" / "bart.jsonl.gz")
    rows = _rows(DATA / "realsumm" / "abs" / "semsim.jsonl.gz")
    assert all("<t>" not in str(r["candidate"]) and 0.0 <= float(r["litepyramid"]) <= 1.0 for r in rows)  # type: ignore[arg-type]


def test_frank_counts_match_the_paper() -> None:
    """FRANK (Pagnoni et al. 2021): 2,246 summaries, 1,575 test / 671 valid, CNN/DM 250 documents x 5 systems and
    XSum 249 x 4 (shared/external/frank/SOURCE.md)."""
    rows = _rows(DATA / "frank" / "summaries.jsonl.gz")
    assert len(rows) == 2246
    assert Counter(r["split"] for r in rows) == {"test": 1575, "valid": 671}
    per_dataset = Counter((r["dataset"], r["system"]) for r in rows)
    assert sorted(n for (d, _), n in per_dataset.items() if d == "cnndm") == [250] * 5
    assert sorted(n for (d, _), n in per_dataset.items() if d == "bbc") == [249] * 4
    # "Factuality < 1" and "some error type < 1" are the same summaries.
    errors = ("RelE", "EntE", "CircE", "OutE", "GramE", "CorefE", "LinkE", "Other")
    assert all((float(r["factuality"]) < 1) == any(float(r[e]) < 1 for e in errors) for r in rows)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["summeval", "realsumm-abs", "realsumm-ext", "frank"])
def test_tasks_load_with_their_human_fields(repo: Path, name: str) -> None:
    task = load_task(repo / "tasks" / f"{name}.yaml")
    assert task.human is not None and task.kind == "summarise"
    expected = {"summeval": 100, "realsumm-abs": 100, "realsumm-ext": 100, "frank": 2246}[name]
    assert len(load_examples(task).examples) == expected


@pytest.mark.parametrize(
    ("human", "message"),
    [
        ("human: []", "must list the human-judgement fields"),
        ("human: [quality, quality]", "lists a field twice"),
        ("human: {fields: [quality], systme: s}", "unknown human key 'systme' (did you mean 'system'?)"),
        ("human: {fields: [quality], document: ''}", "human 'document' must name a column"),
        ("human: quality", "must list the human-judgement fields"),
    ],
)
def test_the_human_key_is_validated(make_task: Callable[..., Path], human: str, message: str) -> None:
    body = "name: t\nversion: 1\nkind: summarise\ndata: data.jsonl\nmetrics: [rouge]\nprimary: rouge1_f\n"
    path = make_task(body + human + "\n")
    with pytest.raises(HarnessError, match=re.escape(message)) as caught:
        load_task(path)
    assert str(caught.value).startswith(f"{path}:7: ")  # the file and the line of the 'human' entry


def test_the_human_key_forms(make_task: Callable[..., Path]) -> None:
    body = "name: t\nversion: 1\nkind: summarise\ndata: data.jsonl\nmetrics: [rouge]\nprimary: rouge1_f\n"
    listed = load_task(make_task(body + "human: [quality, fluency]\n")).human
    assert listed == HumanSpec(("quality", "fluency"))
    mapped = load_task(make_task(body + "human: {fields: [q], document: doc, system: sys}\n")).human
    assert mapped == HumanSpec(("q",), "doc", "sys")


def test_gzip_json_lines_are_read_strictly(tmp_path: Path) -> None:
    """.jsonl.gz rows keep their line numbers; a file that is not gzip is one clear error."""
    from harness.read.textio import read_rows

    good = tmp_path / "rows.jsonl.gz"
    good.write_bytes(gzip.compress(b'{"id": "a"}\n\n{"id": "b"}\n'))
    assert [(row.line, row.fields["id"]) for row in read_rows(good)] == [(1, "a"), (3, "b")]
    bad = tmp_path / "bad.jsonl.gz"
    bad.write_bytes(b'{"id": "a"}\n')
    with pytest.raises(HarnessError, match="not a valid gzip file"):
        read_rows(bad)
    broken = tmp_path / "broken.jsonl.gz"
    broken.write_bytes(gzip.compress(b'{"id": "a"}\n{"id": \n'))
    with pytest.raises(HarnessError, match=r"broken\.jsonl\.gz:2: invalid JSON"):
        read_rows(broken)

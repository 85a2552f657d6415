"""The demo data in seeds/ is exactly what seeds/make_demo.py derives from the two seed documents."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path


def _make_demo(repo: Path):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("make_demo", repo / "seeds" / "make_demo.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_demo_data_is_reproducible(repo: Path) -> None:
    for name, content in _make_demo(repo).build().items():
        assert (repo / "seeds" / name).read_text(encoding="utf-8") == content, (
            f"seeds/{name} is stale: rerun make_demo.py"
        )


def test_paragraph_alignment_is_sane(repo: Path) -> None:
    """Spot checks by hand: paragraph 12 is the hedge the rewrite turns from 'It is understood' into 'It is clear'."""
    sources = [
        json.loads(line) for line in (repo / "seeds" / "paragraphs.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    cands = [
        json.loads(line)
        for line in (repo / "seeds" / "rewrite-paragraphs.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert [s["id"] for s in sources] == [c["id"] for c in cands] == [f"p{i:02d}" for i in range(1, 17)]
    assert sources[11]["source"].startswith("It is understood that the plans")
    assert cands[11]["candidate"].startswith("It is clear that the plans")
    assert sources[15]["source"] == cands[15]["candidate"]  # the last paragraph was copied verbatim

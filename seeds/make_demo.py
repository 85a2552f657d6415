"""Build the demo data in seeds/ from the two seed documents (run: ``python seeds/make_demo.py``).

- ``seeds.jsonl``: one example, the whole article (``000_…txt``) as the source.
- ``paragraphs.jsonl`` and ``rewrite-paragraphs.jsonl``: the article's paragraphs and the rewrite's lines
  (``001_…txt``), aligned one to one after the ``clean`` rules of ``tasks/seeds.yaml`` drop the headline,
  the cookie notice and the ``Source:`` credit. The alignment is checked, not assumed.

``tests/test_seeds.py`` rebuilds these files and compares them byte for byte with the committed ones.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLE = HERE / "000_4b7b94a5a67c6868.txt"
REWRITE = HERE / "001_c22f7d92e186d757.txt"
DOC_ID = "guardian-2024-paris-olympics-security"


def _jsonl(records: list[dict[str, str]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def build() -> dict[str, str]:
    """File name -> content of every derived file."""
    from harness.cleaning import clean_text
    from harness.tasks import load_task
    from harness.textio import read_text

    rules = load_task(HERE.parent / "tasks" / "seeds.yaml").clean
    article, rewrite = read_text(ARTICLE), read_text(REWRITE)
    paragraphs = [p.strip() for p in clean_text(article, rules)[0].split("\n") if p.strip()]
    lines = [line.strip() for line in clean_text(rewrite, rules)[0].split("\n") if line.strip()]
    if len(paragraphs) != len(lines):
        raise SystemExit(f"cannot align: {len(paragraphs)} paragraphs vs {len(lines)} rewrite lines")
    ids = [f"p{i:02d}" for i in range(1, len(paragraphs) + 1)]
    return {
        "seeds.jsonl": _jsonl([{"id": DOC_ID, "source": article}]),
        "paragraphs.jsonl": _jsonl([{"id": i, "source": p} for i, p in zip(ids, paragraphs)]),
        "rewrite-paragraphs.jsonl": _jsonl([{"id": i, "candidate": c} for i, c in zip(ids, lines)]),
    }


def main(out_dir: Path = HERE) -> None:
    for name, content in build().items():
        (out_dir / name).write_text(content, encoding="utf-8")
        print(f"wrote {out_dir / name}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)

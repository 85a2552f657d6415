"""Build the demo data in seeds/ from the two seed documents (run: ``python seeds/make_demo.py``).

- ``seeds.jsonl``: one example, the whole article (``000_…txt``) as the source.
- ``paragraphs.jsonl`` and ``rewrite-paragraphs.jsonl``: the article's paragraphs and the rewrite's lines
  (``001_…txt``), aligned one to one after the ``clean`` rules of ``tasks/seeds.yaml`` drop the headline,
  the cookie notice and the ``Source:`` credit. The alignment is checked, not assumed.
- ``rewrite-misnumbered.txt`` and ``rewrite-paragraphs-misnumbered.jsonl``: the rewrite with four figures
  changed (:data:`MISNUMBER`: a digit swap, a scale change, a unit change, a contradictory bound) and every
  other word kept, so ROUGE barely moves while numeric precision falls.

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
# (as the rewrite has it, as the misnumbered system has it): each occurs exactly once in the rewrite.
MISNUMBER = (
    ("745,000", "754,000"),  # digit swap -> value
    ("£500m", "£500bn"),  # scale
    ("10 meters", "10 miles"),  # unit
    ("nearly 10%", "more than 10%"),  # contradictory bound
)


def misnumber(text: str) -> str:
    """The rewrite with the figures of :data:`MISNUMBER` changed; fails if one is not there exactly once."""
    for old, new in MISNUMBER:
        if text.count(old) != 1:
            raise SystemExit(f"cannot misnumber: {old!r} occurs {text.count(old)} times in the rewrite")
        text = text.replace(old, new)
    return text


def _jsonl(records: list[dict[str, str]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def build() -> dict[str, str]:
    """File name -> content of every derived file."""
    from harness.read.cleaning import clean_text
    from harness.read.tasks import load_task
    from harness.read.textio import read_text

    rules = load_task(HERE.parent / "tasks" / "seeds.yaml").clean
    article, rewrite = read_text(ARTICLE), read_text(REWRITE)
    paragraphs = [p.strip() for p in clean_text(article, rules)[0].split("\n") if p.strip()]
    lines = [line.strip() for line in clean_text(rewrite, rules)[0].split("\n") if line.strip()]
    if len(paragraphs) != len(lines):
        raise SystemExit(f"cannot align: {len(paragraphs)} paragraphs vs {len(lines)} rewrite lines")
    ids = [f"p{i:02d}" for i in range(1, len(paragraphs) + 1)]
    misnumbered = misnumber("\n".join(lines)).split("\n")
    return {
        "seeds.jsonl": _jsonl([{"id": DOC_ID, "source": article}]),
        "paragraphs.jsonl": _jsonl([{"id": i, "source": p} for i, p in zip(ids, paragraphs)]),
        "rewrite-paragraphs.jsonl": _jsonl([{"id": i, "candidate": c} for i, c in zip(ids, lines)]),
        "rewrite-misnumbered.txt": misnumber(rewrite),
        "rewrite-paragraphs-misnumbered.jsonl": _jsonl([{"id": i, "candidate": c} for i, c in zip(ids, misnumbered)]),
    }


def main(out_dir: Path = HERE) -> None:
    for name, content in build().items():
        (out_dir / name).write_text(content, encoding="utf-8")
        print(f"wrote {out_dir / name}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)

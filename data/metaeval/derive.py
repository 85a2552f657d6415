"""Derive the meta-evaluation data shipped in ``data/metaeval/`` from the raw copies in ``../shared/external/``.

Three human-judged summarisation sets (see each folder's SOURCE.md for where the raw files come from):

- ``summeval/``: SummEval (Fabbri et al. 2021, MIT): 100 CNN/DM articles x 12 abstractive systems, expert
  ratings 1-5 of consistency, relevance, coherence and fluency (the mean of 3 experts, and each expert's rating).
- ``realsumm/``: REALSumm (Bhandari et al. 2020, CC BY 4.0): 100 CNN/DM articles x 14 abstractive and 11
  extractive systems, LitePyramid recall.
- ``frank/``: FRANK (Pagnoni et al. 2021, MIT): 2,246 summaries of 9 systems on CNN/DM and XSum, with the
  Factuality score, the error-type labels and the test/valid split.

Output: gzip JSON Lines, written deterministically (rows in a fixed order, keys in a fixed order, gzip header
without a name or a timestamp), so re-deriving gives the same content; ``tests/test_metaeval_data.py`` re-derives
when ``../shared`` is present and compares. Run from anywhere:

    .venv/bin/python data/metaeval/derive.py [--external ../shared/external] [--out data/metaeval]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_EXTERNAL = HERE.parent.parent.parent / "shared" / "external"

SUMMEVAL_ASPECTS = ("consistency", "relevance", "coherence", "fluency")
# FRANK's error types (1 = no such error in the summary, less = some sentence has it) and their three groups.
FRANK_ERRORS = ("RelE", "EntE", "CircE", "OutE", "GramE", "CorefE", "LinkE", "Other")
FRANK_GROUPS = ("Semantic_Frame_Errors", "Discourse_Errors", "Content_Verifiability_Errors")
# FRANK's own order of systems (evaluation/evaluate.py): CNN/DM first, then XSum.
FRANK_SYSTEMS = ("bart", "pgn", "bus", "bert_sum", "s2s", "TranS2S", "TConvS2S", "PtGen", "BERTS2S")
_TAG = re.compile(r"\s*</?t>\s*")


def jsonl_gz(rows: list[dict[str, Any]]) -> bytes:
    """Rows as gzip JSON Lines; mtime=0 and no file name in the header, so the same rows give the same bytes."""
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


# --- SummEval ------------------------------------------------------------------------------------------------


def summeval(external: Path) -> dict[str, bytes]:
    """documents.jsonl.gz (id, source) and systems/<M>.jsonl.gz (id, candidate, the four aspect means and
    ``<aspect>_annotators``: the three experts' ratings in the file's order)."""
    folder = external / "summeval" / "model_output_annotations"
    by_system: dict[str, dict[str, dict[str, Any]]] = {}
    for path in sorted(folder.glob("M*_outputs_annotations.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            by_system.setdefault(record["model_id"], {})[record["id"]] = record
    systems = sorted(by_system, key=lambda name: int(name[1:]))
    ids = sorted(by_system[systems[0]])
    sources: dict[str, str] = {}
    files: dict[str, bytes] = {}
    for system in systems:
        records = by_system[system]
        if sorted(records) != ids:
            raise ValueError(f"SummEval {system}: its documents differ from {systems[0]}'s")
        rows = []
        for doc in ids:
            record = records[doc]
            # The article is repeated in every system's file: they must agree.
            if sources.setdefault(doc, record["text"]) != record["text"]:
                raise ValueError(f"SummEval {doc}: the article differs between systems")
            experts = record["expert_annotations"]
            if len(experts) != 3:
                raise ValueError(f"SummEval {system} {doc}: {len(experts)} expert ratings, expected 3")
            row: dict[str, Any] = {"id": doc, "candidate": record["decoded"]}
            for aspect in SUMMEVAL_ASPECTS:
                ratings = [int(expert[aspect]) for expert in experts]
                row[aspect] = sum(ratings) / len(ratings)
            for aspect in SUMMEVAL_ASPECTS:
                row[f"{aspect}_annotators"] = [int(expert[aspect]) for expert in experts]
            rows.append(row)
        files[f"summeval/systems/{system}.jsonl.gz"] = jsonl_gz(rows)
    files["summeval/documents.jsonl.gz"] = jsonl_gz([{"id": doc, "source": sources[doc]} for doc in ids])
    files["summeval/LICENSE"] = (external / "summeval" / "LICENSE").read_bytes()
    return files


# --- REALSumm ------------------------------------------------------------------------------------------------


def untag(text: str) -> str:
    """REALSumm's ``<t> sentence </t>`` markup to one sentence per line. Every piece of text is kept (4
    bottom_up summaries end in an unclosed ``<t>``), so the ROUGE tokens are those of the tagged text with the
    tags deleted."""
    return "\n".join(piece for piece in (p.strip() for p in _TAG.split(text)) if piece)


def realsumm_system_name(file_name: str) -> str:
    """``presumm_out_trans_abs.txt`` -> ``presumm_trans_abs``, ``bart_out.txt`` -> ``bart``."""
    stem = file_name.removesuffix(".txt")
    return stem.removesuffix("_out").replace("_out_", "_")


def realsumm(external: Path) -> dict[str, bytes]:
    """documents.jsonl.gz (id = doc_id as 3 digits, source) and {abs,ext}/<system>.jsonl.gz (id, candidate,
    litepyramid). The abstractive set keeps ``bart_out`` (the extractive BART, identical in both sets) because the
    published correlations on it include it."""
    root = external / "realsumm"
    articles = (root / "selected_docs_for_human_eval" / "abs" / "ptr_generator" / "src.txt").read_text("utf-8")
    lines = articles.split("\n")
    files: dict[str, bytes] = {}
    doc_ids: list[int] | None = None
    for kind in ("abs", "ext"):
        scores = _read_json(root / "scores_dicts" / f"{kind}.json")
        ids = sorted(int(doc) for doc in scores)
        if doc_ids is not None and ids != doc_ids:
            raise ValueError(f"REALSumm {kind}: its documents differ from abs")
        doc_ids = ids
        system_files = list(scores[str(ids[0])]["system_summaries"])
        for file_name in system_files:
            rows = []
            for doc in ids:
                entry = scores[str(doc)]["system_summaries"][file_name]
                rows.append(
                    {
                        "id": f"{doc:03d}",
                        "candidate": untag(entry["system_summary"]),
                        "litepyramid": float(entry["scores"]["litepyramid_recall"]),
                    }
                )
            files[f"realsumm/{kind}/{realsumm_system_name(file_name)}.jsonl.gz"] = jsonl_gz(rows)
    assert doc_ids is not None
    documents = [{"id": f"{doc:03d}", "source": untag(lines[doc])} for doc in doc_ids]
    files["realsumm/documents.jsonl.gz"] = jsonl_gz(documents)
    files["realsumm/LICENSE.txt"] = (root / "LICENSE.txt").read_bytes()
    return files


# --- FRANK ---------------------------------------------------------------------------------------------------


def frank(external: Path) -> dict[str, bytes]:
    """summaries.jsonl.gz: one row per annotated summary, id ``<doc>/<system>``, with its article (``source``),
    the summary (``candidate``), ``doc``, ``system``, ``dataset`` (cnndm | bbc), ``split`` (test | valid),
    ``factuality`` and the error-type columns. Rows are grouped by document so gzip stores each article once."""
    root = external / "frank" / "data"
    annotations = _read_json(root / "human_annotations.json")
    articles: dict[str, dict[str, Any]] = {}
    rows = []
    for record in annotations:
        doc, system = str(record["hash"]), str(record["model_name"])
        if doc not in articles:
            articles[doc] = _read_json(root / "articles-wfactcc-json" / f"{doc}.json")
        article = articles[doc]
        summary = article.get(system)
        if not isinstance(summary, str) or not summary.strip():
            raise ValueError(f"FRANK {doc}: no summary of {system}")
        row: dict[str, Any] = {
            "id": f"{doc}/{system}",
            "doc": doc,
            "system": system,
            "dataset": record["dataset"],
            "split": record["split"],
            "source": article["article"],
            "candidate": summary,
            "factuality": float(record["Factuality"]),
        }
        for column in FRANK_ERRORS + FRANK_GROUPS:
            row[column] = float(record[column])
        rows.append(row)
    first_seen = {doc: index for index, doc in reversed(list(enumerate(r["doc"] for r in rows)))}
    rows.sort(key=lambda r: (first_seen[r["doc"]], FRANK_SYSTEMS.index(r["system"])))
    return {"frank/summaries.jsonl.gz": jsonl_gz(rows), "frank/LICENSE": (root.parent / "LICENSE").read_bytes()}


def build(external: Path) -> dict[str, bytes]:
    """Every derived file, by its path under data/metaeval/."""
    return {**summeval(external), **realsumm(external), **frank(external)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--external", type=Path, default=DEFAULT_EXTERNAL, help="the shared/external folder")
    parser.add_argument("--out", type=Path, default=HERE, help="where to write (default: beside this script)")
    args = parser.parse_args()
    for name, content in sorted(build(args.external).items()):
        path = args.out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        print(f"{path}  {len(content):,} bytes")


if __name__ == "__main__":
    main()

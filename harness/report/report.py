"""``harness report``: one self-contained HTML page (and a Markdown summary) built from run files only.

The page holds each task's leaderboard (:func:`harness.rank.leaderboard.build_boards`), plots of the means and of
the per-example scores (:mod:`harness.report.plots`), and a drill-down of every example: the source beside each
system's scored candidate, aligned paragraph to paragraph (when both have as many) or sentence by sentence
(each candidate sentence beside the source unit it overlaps most), with unsupported words shaded:

- *new word*: its ROUGE token (rouge-score's tokenizer: lower-cased runs of ``a-z0-9``, Porter-stemmed when
  longer than 3 characters, as the run's ``rouge`` signature says) does not occur in the source;
- *new pairing*: the token occurs in the source, but neither bigram it forms with its neighbours does;
- *numeric discrepancy*: from ``details.numeric.discrepancies`` of the run, with the source figure it
  contradicts highlighted in the source.

Findings (:mod:`harness.rank.findings`): a table per task of the examples with each ``METRIC:KIND`` per system, whose
counts open the list of those examples (each opens its drill-down, which lists the example's findings). When the
results folder holds a ``harness meta-eval --out`` page (``metaeval.html`` in it or in a folder just inside it),
the page links it.

``examples.jsonl`` holds candidates, not sources: the sources are read again through the task file recorded in
``run.json``, cleaned by the task's ``clean`` rules as the runner does, and used only if the data's sha256 and
the rules still match the run's. Otherwise the drill-down shows candidates only, with a note saying why.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.probe import render as probe_render
from harness.rank import findings, formats, novelty
from harness.rank.leaderboard import Board, build_boards
from harness.read.cleaning import clean_text
from harness.report import plots
from harness.report.highlight import align, paragraphs, segments, sentences, unsupported
from harness.store.store import StoredRun, read_examples

WORST_N = 3


# --- sources: re-read through the task file, checked against the run ---------------------------------------


def load_sources(run: StoredRun) -> tuple[dict[str, str] | None, str | None]:
    """The cleaned source of every example of ``run`` by id, or None and the reason it cannot be shown."""
    from harness.read.tasks import load_examples, load_task

    recorded = run.meta["task"]
    task_file = Path(str(recorded.get("file", "")))
    try:
        if not recorded.get("file") or not task_file.is_file():
            return None, f"task file {task_file} not found"
        task = load_task(task_file)
        dataset = load_examples(task)
    except (HarnessError, OSError, ValueError) as exc:
        return None, f"task file {task_file} cannot be read: {exc}"
    if dataset.sha256 != recorded.get("data_sha256"):
        return None, f"the data of {task_file} ({dataset.location}) changed since the run (sha256 differs)"
    rules = [{"name": r.name, "pattern": r.pattern.pattern} for r in task.clean]
    if rules != run.meta.get("cleaning", {}).get("rules", rules):
        return None, f"the clean rules of {task_file} changed since the run"
    return {e.id: clean_text(e.source, task.clean)[0] for e in dataset.examples}, None


def discrepancies(row: dict[str, Any], scored: str, source: str | None) -> list[dict[str, Any]]:
    """``details.numeric.discrepancies`` of an example row, each checked against the texts it points into."""
    found = ((row.get("details") or {}).get("numeric") or {}).get("discrepancies") or []
    out = []
    for item in found if isinstance(found, list) else []:
        if not isinstance(item, dict):
            continue
        # The numeric metric writes the candidate's figure as ``candidate: {text, start, end}``; the flat
        # ``text``/``start``/``end`` shape is read too.
        figure: dict[str, Any] = item["candidate"] if isinstance(item.get("candidate"), dict) else item
        text, start, end = str(figure.get("text", "")), figure.get("start"), figure.get("end")
        ok = isinstance(start, int) and isinstance(end, int) and scored[start:end] == text
        src = item.get("source") if isinstance(item.get("source"), dict) else None
        src_ok = bool(
            src
            and source is not None
            and isinstance(src.get("start"), int)
            and isinstance(src.get("end"), int)
            and source[src["start"] : src["end"]] == src.get("text")
        )
        out.append(
            {
                "kind": str(item.get("kind", "discrepancy")),
                "text": text,
                "span": [start, end] if ok else None,
                "source": str(src["text"]) if src else None,
                "source_span": [src["start"], src["end"]] if src and src_ok else None,
            }
        )
    return out


def unsupported_sentences(row: dict[str, Any], scored: str) -> list[tuple[int, int, str, str]]:
    """Marks on the candidate sentences the ``nli`` or ``judge`` metric found unsupported (their details'
    ``sentences`` with ``supported: false``); a sentence whose offsets do not match the scored text is skipped."""
    marks = []
    for metric in ("nli", "judge"):
        detail = (row.get("details") or {}).get(metric)
        for item in detail.get("sentences") or [] if isinstance(detail, dict) else []:
            start, end = item.get("start"), item.get("end")
            if item.get("supported") is not False or not (isinstance(start, int) and isinstance(end, int)):
                continue
            if scored[start:end] != item.get("text"):
                continue
            if metric == "nli":
                tip = (
                    f"nli: {item.get('label')}, P(entail) {item.get('entailment', 0):.2f}, "
                    f"P(contradict) {item.get('contradiction', 0):.2f} at its best source unit"
                )
            else:
                tip = f"judge: unsupported ({item.get('kind') or 'no kind given'})"
            marks.append((start, end, "unsup", tip))
    return marks


def _tip(item: dict[str, Any]) -> str:
    against = f"source says {item['source']!r}" if item["source"] else "no figure in the source"
    return f"{item['kind']}: {item['text']!r}, {against}"


# --- gathering --------------------------------------------------------------------------------------------


@dataclass
class BoardReport:
    """One task's leaderboard with everything the page and the Markdown show about it."""

    board: Board
    note: str | None
    rows: list[dict[str, Any]]  # one per (example, system): index, id, system, scores, scored candidate
    examples: list[dict[str, Any]]  # drill-down data per example, serialised into the page
    worst: dict[str, list[dict[str, Any]]]  # system -> the WORST_N worst rows on the primary key
    figures: dict[str, str] = field(default_factory=dict)
    # system -> finding name -> the examples with it: {ex: index, id, what}, what the page's counts open
    findings: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)

    def worse_first(self, key: str) -> bool:
        """True when ascending order puts the worst first (higher is better, or no direction)."""
        return self.board.directions.get(key, "higher") != "lower"


@dataclass
class Report:
    boards: list[BoardReport]
    problems: list[str]
    results_dir: Path
    generated: str
    metaeval: Path | None = None  # a `harness meta-eval --out` page in the results folder


def metaeval_page(results_dir: Path) -> Path | None:
    """The newest ``metaeval.html`` in ``results_dir`` or in a folder just inside it (``--out results/metaeval``)."""
    from harness.metaeval.run import HTML_FILE

    found = [p for p in (results_dir / HTML_FILE, *results_dir.glob(f"*/{HTML_FILE}")) if p.is_file()]
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


def build_report(results_dir: Path, task: str | None = None, **significance: Any) -> Report:
    """Gather every board under ``results_dir``; ``significance`` goes to :func:`build_boards`."""
    boards, problems = build_boards(results_dir, task, **significance)
    if not boards:
        raise HarnessError(f"{results_dir}: no runs found (run `harness eval` first)")
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    report = Report([_board_report(board) for board in boards], problems, results_dir, generated)
    report.metaeval = metaeval_page(results_dir)
    return report


def _board_report(board: Board) -> BoardReport:
    reference = board.ranked[0]
    texts, note = load_sources(reference)
    stem = "stem:none" not in str(reference.meta.get("signatures", {}).get("rouge", ""))
    by_system = {run.system: {str(r["id"]): r for r in read_examples(run.path)} for run in board.ranked}
    ids = [str(r["id"]) for r in read_examples(reference.path)]
    if texts is not None and not set(ids) <= set(texts):
        texts, note = None, "the task's data no longer holds every example id of the runs"
    rows: list[dict[str, Any]] = []
    examples: list[dict[str, Any]] = []
    for index, example_id in enumerate(ids):
        source = texts[example_id] if texts is not None else None
        # A system that failed on this example (an error row, no scores) is left out of its drill-down.
        views = {s: by_system[s][example_id] for s in by_system if "error" not in by_system[s][example_id]}
        examples.append(_example(example_id, source, views, stem))
        for system, row in views.items():
            scores = {key: float(row[key]) for key in board.keys}
            scored = str(row.get("scored_candidate", row.get("candidate", "")))
            rows.append({"index": index, "id": example_id, "system": system, "scores": scores, "candidate": scored})
    report = BoardReport(board, note, rows, examples, {})
    for system, by_id in by_system.items():
        named: dict[str, list[dict[str, Any]]] = {name: [] for name in board.finding_names()}
        for index, example_id in enumerate(ids):
            for name, whats in findings.example_findings(by_id[example_id]).items():
                named.setdefault(name, []).append({"ex": index, "id": example_id, "what": "; ".join(whats)})
        report.findings[system] = named
    for system in by_system:
        mine = [r for r in rows if r["system"] == system]
        sign = 1.0 if report.worse_first(board.primary) else -1.0
        report.worst[system] = sorted(mine, key=lambda r: (sign * r["scores"][board.primary], r["index"]))[:WORST_N]
    report.figures = plots.figures(board, rows)
    return report


def _example(example_id: str, source: str | None, views: dict[str, dict[str, Any]], stem: bool) -> dict[str, Any]:
    """Drill-down data of one example: marked source units and, per system, marked candidate units."""
    src_units = (paragraphs(source) if len(paragraphs(source)) > 1 else sentences(source)) if source else []
    src_marks: list[tuple[int, int, str, str]] = []
    systems = {}
    for system, row in views.items():
        scored = str(row.get("scored_candidate", row.get("candidate", "")))
        found = discrepancies(row, scored, source)
        marks = [(d["span"][0], d["span"][1], "num", _tip(d)) for d in found if d["span"]]
        words_marked = unsupported(scored, source, stem=stem) if source else []
        # A numeric discrepancy is marked alone: word shading inside it would cut it into pieces.
        marks += [(a, b, cls, "") for a, b, cls in words_marked if not any(m[0] < b and a < m[1] for m in marks)]
        marks += unsupported_sentences(row, scored)  # underlined, so they overlap the word shading
        src_marks += [(*d["source_span"], "num-src", f"{system}: {_tip(d)}") for d in found if d["source_span"]]
        units, beside = align(source, src_units, scored) if source and src_units else ([(0, len(scored))], [])
        systems[system] = {
            "units": [segments(scored, unit, marks) for unit in units],
            "beside": beside,
            "discrepancies": [
                {"kind": d["kind"], "text": d["text"], "source": d["source"], "marked": bool(d["span"])} for d in found
            ],
            "flags": row.get("flags", []),
            "removed": (row.get("removed") or {}).get("candidate", []),
            "findings": [f"{n}: {w}" for n, whats in findings.example_findings(row).items() for w in whats],
        }
    source_units = [segments(source, unit, src_marks) for unit in src_units] if source else None
    return {"id": example_id, "source": source_units, "systems": systems}


# --- rendering --------------------------------------------------------------------------------------------


def _json_for_script(data: Any) -> str:
    """JSON safe inside a <script> element: no ``</script>`` or ``<!--`` can close or comment it."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace("\u2028", "\\u2028")


def pack_data(data: Any) -> str:
    """The page's JSON data gzip-compressed and base64-encoded: safe inside a <script> element (base64 has no
    ``<``), and a quarter of the JSON's size. ``mtime=0`` keeps the page byte-identical from run to run."""
    import base64
    import gzip

    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(gzip.compress(raw, compresslevel=9, mtime=0)).decode("ascii")


def unpack_data(packed: str) -> Any:
    """The inverse of :func:`pack_data` (for tests and tools reading a page)."""
    import base64
    import gzip

    return json.loads(gzip.decompress(base64.b64decode(packed)))


def _groups(keys: list[str]) -> list[tuple[str, int]]:
    """Header groups over the keys: ``rouge1_p rouge1_r rouge1_f`` -> ``[("rouge1", 3)]``."""
    out: list[tuple[str, int]] = []
    for key in keys:
        group = key.partition("_")[0]
        if out and out[-1][0] == group:
            out[-1] = (group, out[-1][1] + 1)
        else:
            out.append((group, 1))
    return out


def render_html(report: Report, out: Path | None = None) -> str:
    """The whole page: template, data and the plotting library inlined, nothing loaded from a network. ``out``
    (where the page will be written) makes the link to the meta-evaluation page relative to it."""
    import os

    import jinja2

    metaeval_href = None
    if report.metaeval is not None:
        base = (out.parent if out is not None else Path.cwd()).resolve()
        metaeval_href = Path(os.path.relpath(report.metaeval.resolve(), base)).as_posix()

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("harness", "templates"), autoescape=True, undefined=jinja2.StrictUndefined
    )
    data = [
        {
            "task": b.board.task,
            "primary": b.board.primary,
            "keys": b.board.keys,
            "systems": [r.system for r in b.board.ranked],
            "worseFirst": {key: b.worse_first(key) for key in b.board.keys},
            # Each example row's scores for sorting the examples table (the cells show 4 decimals), to 7 digits.
            "values": [[float(f"{row['scores'][key]:.7g}") for key in b.board.keys] for row in b.rows],
            "examples": b.examples,
            "findings": b.findings,
        }
        for b in report.boards
    ]
    return env.get_template("report.html.j2").render(
        report=report,
        footers={b.board.task: formats.footer(b.board, markdown=True) for b in report.boards},
        # Fidelity-novelty view per task: (view or None, note or None); see harness.rank.novelty.
        novelty={b.board.task: novelty.view(b.board) for b in report.boards},
        near_copy_mark=novelty.NEAR_COPY_MARK,
        near_copy_rule=f"{novelty.NEAR_COPY_RULE}: {novelty.NEAR_COPY_WHY}",
        groups={b.board.task: _groups(b.board.keys) for b in report.boards},
        # The probe x metric matrix of each task, from its newest `harness probe` results (harness.probe.render).
        probes={b.board.task: probe_render.report_html(report.results_dir, b.board.task) for b in report.boards},
        worst_n=WORST_N,
        metaeval_href=metaeval_href,
        findings_what=formats.FINDINGS_WHAT,
        data_gz=pack_data(data),
        plotly_js=plots.plotly_js(),
    )


def render_markdown(report: Report) -> str:
    """The leaderboards as ``harness leaderboard --format md`` prints them, then each system's worst examples."""
    parts = []
    for item in report.boards:
        board = item.board
        parts.append(formats.render([board], "md"))
        parts += [f"#### Worst examples: the {WORST_N} lowest {board.primary} per system", ""]
        parts += [f"| system | id | {board.primary} | candidate (start) |", "|---|---|---:|---|"]
        for system, worst in item.worst.items():
            for row in worst:
                excerpt = " ".join(row["candidate"].split())
                excerpt = excerpt[:100] + ("…" if len(excerpt) > 100 else "")
                cell = html.escape(excerpt.replace("|", "\\|"), quote=False)
                parts.append(f"| {system} | {row['id']} | {row['scores'][board.primary]:.4f} | {cell} |")
        if item.note:
            parts.append(f"\nSources not shown: {item.note}.")
        parts.append("")
        parts.append(probe_render.report_markdown(report.results_dir, board.task))
    return "\n".join(parts)


def write(path: Path, text: str) -> None:
    """Write a report file, turning an unwritable path into a :class:`HarnessError`."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise HarnessError(f"{path}: cannot write report ({exc.strerror})") from None

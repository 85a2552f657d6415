"""The fidelity-novelty view of a ``rewrite`` task's leaderboard, and the near-copy flag.

With the source as the reference, a system that copies the source wins every overlap metric. So each system
also gets a novelty figure, from the ``extractiveness`` metric (Grusky et al. 2018, Newsroom):

- novelty: ``extractiveness_novel2``, the share of the candidate's distinct bigrams not in the source (higher
  is more novel); ``extractiveness_density`` (mean length of the copied fragment a token sits in) is shown
  beside it;
- fidelity: ``rougeL_p`` and ``rouge2_p``, whichever of them the runs have (higher is better): the keys that
  ``harness meta-eval`` puts in the first significance cluster both on SummEval consistency and on FRANK
  factuality (docs/meta-evaluation.md), where ``bertscore_f`` and ``numeric_precision`` are in lower ones.
  A precision key rewards copying (a copy has precision 1), which is why novelty is the other axis and the
  near-copy flag stands beside it.

A system is on the Pareto front when no other system is at least as good on every fidelity key and on
novelty, and strictly better on one of them (means over the examples). Density is shown, not used: novel2
already orders systems by how much is new, and two novelty axes would put every extractive system whose
fragments are shorter on the front.

Near-copy: a system whose mean ``extractiveness_coverage`` is at least :data:`NEAR_COPY_COVERAGE` and whose
mean ``extractiveness_novel2`` is at most :data:`NEAR_COPY_NOVEL2`. Where systems land (docs/leaderboard.md;
``benchmarks/near_copy_threshold.py``): on REALSumm's 100 CNN/DM articles, the 10 extractive
systems have novel2 0.024-0.037 (their sentences are copied; the new bigrams are the joins between them) and
the 14 abstractive ones 0.075-0.198, with coverage at least 0.97 for all of them; on the seeds tasks ``copy``
and ``lead-3`` have coverage 1 and novel2 0, the LLM rewrite 0.63. 0.05 lies between the extractive and the
abstractive systems; the coverage condition says "nearly every token copied" outright.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.rank.leaderboard import Board

NOVELTY = "extractiveness_novel2"
DENSITY = "extractiveness_density"
COVERAGE = "extractiveness_coverage"
FIDELITY = ("rougeL_p", "rouge2_p")
NEAR_COPY_COVERAGE = 0.9
NEAR_COPY_NOVEL2 = 0.05
NEAR_COPY_MARK = "(near-copy)"
NEAR_COPY_RULE = f"mean {COVERAGE} >= {NEAR_COPY_COVERAGE} and mean {NOVELTY} <= {NEAR_COPY_NOVEL2}"
NEAR_COPY_WHY = (
    "nearly every token is copied from the source and almost no bigram is new, so it wins overlap metrics by copying"
)


@dataclass(frozen=True)
class Point:
    """One system in the view: its means on the view's keys, and its marks."""

    system: str
    novelty: float
    density: float
    coverage: float
    fidelity: dict[str, float]
    pareto: bool
    near_copy: bool


@dataclass(frozen=True)
class View:
    fidelity_keys: list[str]
    points: list[Point]  # in the leaderboard's rank order

    def point(self, system: str) -> Point | None:
        return next((p for p in self.points if p.system == system), None)


def dominates(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Whether ``a`` is at least as good as ``b`` everywhere and strictly better somewhere (higher is better)."""
    return all(x >= y for x, y in zip(a, b, strict=True)) and any(x > y for x, y in zip(a, b, strict=True))


def pareto_front(points: dict[str, tuple[float, ...]]) -> set[str]:
    """The names whose objective vectors no other vector dominates (ties: both stay on the front)."""
    return {name for name, mine in points.items() if not any(dominates(other, mine) for other in points.values())}


def is_near_copy(coverage: float, novel2: float) -> bool:
    return coverage >= NEAR_COPY_COVERAGE and novel2 <= NEAR_COPY_NOVEL2


def view(board: Board) -> tuple[View | None, str | None]:
    """The board's fidelity-novelty view, or None and a one-line note why it is omitted (None, None when the
    task is not a rewrite task: the view is only shown for those)."""
    kind = board.ranked[0].meta["task"].get("kind") if board.ranked else None
    if kind != "rewrite" or not board.ranked:
        return None, None
    missing = [key for key in (NOVELTY, DENSITY, COVERAGE) if key not in board.keys]
    if missing:
        return None, (
            f"fidelity-novelty view omitted: the runs have no {', '.join(missing)} "
            "(add `extractiveness` to the task's metrics)"
        )
    fidelity = [key for key in FIDELITY if key in board.keys]
    if not fidelity:
        return None, f"fidelity-novelty view omitted: the runs have none of {', '.join(FIDELITY)}"
    means = {run.system: run.meta["means"] for run in board.ranked}
    objectives = {s: (*(float(m[k]) for k in fidelity), float(m[NOVELTY])) for s, m in means.items()}
    front = pareto_front(objectives)
    points = [
        Point(
            system=s,
            novelty=float(m[NOVELTY]),
            density=float(m[DENSITY]),
            coverage=float(m[COVERAGE]),
            fidelity={k: float(m[k]) for k in fidelity},
            pareto=s in front,
            near_copy=is_near_copy(float(m[COVERAGE]), float(m[NOVELTY])),
        )
        for s, m in means.items()
    ]
    return View(fidelity, points), None


def near_copies(board: Board) -> set[str]:
    """Systems of the board flagged as near-copies (empty when the view is omitted)."""
    found, _ = view(board)
    return {p.system for p in found.points if p.near_copy} if found else set()


def lines(board: Board, *, markdown: bool) -> list[str]:
    """The view as text lines (a small table and its legend), or the note saying why it is omitted."""
    found, note = view(board)
    if found is None:
        return [note] if note else []
    header = ["system", "novel2", "density", "coverage", *found.fidelity_keys, "pareto", "near-copy"]
    body = [
        [
            p.system,
            f"{p.novelty:.4f}",
            f"{p.density:.2f}",
            f"{p.coverage:.4f}",
            *(f"{p.fidelity[k]:.4f}" for k in found.fidelity_keys),
            "yes" if p.pareto else "",
            "yes" if p.near_copy else "",
        ]
        for p in found.points
    ]
    title = (
        f"Fidelity-novelty: novelty = {NOVELTY} (share of candidate bigrams not in the source; density, coverage: "
        f"extractiveness_*), fidelity = {', '.join(found.fidelity_keys)} (means over examples)"
    )
    legend = (
        "pareto = no other system is at least as good on every fidelity key and on novelty and better on one; "
        f"near-copy = coverage >= {NEAR_COPY_COVERAGE} and novel2 <= {NEAR_COPY_NOVEL2}."
    )
    if markdown:
        out = [f"#### {title}", "", "| " + " | ".join(header) + " |"]
        out.append(
            "|"
            + "|".join("---" if i in (0, len(header) - 2, len(header) - 1) else "---:" for i in range(len(header)))
            + "|"
        )
        out += ["| " + " | ".join(cells) + " |" for cells in body]
        return [*out, "", legend]
    widths = [max(len(row[c]) for row in [header, *body]) for c in range(len(header))]
    table = [
        "  ".join(cell.ljust(w) if c == 0 else cell.rjust(w) for c, (cell, w) in enumerate(zip(row, widths))).rstrip()
        for row in [header, *body]
    ]
    return [title, *table, legend]

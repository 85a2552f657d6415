"""The work behind the regression gate of ``harness compare`` and ``harness eval --baseline``.

:func:`decide` compares the two runs and applies the gate (the default gate, no real drop on the task's primary
key, when none is given); :func:`write_reports` appends the Markdown summary to ``$GITHUB_STEP_SUMMARY`` when
GitHub Actions sets it and writes the JUnit XML of ``--junit``. The command line prints the summary before the
reports are written and the verdict after, so an unwritable report still leaves the table in the log.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from harness.errors import HarnessError
from harness.gate.compare import Comparison, GateResult, compare_runs, default_gate, evaluate_gate
from harness.gate.config import Gate
from harness.gate.junit import to_junit, to_markdown
from harness.store.store import StoredRun


@dataclass(frozen=True)
class Verdict:
    """A decided gate: the comparison, every check's result, the Markdown summary, and when deciding began
    (``time.perf_counter``), for the time JUnit reports."""

    comparison: Comparison
    results: list[GateResult]
    summary: str
    started: float

    @property
    def failed(self) -> list[str]:
        return [result.name for result in self.results if not result.passed]

    @property
    def message(self) -> str:
        """The one line said last: which checks failed, or how many passed."""
        failed = self.failed
        return f"gate failed: {', '.join(failed)}" if failed else f"gate passed ({len(self.results)} checks)"


def decide(before: StoredRun, after: StoredRun, gate: Gate, *, resamples: int, seed: int) -> Verdict:
    """Compare ``after`` with ``before`` and apply ``gate`` (the default gate when it is empty)."""
    started = time.perf_counter()
    comparison = compare_runs(before, after, resamples=resamples, seed=seed)
    results = evaluate_gate(comparison, default_gate(comparison) if gate.empty else gate)
    return Verdict(comparison, results, to_markdown(comparison, results), started)


def write_reports(verdict: Verdict, junit: Path | None) -> None:
    """The summary appended to ``$GITHUB_STEP_SUMMARY`` (when set) and the JUnit XML written to ``junit``."""
    targets = [(Path(os.environ["GITHUB_STEP_SUMMARY"]), "a")] if os.environ.get("GITHUB_STEP_SUMMARY") else []
    if junit is not None:
        targets.append((junit, "w"))
    for path, mode in targets:
        if mode == "a":
            text = verdict.summary
        else:
            text = to_junit(verdict.comparison, verdict.results, seconds=time.perf_counter() - verdict.started)
        try:
            with open(path, mode, encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise HarnessError(f"{path}: cannot write ({exc.strerror})") from None

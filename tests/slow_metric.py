"""A test-only metric for the interruption tests. Run as a script, this module registers it and runs the
``harness`` command, so a subprocess can score with it; the test session registers it only for the tests
that use it (so the contract tests over every registered metric never see it).

``slow_rouge`` is ROUGE-1 that sleeps a fixed time per pair: a run lasts long enough to be killed midway
without burning the CPU, and its scores are ROUGE's, so a resumed run can be compared byte for byte.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence

from harness.cli import main
from harness.scoring.registry import Metric, register
from metrics.rouge import Rouge

SECONDS_PER_PAIR = 0.01


class SlowRouge(Metric):
    """ROUGE-1 P/R/F, slowly."""

    name = "slow_rouge"
    description = "ROUGE-1 that sleeps per pair (tests only)"

    def keys(self) -> list[str]:
        return ["rouge1_p", "rouge1_r", "rouge1_f"]

    def signature(self) -> str:
        return "slow_rouge|" + Rouge(types=["rouge1"]).signature()

    def score(self, *, sources: Sequence[str], candidates: Sequence[str]) -> list[dict[str, float]]:
        time.sleep(SECONDS_PER_PAIR * len(sources))
        return Rouge(types=["rouge1"]).score(sources=sources, candidates=candidates)


if __name__ == "__main__":
    register(SlowRouge)
    sys.argv[0] = "harness"
    main()

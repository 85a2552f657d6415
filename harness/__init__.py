"""harness: an evaluation harness for LLM summarisation and rewriting.

The original article is the reference and each rewrite a candidate; metrics score fidelity per example,
runs are written to ``results/`` with signatures, and leaderboards are built from those files.
"""

from harness.scoring.api import score

__version__ = "0.1.0"
__all__ = ["score", "__version__"]

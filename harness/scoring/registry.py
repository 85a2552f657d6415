"""The metric interface and registry.

A metric is one module under ``metrics/`` that subclasses :class:`Metric` and decorates it with
:func:`register`. Metrics return per-example scores under flat ``<metric>_<part>`` keys; the harness alone
aggregates them. Each metric also returns a signature of everything that changes its numbers, in the style
of sacrebleu (``BLEU|nrefs:1|tok:13a|version:2.0.0``).
"""

from __future__ import annotations

import importlib
import inspect
import math
import os
import pkgutil
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from harness.errors import HarnessError, did_you_mean

_REGISTRY: dict[str, type[Metric]] = {}
_discovered = False


class Metric(ABC):
    """A fidelity metric scoring each candidate against its source.

    Subclasses take their options as keyword-only ``__init__`` arguments (validated there) and must not
    import heavy libraries at module level: the registry imports every metric module to list them.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    higher_is_better: ClassVar[bool] = True
    # A metric that loads a model (torch): under Ray it runs on a pool of actors, each loading it once.
    loads_model: ClassVar[bool] = False
    # Options without a usable default (nli's and judge's model): built without them, the metric can be listed
    # and signed, but scoring is an error that says what to pass; "every metric" (harness probe) skips it.
    required_options: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def keys(self) -> list[str]:
        """The per-example score keys, in display order."""

    def bounds(self, key: str) -> tuple[float, float]:
        """The closed interval every value of ``key`` lies in."""
        return (0.0, 1.0)

    def direction(self, key: str) -> str:
        """``higher`` or ``lower`` is better for ``key``, or ``none`` (a count): leaderboards test
        significance only where there is a better."""
        return "higher" if self.higher_is_better else "lower"

    def headline_keys(self) -> list[str]:
        """The keys a compact leaderboard shows (``harness leaderboard`` in the terminal); default: all keys."""
        return self.keys()

    @abstractmethod
    def signature(self) -> str:
        """Everything that changes the numbers: options, tokenizer, model, package versions."""

    def per_example(self) -> bool:
        """True (the default) when each example's scores depend on its own source and candidate alone, so
        the harness may score examples in any grouping, on any worker, and one by one to isolate a failure.
        A metric whose scores depend on the whole call (bertscore's idf weights come from the call's
        sources) returns False and is scored in one call per system, in the driver."""
        return True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # score() and score_with_details() are defined by each other: a metric implements at least one.
        super().__init_subclass__(**kwargs)
        if cls.score is Metric.score and cls.score_with_details is Metric.score_with_details:
            raise TypeError(f"metric {cls.__name__} must implement score() or score_with_details()")

    def score(self, *, sources: Sequence[str], candidates: Sequence[str]) -> list[dict[str, float]]:
        """One dict of scores per (source, candidate) pair, in input order."""
        return self.score_with_details(sources=sources, candidates=candidates)[0]

    def score_with_details(
        self, *, sources: Sequence[str], candidates: Sequence[str]
    ) -> tuple[list[dict[str, float]], list[dict[str, Any]] | None]:
        """Scores plus, per example, JSON-serialisable details that explain them (e.g. the numeric
        discrepancies), stored in ``examples.jsonl`` under ``details.<metric>``. Default: no details."""
        return self.score(sources=sources, candidates=candidates), None


def register(cls: type[Metric]) -> type[Metric]:
    """Class decorator: make a metric available by its ``name``."""
    _REGISTRY[cls.name] = cls
    return cls


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    import metrics

    for info in pkgutil.iter_modules(metrics.__path__):
        importlib.import_module(f"metrics.{info.name}")
    _discovered = True


def metric_names() -> list[str]:
    """Names of every registered metric."""
    _discover()
    return sorted(_REGISTRY)


def metric_class(name: str) -> type[Metric]:
    """The metric class registered as ``name``, or an error with the closest name."""
    _discover()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise HarnessError(f"unknown metric {name!r}{did_you_mean(name, _REGISTRY)}") from None


def build_metric(name: str, options: Mapping[str, Any] | None = None) -> Metric:
    """Instantiate a metric with options, rejecting unknown option names with a suggestion."""
    cls = metric_class(name)
    allowed = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    for option in options or {}:
        if option not in allowed:
            raise HarnessError(f"metric {name!r}: unknown option {option!r}{did_you_mean(option, allowed)}")
    return cls(**dict(options or {}))


def check_lengths(metric: str, sources: Sequence[str], candidates: Sequence[str]) -> None:
    """Reject mismatched or non-string inputs with a precise message (used by every metric)."""
    if len(sources) != len(candidates):
        raise HarnessError(f"{metric}: got {len(sources)} sources but {len(candidates)} candidates")
    for label, texts in (("sources", sources), ("candidates", candidates)):
        for index, text in enumerate(texts):
            if not isinstance(text, str):
                raise HarnessError(f"{metric}: {label}[{index}] is {type(text).__name__}, expected str")


def check_model_option(metric: str, model: object, *, expected: str, folder: str, hint: str) -> None:
    """Reject a ``model`` option that is not a non-empty string, or that names a local folder (it starts with
    ``.``, ``/`` or ``~``) that does not exist, before any library is imported: "``metric``: 'model' must be
    ``expected``" and "``metric``: model ``folder`` ... does not exist; ``hint``". None (no model given) passes."""
    if model is None:
        return
    if not isinstance(model, str) or not model.strip():
        raise HarnessError(f"{metric}: 'model' must be {expected}, got {model!r}")
    if model.startswith((".", "/", "~")) and not os.path.isdir(os.path.expanduser(model)):
        raise HarnessError(f"{metric}: model {folder} {model!r} does not exist; {hint}")


def check_scores(metric: Metric, rows: list[dict[str, float]]) -> None:
    """Assert a metric kept its contract: declared keys, finite values within bounds."""
    for index, row in enumerate(rows):
        problem = score_problem(metric, row)
        if problem is not None:
            raise HarnessError(f"{metric.name}: example {index} {problem}")


def score_problem(metric: Metric, row: dict[str, float]) -> str | None:
    """How one example's scores break the metric's contract (declared keys, finite values within bounds),
    or None."""
    keys = metric.keys()
    if list(row) != keys:
        return f"has keys {list(row)}, expected {keys}"
    for key, value in row.items():
        low, high = metric.bounds(key)
        if not (isinstance(value, (int, float)) and math.isfinite(value) and low <= value <= high):
            return f"{key}={value} outside [{low}, {high}]"
    return None

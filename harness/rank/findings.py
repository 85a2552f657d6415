"""Named findings: the specific errors a precise metric finds in an example, as ``METRIC:KIND``.

A mean such as "numeric precision 0.7396" tells a reader little they can act on; "a figure off by a scale in
1 of 16 examples" does. Metrics that find errors (numeric, entities, quotes, certainty) already say what they
found in each example's ``details`` (``examples.jsonl``); a *finding rule* turns one example's details and
scores into named findings, e.g. ``numeric:scale`` or ``quotes:fabricated``, each with a few words saying
what was found. Findings are derived from the run files at read time, so runs written before this module
existed get them too, and a leaderboard stays a function of its files (as HELM's are).

A metric plugs in with one decorated function, in its own module or here::

    from harness.rank.findings import rule

    @rule("nli", kinds=("unsupported",))
    def _nli(details, scores):
        return [("unsupported", f"sentence {s['index']}") for s in details.get("sentences", []) if not s["entailed"]]

Per system, :func:`tally` counts the examples with at least one finding of each name and gives the 95%
Wilson score interval of the rate (Wilson 1927; recommended for small n by Brown, Cai & DasGupta 2001,
"Interval estimation for a binomial proportion"): it is well defined at 0 of n, where a bootstrap over
examples collapses to [0, 0].
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from harness.errors import did_you_mean

# (this metric's details for one example, that example's scores) -> [(kind, what was found)]
RuleFunction = Callable[[Mapping[str, Any], Mapping[str, Any]], list[tuple[str, str]]]

# The two-sided 95% normal quantile, to the precision scipy.stats.norm.ppf(0.975) gives.
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Rule:
    """How one metric's details become findings."""

    metric: str
    function: RuleFunction
    # The kinds it can report, for checking ``--max-count`` names; None: an open set (numeric's kinds come from
    # its matcher, which may gain kinds without this module changing).
    kinds: tuple[str, ...] | None = None
    # Kinds the metric records that are not errors of the candidate, so never findings (numeric's "missing":
    # a source figure a summary may legitimately leave out).
    not_findings: tuple[str, ...] = ()


_RULES: dict[str, Rule] = {}


def rule(
    metric: str, *, kinds: Sequence[str] | None = None, not_findings: Sequence[str] = ()
) -> Callable[[RuleFunction], RuleFunction]:
    """Decorator: register ``function`` as the finding rule of ``metric`` (one per metric)."""

    def register(function: RuleFunction) -> RuleFunction:
        _RULES[metric] = Rule(metric, function, tuple(kinds) if kinds is not None else None, tuple(not_findings))
        return function

    return register


def rules() -> dict[str, Rule]:
    """Every registered rule, after the metric modules (which may register their own) are imported."""
    from harness.scoring.registry import metric_names

    metric_names()  # imports every metric module once
    return dict(_RULES)


ANY = "*"


def has(name: str, found: Iterable[str]) -> bool:
    """Whether the finding names ``found`` include ``name``; ``METRIC:*`` is any finding of that metric."""
    metric, _, kind = name.partition(":")
    if kind == ANY:
        return any(n.startswith(f"{metric}:") for n in found)
    return name in found


def name_problem(name: str) -> str | None:
    """Why ``name`` is not a finding name a gate can count (None when it is): ``METRIC:KIND`` with a metric
    that has a rule and, where the rule lists its kinds, one of them; or ``METRIC:*``, any of its kinds."""
    metric, sep, kind = name.partition(":")
    known = rules()
    if not sep or not metric or not kind:
        return f"{name!r} is not a finding name (METRIC:KIND, e.g. numeric:scale or quotes:fabricated)"
    found = known.get(metric)
    if found is None:
        return f"no metric {metric!r} reports findings{did_you_mean(metric, known)} (those that do: {', '.join(known)})"
    if kind == ANY:
        return None
    if kind in found.not_findings:
        return f"{name!r} is not a finding: {metric} records {kind!r} but it is not an error of the candidate"
    if found.kinds is not None and kind not in found.kinds:
        names = [f"{metric}:{k}" for k in found.kinds]
        return f"unknown finding {name!r}{did_you_mean(name, names)} ({metric} reports {', '.join(names)})"
    return None


def declared(metrics: Iterable[str]) -> list[str]:
    """The finding names the rules of ``metrics`` declare in advance (open rules declare none)."""
    known = rules()
    return [f"{m}:{k}" for m in metrics if m in known and known[m].kinds for k in known[m].kinds or ()]


def example_findings(row: Mapping[str, Any]) -> dict[str, list[str]]:
    """One ``examples.jsonl`` row's findings: name -> what was found (one entry per instance). A row that
    could not be scored (``error``) has none."""
    if "error" in row:
        return {}
    details = row.get("details")
    if not isinstance(details, Mapping):
        return {}
    out: dict[str, list[str]] = {}
    for metric, found_rule in rules().items():
        mine = details.get(metric)
        if not isinstance(mine, Mapping):
            continue
        for kind, what in found_rule.function(mine, row):
            if kind in found_rule.not_findings:
                continue
            out.setdefault(f"{metric}:{kind}", []).append(what)
    return out


def wilson(count: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of the proportion ``count / n`` (Wilson 1927, eq. as in Brown et al. 2001, 4.1.2)."""
    if n <= 0:
        raise ValueError("n must be positive")
    p = count / n
    denominator = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # Clamp the rounding at the ends: 0 of n has low exactly 0, n of n high exactly 1.
    return (max(0.0, centre - half) if count else 0.0, min(1.0, centre + half) if count < n else 1.0)


@dataclass(frozen=True)
class Count:
    """The examples of one system with at least one finding of one name."""

    name: str
    ids: tuple[str, ...]
    n: int  # examples looked at (those scored)

    @property
    def count(self) -> int:
        return len(self.ids)

    @property
    def rate(self) -> float:
        return self.count / self.n if self.n else 0.0

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.count, self.n) if self.n else None

    def to_json(self) -> dict[str, Any]:
        low_high = self.interval
        return {"count": self.count, "n": self.n, "rate": self.rate, "interval": list(low_high) if low_high else None}


def found_by_id(rows: Iterable[Mapping[str, Any]]) -> tuple[dict[str, set[str]], int]:
    """Each scored row's finding names by example id, and how many rows were scored (rows with ``error``
    are neither counted nor looked at)."""
    found: dict[str, set[str]] = {}
    n = 0
    for row in rows:
        if "error" in row:
            continue
        n += 1
        found[str(row["id"])] = set(example_findings(row))
    return found, n


def counts(found: Mapping[str, set[str]], n: int, names: Iterable[str] = ()) -> dict[str, Count]:
    """Per finding name, the examples that have it; ``names`` are included even at 0."""
    by_name: dict[str, list[str]] = {name: [] for name in names}
    for example_id, mine in found.items():
        for name in mine:
            by_name.setdefault(name, []).append(example_id)
    return {name: Count(name, tuple(ids), n) for name, ids in sorted(by_name.items())}


def metric_count(found: Mapping[str, set[str]], n: int, metric: str) -> Count:
    """The examples with at least one finding of any kind of ``metric`` (its ``METRIC:*`` total)."""
    name = f"{metric}:{ANY}"
    return Count(name, tuple(i for i, mine in found.items() if has(name, mine)), n)


def with_totals(names: Iterable[str]) -> list[str]:
    """``names`` sorted, each metric's ``METRIC:*`` after its kinds."""
    out: list[str] = []
    for name in sorted(set(names)):
        metric = name.split(":")[0]
        if out and out[-1].split(":")[0] != metric:
            out.append(f"{out[-1].split(':')[0]}:{ANY}")
        out.append(name)
    return out + ([f"{out[-1].split(':')[0]}:{ANY}"] if out else [])


def tally(rows: Iterable[Mapping[str, Any]], names: Iterable[str] = ()) -> dict[str, Count]:
    """:func:`counts` of ``rows``."""
    found, n = found_by_id(rows)
    return counts(found, n, names)


# --- the rules of the shipped metrics (each reads the details its metric documents) ---------------------------


def _items(value: Any) -> list[Mapping[str, Any]]:
    """The mappings of a details list; anything else in it (a hand-edited or foreign file) is not a finding."""
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _span_text(span: Any) -> str:
    return f'"{span["text"]}"' if isinstance(span, Mapping) and "text" in span else "none"


@rule("numeric", not_findings=("missing",))
def _numeric(details: Mapping[str, Any], scores: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``details.numeric.discrepancies[].kind``, every kind but ``missing`` (a source figure left out)."""
    found = []
    for d in _items(details.get("discrepancies")):
        kind = str(d.get("kind"))
        cand, source = d.get("candidate"), d.get("source")
        if kind == "unsupported" and not source:
            found.append((kind, f"{_span_text(cand)} (the source has no such figure)"))
        else:
            found.append((kind, f"{_span_text(cand)} where the source has {_span_text(source)}"))
    return found


@rule("entities", kinds=("unsupported",))
def _entities(details: Mapping[str, Any], scores: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``details.entities.unsupported``: candidate mentions the source does not back."""
    return [("unsupported", f'"{m.get("text")}" ({m.get("label")})') for m in _items(details.get("unsupported"))]


@rule("quotes", kinds=("altered", "fabricated"))
def _quotes(details: Mapping[str, Any], scores: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``details.quotes.candidate_quotes[].class``: a quote whose words differ from the source's closest
    passage (``altered``) or match none (``fabricated``)."""
    found = []
    for quote in _items(details.get("candidate_quotes")):
        kind = quote.get("class")
        if kind in ("altered", "fabricated"):
            found.append((str(kind), f'"{quote.get("text", "")}"'))
    return found


@rule("certainty", kinds=("shift", "polarity"))
def _certainty(details: Mapping[str, Any], scores: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``details.certainty.pairs``: a sentence pair whose certainty rose (``shift``: hedges dropped or boosters
    added) or whose negation parity differs (``polarity``)."""
    found = []
    for pair in _items(details.get("pairs")):
        span: Mapping[str, Any] = pair["source"] if isinstance(pair.get("source"), Mapping) else {}
        where = f"source characters {span.get('start')}-{span.get('end')}"
        shift = pair.get("shift")
        if isinstance(shift, (int, float)) and shift > 0:
            cues = [c.get("text", "") for c in _items(pair.get("dropped")) + _items(pair.get("added"))]
            found.append(("shift", f"{where}: {', '.join(repr(c) for c in cues if c) or 'shift'}"))
        if pair.get("polarity_flip"):
            found.append(("polarity", f"{where}: negation differs"))
    return found


@rule("nli", kinds=("unsupported",))
def _nli(details: Mapping[str, Any], scores: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``details.nli.sentences``: a rewrite sentence whose best source unit does not entail it (its most
    probable class there is neutral or contradiction)."""
    return [
        ("unsupported", f'"{s.get("text", "")}" ({s.get("label")} at its best source unit)')
        for s in _items(details.get("sentences"))
        if s.get("supported") is False
    ]


@rule("judge", kinds=("unsupported",))
def _judge(details: Mapping[str, Any], scores: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``details.judge.sentences`` (the ``claims`` protocol): a sentence the judge did not find supported by the
    majority of its samples, with the kind of error it named. The ``rating`` protocol names no sentence."""
    return [
        ("unsupported", f'"{s.get("text", "")}"' + (f" ({s['kind']})" if s.get("kind") else ""))
        for s in _items(details.get("sentences"))
        if s.get("supported") is False
    ]

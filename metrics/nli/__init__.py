"""``nli``: how far the source entails each sentence of the rewrite, with an NLI checkpoint the user provides.

SummaC-ZS (Laban et al. 2022, "SummaC: Re-Visiting NLI-based Models for Inconsistency Detection in
Summarization", TACL): every candidate sentence is paired with every source unit (the unit as premise, the
sentence as hypothesis); a pair scores ``P(entail) - P(contradict)``; each sentence keeps its best unit.

- ``nli_score``: the mean over candidate sentences of their best score, in [-1, 1];
- ``nli_min``: the worst sentence's best score (one unsupported claim shows here even in a long rewrite).

Source units (``source_unit``): ``sentence`` as in SummaC, or ``chunk``: whole sentences packed into chunks of
about ``chunk_tokens`` (350) whitespace tokens, as AlignScore (Zha et al. 2023) cuts its contexts
(:mod:`metrics.nli.units`). Aggregation is in :mod:`metrics.nli.summac`, the checkpoint in
:mod:`metrics.nli.classifier`. An empty candidate or an empty source gives no pair to judge and scores 0 on
both keys (no evidence either way), with ``empty`` in its details.

No model ships with the harness (none on PyPI has usable NLI weights): ``model`` is a local folder or a hub id
already in the local cache, and scoring without it is a one-line error that says what to pass. Details, per
example: each candidate sentence with its offsets, its best source unit's offsets, the three probabilities
there, and its label (the most probable class): the report shades sentences whose label is not entailment.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from importlib.metadata import version
from typing import Any, ClassVar

from harness.errors import HarnessError
from harness.scoring.registry import Metric, check_lengths, check_model_option, register
from harness.scoring.sentences import splitter_name
from metrics.nli import classifier as _classifier
from metrics.nli import summac as _summac
from metrics.nli import units as _units

_KEYS = ["nli_score", "nli_min"]
SOURCE_UNITS = ("sentence", "chunk")
_NO_MODEL = (
    "nli: no NLI model given; set the 'model' option to a local sequence-classification NLI checkpoint, e.g. "
    "--metric-option nli.model=./roberta-large-mnli (a folder written by save_pretrained, such as a "
    "downloaded MNLI model) or in the task: metrics: [{nli: {model: ./roberta-large-mnli}}]"
)


@register
class Nli(Metric):
    """SummaC-ZS entailment of each candidate sentence by its best source unit."""

    name = "nli"
    description = "SummaC-ZS: mean and worst P(entail) - P(contradict) of each rewrite sentence (NLI model)"
    loads_model = True
    required_options: ClassVar[tuple[str, ...]] = ("model",)

    def __init__(
        self,
        *,
        model: str | None = None,
        labels: dict[str, int] | None = None,
        source_unit: str = "sentence",
        chunk_tokens: int = 350,
        batch_size: int = 32,
        device: str | None = None,
    ) -> None:
        check_model_option(
            "nli",
            model,
            expected="a local checkpoint folder or a hub id",
            folder="folder",
            hint="give a folder written by save_pretrained (e.g. a downloaded MNLI checkpoint)",
        )
        if source_unit not in SOURCE_UNITS:
            raise HarnessError(f"nli: 'source_unit' must be sentence or chunk, got {source_unit!r}")
        for option, value in (("chunk_tokens", chunk_tokens), ("batch_size", batch_size)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise HarnessError(f"nli: {option!r} must be an integer >= 1, got {value!r}")
        if device is not None and device not in ("cpu", "mps", "cuda") and not str(device).startswith("cuda:"):
            raise HarnessError(f"nli: 'device' must be cpu, cuda, cuda:N or mps, got {device!r}")
        self.model = model
        self.labels = _classifier.check_labels_option(labels)
        self.source_unit = source_unit
        self.chunk_tokens = chunk_tokens
        self.batch_size = batch_size
        self.device = device
        self._classifier: _classifier.Classifier | None = None
        self._units: OrderedDict[str, list[_units.Unit]] = OrderedDict()
        self._signature: str | None = None

    def keys(self) -> list[str]:
        return list(_KEYS)

    def bounds(self, key: str) -> tuple[float, float]:
        return (-1.0, 1.0)

    def headline_keys(self) -> list[str]:
        return ["nli_score"]

    def signature(self) -> str:
        if self._signature is None:
            if self.model is None:
                model = "model:unset"
            else:
                model = f"model:{self.model}|weights:{_classifier.weights_hash(self.model)}"
            if self.labels is not None:
                labels = f"labels:e{self.labels['entailment']},c{self.labels['contradiction']}"
            else:
                labels = "labels:id2label"
            unit = "unit:sentence" if self.source_unit == "sentence" else f"unit:chunk{self.chunk_tokens}w"
            self._signature = "|".join(
                [
                    "nli",
                    model,
                    labels,
                    unit,
                    "summac-zs:e-c,max-unit,mean+min",
                    f"split:{splitter_name()}",
                    f"transformers-{version('transformers')}",
                    f"torch-{version('torch')}",
                ]
            )
        return self._signature

    def classifier(self) -> _classifier.Classifier:
        """The loaded checkpoint (on first use), or the error that says which model to pass."""
        if self.model is None:
            raise HarnessError(_NO_MODEL)
        if self._classifier is None:
            device = self.device or _classifier.auto_device()
            tokenizer, network = _classifier.load(self.model, device)
            config = network.config
            labels = _classifier.resolve_labels(
                dict(getattr(config, "id2label", {}) or {}),
                int(config.num_labels),
                self.labels,
                _classifier.config_location(self.model),
            )
            self._classifier = _classifier.Classifier(
                tokenizer, network, labels, device=device, batch_size=self.batch_size
            )
        return self._classifier

    def source_units(self, text: str) -> list[_units.Unit]:
        """The source's units, cut once per text and kept for every system scored against it."""
        if text in self._units:
            self._units.move_to_end(text)
            return self._units[text]
        found = _units.sentences(text) if self.source_unit == "sentence" else _units.chunks(text, self.chunk_tokens)
        self._units[text] = found
        if len(self._units) > 4096:
            self._units.popitem(last=False)
        return found

    def score_with_details(
        self, *, sources: Sequence[str], candidates: Sequence[str]
    ) -> tuple[list[dict[str, float]], list[dict[str, Any]] | None]:
        check_lengths(self.name, sources, candidates)
        if not sources:
            return [], []
        model = self.classifier()  # fails before any work when no model is given
        plans = []
        pairs: dict[tuple[str, str], int] = {}  # each distinct pair is judged once per call
        for source, candidate in zip(sources, candidates):
            units = self.source_units(source)
            sentences = _units.sentences(candidate)
            plans.append((units, sentences))
            for sentence in sentences:
                for unit in units:
                    pairs.setdefault((unit.text, sentence.text), len(pairs))
        probabilities, cut = model.probabilities(list(pairs))
        rows: list[dict[str, float]] = []
        details: list[dict[str, Any]] = []
        for units, sentences in plans:
            if not units or not sentences:
                rows.append({"nli_score": 0.0, "nli_min": 0.0})
                details.append({"empty": "candidate" if not sentences else "source", "sentences": []})
                continue
            grid = [[probabilities[pairs[(u.text, s.text)]] for u in units] for s in sentences]
            verdicts = _summac.best_units(grid)
            mean, worst = _summac.aggregate(verdicts)
            rows.append({"nli_score": _clamp(mean), "nli_min": _clamp(worst)})
            details.append(
                {
                    "unit": self.source_unit,
                    "sentences": [_sentence_detail(s, units[v.best_unit], v) for s, v in zip(sentences, verdicts)],
                    "truncated_pairs": sum(cut[pairs[(u.text, s.text)]] for u in units for s in sentences),
                }
            )
        return rows, details


def _sentence_detail(sentence: _units.Unit, unit: _units.Unit, verdict: _summac.SentenceVerdict) -> dict[str, Any]:
    entail, neutral, contradict = verdict.probabilities
    return {
        "text": sentence.text,
        "start": sentence.start,
        "end": sentence.end,
        "source_start": unit.start,
        "source_end": unit.end,
        "entailment": entail,
        "neutral": neutral,
        "contradiction": contradict,
        "score": verdict.score,
        "label": verdict.label,
        "supported": verdict.label == "entailment",
    }


def _clamp(value: float) -> float:
    # A difference of probabilities is in [-1, 1]; float rounding of a softmax could step past by an ulp.
    return min(1.0, max(-1.0, value))

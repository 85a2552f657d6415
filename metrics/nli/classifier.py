"""An NLI checkpoint: loading it, finding its entailment and contradiction outputs, hashing its weights, and
computing the probabilities of (premise, hypothesis) pairs in deterministic batches.

Any Hugging Face sequence-classification checkpoint works (an MNLI model, an AlignScore-style 3-way head).
Which output is entailment and which contradiction comes from ``id2label`` in its ``config.json``, names
matched case-insensitively by prefix (``ENTAILMENT``, ``entailment``, ``contradiction``); a checkpoint whose
labels are transformers' placeholders (``LABEL_0``...) needs the ``labels`` option. The probabilities are the
softmax over all outputs; "neutral" is what the other outputs hold (1 - P(e) - P(c)).

Batching: pairs are grouped by exact token length and each group runs in batches of ``batch_size``, so no
pair is ever padded (the method of :mod:`metrics.bertscore.encoder`). The same call gives the same bits on
every run. Which other pairs share a forward pass still moves the last float32 bits: on this CPU build
(torch 2.13) a row's logits differ with the number of rows (1, 2-3, 4 or more) and, for lengths that do not
fill the kernels' tiles, with its position in the batch. tests/test_nli.py measures the spread over batch
sizes 1 to 64 and over scoring pairs one by one or together, and holds it under 1e-6 (measured: about 1e-8).
A pair longer than the model's limit is cut from the longer side (usually the source unit) and counted in
the details as truncated, never silently.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from metrics.nli.summac import Probabilities

WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth")


@dataclass(frozen=True)
class Labels:
    """The indices of the entailment and contradiction outputs, and how many outputs there are."""

    entailment: int
    contradiction: int
    outputs: int

    def text(self) -> str:
        return f"e{self.entailment},c{self.contradiction}/{self.outputs}"


def check_labels_option(value: Any) -> dict[str, int] | None:
    """Validate the ``labels`` option: ``{entailment: I, contradiction: J}`` with distinct indices >= 0."""
    if value is None:
        return None
    if not isinstance(value, Mapping) or set(value) != {"entailment", "contradiction"}:
        raise HarnessError(f"nli: 'labels' must be {{entailment: I, contradiction: J}}, got {value!r}")
    for name, index in value.items():
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise HarnessError(f"nli: labels.{name} must be an output index (an integer >= 0), got {index!r}")
    if value["entailment"] == value["contradiction"]:
        raise HarnessError("nli: labels.entailment and labels.contradiction must be different outputs")
    return {"entailment": int(value["entailment"]), "contradiction": int(value["contradiction"])}


def resolve_labels(id2label: Mapping[Any, Any], outputs: int, given: Mapping[str, int] | None, where: str) -> Labels:
    """The outputs named entailment and contradiction: from ``given`` (the option) or the config's id2label."""
    if given is not None:
        for name, index in given.items():
            if index >= outputs:
                raise HarnessError(f"nli: labels.{name} is {index}, but {where} has {outputs} outputs")
        return Labels(given["entailment"], given["contradiction"], outputs)
    found: dict[str, int] = {}
    for key, label in id2label.items():
        name = str(label).strip().lower()
        for wanted in ("entail", "contradict"):
            # "not_entailment" (two-way RTE heads) is not entailment.
            if name.startswith(wanted):
                found.setdefault(wanted, int(key))
    if set(found) != {"entail", "contradict"}:
        names = ", ".join(f"{k}: {v}" for k, v in sorted(id2label.items(), key=lambda kv: int(kv[0])))
        raise HarnessError(
            f"nli: {where} names no entailment and contradiction output in id2label ({names}); "
            "give the option labels: {entailment: 0, contradiction: 2} with the checkpoint's output indices"
        )
    return Labels(found["entail"], found["contradict"], outputs)


def local_dir(model: str) -> Path | None:
    """The checkpoint's folder: the path itself, or a hub id's snapshot in the local HF cache; None if absent."""
    path = Path(model).expanduser()
    if path.is_dir():
        return path
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(model, local_files_only=True))
    except Exception:  # not cached, or not a valid id: loading will say so with the fix
        return None


@lru_cache(maxsize=16)
def _digest(files: tuple[tuple[str, int, int], ...]) -> str:
    digest = hashlib.sha256()
    for name, _, _ in files:
        digest.update(Path(name).name.encode() + b"\0")
        with open(name, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:16]


def weights_hash(model: str) -> str:
    """``sha256:<16 hex>`` of the checkpoint's weight files (names and bytes), or ``not-found``.

    Hashed once per process for each (path, size, mtime); a 1.4 GB checkpoint takes about a second."""
    folder = local_dir(model)
    if folder is None:
        return "not-found"
    files = sorted(
        (str(p), p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.iterdir()
        if p.is_file() and p.name.endswith(WEIGHT_SUFFIXES) and not p.name.startswith("training_args")
    )
    return f"sha256:{_digest(tuple(files))}" if files else "not-found"


@lru_cache(maxsize=4)
def load(model: str, device: str) -> tuple[Any, Any]:
    """(tokenizer, model in eval mode on ``device``), loaded once per process, or a one-line error with the fix."""
    import transformers

    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(model)
        network = transformers.AutoModelForSequenceClassification.from_pretrained(model)
    except (OSError, ValueError, KeyError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise HarnessError(
            f"nli: cannot load the NLI checkpoint {model!r} ({type(error).__name__}: {first}); give a local folder "
            "written by save_pretrained (e.g. a downloaded MNLI model: `huggingface-cli download "
            "MoritzLaurer/DeBERTa-v3-base-mnli --local-dir ./nli-model`, then model: ./nli-model)"
        ) from None
    return tokenizer, network.to(device).eval()


def config_location(model: str) -> str:
    """Where the checkpoint's labels are read from, for error messages."""
    folder = Path(model).expanduser()
    return str(folder / "config.json") if folder.is_dir() else f"{model} (config.json)"


def max_tokens(tokenizer: Any, network: Any) -> int:
    """The longest pair the model takes: the tokenizer's limit, capped by the position table."""
    limit = int(tokenizer.model_max_length)
    positions = getattr(network.config, "max_position_embeddings", None)
    if isinstance(positions, int) and positions > 0:
        # RoBERTa's table holds 2 more positions than tokens (its padding offset); BERT's holds exactly them.
        offset = 2 if getattr(network.config, "model_type", "") in ("roberta", "xlm-roberta", "camembert") else 0
        limit = min(limit, positions - offset)
    return limit


class Classifier:
    """A loaded checkpoint with its labels; :meth:`probabilities` of pairs, batched by exact length."""

    def __init__(self, tokenizer: Any, network: Any, labels: Labels, *, device: str, batch_size: int) -> None:
        self.tokenizer = tokenizer
        self.network = network
        self.labels = labels
        self.device = device
        self.batch_size = batch_size
        self.limit = max_tokens(tokenizer, network)
        self.forward_calls = 0  # read by the tests

    def encode(self, premise: str, hypothesis: str) -> tuple[dict[str, list[int]], bool]:
        """The pair's model inputs, and whether it had to be cut to fit."""
        full = self.tokenizer(premise, hypothesis, truncation=False, verbose=False)
        if len(full["input_ids"]) <= self.limit:
            return dict(full), False
        cut = self.tokenizer(premise, hypothesis, truncation="longest_first", max_length=self.limit)
        return dict(cut), True

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> tuple[list[Probabilities], list[bool]]:
        """(entailment, neutral, contradiction) for each (premise, hypothesis), and which pairs were cut."""
        encoded = [self.encode(premise, hypothesis) for premise, hypothesis in pairs]
        by_length: dict[int, list[int]] = {}
        for index, (inputs, _) in enumerate(encoded):
            by_length.setdefault(len(inputs["input_ids"]), []).append(index)
        found: dict[int, Probabilities] = {}
        for _, members in sorted(by_length.items()):
            for start in range(0, len(members), self.batch_size):
                chunk = members[start : start + self.batch_size]
                found.update(zip(chunk, self._forward([encoded[i][0] for i in chunk])))
        return [found[i] for i in range(len(pairs))], [cut for _, cut in encoded]

    def _forward(self, batch: list[dict[str, list[int]]]) -> list[Probabilities]:
        import torch

        self.forward_calls += 1
        inputs = {
            name: torch.tensor([row[name] for row in batch], dtype=torch.long, device=self.device)
            for name in ("input_ids", "token_type_ids", "attention_mask")
            if name in batch[0]
        }
        with torch.no_grad():
            logits = self.network(**inputs).logits.double()
        probs = torch.softmax(logits, dim=-1).cpu().tolist()
        e, c = self.labels.entailment, self.labels.contradiction
        return [(p[e], max(0.0, 1.0 - p[e] - p[c]), p[c]) for p in probs]


def auto_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def is_path(model: str) -> bool:
    """Whether the option names a folder (rather than a hub id)."""
    return model.startswith((".", "/", "~")) or os.path.isdir(os.path.expanduser(model))

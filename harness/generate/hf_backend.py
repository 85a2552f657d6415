"""``hf:MODEL_ID_OR_PATH``: a local transformers model, seq2seq or causal, generating in batches.

The architecture decides the class: ``config.is_encoder_decoder`` loads ``AutoModelForSeq2SeqLM``, anything
else ``AutoModelForCausalLM``. Causal models are padded on the left, so every prompt of a batch ends where
generation starts and a batch gives what each prompt would give alone (the tests check this). The prompt
goes through the tokenizer's chat template when it has one (instruction-tuned models expect it), else it
is used as it is, after the system prompt if any. Decoding is greedy unless ``temperature`` > 0. The model
runs on CUDA when available (``device`` option), else on the CPU.

Loading is lazy: a run whose every prompt is cached never loads the model. The identity of a local folder
is a fingerprint of its files (names, sizes, modification times: hashing gigabytes of weights on every run
would cost more than it saves); a hub id is named by the commit of its snapshot in the local HF cache.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.generate.base import Answer, GenerationError, Outcome, one_line
from harness.generate.options import GeneratorConfig


class HFBackend:
    """A transformers model; one batch at a time (``max_workers`` 1): the model uses every core or the GPU."""

    max_workers: int | None = 1

    def __init__(self, config: GeneratorConfig, *, spec: str) -> None:
        self._config = config
        self._spec = spec
        self.batch_size = config.options.batch_size
        self._lock = threading.Lock()
        self._loaded: tuple[Any, Any, str, bool] | None = None  # model, tokenizer, device, is_encoder_decoder
        self._identity: dict[str, Any] | None = None

    def identity(self) -> dict[str, Any]:
        if self._identity is None:
            self._identity = {
                "kind": "hf",
                "model": self._config.target,
                "fingerprint": self._fingerprint(),
                **self._config.options.output_options("hf"),
            }
        return self._identity

    def _fingerprint(self) -> str:
        target = Path(self._config.target)
        if target.is_dir():
            digest = hashlib.sha256()
            for path in sorted(p for p in target.rglob("*") if p.is_file()):
                stat = path.stat()
                digest.update(f"{path.relative_to(target)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
            return f"files:{digest.hexdigest()}"
        from huggingface_hub import snapshot_download

        try:
            snapshot = snapshot_download(self._config.target, local_files_only=True)
        except Exception:  # not in the local cache (yet): loading downloads it when online, or says how to
            self._load()
            snapshot = snapshot_download(self._config.target, local_files_only=True)
        return f"revision:{Path(snapshot).name}"

    def _load(self) -> tuple[Any, Any, str, bool]:
        with self._lock:
            if self._loaded is None:
                self._loaded = self._load_now()
            return self._loaded

    def _load_now(self) -> tuple[Any, Any, str, bool]:
        import torch
        import transformers

        target = self._config.target
        try:
            config = transformers.AutoConfig.from_pretrained(target)
            tokenizer = transformers.AutoTokenizer.from_pretrained(target)
            seq2seq = bool(getattr(config, "is_encoder_decoder", False))
            auto = transformers.AutoModelForSeq2SeqLM if seq2seq else transformers.AutoModelForCausalLM
            model: Any = auto.from_pretrained(target)
        except (OSError, ValueError, KeyError) as exc:  # missing files, offline hub, unknown architecture
            first = one_line(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__, 200)
            raise HarnessError(
                f"system spec {self._spec!r}: cannot load model {target!r} ({first}); give a local folder written "
                f"by save_pretrained (hf:path/to/model), or download it on a connected machine first "
                f"(huggingface-cli download {target}) so it is read from the HF cache"
            ) from None
        device = self._device(torch)
        model.to(device)
        model.eval()
        if not seq2seq:
            tokenizer.padding_side = "left"
        if tokenizer.pad_token is None:
            if tokenizer.eos_token is None:
                raise HarnessError(f"system spec {self._spec!r}: the tokenizer of {target!r} has no pad or eos token")
            tokenizer.pad_token = tokenizer.eos_token  # GPT-2 and Llama ship none; padding is masked anyway
        return model, tokenizer, device, seq2seq

    def _device(self, torch: Any) -> str:
        wanted = self._config.options.device
        if wanted == "auto":
            return "cuda" if torch.cuda.is_available() else "cpu"
        if wanted.startswith("cuda") and not torch.cuda.is_available():
            raise HarnessError(f"system spec {self._spec!r}: device {wanted!r} asked for, but CUDA is not available")
        if wanted == "mps" and not torch.backends.mps.is_available():
            raise HarnessError(f"system spec {self._spec!r}: device 'mps' asked for, but MPS is not available")
        return wanted

    @property
    def device(self) -> str:
        return self._load()[2]

    def model_input(self, prompt: str) -> tuple[str, bool]:
        """The text the model reads for ``prompt``, and whether the tokenizer should add special tokens (not
        when a chat template has written them already)."""
        _, tokenizer, _, _ = self._load()
        system = self._config.options.system_prompt
        if getattr(tokenizer, "chat_template", None):
            messages = [{"role": "system", "content": system}] if system else []
            messages.append({"role": "user", "content": prompt})
            text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
            return str(text), False
        return (f"{system}\n\n{prompt}" if system else prompt), True

    def generate(self, prompts: list[str]) -> list[Outcome]:
        self._load()  # a model that cannot be loaded is a HarnessError for the whole system, not per example
        try:
            return list(self._batch(prompts))
        except Exception as exc:  # e.g. out of memory, or one input longer than the model takes
            if len(prompts) == 1:
                return [
                    GenerationError(
                        f"generation failed: {type(exc).__name__}: {one_line(str(exc), 200)}", retryable=False
                    )
                ]
        # Alone, each prompt either succeeds or fails with its own error: one bad input does not fail its batch.
        return [outcome for prompt in prompts for outcome in self.generate([prompt])]

    def _batch(self, prompts: list[str]) -> list[Outcome]:
        import torch
        import transformers

        model, tokenizer, device, seq2seq = self._load()
        options = self._config.options
        inputs = [self.model_input(prompt) for prompt in prompts]
        special = inputs[0][1]
        encoded = tokenizer([text for text, _ in inputs], return_tensors="pt", padding=True, add_special_tokens=special)
        encoded = {name: tensor.to(device) for name, tensor in encoded.items() if name != "token_type_ids"}
        sampling = options.temperature > 0
        make_config: Any = transformers.GenerationConfig  # untyped in transformers
        settings = make_config(
            max_new_tokens=options.max_tokens,
            do_sample=sampling,
            temperature=options.temperature if sampling else None,
            top_p=None,
            top_k=None,
            pad_token_id=tokenizer.pad_token_id,
            eos_token_id=model.generation_config.eos_token_id,
            bos_token_id=model.generation_config.bos_token_id,
            decoder_start_token_id=model.generation_config.decoder_start_token_id,
        )
        if sampling:
            torch.manual_seed(options.seed if options.seed is not None else 0)
        with torch.inference_mode():
            output = model.generate(**encoded, generation_config=settings)
        # A causal model returns prompt + continuation; left padding makes the prompt part equally long.
        new = output if seq2seq else output[:, encoded["input_ids"].shape[1] :]
        eos = set(_as_list(settings.eos_token_id))
        answers: list[Outcome] = []
        for row in new.tolist():
            stopped = any(token in eos for token in row)
            text = tokenizer.decode(row, skip_special_tokens=True)
            answers.append(Answer(text.strip(), {"finish_reason": "stop" if stopped else "length", "device": device}))
        return answers

    def close(self) -> None:
        self._loaded = None


def _as_list(value: Any) -> list[int]:
    if value is None:
        return []
    return [int(v) for v in value] if isinstance(value, (list, tuple)) else [int(value)]

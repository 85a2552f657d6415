"""``hf:`` systems on tiny randomly initialised models built here (nothing is downloaded): a 2-layer GPT-2 and a
2-layer T5 with a word-level tokenizer made with the ``tokenizers`` library. Their text is noise, but the
loading, batching (left padding for the causal model), decoding, chat-template and cache paths run for real.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.errors import HarnessError
from harness.generate.base import Answer
from harness.generate.hf_backend import HFBackend
from harness.generate.options import parse_options
from harness.generate.systems import parse_spec

pytestmark = pytest.mark.slow

Cli = Callable[..., Any]
PROMPTS = [
    "rewrite the following article : the cat sat on the mat . it was warm .",
    "prices rose 5 % in march",
    "the council approved the plan on tuesday . analysts expected it .",
    "it was warm",
]
# The vocabulary: every word of the prompts and a few more, so generations vary.
WORDS = sorted(set(" ".join(PROMPTS).split()) | {"analysts", "every", "fact", "figure", "keeping", "own", "words"})
CHAT_TEMPLATE = (
    "{% for m in messages %}<{{ m['role'] }}> {{ m['content'] }} {% endfor %}"
    "{% if add_generation_prompt %}<assistant>{% endif %}"
)


def tokenizer(chat_template: str | None = None) -> Any:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"<pad>": 0, "<unk>": 1, "<eos>": 2}
    for word in [*WORDS, *"0123456789.,:%", "<user>", "<system>", "<assistant>"]:
        vocab.setdefault(word, len(vocab))
    core = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    core.decoder = decoders.WordPiece()
    fast = PreTrainedTokenizerFast(tokenizer_object=core, pad_token="<pad>", unk_token="<unk>", eos_token="<eos>")
    if chat_template:
        fast.chat_template = chat_template
    return fast


@pytest.fixture(scope="module", autouse=True)
def one_thread() -> Iterator[None]:
    """One torch thread while these tests run: a 32-wide model has no work to share, and on a busy 2-core
    machine OpenMP threads waiting on each other made each generation step ~40x slower (3.7 s vs 0.1 s)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Folders written by save_pretrained: gpt2 (causal), t5 (seq2seq), and gpt2 with a chat template."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel, T5Config, T5ForConditionalGeneration

    root = tmp_path_factory.mktemp("models")
    size = len(tokenizer().get_vocab())
    torch.manual_seed(0)
    # A wide initialisation: the default one makes a random model repeat one token, which would hide a
    # padding bug (every row would decode the same whatever the alignment).
    gpt2 = GPT2LMHeadModel(
        GPT2Config(
            vocab_size=size,
            n_positions=128,
            n_embd=32,
            n_layer=2,
            n_head=2,
            initializer_range=1.0,
            bos_token_id=2,
            eos_token_id=2,
            pad_token_id=0,
        )
    )
    t5 = T5ForConditionalGeneration(
        T5Config(
            vocab_size=size, d_model=32, d_ff=64, d_kv=16, num_layers=2, num_heads=2, initializer_factor=5.0,
            pad_token_id=0, eos_token_id=2, decoder_start_token_id=0,
        )
    )  # fmt: skip
    folders = {}
    for name, model, template in (("gpt2", gpt2, None), ("t5", t5, None), ("chat", gpt2, CHAT_TEMPLATE)):
        folder = root / name
        model.save_pretrained(folder)
        tokenizer(template).save_pretrained(folder)
        folders[name] = folder
    return folders


def backend(folder: Path, **options: Any) -> HFBackend:
    spec = f"hf:{folder}"
    config = parse_spec(spec, base_dir=folder.parent, options={"max_tokens": 8, **options}).generator
    assert config is not None
    return HFBackend(config, spec=spec)


def texts(outcomes: list[Any]) -> list[str]:
    assert all(isinstance(o, Answer) for o in outcomes), outcomes
    return [o.text for o in outcomes]


@pytest.mark.parametrize("name", ["gpt2", "t5"])
def test_batched_generation_equals_one_at_a_time(models: dict[str, Path], name: str) -> None:
    """Prompts of different lengths in one batch give what each gives alone (left padding for the causal model),
    and a second pass gives the same again (greedy decoding is deterministic)."""
    system = backend(models[name], batch_size=4)
    batched = texts(system.generate(PROMPTS))  # one generate call is one batch
    alone = [texts(system.generate([p]))[0] for p in PROMPTS]
    assert batched == alone
    assert len(set(batched)) > 1 and all(batched), batched  # not one degenerate answer for every prompt
    assert texts(backend(models[name], batch_size=4).generate(PROMPTS)) == batched


def test_sampling_is_seeded(models: dict[str, Path]) -> None:
    """temperature > 0 samples; the same seed gives the same text, and it is not the greedy text."""
    sampled = [texts(backend(models["gpt2"], temperature=1.5, seed=3).generate(PROMPTS)) for _ in range(2)]
    assert sampled[0] == sampled[1]
    assert sampled[0] != texts(backend(models["gpt2"]).generate(PROMPTS))


def test_right_padding_would_differ(models: dict[str, Path]) -> None:
    """The check above has teeth: with the causal model padded on the right, a short prompt in a batch is
    continued after its pad tokens and its text changes."""
    system = backend(models["gpt2"], batch_size=4)
    alone = [texts(system.generate([p]))[0] for p in PROMPTS]
    system._load()[1].padding_side = "right"
    assert texts(system.generate(PROMPTS)) != alone


def test_identity_fingerprints_the_folder_without_loading(models: dict[str, Path]) -> None:
    first = backend(models["gpt2"])
    identity = first.identity()
    assert first._loaded is None  # a cached run never loads the model
    assert identity["kind"] == "hf" and identity["model"] == str(models["gpt2"].resolve())
    assert identity["fingerprint"].startswith("files:") and identity["max_tokens"] == 8
    assert backend(models["gpt2"]).identity() == identity
    assert backend(models["t5"]).identity()["fingerprint"] != identity["fingerprint"]


def test_chat_template_is_applied(models: dict[str, Path]) -> None:
    """With a chat template the model reads the templated conversation (system prompt included) and the
    tokenizer adds no special tokens of its own; without one, the system prompt goes before the prompt."""
    chat = backend(models["chat"], system_prompt="keep every fact")
    assert chat.model_input("the cat sat") == ("<system> keep every fact <user> the cat sat <assistant>", False)
    assert texts(chat.generate(["the cat sat"]))[0]
    plain = backend(models["gpt2"], system_prompt="keep every fact")
    assert plain.model_input("the cat sat") == ("keep every fact\n\nthe cat sat", True)


def test_finish_reason_and_device(models: dict[str, Path]) -> None:
    (answer,) = backend(models["gpt2"], max_tokens=3).generate([PROMPTS[0]])
    assert isinstance(answer, Answer) and answer.meta["device"] == "cpu"
    assert answer.meta["finish_reason"] in ("stop", "length")


def test_hf_system_end_to_end_with_cache(
    cli: Cli, make_task: Callable[..., Path], models: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """harness eval with hf:FOLDER: a run with 3 generated candidates; the second run is served by the cache
    without loading the model at all."""
    body = make_task().read_text(encoding="utf-8") + 'prompt: "rewrite :\\n\\n{source}"\n'
    task = make_task(body)
    out = tmp_path / "results"
    args = ["eval", str(task), "--system", f"tiny=hf:{models['gpt2']}", "--out", str(out)]
    args += ["--option", "max_tokens=6", "--option", "batch_size=2"]
    first = cli(*args)
    assert first.exit_code == 0, first.stderr
    (run_dir,) = sorted((out / "tiny" / "tiny").iterdir())
    run = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert run["examples"]["n"] == 3 and run["generation"]["backend"] == "hf"
    assert run["generation"]["requests"] == 3
    candidates = (run_dir / "candidates.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in candidates] == ["a", "b", "c"]

    def refuse(self: HFBackend) -> Any:
        raise AssertionError("the model was loaded although every prompt is cached")

    monkeypatch.setattr(HFBackend, "_load_now", refuse)
    second = cli(*args)
    assert second.exit_code == 0, second.stderr
    assert "3 cached, 0 to generate" in second.stderr


def test_model_that_cannot_be_loaded(cli: Cli, make_task: Callable[..., Path], tmp_path: Path) -> None:
    """A hub id not in the local cache (the hub is off in tests), or a folder with no model: one line naming the
    model and how to provide it."""
    body = make_task().read_text(encoding="utf-8") + 'prompt: "rewrite :\\n\\n{source}"\n'
    task = make_task(body)
    (tmp_path / "empty-model").mkdir()
    for spec in ("hf:example-org/no-such-model", "hf:empty-model"):
        result = cli("eval", str(task), "--system", f"x={spec}", "--out", str(tmp_path / "results"))
        assert result.exit_code == 1, result.stderr
        (line,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert f"system spec '{spec}': cannot load model" in line
        assert "save_pretrained" in line and "huggingface-cli download" in line
    assert not list((tmp_path / "results").rglob("run.json"))


def test_cuda_asked_for_without_cuda(models: dict[str, Path]) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(HarnessError, match="device 'cuda' asked for, but CUDA is not available"):
        backend(models["gpt2"], device="cuda").generate(["a"])


def test_options_of_hf_systems() -> None:
    options = parse_options("hf", {"batch_size": 16, "device": "cuda:1"})
    assert (options.batch_size, options.device, options.max_tokens) == (16, "cuda:1", 1024)

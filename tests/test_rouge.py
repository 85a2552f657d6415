"""The harness's ROUGE equals Google's rouge-score exactly.

Reference: ``rouge_score.rouge_scorer.RougeScorer(types, use_stemmer=...).score(target=source,
prediction=candidate)``; rouge1/rouge2/rougeL on the texts as given, rougeLsum on both texts rewritten one
sentence per line by :func:`harness.scoring.sentences.split_sentences`. The source is rouge-score's *target*, so
precision is the share of the candidate that the source supports. Values are compared with ``==``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.metadata import version
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from rouge_score import rouge_scorer

import harness
from harness.errors import HarnessError
from harness.scoring.registry import build_metric
from harness.scoring.sentences import split_sentences

REPO = Path(__file__).resolve().parent.parent
TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")
KEYS = [f"{t}_{p}" for t in TYPES for p in ("p", "r", "f")]
FIELDS = {"p": "precision", "r": "recall", "f": "fmeasure"}


@cache
def _reference_scorer(types: tuple[str, ...], use_stemmer: bool) -> rouge_scorer.RougeScorer:
    return rouge_scorer.RougeScorer(list(types), use_stemmer=use_stemmer)


def reference(source: str, candidate: str, types=TYPES, use_stemmer: bool = True) -> dict[str, float]:
    """rouge-score's numbers under the harness's key names, computed independently of the harness."""
    found = {}
    plain = tuple(t for t in types if t != "rougeLsum")
    if plain:
        found |= _reference_scorer(plain, use_stemmer).score(target=source, prediction=candidate)
    if "rougeLsum" in types:
        found |= _reference_scorer(("rougeLsum",), use_stemmer).score(
            target="\n".join(split_sentences(source)), prediction="\n".join(split_sentences(candidate))
        )
    return {f"{t}_{p}": getattr(found[t], field) for t in types for p, field in FIELDS.items()}


def harness_rouge(sources: list[str], candidates: list[str]) -> list[dict[str, float]]:
    return harness.score(sources=sources, candidates=candidates, metrics=["rouge"])


def assert_equal_to_reference(sources: list[str], candidates: list[str]) -> None:
    rows = harness_rouge(sources, candidates)
    assert len(rows) == len(sources)
    for index, (source, candidate, row) in enumerate(zip(sources, candidates, rows)):
        assert list(row) == KEYS
        expected = reference(source, candidate)
        diff = {k: (row[k], expected[k]) for k in KEYS if row[k] != expected[k]}
        assert not diff, f"pair {index}: harness != rouge-score on {diff}"


# --------------------------------------------------------------------------------------------------
# Golden values
# --------------------------------------------------------------------------------------------------


def one(source: str, candidate: str) -> dict[str, float]:
    return harness_rouge([source], [candidate])[0]


def test_golden_rouge_score_own_tests() -> None:
    """Cases from rouge-score's rouge_scorer_test.py (testRouge1, testRouge2, testRougeLNonConsecutive)."""
    # testRouge1: target "testing one two", prediction "testing": 1 of 1 candidate unigram is in the
    # source (P=1), 1 of 3 source unigrams is kept (R=1/3), F = 2PR/(P+R) = 1/2.
    row = one("testing one two", "testing")
    assert (row["rouge1_p"], row["rouge1_r"]) == (1.0, pytest.approx(1 / 3, abs=1e-15))
    assert row["rouge1_f"] == pytest.approx(1 / 2, abs=1e-15)
    # testRouge2: bigrams {testing one, one two} vs {testing one}: P=1/1, R=1/2, F=2/3.
    row = one("testing one two", "testing one")
    assert row["rouge2_p"] == 1.0
    assert row["rouge2_r"] == pytest.approx(1 / 2, abs=1e-15)
    assert row["rouge2_f"] == pytest.approx(2 / 3, abs=1e-15)
    # testRougeLNonConsecutive: LCS("testing one two", "testing two") = "testing two" (2 tokens):
    # P=2/2, R=2/3, F=4/5.
    row = one("testing one two", "testing two")
    assert row["rougeL_p"] == 1.0
    assert row["rougeL_r"] == pytest.approx(2 / 3, abs=1e-15)
    assert row["rougeL_f"] == pytest.approx(4 / 5, abs=1e-15)
    # testRougeEmpty: an empty prediction scores 0 on every type.
    assert set(one("testing one two", "").values()) == {0.0}


def test_golden_rouge2_and_lcs_differ_from_rouge1() -> None:
    """Reordered clauses: every unigram matches, but bigrams and the LCS do not."""
    source = "the cat sat on the mat"
    candidate = "on the mat the cat sat"
    row = one(source, candidate)
    # rouge1: both texts are the multiset {the:2, cat, sat, on, mat} (6 tokens): P=R=F=1.
    assert (row["rouge1_p"], row["rouge1_r"], row["rouge1_f"]) == (1.0, 1.0, 1.0)
    # rouge2: source bigrams the-cat cat-sat sat-on on-the the-mat; candidate bigrams on-the the-mat
    # mat-the the-cat cat-sat. 4 of 5 shared: P=R=F=4/5.
    for part in "prf":
        assert row[f"rouge2_{part}"] == pytest.approx(4 / 5, abs=1e-15)
    # rougeL: the longest common subsequence is "the cat sat" (or "on the mat"): 3 of 6 tokens, P=R=F=1/2.
    for part in "prf":
        assert row[f"rougeL_{part}"] == pytest.approx(1 / 2, abs=1e-15)


def test_golden_rougelsum_splits_sentences_within_a_line() -> None:
    """Two sentences on one line become two rougeLsum sentences, so swapping them costs nothing."""
    source = "The cat sat. The dog ran."
    candidate = "The dog ran. The cat sat."
    assert split_sentences(source) == ["The cat sat.", "The dog ran."]
    row = one(source, candidate)
    # rougeL on the raw texts: LCS of "the cat sat the dog ran" / "the dog ran the cat sat" is 3 of 6: 1/2.
    assert row["rougeL_f"] == pytest.approx(1 / 2, abs=1e-15)
    # rougeLsum, per source sentence, the union of its LCS with each candidate sentence:
    # "the cat sat" -> LCS with "the cat sat" covers all 3 tokens; "the dog ran" likewise: 6/6 hits.
    assert (row["rougeLsum_p"], row["rougeLsum_r"], row["rougeLsum_f"]) == (1.0, 1.0, 1.0)
    # The same line scored by rouge-score without splitting (one sentence per text) would give 1/2.
    unsplit = rouge_scorer.RougeScorer(["rougeLsum"], use_stemmer=True).score(source, candidate)
    assert unsplit["rougeLsum"].fmeasure == pytest.approx(1 / 2, abs=1e-15)


def test_golden_rougelsum_union_lcs() -> None:
    """Lin (2004) section 3.2 / rouge-score's testRougeLsum, with the two candidate sentences on one line."""
    source = "one two three four five."
    candidate = "one three eight nine five. one two six seven eight."
    assert len(split_sentences(candidate)) == 2
    row = one(source, candidate)
    # LCS(source, "one three eight nine five") = {one, three, five}; LCS(source, "one two six seven eight")
    # = {one, two}; union = {one, two, three, five}: 4 hits. R = 4/5, P = 4/10, F = 2*0.4*0.8/1.2 = 8/15.
    assert row["rougeLsum_r"] == pytest.approx(4 / 5, abs=1e-15)
    assert row["rougeLsum_p"] == pytest.approx(4 / 10, abs=1e-15)
    assert row["rougeLsum_f"] == pytest.approx(8 / 15, abs=1e-15)
    # Plain rougeL sees one sequence of 10 tokens: its LCS with the source is "one three five", 3 hits.
    assert row["rougeL_r"] == pytest.approx(3 / 5, abs=1e-15)
    assert row["rougeL_p"] == pytest.approx(3 / 10, abs=1e-15)


def test_golden_stemming() -> None:
    """Porter stemming (ROUGE-1.5.5's -m) maps running->run, dogs->dog; tokens of <= 3 chars are not stemmed."""
    stemmed = one("running dogs", "run dog")
    assert set(stemmed.values()) == {1.0}  # every type: {run, dog} vs {run, dog}
    plain = build_metric("rouge", {"use_stemmer": False}).score(sources=["running dogs"], candidates=["run dog"])[0]
    assert set(plain.values()) == {0.0}  # {running, dogs} vs {run, dog}: nothing shared
    # dogs/dog and running/runs differ only by inflection.
    source, candidate = "the dogs are running fast", "the dog runs fast"
    stemmed = one(source, candidate)
    # Stemmed: {the, dog, are, run, fast} vs {the, dog, run, fast}: 4 shared; P = 4/4, R = 4/5.
    assert stemmed["rouge1_p"] == 1.0
    assert stemmed["rouge1_r"] == pytest.approx(4 / 5, abs=1e-15)
    plain = build_metric("rouge", {"use_stemmer": False}).score(sources=[source], candidates=[candidate])[0]
    # Unstemmed: {the, dogs, are, running, fast} vs {the, dog, runs, fast}: 2 shared; P = 2/4, R = 2/5.
    assert plain["rouge1_p"] == pytest.approx(2 / 4, abs=1e-15)
    assert plain["rouge1_r"] == pytest.approx(2 / 5, abs=1e-15)


# --------------------------------------------------------------------------------------------------
# Differential: random text
# --------------------------------------------------------------------------------------------------

VOCAB = [
    *["the", "The", "THE", "cat", "cats", "sat", "sitting", "on", "mat", "Dr.", "U.S.", "3.5", "10%", "1,000"],
    *["2024", "running", "ran", "naïve", "café", "Ünïcödé", "漢字", "—", "«quoted»", "don't", "e.g.", "(a)"],
    *[".", ",", "!", "?", "...", ";", "-", "'", '"'],
]
SEPARATORS = [" ", " ", " ", "  ", "\n", "\n\n", "\t", ". ", "", " \n "]
texts = st.lists(st.tuples(st.sampled_from(VOCAB), st.sampled_from(SEPARATORS)), max_size=25).map(
    lambda pairs: "".join(word + sep for word, sep in pairs)
)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=texts, candidate=texts)
@example(source="", candidate="")
@example(source="The cat sat.", candidate="")
@example(source="", candidate="The cat sat.")
@example(source="...", candidate="!!!")
@example(source="Ünïcödé 漢字", candidate="Ünïcödé 漢字")
def test_random_text_equals_rouge_score(source: str, candidate: str) -> None:
    """All 12 keys equal rouge-score on texts with punctuation, case, digits, newlines and non-ASCII."""
    assert_equal_to_reference([source], [candidate])


@settings(max_examples=40, deadline=None)
@given(pairs=st.lists(st.tuples(texts, texts), max_size=6))
def test_random_batches_equal_pairwise(pairs: list[tuple[str, str]]) -> None:
    """Scoring a batch gives each pair the numbers it gets alone (no state leaks between examples)."""
    sources = [s for s, _ in pairs]
    candidates = [c for _, c in pairs]
    assert harness_rouge(sources, candidates) == [reference(s, c) for s, c in pairs]


# --------------------------------------------------------------------------------------------------
# Differential: real text
# --------------------------------------------------------------------------------------------------


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_seed_article_and_rewrite_equal_rouge_score() -> None:
    """The demo article against its rewrite, and the 16 paragraph pairs."""
    article = (REPO / "seeds/000_4b7b94a5a67c6868.txt").read_text(encoding="utf-8")
    rewrite = (REPO / "seeds/001_c22f7d92e186d757.txt").read_text(encoding="utf-8")
    assert_equal_to_reference([article], [rewrite])
    sources = {r["id"]: r["source"] for r in read_jsonl(REPO / "seeds/paragraphs.jsonl")}
    candidates = {r["id"]: r["candidate"] for r in read_jsonl(REPO / "seeds/rewrite-paragraphs.jsonl")}
    assert len(sources) == 16 and sorted(sources) == sorted(candidates)
    ids = sorted(sources)
    assert_equal_to_reference([sources[i] for i in ids], [candidates[i] for i in ids])


# 40 BART (M22) summaries, and 15 each from pointer-generator, T5, GPT-2 zero-shot and PEGASUS.
SUMMEVAL = {"M22": 40, "M8": 15, "M17": 15, "M20": 15, "M23": 15}


@pytest.mark.slow
@pytest.mark.parametrize("system", sorted(SUMMEVAL))
def test_summeval_equals_rouge_score(shared: Path, system: str) -> None:
    """SummEval CNN/DM articles (``text``) against system summaries (``decoded``)."""
    path = shared / f"external/summeval/model_output_annotations/{system}_outputs_annotations.jsonl"
    records = read_jsonl(path)[: SUMMEVAL[system]]
    assert len(records) == SUMMEVAL[system]
    assert_equal_to_reference([r["text"] for r in records], [r["decoded"] for r in records])


@pytest.mark.slow
@pytest.mark.parametrize("dataset", ["cnndm", "bbc"])
def test_frank_equals_rouge_score(shared: Path, dataset: str) -> None:
    """FRANK: 25 annotated (article, summary) pairs from CNN/DM and 25 from XSum (BBC), over all systems."""
    data = shared / "external/frank/data"
    records = [r for r in json.loads((data / "human_annotations.json").read_text()) if r["dataset"] == dataset]
    chosen = records[::47][:25]  # records cycle through the systems; a stride of 47 visits every one
    sources, candidates = [], []
    for record in chosen:
        document = json.loads((data / "articles-wfactcc-json" / f"{record['hash']}.json").read_text())
        sources.append(document["article"])
        candidates.append(document[record["model_name"]])
    assert len({r["model_name"] for r in chosen}) >= 4
    assert_equal_to_reference(sources, candidates)


# --------------------------------------------------------------------------------------------------
# Options and signature
# --------------------------------------------------------------------------------------------------

SAMPLE_SOURCES = [
    "The dogs are running fast. They were chasing cats in the U.S. on Tuesday.",
    "Prices rose 5% in March.\nAnalysts expected 3%.",
]
SAMPLE_CANDIDATES = ["A dog runs fast after cats. It happened on Tuesday.", "Analysts expected prices to rise 3%."]


def test_without_stemmer_equals_rouge_score_without_stemmer() -> None:
    """``use_stemmer: false`` is passed on to rouge-score."""
    metric = build_metric("rouge", {"use_stemmer": False})
    rows = metric.score(sources=SAMPLE_SOURCES, candidates=SAMPLE_CANDIDATES)
    expected = [reference(s, c, use_stemmer=False) for s, c in zip(SAMPLE_SOURCES, SAMPLE_CANDIDATES)]
    assert rows == expected
    # The stemmer matters on these texts (dogs/dog, running/runs), so the option is really passed on.
    assert rows != harness_rouge(SAMPLE_SOURCES, SAMPLE_CANDIDATES)


@pytest.mark.parametrize(
    "types", [["rouge1"], ["rougeLsum"], ["rougeLsum", "rouge1"], ["rougeL", "rouge3", "rouge2"], ["rouge9"]]
)
def test_types_subset_and_order(types: list[str]) -> None:
    """Only the requested types are scored, keyed in the order given, with rouge-score's numbers."""
    metric = build_metric("rouge", {"types": types})
    keys = [f"{t}_{p}" for t in types for p in ("p", "r", "f")]
    assert metric.keys() == keys
    rows = harness.score(sources=SAMPLE_SOURCES, candidates=SAMPLE_CANDIDATES, metrics=[metric])
    for row, source, candidate in zip(rows, SAMPLE_SOURCES, SAMPLE_CANDIDATES):
        assert list(row) == keys
        assert row == reference(source, candidate, types=types)


def test_sentences_lines_mode_equals_rouge_score_on_raw_lines() -> None:
    """``sentences: lines`` is rouge-score's own rougeLsum on the texts as given; its signature says so."""
    metric = build_metric("rouge", {"sentences": "lines"})
    rows = metric.score(sources=SAMPLE_SOURCES, candidates=SAMPLE_CANDIDATES)
    scorer = rouge_scorer.RougeScorer(list(TYPES), use_stemmer=True)
    for row, source, candidate in zip(rows, SAMPLE_SOURCES, SAMPLE_CANDIDATES):
        found = scorer.score(target=source, prediction=candidate)
        assert row == {f"{t}_{p}": getattr(found[t], f) for t in TYPES for p, f in FIELDS.items()}
    assert "|split:lines|" in metric.signature() and "|split:lines+rules-1|" in build_metric("rouge").signature()
    pysbd = build_metric("rouge", {"sentences": "lines+pysbd"}).signature()
    assert f"|split:lines+pysbd-{version('pysbd')}|" in pysbd
    # Two sentences swapped on one line: as one "sentence" the LCS keeps 3 of 6 tokens (F = 1/2); split by
    # the default splitter, the union LCS over sentences recovers all 6 (F = 1).
    swapped = {"sources": ["The cat sat. The dog ran."], "candidates": ["The dog ran. The cat sat."]}
    assert metric.score(**swapped)[0]["rougeLsum_f"] == 0.5
    assert build_metric("rouge").score(**swapped)[0]["rougeLsum_f"] == 1.0


def test_signature_names_everything_that_changes_the_numbers() -> None:
    """Types, stemmer (with nltk's version), tokenizer, splitter and rouge-score's version are in the signature."""
    signature = build_metric("rouge").signature()
    for part in (
        "types:rouge1,rouge2,rougeL,rougeLsum",
        f"stem:porter-nltk-{version('nltk')}",
        "tok:rouge_score-default",
        "split:lines+rules-1",
        f"version:rouge_score-{version('rouge-score')}",
    ):
        assert part in signature.split("|"), (part, signature)
    unstemmed = build_metric("rouge", {"use_stemmer": False}).signature()
    assert unstemmed != signature and "stem:none" in unstemmed.split("|")
    subset = build_metric("rouge", {"types": ["rouge2", "rouge1"]}).signature()
    assert "types:rouge2,rouge1" in subset.split("|")
    # Without rougeLsum the sentence splitter plays no part and is not named.
    assert "split:" not in subset


# --------------------------------------------------------------------------------------------------
# copy and empty candidates
# --------------------------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(text=texts)
@example(text="The cat sat.")
@example(text="One.\nTwo three.\n\nFour five six. Seven.")
def test_copy_scores_one_everywhere(text: str) -> None:
    """candidate == source: 1.0 on all 12 keys whenever the text has at least 2 rouge tokens."""
    from rouge_score.tokenize import tokenize

    assume(len(tokenize(text, None)) >= 2)
    assert harness_rouge([text], [text]) == [dict.fromkeys(KEYS, 1.0)]


def test_copy_of_real_article_scores_one() -> None:
    """The ``copy`` system's situation on the seed article: 1.0 everywhere."""
    article = (REPO / "seeds/000_4b7b94a5a67c6868.txt").read_text(encoding="utf-8")
    assert harness_rouge([article], [article]) == [dict.fromkeys(KEYS, 1.0)]


@pytest.mark.parametrize("source", ["The cat sat on the mat.", "", "...", "Ünïcödé 漢字"])
def test_empty_candidate_scores_zero(source: str) -> None:
    """An empty candidate is scored (0.0 on every key), not rejected."""
    assert harness_rouge([source], [""]) == [dict.fromkeys(KEYS, 0.0)]


# --------------------------------------------------------------------------------------------------
# Invalid input
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options, message",
    [
        pytest.param({"types": ["rouge0"]}, "unknown type 'rouge0'", id="rouge0"),
        pytest.param({"types": ["rouge10"]}, "unknown type", id="rouge10"),
        pytest.param({"types": ["rougel"]}, "unknown type", id="lowercase-l"),
        pytest.param({"types": ["rouge1", "rougeL", "rouge1"]}, "duplicate", id="duplicate"),
        pytest.param({"types": []}, "non-empty list", id="types-empty"),
        pytest.param({"types": "rouge1"}, "non-empty list", id="types-string"),
        pytest.param({"types": [1]}, "unknown type", id="types-int-entry"),
        # A YAML task can write `types: 5` or `types: yes`; both must be a message, not a TypeError.
        pytest.param({"types": 5}, "types", id="types-int"),
        pytest.param({"types": True}, "types", id="types-bool"),
        pytest.param({"use_stemmer": "yes"}, "use_stemmer", id="stemmer-string"),
        pytest.param({"use_stemmer": 1}, "use_stemmer", id="stemmer-int"),
        pytest.param({"use_stemer": True}, "did you mean 'use_stemmer'", id="option-typo"),
    ],
)
def test_invalid_options_raise_harness_error(options: dict, message: str) -> None:
    """Bad options are a HarnessError naming the problem, never a crash inside rouge-score."""
    with pytest.raises(HarnessError, match=message):
        build_metric("rouge", options)


@pytest.mark.parametrize(
    "sources, candidates, message",
    [
        (["a", "b"], ["a"], "2 sources but 1 candidates"),
        ([], ["a"], "0 sources but 1 candidates"),
        (["a", None], ["a", "b"], r"sources\[1\] is NoneType"),
        (["a"], [b"a"], r"candidates\[0\] is bytes"),
        (["a"], [3], r"candidates\[0\] is int"),
        ("a source", "a candidate", "not a single string"),
    ],
)
def test_invalid_input_raises_harness_error(sources, candidates, message: str) -> None:
    """Mismatched lengths and non-string texts are a HarnessError with the index and type."""
    with pytest.raises(HarnessError, match=message):
        harness.score(sources=sources, candidates=candidates, metrics=["rouge"])


@pytest.mark.slow
def test_evaluate_module_takes_the_tokenizer() -> None:
    """The evaluate wrapper passes ``tokenizer`` on: an identical Chinese text scores 0 with rouge-score's
    tokenizer (it deletes non-ASCII letters) and 1 with ``tokenizer="unicode"``."""
    evaluate = pytest.importorskip("evaluate")
    rouge = evaluate.load(str(REPO / "metrics" / "rouge"))
    text = "敏捷的棕色狐狸跳过了懒狗。"
    assert rouge.compute(predictions=[text], references=[text])["rouge1_f"] == 0.0
    assert rouge.compute(predictions=[text], references=[text], tokenizer="unicode")["rouge1_f"] == 1.0

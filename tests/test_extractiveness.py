"""The extractiveness metric: SummEval's published golden values, a hand-computed example, Newsroom's matching
rule, property tests, empty texts, the per-source cache, options and signature."""

from __future__ import annotations

import time
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import harness
from harness.errors import HarnessError
from harness.scoring.registry import build_metric
from metrics.extractiveness import KEYS, Extractiveness
from metrics.extractiveness.fragments import Article, Fragment, greedy_fragments
from metrics.extractiveness.tokens import Tokens

# SummEval (Fabbri et al. 2021), evaluation/summ_eval/test_util.py at commit 81b59ad (MIT): CANDS and ARTICLE,
# the texts of evaluation/tests/test_data_stats.py, whose golden values the tests below check.
CANDS = [
    "28-year-old chef found dead in San Francisco mall",
    "A 28-year-old chef who recently moved to San Francisco was found dead in the staircase of a local shopping "
    "center.",
    "The victim's brother said he cannot imagine anyone who would want to harm him,\"Finally, it went uphill again "
    'at him."',
]
ARTICLE = (
    "A 28-year-old chef who had recently moved to San Francisco was found dead in the stairwell of a local mall "
    "this week. But the victim's brother says he can't think of anyone who would want to hurt him, saying, "
    '"Things were finally going well for him." The body found at the Westfield Mall Wednesday morning was '
    "identified as 28-year-old San Francisco resident Frank Galicia, the San Francisco Medical Examiner's Office "
    "said. The San Francisco Police Department said the death was ruled a homicide and an investigation is "
    "ongoing.\n"
    "The victim's brother, Louis Galicia, told ABC station KGO in San Francisco that Frank, previously a line cook "
    "in Boston, had landed his dream job as line chef at San Francisco's Sons & Daughters restaurant six months "
    "ago.\n"
    'Louis Galicia said Frank initially stayed in hostels, but recently, "Things were finally going well for '
    'him."\n'
    '"He found an apartment, he was dating a girl," Louis Galicia told KGO.\n'
    "Louis Galicia said he could not think of anyone who would want to hurt his younger brother.\n"
    '"He was a kind spirit with a big heart. His way of connecting with the family was always making us a dish, '
    'making us dinner," Louis Galicia said. "He never wanted to be in any kind of altercation. He was the brother '
    'that went with the flow."\n'
    "\"With everything else that's going wrong with the world, he was that diamond in the rough that was shining "
    'bright every day," he said.\n'
    "Anyone with information is asked to call the SFPD Tip Line at 415-575-4444."
)


def _mean(rows: list[dict[str, float]], key: str) -> float:
    # SummEval averages with a Counter: a left-to-right sum divided by the count (sum() does the same).
    return sum(row[key] for row in rows) / len(rows)


def test_summeval_golden_single_example() -> None:
    """test_data_stats.py::test_single: coverage 1.0, density 3.0, compression 31.9, novel 0 / 2/9 / 4/8, and the
    fragments "28-year-old chef", "found dead in", "San Francisco", "mall"."""
    metric = build_metric("extractiveness", {"tokenizer": "summeval"})
    rows, details = metric.score_with_details(sources=[ARTICLE], candidates=[CANDS[0]])
    assert rows[0] == {
        "extractiveness_coverage": 1.0,
        "extractiveness_density": 3.0,
        "extractiveness_compression": 31.9,
        "extractiveness_novel1": 0.0,
        "extractiveness_novel2": 0.2222222222222222,
        "extractiveness_novel3": 0.5,
    }
    assert details is not None
    fragments = details[0]["fragments"]
    assert [CANDS[0][a:b] for a, b in (f["candidate"] for f in fragments)] == [
        "28-year-old chef",
        "found dead in",
        "San Francisco",
        "mall",
    ]
    # Each source span holds the same words (the first occurrence the Newsroom scan keeps).
    assert [ARTICLE[a:b] for a, b in (f["source"] for f in fragments)] == [
        CANDS[0][a:b] for a, b in (f["candidate"] for f in fragments)
    ]
    assert [f["tokens"] for f in fragments] == [4, 3, 2, 1]  # "28-year", "-", "old", "chef": spaCy 2's hyphen rule
    assert details[0]["tokens"] == {"candidate": 10, "source": 319}  # SummEval's summary_length 10


def test_summeval_golden_corpus_means() -> None:
    """test_data_stats.py::test_corpus: the means over the three candidates, to the last bit."""
    rows = build_metric("extractiveness", {"tokenizer": "summeval"}).score(sources=[ARTICLE] * 3, candidates=CANDS)
    assert _mean(rows, "extractiveness_coverage") == 0.8631884057971014
    assert _mean(rows, "extractiveness_density") == 3.8892753623188407
    assert _mean(rows, "extractiveness_compression") == 19.50985507246377
    assert _mean(rows, "extractiveness_novel2") == 0.35942760942760943
    assert _mean(rows, "extractiveness_novel3") == 0.5400276052449965
    # The published novel-1 mean (0.13681159420289857) came from SummEval's code before its commit e26bef9, which
    # took n-grams of the tokens before lower-casing. Lower-cased (SummEval's code now, and ours), candidate 2 has
    # 22 distinct unigrams ("A" and "a" merge), 3 absent from the article (staircase, shopping, center), and
    # candidate 3 has 25, 7 absent (can, imagine, harm, him,"finally, it, uphill, again): hand-counted.
    assert _mean(rows, "extractiveness_novel1") == (0.0 + 3 / 22 + 7 / 25) / 3
    cased = build_metric("extractiveness", {"tokenizer": "summeval", "case": True}).score(
        sources=[ARTICLE] * 3, candidates=CANDS
    )
    assert _mean(cased, "extractiveness_novel1") == 0.13681159420289857  # = (0 + 3/23 + 7/25) / 3


def test_default_tokenizer_splits_the_hyphen_after_a_digit() -> None:
    """spaCy 3 splits "28-year-old" into 28 - year - old: 12 tokens, fragments of 6, 3, 2 and 1 tokens, so
    density (36 + 9 + 4 + 1) / 12 (hand-computed): the reason SummEval's numbers need tokenizer: summeval."""
    (row,) = build_metric("extractiveness").score(sources=[ARTICLE], candidates=[CANDS[0]])
    assert row["extractiveness_coverage"] == 1.0
    assert row["extractiveness_density"] == 50 / 12
    # 323 spaCy 3 tokens, less the 7 newline tokens the default tokenizer drops.
    assert row["extractiveness_compression"] == 316 / 12


SOURCE = "The cat sat on the mat. The dog barked."
CANDIDATE = "The dog sat on the mat quietly."


def test_hand_computed_example() -> None:
    """Source tokens (lower-cased): the cat sat on the mat . the dog barked . (11). Candidate: the dog sat on the
    mat quietly . (8). Greedy fragments, by hand:
      i=0 "the": runs at source 0 ("the", 1), 4 ("the", 1), 7 ("the dog", 2) -> "the dog" (2 tokens)
      i=2 "sat": run at 2, "sat on the mat" (4); the source goes on with "." and the candidate with "quietly"
      i=6 "quietly": not in the source, novel
      i=7 ".": run at 6, length 1, reaches the candidate's end -> "." (1)
    coverage (2+4+1)/8, density (4+16+1)/8, compression 11/8. Distinct unigrams 7, one new (quietly); bigrams 7,
    three new (dog sat, mat quietly, quietly .); trigrams 6, four new (all but sat on the, on the mat)."""
    metric = build_metric("extractiveness")
    rows, details = metric.score_with_details(sources=[SOURCE], candidates=[CANDIDATE])
    assert rows[0] == dict(zip(KEYS, [7 / 8, 21 / 8, 11 / 8, 1 / 7, 3 / 7, 4 / 6]))
    assert details == [
        {
            "fragments": [
                {"candidate": [0, 7], "source": [24, 31], "tokens": 2},
                {"candidate": [8, 22], "source": [8, 22], "tokens": 4},
                {"candidate": [30, 31], "source": [22, 23], "tokens": 1},
            ],
            "tokens": {"candidate": 8, "source": 11},
        }
    ]
    assert [CANDIDATE[a:b] for a, b in (f["candidate"] for f in details[0]["fragments"])] == [
        "The dog",
        "sat on the mat",
        ".",
    ]


def test_newsroom_resumes_after_a_run() -> None:
    """Source "no no no way", candidate "no no way". Newsroom's scan for candidate token 0 finds the run "no no"
    at source 0, then resumes at source 2 (not 1), so it never sees "no no way" at source 1: the fragments are
    "no no" and "way", density (4 + 1) / 3, not 9 / 3 as a longest-match rule would give."""
    (row,) = build_metric("extractiveness").score(sources=["no no no way"], candidates=["no no way"])
    assert row["extractiveness_coverage"] == 1.0
    assert row["extractiveness_density"] == 5 / 3


def test_empty_texts_have_defined_values() -> None:
    rows, details = build_metric("extractiveness").score_with_details(
        sources=["", "A source.", "", "   "], candidates=["A candidate here.", "", "", "\n"]
    )
    # Empty source: nothing copied, every n-gram new (the candidate has 4 tokens).
    assert rows[0] == dict(zip(KEYS, [0.0, 0.0, 0.0, 1.0, 1.0, 1.0]))
    # Empty candidate (and whitespace only, which has no tokens): 0 everywhere, as Newsroom's zero denominators.
    assert rows[1] == rows[2] == rows[3] == dict(zip(KEYS, [0.0] * 6))
    assert details is not None and details[1] == {"fragments": [], "tokens": {"candidate": 0, "source": 3}}


def test_short_candidate_novel_ngrams_are_zero_not_missing() -> None:
    """A one-token candidate has no bigram or trigram: novel2 and novel3 are 0 (SummEval leaves the keys out)."""
    (row,) = build_metric("extractiveness").score(sources=["Cats purr."], candidates=["Dogs"])
    assert (row["extractiveness_novel1"], row["extractiveness_novel2"], row["extractiveness_novel3"]) == (1.0, 0, 0)


def test_case_and_whitespace() -> None:
    lower = build_metric("extractiveness")
    cased = build_metric("extractiveness", {"case": True})
    assert lower.score(sources=["The Cat"], candidates=["the cat"])[0]["extractiveness_coverage"] == 1.0
    assert cased.score(sources=["The Cat"], candidates=["the cat"])[0]["extractiveness_coverage"] == 0.0
    # Re-flowed paragraphs copy the same tokens under the default tokenizer; summeval counts the newlines.
    source, reflowed = "One two.\n\nThree four.", "One two. Three four."
    assert lower.score(sources=[source], candidates=[reflowed])[0]["extractiveness_novel1"] == 0.0
    summeval = build_metric("extractiveness", {"tokenizer": "summeval"})
    assert summeval.score(sources=[source], candidates=[reflowed])[0]["extractiveness_coverage"] == 1.0
    assert summeval.score(sources=[source], candidates=[reflowed])[0]["extractiveness_compression"] == 7 / 6


def test_each_source_is_tokenised_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import metrics.extractiveness as module

    calls: list[str] = []
    real = module.tokenize

    def counting(text: str, name: str, *, case: bool) -> Tokens:
        calls.append(text)
        return real(text, name, case=case)

    monkeypatch.setattr(module, "tokenize", counting)
    metric = build_metric("extractiveness")
    sources = ["First source text.", "Second source text."]
    first = metric.score(sources=sources, candidates=["First candidate.", "Second candidate."])
    metric.score(sources=sources, candidates=["Another system.", "Second source text."])  # the last one: a copy
    assert calls.count(sources[0]) == 1 and calls.count(sources[1]) == 1  # once for two "systems"
    assert calls.count("Second source text.") == 1  # the copy reused the source's tokens
    assert first == build_metric("extractiveness", {"cache_size": 0}).score(
        sources=sources, candidates=["First candidate.", "Second candidate."]
    )
    small = build_metric("extractiveness", {"cache_size": 1})
    small.score(sources=sources, candidates=sources)
    assert list(small._articles) == [sources[1]]  # LRU: the newest source stays


def test_options_signature_and_bad_input() -> None:
    from importlib.metadata import version

    metric = build_metric("extractiveness")
    assert metric.signature() == (
        f"extractiveness|tok:default(spacy-{version('spacy')}-en-blank)|ws:dropped|case:lower"
        "|match:newsroom-greedy-1|novel:distinct-ngrams-1-3"
    )
    summeval = build_metric("extractiveness", {"tokenizer": "summeval", "case": True}).signature()
    assert "tok:summeval(spacy-" in summeval and ",hyphen:spacy2)" in summeval and "|ws:kept|case:kept|" in summeval
    # The cache changes speed, not numbers: not in the signature.
    assert build_metric("extractiveness", {"cache_size": 0}).signature() == metric.signature()
    assert all(metric.direction(key) == "none" for key in KEYS)
    assert metric.bounds("extractiveness_density") == (0.0, float("inf"))
    assert metric.bounds("extractiveness_novel2") == (0.0, 1.0)
    assert metric.headline_keys() == ["extractiveness_coverage", "extractiveness_density", "extractiveness_novel2"]
    with pytest.raises(HarnessError, match="'tokenizer' must be one of summeval, default"):
        build_metric("extractiveness", {"tokenizer": "spacy2"})
    with pytest.raises(HarnessError, match="'case' must be true or false"):
        build_metric("extractiveness", {"case": "yes"})
    with pytest.raises(HarnessError, match="unknown option 'tokeniser'"):
        build_metric("extractiveness", {"tokeniser": "default"})
    with pytest.raises(HarnessError, match="got 1 sources but 2 candidates"):
        metric.score(sources=["a"], candidates=["a", "b"])


@pytest.mark.slow
def test_through_harness_score_and_a_large_candidate() -> None:
    (row,) = harness.score(sources=[SOURCE], candidates=[CANDIDATE], metrics=["extractiveness"], details=True)
    assert row["details"]["extractiveness"]["tokens"] == {"candidate": 8, "source": 11}
    # A 1 MB candidate (the article repeated) is scored in well under a second per copy, not quadratically.
    big = (ARTICLE + "\n") * (1_000_000 // len(ARTICLE))
    started = time.perf_counter()
    (row,) = build_metric("extractiveness").score(sources=[ARTICLE], candidates=[big])
    assert time.perf_counter() - started < 30  # a hang guard, not a speed target (benchmarks/fidelity_speed.py)
    assert row["extractiveness_coverage"] == 1.0 and row["extractiveness_novel1"] == 0.0


# --- properties ------------------------------------------------------------------------------------------


def naive_fragments(summary: Sequence[str], text: Sequence[str]) -> list[Fragment]:
    """Newsroom's procedure as the paper's pseudo-code reads, scanning every article position (no index)."""
    found = []
    i = 0
    while i < len(summary):
        best: Fragment | None = None
        j = 0
        while j < len(text):
            if summary[i] == text[j]:
                length = 0
                while i + length < len(summary) and j + length < len(text) and summary[i + length] == text[j + length]:
                    length += 1
                if best is None or length > best.length:
                    best = Fragment(i, j, length)
                j += length
            else:
                j += 1
        if best is None:
            i += 1
        else:
            found.append(best)
            i += best.length
    return found


def _article(tokens: Sequence[str]) -> Article:
    return Article(Tokens(tuple(tokens), tuple(range(len(tokens))), tuple(range(1, len(tokens) + 1))))


PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
token_lists = st.lists(st.sampled_from("abcd"), max_size=30)


@PROPERTY
@given(summary=token_lists, text=token_lists)
def test_indexed_matching_equals_the_plain_scan(summary: list[str], text: list[str]) -> None:
    """On a 4-letter alphabet (many repeats, many runs inside runs), the indexed matcher finds exactly the
    fragments of the position-by-position scan, and every fragment is a real copy."""
    fragments = greedy_fragments(summary, _article(text))
    assert fragments == naive_fragments(summary, text)
    for f in fragments:
        assert summary[f.summary : f.summary + f.length] == text[f.text : f.text + f.length]


words = st.sampled_from(["the", "cat", "sat", "on", "mat", "28-year-old", "U.S.", "can't", "New", "York", "."])
texts = st.lists(words, max_size=40).map(" ".join)


@PROPERTY
@given(source=texts, candidate=texts)
def test_bounds_and_copy_properties(source: str, candidate: str) -> None:
    metric = build_metric("extractiveness")
    rows, details = metric.score_with_details(sources=[source, source], candidates=[candidate, source])
    assert details is not None
    row, copy = rows
    size = details[0]["tokens"]["candidate"]
    assert 0.0 <= row["extractiveness_coverage"] <= 1.0
    # density = Σ|f|²/|S| <= max|f| · Σ|f|/|S| <= |S| · coverage
    assert row["extractiveness_density"] <= size * row["extractiveness_coverage"] + 1e-12
    assert all(0.0 <= row[f"extractiveness_novel{n}"] <= 1.0 for n in (1, 2, 3))
    # Fragments are in order, do not overlap, and copy the source's words (case aside).
    end = 0
    for f in details[0]["fragments"]:
        assert f["candidate"][0] >= end
        end = f["candidate"][1]
        assert candidate[slice(*f["candidate"])].lower() == source[slice(*f["source"])].lower()
    if source.strip():
        assert copy["extractiveness_coverage"] == 1.0
        assert copy["extractiveness_novel1"] == copy["extractiveness_novel2"] == copy["extractiveness_novel3"] == 0.0
        # The scan from the candidate's first token runs to its end: one fragment of every token.
        assert len(details[1]["fragments"]) == 1
        assert copy["extractiveness_density"] == details[1]["tokens"]["source"]
        assert copy["extractiveness_compression"] == 1.0


def test_extractiveness_class_is_registered() -> None:
    assert isinstance(build_metric("extractiveness"), Extractiveness)


def test_missing_spacy_is_a_one_line_error_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from metrics.extractiveness import tokens

    tokens.tokenizer.cache_clear()
    monkeypatch.setitem(sys.modules, "spacy", None)  # `import spacy` now raises ImportError
    try:
        with pytest.raises(HarnessError, match=r"spaCy is not installed; `pip install -c constraints.txt 'spacy"):
            build_metric("extractiveness", {"tokenizer": "summeval"}).score(sources=["a"], candidates=["b"])
    finally:
        tokens.tokenizer.cache_clear()  # rebuilt with the real spaCy by the next test

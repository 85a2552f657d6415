"""The harness's own ROUGE (metrics.rouge: bit-parallel LCS, cached stems) equals rouge-score to the last bit.

References: ``rouge_score.rouge_scorer.RougeScorer(types, use_stemmer=...).score(target=source,
prediction=candidate)`` for whole scores; rouge-score's ``lcs_ind`` (its DP table ``_lcs_table`` read out by
``_backtrack_norec``) and ``_find_union`` for the union-LCS positions, whose tie-breaking decides which
reference tokens ROUGE-Lsum counts; a plain DP table written here for LCS lengths. Values are compared
with ``==``. Speed is measured by ``benchmarks/rouge_speed.py``, not here (the machine is shared and noisy).
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from functools import cache
from importlib.metadata import version
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rouge_score import rouge_scorer
from rouge_score import tokenize as rouge_tokenize

import harness
from harness.scoring.registry import build_metric
from metrics.rouge import Rouge
from metrics.rouge.lcs import SentenceLayout, lcs_length, position_masks, union_lcs_positions
from metrics.rouge.tokens import _StemCache, tokenize, tokenize_lines

TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")
FIELDS = {"p": "precision", "r": "recall", "f": "fmeasure"}


@cache
def _scorer(types: tuple[str, ...], stem: bool) -> rouge_scorer.RougeScorer:
    return rouge_scorer.RougeScorer(list(types), use_stemmer=stem)


def reference(source: str, candidate: str, stem: bool, types: tuple[str, ...] = TYPES) -> dict[str, float]:
    """rouge-score's numbers under the harness's keys; rougeLsum on the texts' own lines (``sentences: lines``)."""
    found = _scorer(types, stem).score(target=source, prediction=candidate)
    return {f"{t}_{p}": float(getattr(found[t], field)) for t in types for p, field in FIELDS.items()}


def assert_all_equal(pairs: list[tuple[str, str]], stem: bool, types: tuple[str, ...] = TYPES) -> None:
    metric = Rouge(types=types, use_stemmer=stem, sentences="lines")
    rows = metric.score(sources=[s for s, _ in pairs], candidates=[c for _, c in pairs])
    wrong = []
    for index, ((source, candidate), row) in enumerate(zip(pairs, rows)):
        expected = reference(source, candidate, stem, types)
        if row != expected:
            diff = {k: (row[k], expected[k]) for k in expected if row[k] != expected[k]}
            wrong.append(f"pair {index} {source!r} / {candidate!r}: {diff}")
    assert not wrong, f"{len(wrong)} of {len(pairs)} pairs differ (stem={stem}); first: " + "\n".join(wrong[:3])


# --------------------------------------------------------------------------------------------------
# Differential: 10,000 seeded random pairs
# --------------------------------------------------------------------------------------------------

WORDS = [
    *["the", "The", "THE", "a", "cat", "cats", "sat", "sitting", "on", "mat", "running", "runs", "ran", "run"],
    *["connection", "CONNECTED", "generalizations", "happily", "relational", "eing", "x", "ab", "abcd"],
    *["Dr.", "U.S.", "3.5", "10%", "1,000", "2024", "4th", "don't", "e.g.", "(a)", "x2y", "a-b"],
    *["naïve", "café", "Ünïcödé", "İstanbul", "KELVIN", "ﬁne", "漢字", "Ελλάδα", "ΣΟΦΟΣ", "ไทย", "—", "«q»"],
]
PUNCT = [".", ",", "!", "?", "...", ";", "-", "'", '"', "\u00a0"]
SEPARATORS = [" ", " ", " ", "  ", "\t", "\n", "\n\n", ". ", "", " \n ", "\r\n"]


def _mixed_text(rng: random.Random) -> str:
    """Words, punctuation, digits and non-ASCII with mixed separators, newlines included."""
    items = rng.choice([0, 1, 2, 5, 10, 20, 40])
    return "".join(rng.choice(WORDS + PUNCT) + rng.choice(SEPARATORS) for _ in range(items))


def _tied_text(rng: random.Random, vocabulary: list[str], longest: int) -> str:
    """Several sentences (lines) over a tiny vocabulary: repeated tokens, so LCS ties everywhere."""
    lines = [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(0, longest))) for _ in range(rng.randint(0, 6))]
    return "\n".join(lines)


def _edit(rng: random.Random, text: str) -> str:
    """A candidate close to its source: lines moved, words dropped or repeated."""
    lines = text.split("\n")
    rng.shuffle(lines)
    words = [w for line in lines for w in (*line.split(" "), "\n") if rng.random() > 0.2]
    return " ".join(w + w if rng.random() < 0.05 else w for w in words)


def random_pairs(count: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    pairs = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.45:  # ties: vocabularies of 1-4 tokens, 0-6 sentences of up to 12 tokens
            vocabulary = rng.sample(["a", "b", "c", "d", "cats", "the"], rng.randint(1, 4))
            source = _tied_text(rng, vocabulary, 12)
            candidate = _tied_text(rng, vocabulary, 12) if rng.random() < 0.7 else _edit(rng, source)
        elif kind < 0.85:
            source = _mixed_text(rng)
            candidate = _mixed_text(rng) if rng.random() < 0.6 else _edit(rng, source)
        elif kind < 0.95:  # edge cases: empty, one token, punctuation only, non-ASCII only, blank lines
            edges = ["", "a", "The", "...", "\n", "\n\n\n", " ", "漢字 Ελλάδα", "a\n\nb", "running", "3.5"]
            source, candidate = rng.choice(edges), rng.choice(edges + [_mixed_text(rng)])
            if rng.random() < 0.5:
                source, candidate = candidate, source
        else:  # long sentences (segments of more than 64 bits) over 8 tokens
            vocabulary = [f"w{k}" for k in range(8)]
            source = _tied_text(rng, vocabulary, 120)
            candidate = _tied_text(rng, vocabulary, 120) if rng.random() < 0.5 else _edit(rng, source)
        pairs.append((source, candidate))
    return pairs


PAIRS = random_pairs(10_000, seed=4)


@pytest.mark.parametrize("stem", [True, False], ids=["stemmed", "unstemmed"])
def test_10000_random_pairs_equal_rouge_score(stem: bool) -> None:
    """All 12 values of 10,000 random pairs equal rouge-score's, with and without stemming."""
    assert_all_equal(PAIRS, stem)


def test_random_pairs_longer_ngrams_equal_rouge_score() -> None:
    """rouge3, rouge5 and rouge9 (n-grams longer than any short text) too."""
    assert_all_equal(PAIRS[:2000], True, types=("rouge3", "rouge5", "rouge9"))


def test_random_pairs_exercise_ties_and_unions() -> None:
    """The generated pairs really do hit the cases that matter for the union LCS."""
    tied = sum(1 for s, c in PAIRS if s.count("\n") >= 2 and len(set(s.split())) <= 4 and c.strip())
    empty = sum(1 for s, c in PAIRS if not s.strip() or not c.strip())
    non_ascii = sum(1 for s, c in PAIRS if not (s + c).isascii())
    assert tied > 2000 and empty > 500 and non_ascii > 2000, (tied, empty, non_ascii)


pieces = st.sampled_from([*"aAbB cC\n.,-1é漢ΣİK\t", "the ", "cats ", "running "])


def _hits_with_left_first_backtrack(source: str, candidate: str) -> int:
    """ROUGE-Lsum hits if the backtrack broke ties the other way (left before up): a deliberately wrong
    reference, to show that the random pairs tell the two tie-breakings apart."""
    references = tokenize_lines(source, "rouge_score", False)
    candidates = tokenize_lines(candidate, "rouge_score", False)
    remaining_r = Counter(t for s in references for t in s)
    remaining_c = Counter(t for s in candidates for t in s)
    hits = 0
    for ref in references:
        union: set[int] = set()
        for can in candidates:
            table, i, j = rouge_scorer._lcs_table(ref, can), len(ref), len(can)
            while i > 0 and j > 0:
                if ref[i - 1] == can[j - 1]:
                    union.add(i - 1)
                    i, j = i - 1, j - 1
                elif table[i][j - 1] >= table[i - 1][j]:  # rouge-score: > (ties go up)
                    j -= 1
                else:
                    i -= 1
        for token in (ref[k] for k in sorted(union)):
            if remaining_c[token] > 0 and remaining_r[token] > 0:
                hits += 1
                remaining_c[token] -= 1
                remaining_r[token] -= 1
    return hits


def test_random_pairs_tell_tie_breakings_apart() -> None:
    """Among the first 1,500 random pairs, many score differently under the opposite tie-breaking, so
    the differential test above would catch an implementation that read out a different LCS."""
    differ = 0
    for source, candidate in PAIRS[:1500]:
        total = sum(map(len, tokenize_lines(source, "rouge_score", False)))
        recall = _scorer(("rougeLsum",), False).score(target=source, prediction=candidate)["rougeLsum"].recall
        if total and _hits_with_left_first_backtrack(source, candidate) / total != recall:
            differ += 1
    assert differ > 50, differ


texts = st.lists(pieces, max_size=40).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=texts, candidate=texts, stem=st.booleans())
@example(source="", candidate="", stem=True)
@example(source="a a a\na a", candidate="a\na a a a", stem=False)
def test_hypothesis_pairs_equal_rouge_score(source: str, candidate: str, stem: bool) -> None:
    assert_all_equal([(source, candidate)], stem)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=80), stem=st.booleans())
@example(text="İstanbul KELVIN ﬁne", stem=True)
def test_tokenizer_equals_rouge_score_on_any_text(text: str, stem: bool) -> None:
    """Any Unicode text: the default tokenizer gives rouge-score's tokens (cache or not)."""
    stemmer = _scorer(("rouge1",), True)._tokenizer._stemmer if stem else None
    expected = tuple(rouge_tokenize.tokenize(text, stemmer))
    assert tokenize(text, "rouge_score", stem) == expected
    assert tokenize(text, "rouge_score", stem) == expected  # now from the cache


# --------------------------------------------------------------------------------------------------
# Differential: real text (REALSumm)
# --------------------------------------------------------------------------------------------------


def _realsumm(shared: Path, name: str) -> list[str]:
    """One text per line (line = doc id), lower-cased and PTB-tokenised; ``<t>`` tags dropped and each
    sentence (ending in " ." there, often glued to the next word: "year .the") put on its own line."""
    path = shared / "external/realsumm/selected_docs_for_human_eval/abs/ptr_generator" / name
    lines = path.read_text(encoding="utf-8").splitlines()
    return [re.sub(r" \. ?", " .\n", line.replace("<t>", "").replace("</t>", "")).strip() for line in lines]


@pytest.mark.parametrize("stem", [True, False], ids=["stemmed", "unstemmed"])
def test_realsumm_articles_and_summaries_equal_rouge_score(shared: Path, stem: bool) -> None:
    """The 100 REALSumm source articles against pointer-generator summaries, and references against summaries."""
    articles = _realsumm(shared, "src.txt")
    summaries = _realsumm(shared, "out_pointer_gen_cov.txt")
    references = _realsumm(shared, "ref.txt")
    assert len(articles) == len(summaries) == len(references) == 100
    assert sum(s.count("\n") for s in summaries) > 150  # several sentences per summary: rougeLsum unions
    pairs = list(zip(articles, summaries)) + list(zip(references, summaries[::-1]))
    # Unstemmed, 40 of each kind: rouge-score's own time is the cost of this test.
    assert_all_equal(pairs if stem else pairs[:40] + pairs[100:140], stem)


def test_realsumm_article_pairs_equal_rouge_score(shared: Path) -> None:
    """Article against article: the two longest as one line each (one LCS segment of over 1,000 bits), and
    articles one sentence per line against themselves with the lines reordered and some dropped."""
    articles = _realsumm(shared, "src.txt")
    longest = sorted(articles, key=len)[-2:]
    flat = [a.replace("\n", " ") for a in longest]
    assert min(len(tokenize(a, "rouge_score", True)) for a in flat) > 1000
    pairs = [(flat[0], flat[1])]
    for article in articles[10:14]:
        lines = article.split("\n")
        pairs.append((article, "\n".join(lines[1::2] + lines[::3])))
    assert_all_equal(pairs, True)


def test_realsumm_default_sentences_equal_rouge_score(shared: Path) -> None:
    """Default options (the rules splitter's sentences) through ``harness.score``, as ``harness eval`` scores them."""
    from harness.scoring.sentences import split_sentences

    articles = [a.replace("\n", " ") for a in _realsumm(shared, "src.txt")[:15]]
    summaries = [s.replace("\n", " ") for s in _realsumm(shared, "out_pointer_gen_cov.txt")[:15]]
    rows = harness.score(sources=articles, candidates=summaries, metrics=["rouge"])
    for article, summary, row in zip(articles, summaries, rows):
        expected = reference(article, summary, True, ("rouge1", "rouge2", "rougeL"))
        expected |= reference("\n".join(split_sentences(article)), "\n".join(split_sentences(summary)), True)
        assert row == {k: expected[k] for k in row}


# --------------------------------------------------------------------------------------------------
# The LCS pieces against plain references
# --------------------------------------------------------------------------------------------------


def dp_lcs_length(a: list[str], b: list[str]) -> int:
    """Plain O(n*m) dynamic programming, one row at a time."""
    previous = [0] * (len(b) + 1)
    for x in a:
        row = [0]
        for j, y in enumerate(b):
            row.append(previous[j] + 1 if x == y else max(previous[j + 1], row[j]))
        previous = row
    return previous[-1]


def rouge_score_union(references: list[list[str]], candidates: list[list[str]]) -> list[int]:
    """rouge-score's union-LCS positions (``_union_lcs``), as indices into the concatenated references."""
    positions, offset = [], 0
    for sentence in references:
        union = rouge_scorer._find_union([rouge_scorer.lcs_ind(sentence, c) for c in candidates])
        positions += [offset + i for i in union]
        offset += len(sentence)
    return positions


def _sequence(rng: random.Random, length: int, vocabulary: int) -> list[str]:
    return [str(rng.randrange(vocabulary)) for _ in range(length)]


@pytest.mark.parametrize(
    "n, m", [(0, 0), (0, 5), (5, 0), (1, 1), (63, 64), (64, 65), (65, 200), (1200, 40), (1100, 1050)]
)
def test_lcs_length_equals_plain_dp(n: int, m: int) -> None:
    """Lengths on empty, word-size and big-integer (> 64 and > 1,000 bits) sequences, small and large vocabularies."""
    rng = random.Random(n * 7919 + m)
    for vocabulary in (1, 2, 5, 50):
        a, b = _sequence(rng, n, vocabulary), _sequence(rng, m, vocabulary)
        assert lcs_length(position_masks(a), len(a), b) == dp_lcs_length(a, b), vocabulary


def test_lcs_length_small_random() -> None:
    rng = random.Random(11)
    for _ in range(3000):
        a = _sequence(rng, rng.randint(0, 12), rng.randint(1, 4))
        b = _sequence(rng, rng.randint(0, 12), rng.randint(1, 4))
        assert lcs_length(position_masks(a), len(a), b) == dp_lcs_length(a, b), (a, b)


def _sentences(rng: random.Random, vocabulary: int) -> list[list[str]]:
    lengths = [rng.choice([0, 1, 2, 3, 5, 8, rng.randint(0, 70)]) for _ in range(rng.randint(0, 5))]
    return [_sequence(rng, length, vocabulary) for length in lengths]


def test_union_positions_equal_rouge_score_backtrack_random() -> None:
    """10,000 random sentence sets (ties everywhere with 1-5 token types) against rouge-score's backtrack."""
    rng = random.Random(12)
    for _ in range(10_000):
        vocabulary = rng.randint(1, 5)
        references, candidates = _sentences(rng, vocabulary), _sentences(rng, vocabulary)
        got = union_lcs_positions(SentenceLayout(references), candidates)
        assert got == rouge_score_union(references, candidates), (references, candidates)


@pytest.mark.parametrize("length", [64, 65, 300, 1100])
def test_union_positions_long_sentences(length: int) -> None:
    """Single long sentences (one segment of more than 64 and 1,000 bits) and several mid-length ones."""
    rng = random.Random(length)
    for vocabulary in (2, 6, 40):
        references = [_sequence(rng, length, vocabulary), _sequence(rng, 30, vocabulary)]
        candidates = [_sequence(rng, length // 2, vocabulary), [], _sequence(rng, length, vocabulary)]
        got = union_lcs_positions(SentenceLayout(references), candidates)
        assert got == rouge_score_union(references, candidates)


def test_union_positions_tie_breaking_example() -> None:
    """A tie that changes the union: LCS("a b a", "a") could be either "a"; rouge-score's backtrack climbs
    from the last reference row and takes the *last* "a" (position 2), so with the second candidate
    sentence "b" the union is {1, 2}, not {0, 1}."""
    references = [["a", "b", "a"]]
    assert rouge_scorer.lcs_ind(references[0], ["a"]) == [2]
    assert union_lcs_positions(SentenceLayout(references), [["a"], ["b"]]) == [1, 2]
    # And "a b" against "b a" ties between "a" and "b": the walk keeps the candidate's last token, "a".
    assert rouge_scorer.lcs_ind(["a", "b"], ["b", "a"]) == [0]
    assert union_lcs_positions(SentenceLayout([["a", "b"]]), [["b", "a"]]) == [0]


def test_union_positions_empty() -> None:
    assert union_lcs_positions(SentenceLayout([]), [["a"]]) == []
    assert union_lcs_positions(SentenceLayout([["a"], []]), []) == []
    assert union_lcs_positions(SentenceLayout([[], ["a", "b"]]), [[], ["b"]]) == [1]


# --------------------------------------------------------------------------------------------------
# Tokenizers and caches
# --------------------------------------------------------------------------------------------------


def test_each_distinct_token_is_stemmed_once() -> None:
    calls: list[str] = []

    def stem(token: str) -> str:
        calls.append(token)
        return token[:-1]

    stems = _StemCache(stem)
    assert [stems[t] for t in ["cats", "cats", "dog", "cats", "horses", "dog"]] == [
        "cat",
        "cat",
        "dog",
        "cat",
        "horse",
        "dog",
    ]
    assert calls == ["cats", "horses"]  # "dog" has 3 characters: never stemmed, as in rouge-score


def test_tokenize_lines_are_the_lines_tokenized() -> None:
    assert tokenize_lines("The cats.\n\n...\nRan home", "rouge_score", True) == (("the", "cat"), (), ("ran", "home"))


@pytest.mark.parametrize(
    "text",
    [
        "Η γρήγορη καφέ αλεπού πηδάει πάνω από τον τεμπέλη σκύλο. Ο σκύλος κοιμάται.",
        "ภาษาไทยเป็นภาษาที่ไม่มีการเว้นวรรคระหว่างคำ แต่เว้นวรรคระหว่างประโยค",
        "敏捷的棕色狐狸跳过了懒狗。狗在睡觉。",
        "東京タワーは、ひらがなとカタカナで書きます。",
    ],
    ids=["greek", "thai", "chinese", "japanese"],
)
def test_unicode_tokenizer_scores_identical_texts_one(text: str) -> None:
    """rouge-score's tokenizer deletes every non-ASCII letter (no tokens: 0.0 against itself); ``tokenizer:
    unicode`` scores an identical text 1.0 on every key."""
    default = harness.score(sources=[text], candidates=[text], metrics=["rouge"])[0]
    assert set(default.values()) == {0.0}
    unicode = build_metric("rouge", {"tokenizer": "unicode"})
    assert unicode.score(sources=[text], candidates=[text]) == [dict.fromkeys(unicode.keys(), 1.0)]


def test_unicode_tokenizer_tokens() -> None:
    # Casefolded (final sigma too) and NFKC-normalised (ligature, full-width digits and letters).
    assert tokenize("ΣΟΦΟΣ σοφος ﬁne ＡＢ１２", "unicode", False) == ("σοφοσ", "σοφοσ", "fine", "ab12")
    # Thai: each letter with its combining vowel and tone marks; Han: each character; Latin words stay words.
    assert tokenize("ที่นี่ OK", "unicode", False) == ("ที่", "นี่", "ok")
    assert tokenize("漢字abc", "unicode", False) == ("漢", "字", "abc")
    # Combining marks stay inside a word (Devanagari vowel signs, decomposed accents after NFKC).
    assert tokenize("हिन्दी cafe\u0301", "unicode", False) == ("हिन्दी", "café")
    # Stemming applies to [a-z0-9] tokens longer than 3 characters only: Porter is an English stemmer.
    assert tokenize("Running runs naïvely", "unicode", True) == ("run", "run", "naïvely")


def test_unicode_tokenizer_partial_overlap() -> None:
    """Greek: 2 of the source's 4 words are kept (R = 1/2), both candidate words are in the source (P = 1)."""
    metric = build_metric("rouge", {"tokenizer": "unicode", "types": ["rouge1"]})
    row = metric.score(sources=["Καλημέρα κόσμε, καλή μέρα"], candidates=["ΚΑΛΗΜΕΡΑ κόσμε"])[0]
    # "ΚΑΛΗΜΕΡΑ" casefolds to "καλημερα", without the accent: no match. So 1 of 2 and 1 of 4.
    assert (row["rouge1_p"], row["rouge1_r"]) == (0.5, 0.25)


def test_signatures_name_implementation_and_tokenizer() -> None:
    default = build_metric("rouge").signature().split("|")
    assert "tok:rouge_score-default" in default
    assert f"impl:harness-{version('harness')}" in default
    assert f"version:rouge_score-{version('rouge-score')}" in default
    unicode = build_metric("rouge", {"tokenizer": "unicode"}).signature().split("|")
    assert unicode != default
    assert [p for p in unicode if p.startswith("tok:")] == [
        f"tok:unicode-nfkc-casefold-ucd{unicodedata.unidata_version}"
    ]
    assert [p for p in unicode if not p.startswith("tok:")] == [p for p in default if not p.startswith("tok:")]


def test_unknown_tokenizer_is_a_harness_error() -> None:
    from harness.errors import HarnessError

    with pytest.raises(HarnessError, match="'tokenizer' must be one of rouge_score, unicode"):
        build_metric("rouge", {"tokenizer": "spacy"})


def test_listing_metrics_imports_no_nltk() -> None:
    """The registry imports every metric module to list them; ROUGE must not pull in nltk (seconds) then."""
    code = "import sys; from harness.scoring.registry import metric_names; metric_names(); print('nltk' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"

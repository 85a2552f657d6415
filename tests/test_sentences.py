"""The sentence splitters of ``harness.scoring.sentences``: the rules (the default) on hand-checked cases, their
version in the ROUGE signature, pysbd kept for old runs, and a one-line text of megabytes split without a hang."""

from __future__ import annotations

import re
import warnings
from importlib.metadata import version

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.scoring.registry import build_metric
from harness.scoring.sentences import _CUT, RULES_VERSION, split_sentences, splitter_name
from harness.scoring.sizes import InputSizeWarning


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Titles, initials and "No." before a number end no sentence.
        ("Mr. Smith met Dr. J. K. Rowling. They talked.", ["Mr. Smith met Dr. J. K. Rowling.", "They talked."]),
        ("He lives at No. 10 Downing St. in London.", ["He lives at No. 10 Downing St. in London."]),
        # An abbreviation that can end a sentence does so before a word that starts one, not before a name.
        ("He moved to the U.S. The move was hard.", ["He moved to the U.S.", "The move was hard."]),
        ("The U.S. Army said no.", ["The U.S. Army said no."]),
        # Quotes: a question inside a quote followed by a lower-case attribution is one sentence.
        ('"Why?" he asked. "Because!" She left.', ['"Why?" he asked.', '"Because!"', "She left."]),
        # Lower-cased, tokenised system output: a space-separated full stop ends a sentence.
        ("burnley drew 0-0 . townsend came on . he left", ["burnley drew 0-0 .", "townsend came on .", "he left"]),
        # Sentences glued by a lost space, as some BBC articles are shipped: "resume.A tremor".
        ("They paused to resume.A tremor hit.", ["They paused to resume.", "A tremor hit."]),
        # Decimals, times and e.g. are not boundaries; newlines always are.
        (
            "It rose 3.5% by 5 p.m. on Monday, e.g. in Paris.\nNext line",
            ["It rose 3.5% by 5 p.m. on Monday, e.g. in Paris.", "Next line"],
        ),
    ],
)
def test_rules_on_hand_checked_cases(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_pysbd_is_still_available_and_named() -> None:
    assert split_sentences("The cat sat. The dog ran.", "pysbd") == ["The cat sat.", "The dog ran."]
    assert splitter_name("pysbd") == f"lines+pysbd-{version('pysbd')}"
    assert splitter_name() == f"lines+rules-{RULES_VERSION}"
    with pytest.raises(ValueError, match="unknown sentence splitter"):
        split_sentences("x", "punkt")


def test_rouge_signature_names_the_splitter_and_its_version() -> None:
    assert f"|split:lines+rules-{RULES_VERSION}|" in build_metric("rouge").signature()
    old = build_metric("rouge", {"sentences": "lines+pysbd"})
    assert f"|split:lines+pysbd-{version('pysbd')}|" in old.signature()
    swapped = {"sources": ["The cat sat. The dog ran."], "candidates": ["The dog ran. The cat sat."]}
    assert old.score(**swapped) == build_metric("rouge").score(**swapped)


def test_a_megabyte_line_is_split_whole() -> None:
    """One line of 1.3 MB (no newline): every character is kept, in order, and the split is linear (a regex pass
    with bounded look-behind), so it finishes; pysbd on such a line grows faster than linearly."""
    sentence = "Mr. Smith paid $3.5 million to the U.S. Treasury on Jan. 5 at 3 p.m. and left. "
    text = sentence * 16_000
    pieces = split_sentences(text)
    assert len(pieces) == 16_000 and pieces[0] == sentence.strip()
    assert "".join("".join(pieces).split()) == "".join(text.split())


def test_a_huge_lcs_warns_naming_the_size() -> None:
    """ROUGE-L's LCS costs the product of the token counts: above its bound it warns, naming both sizes."""
    import metrics.rouge as rouge

    metric = build_metric("rouge", {"types": ["rougeL"]})
    text = "alpha beta gamma delta " * 60
    bound, rouge.LCS_WARN_PRODUCT = rouge.LCS_WARN_PRODUCT, 100  # 240 x 240 tokens: above a bound of 100
    try:
        with pytest.warns(InputSizeWarning, match=r"rouge: example 0 pairs a source of 240 tokens"):
            metric.score(sources=[text], candidates=[text])
    finally:
        rouge.LCS_WARN_PRODUCT = bound
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputSizeWarning)
        metric.score(sources=[text], candidates=[text])  # under the real bound: no warning


# rules-1's candidate cuts as first written, three branches each with its own group: _CUT puts the punctuation mark
# in front of all three for speed, and must find exactly the same matches (so rules-1's splits are unchanged).
_CUT_AS_WRITTEN = re.compile(
    r"([.!?…]+)[\"'”’»)\]]*\s+(?=\S)"
    r"|(?<=[a-z)\"”])([.!?])(?=[\"“]?[A-Z])"
    r"|(?<=[a-z])([.!?])[\"”’](?=[A-Z])"
)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="aZ .!?…\"'”’“»)]( \n\t1", max_size=40))
def test_candidate_cuts_equal_the_three_branch_form(line: str) -> None:
    def cuts(pattern: re.Pattern[str]) -> list[tuple[int, int, str]]:
        found = []
        for m in pattern.finditer(line):
            punctuation = m.group(1) + (m.group(2) or "") if pattern is _CUT else m.group(1) or m.group(2) or m.group(3)
            found.append((m.start(), m.end(), punctuation))
        return found

    assert cuts(_CUT) == cuts(_CUT_AS_WRITTEN)

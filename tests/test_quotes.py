"""The quotes metric: quote extraction rules, the classes with hand-derived token F1, the seed pair (issue 10's
expectations on the real seed files), details with spans, options, `harness eval`, and bad input."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import harness
from harness.errors import HarnessError
from harness.scoring.registry import build_metric
from harness.store.store import read_examples, read_runs
from metrics.quotes.extract import find_quotes, normalise

KEYS = ["quotes_precision", "quotes_kept", "quotes_altered", "quotes_fabricated"]
SOURCE = "The minister said: “We will build ten new schools by 2030.” Critics disagreed."


def quoted(text: str, **options: Any) -> list[str]:
    return [text[q.start : q.end] for q in find_quotes(text, **options).quotes]


def score(source: str, candidate: str, **options: Any) -> dict[str, Any]:
    rows, details = build_metric("quotes", options).score_with_details(sources=[source], candidates=[candidate])
    assert details is not None
    return {**rows[0], "details": details[0]}


# --- extraction ------------------------------------------------------------------------------------------


def test_marks_and_apostrophes() -> None:
    # The issue's rule: a curly single quote opens after a space and closes before a non-letter.
    assert quoted("King Charles’s coronation, smugglers’ boats, rock ’n’ roll") == []
    assert quoted("She said ‘no way’, then left.") == ["no way"]
    assert quoted('He said "hello there" and left, on a 12" screen.') == ["hello there"]
    assert quoted("«Bonjour» dit-il") == ["Bonjour"]
    assert quoted("`` a tokenised quote '' here") == [" a tokenised quote "]  # PTB marks (SummEval, FRANK)
    # Straight single quotes only on request ("it's" stays an apostrophe either way).
    assert quoted("He said 'not now' and it's fine") == []
    assert quoted("He said 'not now' and it's fine", straight_single=True) == ["not now"]


def test_nesting_unbalanced_and_line_breaks() -> None:
    # Inner quotes of another kind belong to the outer one.
    assert quoted("“He told me ‘stop’ now,” she said.") == ["He told me ‘stop’ now,"]
    assert quoted('"outer “inner” still" end') == ["outer “inner” still"]
    # A quote open at a line break ends there, unclosed; a stray closer is counted.
    scan = find_quotes("“Unclosed here\nnext line” stray")
    assert [(q.start, q.end, q.closed) for q in scan.quotes] == [(1, 14, False)]
    assert (scan.unclosed, scan.stray) == (1, 1)
    # The same opener again before a closer: the first quote was never closed.
    scan = find_quotes("“one” “two “three”")
    assert [(q.closed) for q in scan.quotes] == [True, False, True] and scan.unclosed == 1


def test_normalise_keeps_offsets() -> None:
    text = "Gérald “Dash—it”  ﬁne…"
    norm, where = normalise(text)
    assert norm == 'ge\u0301rald "dash-it" fine...'
    assert [text[where[i]] for i in range(len(norm))][:3] == ["G", "é", "é"]  # é decomposes into two
    assert where[norm.index("fine")] == text.index("ﬁ") and where[-1] == len(text)


# --- classes, hand-derived ---------------------------------------------------------------------------------


def test_verbatim_altered_fabricated_and_source_classes() -> None:
    verbatim = score(SOURCE, "The minister promised “ten new schools by 2030”.")
    assert [verbatim[k] for k in KEYS] == [1.0, 1.0, 0.0, 0.0]
    (entry,) = verbatim["details"]["candidate_quotes"]
    assert entry["class"] == "verbatim" and entry["in_source_quote"] is True
    assert SOURCE[entry["source"]["start"] : entry["source"]["end"]] == "ten new schools by 2030"

    # Candidate "build twelve new schools by 2030" (6 tokens) against the window "build ten new schools by
    # 2030" (6 tokens, 5 shared): F1 = 2*5 / (6+6) = 0.8333 >= 0.5, so altered, the diff naming the change.
    altered = score(SOURCE, "He pledged to “build twelve new schools by 2030”.")
    assert [altered[k] for k in KEYS] == [0.0, 1.0, 1.0, 0.0]
    (entry,) = altered["details"]["candidate_quotes"]
    assert entry["class"] == "altered" and entry["f1"] == pytest.approx(10 / 12, abs=1e-6)
    assert entry["diff"] == [{"op": "replace", "source": "ten", "candidate": "twelve"}]
    assert entry["source"]["text"] == "build ten new schools by 2030"

    # No token in common with the source: fabricated; the source quote is neither quoted nor copied.
    fabricated = score(SOURCE, "“Education is our top priority,” he said.")
    assert [fabricated[k] for k in KEYS] == [0.0, 0.0, 0.0, 1.0]
    assert fabricated["details"]["candidate_quotes"][0]["source"] is None
    assert fabricated["details"]["source_quotes"][0]["class"] == "paraphrased_or_dropped"

    # The quote's words without its marks: kept unquoted (so quotes_kept 0), and no candidate quote (P = 1).
    unquoted = score(SOURCE, "The minister said we will build ten new schools by 2030.")
    assert [unquoted[k] for k in KEYS] == [1.0, 0.0, 0.0, 0.0]
    (source_quote,) = unquoted["details"]["source_quotes"]
    assert source_quote["class"] == "kept_unquoted"
    assert source_quote["candidate"]["text"] == "we will build ten new schools by 2030"


def test_ellipsis_word_bounds_case_and_edges() -> None:
    # Pieces around an ellipsis must occur in order: in order is verbatim, reversed is not.
    forward = score(SOURCE, "“We will build … schools by 2030”")
    assert forward["quotes_precision"] == 1.0
    assert [p["text"] for p in forward["details"]["candidate_quotes"][0]["source"]["pieces"]] == [
        "We will build",
        "schools by 2030",
    ]
    # Reversed: 6 tokens, best window "we will build ten new schools by 2030" (8 tokens, 6 shared): F1 12/14.
    backward = score(SOURCE, "“schools by 2030 ... we will build”")
    assert backward["details"]["candidate_quotes"][0]["class"] == "altered"
    assert backward["details"]["candidate_quotes"][0]["f1"] == pytest.approx(12 / 14, abs=1e-6)
    # "school" is not verbatim inside "schools"; case and edge punctuation do not matter.
    assert score(SOURCE, "“build ten new school”")["quotes_precision"] == 0.0
    assert score(SOURCE, 'He said "we WILL build ten new schools by 2030,"')["quotes_precision"] == 1.0
    # Other punctuation inside the quote, same words in the same order: verbatim, and said so.
    comma = score(SOURCE, "“We will build ten new schools, by 2030”")
    assert comma["quotes_precision"] == 1.0
    assert comma["details"]["candidate_quotes"][0]["punctuation_differs"] is True
    # A bracketed insertion is an editor's gap, like an ellipsis.
    assert score(SOURCE, "“We will build [more than] ten new schools”")["quotes_precision"] == 1.0


def test_no_quotes_scores_one_and_short_source_quotes_are_not_expected() -> None:
    assert [score("No quotes here.", "None here either.")[k] for k in KEYS] == [1.0, 1.0, 0.0, 0.0]
    # A one-word scare quote in the source is not a quote the candidate must keep (min_words 2) ...
    assert score("The so-called “reform” failed.", "The reform failed.")["quotes_kept"] == 1.0
    # ... unless asked.
    assert score("The so-called “reform” failed.", "The reform failed.", min_words=1)["quotes_kept"] == 0.0


def test_repeated_quotes_counted_each_time() -> None:
    candidate = "“ten new schools” and again “ten new schools” and “twenty new schools by 2030”"
    found = score(SOURCE, candidate)
    # Third: "twenty new schools by 2030" vs "ten new schools by 2030": 4 of 5 shared, F1 0.8: altered.
    assert [found[k] for k in KEYS] == [pytest.approx(2 / 3), 1.0, 1.0, 0.0]
    opening = [i + 1 for i, char in enumerate(candidate) if char == "“"]
    assert [q["start"] for q in found["details"]["candidate_quotes"]] == opening
    assert [q["class"] for q in found["details"]["candidate_quotes"]] == ["verbatim", "verbatim", "altered"]


# --- the seed pair (issue 10) --------------------------------------------------------------------------------


def test_seed_pair(repo: Path) -> None:
    source = (repo / "seeds" / "000_4b7b94a5a67c6868.txt").read_text(encoding="utf-8")
    rewrite = (repo / "seeds" / "001_c22f7d92e186d757.txt").read_text(encoding="utf-8")
    found = score(source, rewrite)
    (taxi,) = found["details"]["candidate_quotes"]
    assert taxi["text"] == "taxi-boat launches." and taxi["class"] == "verbatim"
    assert rewrite[taxi["start"] : taxi["end"]] == "taxi-boat launches."
    assert source[taxi["source"]["start"] : taxi["source"]["end"]] == "taxi-boat launches"
    classes = {q["text"][:24]: q["class"] for q in found["details"]["source_quotes"]}
    assert classes == {
        "Their joint action will ": "paraphrased_or_dropped",  # Darmanin
        "to see our countries con": "paraphrased_or_dropped",  # Cleverly
        "taxi-boat launches": "kept_quoted",
    }
    # "King Charles’s", "Queen Elizabeth’s", "smugglers’ boats" are apostrophes, so exactly 3 source quotes.
    assert [found[k] for k in KEYS] == [1.0, pytest.approx(1 / 3), 0.0, 0.0]
    assert found["details"]["flags"] == []


def test_seeds_eval_shows_quotes(cli: Callable[..., Any], repo: Path, tmp_path: Path) -> None:
    result = cli(
        "eval", str(repo / "tasks" / "seeds.yaml"), "--metrics", "quotes", "--out", str(tmp_path), "--resamples", "50"
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    found, problems = read_runs(tmp_path)
    assert problems == []
    runs = {run.system: run for run in found}
    rewrite = runs["seed-rewrite"]
    assert rewrite.meta["means"]["quotes_precision"] == 1.0
    assert rewrite.meta["means"]["quotes_kept"] == pytest.approx(1 / 3)
    # The copy keeps every quote verbatim; lead-3 quotes nothing (P = 1 by definition) and keeps none.
    assert runs["copy"].meta["means"]["quotes_kept"] == 1.0
    assert runs["lead-3"].meta["means"]["quotes_kept"] == 0.0
    (example,) = read_examples(rewrite.path)
    assert example["details"]["quotes"]["candidate_quotes"][0]["class"] == "verbatim"


# --- options, signature, bad input -------------------------------------------------------------------------


def test_options_signature_direction() -> None:
    metric = build_metric("quotes")
    assert metric.signature().startswith("quotes|extract:1|match:1|marks:double:curly,straight,guillemet,ptb")
    assert build_metric("quotes", {"straight_single": True}).signature() != metric.signature()
    assert build_metric("quotes", {"altered_f1": 0.6}).signature() != metric.signature()
    assert build_metric("quotes", {"cache_size": 0}).signature() == metric.signature()
    assert metric.direction("quotes_precision") == "higher" and metric.direction("quotes_fabricated") == "lower"
    assert metric.bounds("quotes_altered") == (0.0, float("inf")) and metric.bounds("quotes_kept") == (0.0, 1.0)
    for bad in ({"altered_f1": 0}, {"copied_f1": 1.5}, {"min_words": 0}, {"straight_single": "yes"}, {"cache": 1}):
        with pytest.raises(HarnessError):
            build_metric("quotes", bad)
    with pytest.raises(HarnessError, match="2 sources but 1 candidates"):
        metric.score(sources=["a", "b"], candidates=["a"])


def test_cache_gives_the_same_numbers() -> None:
    sources = [SOURCE, "“Quote one here,” he said.", SOURCE]
    candidates = ["“ten new schools”", "He said “quote one there”.", "“nothing like it”"]
    cached = build_metric("quotes").score_with_details(sources=sources, candidates=candidates)
    uncached = build_metric("quotes", {"cache_size": 0}).score_with_details(sources=sources, candidates=candidates)
    assert cached == uncached


QUOTEY = st.lists(st.sampled_from(list("ab .,…\n\"“”‘’'«»`[]-—é\u0301") + ["Charles’s", " the ", "``", "''"])).map(
    "".join
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=st.one_of(QUOTEY, st.text()), candidate=st.one_of(QUOTEY, st.text()))
def test_any_text_gets_a_score(source: str, candidate: str) -> None:
    metric = build_metric("quotes")
    rows, details = metric.score_with_details(sources=[source], candidates=[candidate])
    (row,) = rows
    assert list(row) == KEYS
    for key, value in row.items():
        low, high = metric.bounds(key)
        assert low <= value <= high
    assert details is not None
    json.dumps(details)  # serialisable, as examples.jsonl needs
    for quote in details[0]["candidate_quotes"]:
        assert candidate[quote["start"] : quote["end"]] == quote["text"]
        if quote["source"] is not None:
            assert source[quote["source"]["start"] : quote["source"]["end"]] == quote["source"]["text"]


def test_empty_and_megabyte_inputs(repo: Path) -> None:
    rewrite = (repo / "seeds" / "001_c22f7d92e186d757.txt").read_text(encoding="utf-8")
    metric = build_metric("quotes")
    assert metric.score(sources=["", "x", ""], candidates=["", "", "“x”"]) == [
        {"quotes_precision": 1.0, "quotes_kept": 1.0, "quotes_altered": 0.0, "quotes_fabricated": 0.0},
        {"quotes_precision": 1.0, "quotes_kept": 1.0, "quotes_altered": 0.0, "quotes_fabricated": 0.0},
        {"quotes_precision": 0.0, "quotes_kept": 1.0, "quotes_altered": 0.0, "quotes_fabricated": 1.0},
    ]
    # A megabyte candidate: the rewrite repeated, then one quote left open to the end.
    big = (rewrite + "\n") * (1_000_000 // (len(rewrite) + 1)) + "“never closed " + "word " * 1000
    assert len(big) > 1_000_000
    started = time.perf_counter()
    rows, details = metric.score_with_details(sources=[rewrite], candidates=[big])
    assert time.perf_counter() - started < 30
    assert rows[0]["quotes_precision"] < 1.0 and rows[0]["quotes_fabricated"] == 1.0
    assert details is not None and "candidate_unbalanced_quotes" in details[0]["flags"]


def test_harness_score_api() -> None:
    (row,) = harness.score(sources=[SOURCE], candidates=["“ten new schools”"], metrics=["quotes"], details=True)
    assert row["quotes_precision"] == 1.0 and row["details"]["quotes"]["candidate_quotes"][0]["start"] == 1

"""The certainty metric: lexicon cues by category, hand-derived shifts, scope, polarity, the seed pair (issue
10's expectations on the real seed files), details with spans, options, `harness eval`, and bad input."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.errors import HarnessError
from harness.scoring.registry import build_metric
from harness.store.store import read_examples, read_runs
from metrics.certainty.analyse import analyse, split

KEYS = ["certainty_shift", "certainty_flags", "polarity_flips"]


def cues(text: str) -> list[tuple[str, str]]:
    return [(c.category, c.text) for s in analyse(text).sentences for c in s.cues]


def score(source: str, candidate: str) -> dict[str, Any]:
    rows, details = build_metric("certainty").score_with_details(sources=[source], candidates=[candidate])
    assert details is not None
    return {**rows[0], "details": details[0]}


def test_lexicon_categories() -> None:
    assert cues("It is understood that talks failed, informed sources said.") == [
        ("attribution", "It is understood that"),
        ("attribution", "informed sources said"),
    ]
    assert cues("Police are expected to arrive and may stay, though it seems unlikely.") == [
        ("modality", "are expected to"),
        ("modality", "may"),
        ("modality", "it seems"),
        ("modality", "unlikely"),
    ]
    # Approximators count before a figure only ("talks about a plan" is no estimate); the figure is not in
    # the cue (it is what the cue bears on).
    assert cues("An estimated 300 came, nearly 10% more, about 40 in all, talking about a plan.") == [
        ("estimation", "An estimated"),
        ("estimation", "nearly"),
        ("estimation", "about"),
    ]
    assert cues("It's clear that this is, in fact, confirmed and undoubtedly true.") == [
        ("booster", "It's clear that"),
        ("booster", "in fact"),
        ("booster", "confirmed"),
        ("booster", "undoubtedly"),
    ]
    # "May" the month or a name is not the modal; a negated booster asserts nothing.
    assert cues("Talks end in May. Theresa May agreed.") == [("attribution", "agreed")][:0]
    assert cues("Police cannot confirm it.") == [] and cues("Police confirm it.") == [("booster", "confirm")]
    # The plans "announced on Tuesday" are not an attribution; "announced that" is.
    assert cues("The plans announced on Tuesday stand.") == []
    assert cues("The Home Office announced that plans stand.") == [("attribution", "announced that")]


def test_negations_and_idioms() -> None:
    negations = [
        n.text for s in analyse("It did not fail, and they don't know; no one came.").sentences for n in s.negations
    ]
    assert negations == ["not", "n't", "no one"]
    idioms = "Not least because of cost, it is not only cheap, no doubt; it wasn't long before they left."
    assert [n.text for s in analyse(idioms).sentences for n in s.negations] == []
    assert [n.text for s in analyse("they did n't go .").sentences for n in s.negations] == ["n't"]  # PTB style


def test_splitter() -> None:
    text = "Mr. Smith met J. K. Rowling in the U.S. on Monday. “It went well.” he said! Then tokenised . text here"
    assert [text[a:b] for a, b in split(text)] == [
        "Mr. Smith met J. K. Rowling in the U.S. on Monday.",
        "“It went well.” he said!",
        "Then tokenised .",
        "text here",
    ]
    # No split before a lower-case word unless the full stop stands alone (tokenised text).
    assert len(split("He said “no.” and left. e.g. this")) == 1


def test_hand_derived_shifts() -> None:
    # modality "may" dropped (+1), attribution "officials said" dropped (+1): shift 2 in one flagged pair.
    assert [score("The plan may fail, officials said.", "The plan will fail.")[k] for k in KEYS] == [2.0, 1.0, 0.0]
    # A hedge exchanged for another of the same category, or moved: no shift.
    assert score("The plan may fail, officials said.", "Officials said the plan might fail.")["certainty_shift"] == 0
    # Estimation dropped (+1) and a booster added (+1).
    found = score("Sales rose about 5% in March.", "Sales clearly rose 5% in March.")
    assert [found[k] for k in KEYS] == [2.0, 1.0, 0.0]
    (pair,) = found["details"]["pairs"]
    assert [(c["category"], c["text"]) for c in pair["dropped"]] == [("estimation", "about")]
    assert [(c["category"], c["text"]) for c in pair["added"]] == [("booster", "clearly")]
    # More hedged than the source: no shift (shifts are never negative).
    assert score("The plan will fail.", "The plan may fail, officials said.")["certainty_shift"] == 0
    # Net across hedge categories: an attribution exchanged for a modal is no shift.
    assert score("The plan reportedly failed.", "The plan may have failed.")["certainty_shift"] == 0
    # Two sentences, one shifted each way: flags count pairs, shift sums the positive ones.
    two = score(
        "Prices will probably rise in May. Wages are said to be flat.", "Prices will rise in June. Wages are flat."
    )
    assert [two[k] for k in KEYS] == [2.0, 2.0, 0.0]


def test_scope_split_and_alignment() -> None:
    # A hedge dropped together with the words it hedged is a content drop, not a shift.
    dropped = score("The council approved the budget, which may rise next year.", "The council approved the budget.")
    assert dropped["certainty_shift"] == 0
    (pair,) = dropped["details"]["pairs"]
    assert [c["text"] for c in pair["out_of_scope"]] == ["may"]
    # Kept with its words, it counts.
    assert score("The budget may rise next year.", "The budget will rise next year.")["certainty_shift"] == 1
    # A sentence split in two that keeps its attribution in one half: compared together, no shift.
    split_up = score(
        "Rail fares will rise by 5% in March, the transport minister said on Monday.",
        "The transport minister spoke on Monday. She said rail fares will rise by 5% in March.",
    )
    assert split_up["certainty_shift"] == 0 and len(split_up["details"]["pairs"]) == 1
    # A candidate sentence sharing nothing with the source is not compared.
    unrelated = score("Rail fares will rise, the minister said.", "Clearly, the weather was lovely.")
    assert unrelated["certainty_shift"] == 0 and unrelated["details"]["pairs"] == []
    assert unrelated["details"]["unaligned"] == [{"start": 0, "end": 32}]


def test_polarity() -> None:
    flip = score("The council did not approve the plan.", "The council approved the plan.")
    assert [flip[k] for k in KEYS] == [0.0, 0.0, 1.0]
    kept = score("The council did not approve the plan.", "The council didn't approve the plan.")
    assert kept["polarity_flips"] == 0
    # "not least" is no negation; nor is a negation in a clause the candidate dropped.
    assert (
        score("It approved the plan, not least for cost.", "It approved the plan, mainly for cost.")["polarity_flips"]
        == 0
    )
    assert score("It approved the plan but did not fund it.", "It approved the plan.")["polarity_flips"] == 0


def test_seed_pair(repo: Path) -> None:
    source = (repo / "seeds" / "000_4b7b94a5a67c6868.txt").read_text(encoding="utf-8")
    rewrite = (repo / "seeds" / "001_c22f7d92e186d757.txt").read_text(encoding="utf-8")
    found = score(source, rewrite)
    flagged = [p for p in found["details"]["pairs"] if p["shift"] > 0]
    texts = [source[p["source"]["start"] : p["source"]["end"]][:40] for p in flagged]
    # Issue 10: exactly these two, "are expected to" -> "will" and "It is understood that" -> "It is clear that".
    assert texts == ["Police officers and members of the secur", "It is understood that the plans announce"]
    expected, understood = flagged
    assert [c["text"] for c in expected["dropped"]] == ["are expected to"] and expected["added"] == []
    # "informed sources said" -> "According to": the attribution is kept (replaced), not a shift.
    assert [(r["source"]["text"], r["candidate"]["text"]) for r in expected["replaced"]] == [
        ("informed sources said", "According to")
    ]
    assert [c["text"] for c in understood["dropped"]] == ["It is understood that"]
    assert [c["text"] for c in understood["added"]] == ["It is clear that"]
    for cue in understood["dropped"]:
        assert source[cue["start"] : cue["end"]] == cue["text"]
    for cue in understood["added"]:
        assert rewrite[cue["start"] : cue["end"]] == cue["text"]
    assert [found[k] for k in KEYS] == [3.0, 2.0, 0.0]
    # "the government's own figures show" -> "According to official data": a hedge added, no shift.
    figures = next(
        p for p in found["details"]["pairs"] if "figures show" in source[p["source"]["start"] : p["source"]["end"]]
    )
    assert figures["shift"] == 0 and [c["text"] for c in figures["added"]] == ["According to"]


def test_seeds_paragraphs_eval(cli: Callable[..., Any], repo: Path, tmp_path: Path) -> None:
    task = repo / "tasks" / "seeds-paragraphs.yaml"
    result = cli("eval", str(task), "--metrics", "certainty", "--out", str(tmp_path), "--resamples", "50")
    assert result.exit_code == 0, result.stdout + result.stderr
    found, problems = read_runs(tmp_path)
    assert problems == []
    runs = {run.system: run for run in found}
    assert runs["copy"].meta["means"]["certainty_shift"] == 0.0
    rows = {row["id"]: row for row in read_examples(runs["seed-rewrite"].path)}
    assert {i for i, row in rows.items() if row["certainty_flags"] > 0} == {"p04", "p12"}
    assert rows["p12"]["certainty_shift"] == 2.0


def test_options_signature_direction() -> None:
    metric = build_metric("certainty")
    assert metric.signature().startswith("certainty|lexicon:1|analyse:1|compare:1|split:regex|align:f2>=0.2")
    assert build_metric("certainty", {"min_similarity": 0.5}).signature() != metric.signature()
    assert build_metric("certainty", {"cache_size": 0}).signature() == metric.signature()
    assert all(metric.direction(k) == "lower" and metric.bounds(k) == (0.0, float("inf")) for k in KEYS)
    for bad in ({"min_similarity": 0}, {"min_similarity": "x"}, {"cache_size": -1}, {"floor": 0.2}):
        with pytest.raises(HarnessError):
            build_metric("certainty", bad)


def test_cache_gives_the_same_numbers(repo: Path) -> None:
    source = (repo / "seeds" / "000_4b7b94a5a67c6868.txt").read_text(encoding="utf-8")
    rewrite = (repo / "seeds" / "001_c22f7d92e186d757.txt").read_text(encoding="utf-8")
    sources, candidates = [source, source, "It may rain."], [rewrite, source, "It will rain."]
    cached = build_metric("certainty").score_with_details(sources=sources, candidates=candidates)
    uncached = build_metric("certainty", {"cache_size": 0}).score_with_details(sources=sources, candidates=candidates)
    assert cached == uncached


WORDY = st.lists(
    st.sampled_from(
        ["may", "May", "not", "n't", "said", "It is clear that", "about 5", " ", ".", "\n", "the", "plan", "é", "“"]
    )
).map(" ".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=st.one_of(WORDY, st.text()), candidate=st.one_of(WORDY, st.text()))
def test_any_text_gets_a_score(source: str, candidate: str) -> None:
    metric = build_metric("certainty")
    rows, details = metric.score_with_details(sources=[source], candidates=[candidate])
    assert list(rows[0]) == KEYS and all(v >= 0 for v in rows[0].values())
    assert rows[0]["certainty_flags"] <= rows[0]["certainty_shift"]
    assert details is not None
    json.dumps(details)
    for pair in details[0]["pairs"]:
        for cue in pair["dropped"]:
            assert source[cue["start"] : cue["end"]] == cue["text"]
        for cue in pair["added"]:
            assert candidate[cue["start"] : cue["end"]] == cue["text"]


def test_empty_and_megabyte_inputs(repo: Path) -> None:
    source = (repo / "seeds" / "000_4b7b94a5a67c6868.txt").read_text(encoding="utf-8")
    rewrite = (repo / "seeds" / "001_c22f7d92e186d757.txt").read_text(encoding="utf-8")
    metric = build_metric("certainty")
    zero = {"certainty_shift": 0.0, "certainty_flags": 0.0, "polarity_flips": 0.0}
    assert (
        metric.score(sources=["", "It may rain.", "", "..."], candidates=["", "", "It will rain.", "!!"]) == [zero] * 4
    )
    started = time.perf_counter()
    # A megabyte: the rewrite repeated; and a megabyte with no full stop at all, full of cues.
    big = (rewrite + "\n") * (1_000_000 // (len(rewrite) + 1) + 1)
    (row,) = metric.score(sources=[source], candidates=[big])
    assert row["certainty_flags"] >= 2
    metric.score(sources=[source], candidates=["it is clear that the plans said may not " * 25_000])
    assert time.perf_counter() - started < 30

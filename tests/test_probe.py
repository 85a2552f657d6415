"""The probe suite (harness/probe): each generator edits exactly the spans it reports, in the way it says;
margins and expectations; reproducibility; --fail-under; blind spots; the matrix in the report.

The generator tests run every probe over texts written to offer what each probe edits (figures, entities,
negations, hedges, quotes, several sentences, contractions, "UK"), with several seeds, and check the result
against the candidate independently of the probe's own code: rebuilding the text from the reported edits, and
reading what each edit replaced.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from harness.probe import runner
from harness.probe.base import Edit, Perturbation, Probe, all_probes, apply, aspect
from harness.probe.numbers import figures

SOURCE = (
    "UK security experts will help France to protect the Paris Olympics, the Home Office has said. "
    "It is understood that 745,000 people, or nearly 10% of visitors, are expected to attend in 2024. "
    "\u201cWe will work closely together,\u201d said Gérald Darmanin. James Cleverly did not comment."
)
CANDIDATES = [
    "The Home Office said UK experts will help France protect the Paris Olympics. About 745,000 people, "
    "nearly 10% of visitors, are expected to attend in 2024. Darmanin said: \u201cWe will work closely "
    "together.\u201d Cleverly didn't comment.",
    'The United Kingdom may help France. "It is a fine plan," Cleverly said. It\'s understood that 10% will go.',
    "Police officers will work alongside French officials at the Olympics, which begin in July.",
    "Short.",
    "",
]
KEYS = {
    "rouge1_p": "higher",
    "rouge1_r": "higher",
    "rouge1_f": "higher",
    "numeric_precision": "higher",
    "numeric_n_source": "none",
    "entities_precision": "higher",
    "entities_recall": "higher",
    "quotes_fabricated": "lower",
    "polarity_flips": "lower",
}
PROBES = {probe.name: probe for probe in all_probes()}
Cli = Callable[..., Any]


def perturbations(probe: Probe) -> list[tuple[str, Perturbation]]:
    found = []
    for candidate in CANDIDATES:
        for seed in range(4):
            result = probe.perturb(candidate, source=SOURCE, rng=np.random.default_rng(seed), keys=KEYS)
            if result is not None:
                found.append((candidate, result))
    return found


def test_the_suite_has_every_probe_of_the_issue() -> None:
    assert list(PROBES) == [
        "number_out",
        "number_swap",
        "entity_out",
        "entity_swap",
        "negation",
        "certainty",
        "quotes_removed",
        "quotes_wrapped",
        "shuffle",
        "truncate",
        "copy_source",
        "curly_quotes",
        "reflow",
        "contractions",
        "uk_alias",
    ]
    kinds = {name: probe.kind for name, probe in PROBES.items()}
    assert [n for n, k in kinds.items() if k == "invariance"] == ["curly_quotes", "reflow", "contractions", "uk_alias"]


@pytest.mark.parametrize("name", list(PROBES))
def test_each_probe_changes_exactly_the_spans_it_reports(name: str) -> None:
    probe = PROBES[name]
    found = perturbations(probe)
    assert found, f"{name} found nothing to edit in any test text"
    for candidate, result in found:
        assert apply(candidate, result.edits) == result.text != candidate
        at = 0
        for edit in result.edits:  # sorted, disjoint, and each one a real change
            assert at <= edit.start <= edit.end <= len(candidate)
            assert candidate[edit.start : edit.end] != edit.new
            at = edit.end
        assert result.frank == probe.frank and result.note
        # Everything outside the reported spans is the candidate's own text, in order.
        outside = [candidate[a.end : b.start] for a, b in zip(result.edits, result.edits[1:])]
        assert all(piece in result.text for piece in outside)
        assert result.text.startswith(candidate[: result.edits[0].start])
        assert result.text.endswith(candidate[result.edits[-1].end :])
        check_edit(name, candidate, result.edits, result.text)


def old_new(candidate: str, edits: tuple[Edit, ...]) -> list[tuple[str, str]]:
    return [(candidate[e.start : e.end], e.new) for e in edits]


def check_edit(name: str, candidate: str, edits: tuple[Edit, ...], text: str) -> None:
    """What each probe's edit must be, read from the candidate (not from the probe's code)."""
    pairs = old_new(candidate, edits)
    source_figures = {f.group().replace(",", "") for f in figures(SOURCE)}
    if name == "number_out":
        ((old, new),) = pairs
        assert old.replace(",", "") in source_figures and new.replace(",", "") not in source_figures
        assert re.fullmatch(r"[\d,.]+", new) and len(old.split(".")[0]) == len(new.split(".")[0])
    elif name == "number_swap":
        (a, b), (c, d) = pairs
        assert (a, b) == (d, c) and a != c
    elif name == "entity_out":
        ((old, new),) = pairs
        assert old in SOURCE and new not in SOURCE and new not in candidate
    elif name == "entity_swap":
        ((old, new),) = pairs
        assert old in SOURCE and new in SOURCE and old != new
    elif name == "negation":
        ((old, new),) = pairs
        inserted = old == "" and new == " not"
        removed = new == "" and old.strip().lower() in ("not", "never", "n't", "n\u2019t")
        contracted = (old.lower(), new.lower()) in (("on't", "ill"), ("n't", "n"))  # won't -> will, can't -> can
        assert inserted or removed or contracted, (old, new)
    elif name == "certainty":
        ((old, new),) = pairs
        hedge = re.search(r"understood|expected|may|might|could|reportedly|about|nearly|likely", old, re.I)
        assert hedge or (old == "" and new == " certainly") or new.startswith("It is clear that ")
    elif name == "quotes_removed":
        assert [p for p in pairs] in ([("\u201c", ""), ("\u201d", "")], [('"', ""), ('"', "")])
    elif name == "quotes_wrapped":
        assert pairs == [("", "\u201c"), ("", "\u201d")]
        quoted = text[edits[0].start : edits[1].end + 1]
        assert len(quoted.split()) >= 4 and quoted.strip("\u201c\u201d") not in SOURCE
    elif name == "shuffle":
        ((old, new),) = pairs
        assert sorted(old) == sorted(new) and old != new  # the same characters, sentences in another order
    elif name == "truncate":
        ((old, new),) = pairs
        assert new == "" and edits[0].end == len(candidate) and edits[0].start > 0
    elif name == "copy_source":
        assert text == SOURCE
    elif name == "curly_quotes":
        straight = {'"': "\u201c\u201d", "'": "\u2018\u2019"}
        curly = {"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"}
        assert all(new in straight.get(old, "") or curly.get(old) == new for old, new in pairs)
    elif name == "reflow":
        assert all(pair == (" ", "\n") for pair in pairs)
    elif name == "contractions":  # the test texts hold "didn't" and "It's understood": both expanded
        assert {(o.replace("\u2019", "'").lower(), n.lower()) for o, n in pairs} <= {
            ("didn't", "did not"),
            ("it's", "it is"),
        }
    elif name == "uk_alias":
        assert set(pairs) <= {("UK", "United Kingdom"), ("United Kingdom", "UK")}
    else:
        raise AssertionError(f"no edit check for probe {name}")


def test_probes_are_reproducible_for_a_seed() -> None:
    for probe in PROBES.values():
        for candidate in CANDIDATES[:2]:
            first = probe.perturb(candidate, source=SOURCE, rng=np.random.default_rng(7), keys=KEYS)
            again = probe.perturb(candidate, source=SOURCE, rng=np.random.default_rng(7), keys=KEYS)
            assert first == again
    drawn = {
        PROBES["number_out"].perturb(CANDIDATES[0], source=SOURCE, rng=np.random.default_rng(s), keys=KEYS).text  # type: ignore[union-attr]
        for s in range(6)
    }
    assert len(drawn) > 1  # the seed matters


def test_nothing_to_edit_gives_none() -> None:
    for name in ("number_out", "number_swap", "quotes_removed", "uk_alias", "shuffle", "contractions"):
        assert PROBES[name].perturb("Short.", source=SOURCE, rng=np.random.default_rng(0), keys=KEYS) is None
    assert PROBES["copy_source"].perturb(SOURCE, source=SOURCE, rng=np.random.default_rng(0), keys=KEYS) is None


# --- expectations, margins, success ---------------------------------------------------------------------------


def test_expectations_follow_direction_and_aspect() -> None:
    assert [aspect(k) for k in ("rouge1_p", "rouge1_r", "rougeLsum_f", "numeric_recall", "quotes_kept")] == [
        "support",
        "coverage",
        "both",
        "coverage",
        "coverage",
    ]
    negation = PROBES["negation"].expectations(KEYS)  # damages support: recall keys untested, counts excluded
    assert negation == {
        "rouge1_p": "worse",
        "rouge1_f": "worse",
        "numeric_precision": "worse",
        "entities_precision": "worse",
        "quotes_fabricated": "worse",
        "polarity_flips": "worse",
    }
    assert set(PROBES["truncate"].expectations(KEYS)) == {"rouge1_r", "rouge1_f", "entities_recall"}
    assert set(PROBES["uk_alias"].expectations(KEYS).values()) == {"same"}
    assert set(PROBES["copy_source"].expectations(KEYS).values()) == {"not_worse"}
    assert PROBES["uk_alias"].designated_keys(KEYS) == [
        "numeric_precision",
        "entities_precision",
        "entities_recall",
        "quotes_fabricated",
        "polarity_flips",
    ]
    assert PROBES["truncate"].designated_keys(KEYS) == ["rouge1_r", "entities_recall"]


def test_margin_is_half_the_pooled_sd_across_systems() -> None:
    # Per-item sample variances across the two systems: 0.02 and 0.08; pooled SD sqrt(0.05); half of it.
    margin, how = runner._margin([[0.5, 1.0], [0.7, 0.6]], count=False)
    assert how == "across-systems" and margin == pytest.approx(0.5 * 0.05**0.5)
    margin, how = runner._margin([[0.5, 1.0, 0.0]], count=False)  # one system: the SD across items
    assert how == "across-items" and margin == pytest.approx(0.25)
    assert runner._margin([[0.3]], count=False) == (0.0, "single-item")
    assert runner._margin([[1.0, 2.0], [0.0, 5.0]], count=True) == (1.0, "one-flag")


def test_success_respects_direction_margin_and_counts() -> None:
    higher = runner.KeyInfo("x_p", "x", "higher", False, 0.1, "across-systems")
    lower_count = runner.KeyInfo("x_flags", "x", "lower", True, 1.0, "one-flag")
    assert runner.success("worse", higher, 0.9, 0.7) and not runner.success("worse", higher, 0.9, 0.85)
    assert runner.success("same", higher, 0.9, 0.85) and not runner.success("same", higher, 0.9, 1.01)
    assert runner.success("not_worse", higher, 0.9, 1.0) and not runner.success("not_worse", higher, 0.9, 0.7)
    assert runner.success("better", higher, 0.5, 0.7)
    assert runner.success("worse", lower_count, 0.0, 1.0) and not runner.success("worse", lower_count, 1.0, 1.0)
    assert runner.success("same", lower_count, 2.0, 2.0) and not runner.success("same", lower_count, 2.0, 1.0)


# --- the command ---------------------------------------------------------------------------------------------

FAST = "rouge,numeric,entities"


def probe(cli: Cli, out: Path, *args: str) -> Any:
    return cli("probe", "seeds-paragraphs", "--metrics", FAST, "--n", "8", "--out", str(out), *args)


@pytest.mark.slow
def test_probe_json_is_reproducible_and_saved(cli: Cli, tmp_path: Path) -> None:
    first = probe(cli, tmp_path / "a", "--format", "json")
    second = probe(cli, tmp_path / "b", "--format", "json")
    assert first.exit_code == second.exit_code == 0, first.stderr
    assert first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert data["task"] == "seeds-paragraphs" and len(data["items"]) == 8 and data["seed"] == 1234
    assert set(data["metrics"]) == {"rouge", "numeric", "entities"}
    assert [p["name"] for p in data["probes"]] == list(PROBES)
    saved = list((tmp_path / "a" / "_probes" / "seeds-paragraphs").glob("*.json"))
    assert len(saved) == 1 and json.loads(saved[0].read_text(encoding="utf-8")) == data
    by_name = {p["name"]: p for p in data["probes"]}
    # Facts that follow from the definitions: a figure changed to a value the source lacks is unsupported, so
    # numeric precision falls on every item; an entity replaced by another of the source stays supported, so
    # entity precision never falls; a hedge, a negation or a fabricated quote is seen by none of these three
    # metrics (blind spots); "UK" -> "United Kingdom" moves neither numeric nor entity scores (the alias table).
    assert by_name["number_out"]["detection"]["rate"] == 1.0
    assert by_name["entity_swap"]["n"] > 0 and by_name["entity_swap"]["cells"]["entities_precision"]["rate"] == 0.0
    assert {"certainty", "negation", "quotes_wrapped"} <= set(data["blind_spots"])
    assert "number_out" not in data["blind_spots"] and "entity_out" not in data["blind_spots"]
    assert by_name["uk_alias"]["detection"]["rate"] == 1.0
    for item in by_name["number_out"]["edits"]:
        (edit,) = item["edits"]
        assert re.fullmatch(r"[\d,.]+", edit["old"]) and edit["old"] != edit["new"]
    other_seed = cli(
        "probe",
        "seeds-paragraphs",
        "--metrics",
        FAST,
        "--n",
        "8",
        "--seed",
        "5",
        "--format",
        "json",
        "--out",
        str(tmp_path / "c"),
    )
    assert json.loads(other_seed.stdout)["items"] != data["items"]


@pytest.mark.slow
def test_fail_under_gates_and_the_report_shows_the_matrix(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "results"
    passed = probe(cli, out, "--fail-under", "0")
    assert passed.exit_code == 0, passed.stderr
    assert "probe x metric matrix" in passed.stdout and "Blind spots" in passed.stdout
    # On all 16 paragraphs some probe is missed on an item (on 8, every gated probe is caught: none to fail).
    failed = probe(cli, out, "--n", "16", "--format", "json", "--fail-under", "1")
    assert failed.exit_code == 1
    below = {
        p["name"]
        for p in json.loads(failed.stdout)["probes"]
        if p["detection"] and p["detection"]["rate"] is not None and p["detection"]["rate"] < 1
    }
    named = set(re.findall(r"^probe below --fail-under: (\w+):", failed.stderr, re.M))
    assert below and named == below
    markdown = probe(cli, out, "--format", "md")
    assert markdown.stdout.startswith("### seeds-paragraphs: probe x metric matrix")
    bad = cli("probe", "seeds-paragraphs", "--metrics", "nope", "--fail-under", "0.5", "--out", str(out))
    assert bad.exit_code == 2 and "unknown metric 'nope'" in bad.stderr
    assert cli("eval", "--metrics", "rouge,numeric", "--out", str(out)).exit_code == 0
    html_file, md_file = tmp_path / "r.html", tmp_path / "r.md"
    done = cli("report", "--results", str(out), "--out", str(html_file), "--markdown", str(md_file))
    assert done.exit_code == 0, done.stderr
    page = html_file.read_text(encoding="utf-8")
    assert page.count('class="probe-row') == len(PROBES) and "Probes: which errors each metric sees" in page
    assert "probe x metric matrix" in md_file.read_text(encoding="utf-8")


def test_a_report_without_probe_results_has_no_matrix(tmp_path: Path) -> None:
    from harness.probe import render

    assert render.report_html(tmp_path, "seeds-paragraphs") == ""
    assert render.report_markdown(tmp_path, "seeds-paragraphs") == ""


def test_probed_system_and_margins_follow_the_task(cli: Cli, make_task: Callable[..., Path], tmp_path: Path) -> None:
    """The first file: system is probed and every system sets the margins; without systems, the sources are
    probed and the margin falls back to the spread across items."""
    task = make_task()  # systems: mine (file:cands.jsonl), copy
    found = json.loads(
        cli("probe", str(task), "--metrics", "numeric", "--format", "json", "--out", str(tmp_path)).stdout
    )
    assert found["probed_system"] == "mine" and found["margin_systems"] == ["mine", "copy"]
    assert found["keys"]["numeric_precision"]["margin_from"] == "across-systems"
    body = task.read_text(encoding="utf-8").split("systems:")[0]
    task.write_text(body, encoding="utf-8")
    alone = json.loads(
        cli("probe", str(task), "--metrics", "numeric", "--format", "json", "--out", str(tmp_path)).stdout
    )
    assert alone["probed_system"] == "(source)" and alone["margin_systems"] == []
    assert alone["keys"]["numeric_precision"]["margin_from"] == "across-items"
    assert {p["name"]: p["n"] for p in alone["probes"]}["copy_source"] == 0

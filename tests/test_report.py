"""``harness report``: data gathering, the HTML and Markdown it writes, the command, and the page in Chromium.

The runs come from ``harness eval`` on a three-example task written here; one system's ``examples.jsonl`` is
then given hand-made ``details.numeric.discrepancies`` in the shape the numeric metric will write.
"""

from __future__ import annotations

import json
import os
import shutil
import textwrap
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from harness.report.highlight import align, paragraphs, sentences, unsupported, words
from harness.report.report import build_report, discrepancies, load_sources, render_html, render_markdown, unpack_data
from harness.store.store import read_runs

Cli = Callable[..., Any]
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")

SOURCES = {
    "a": "The cat sat on the mat. It was warm.\n\nThe dog slept by the door.",
    "b": "Prices rose 5% in March. Analysts expected 3%.",
    "c": "The council approved the plan on Tuesday.",
}
CANDIDATES = {
    "a": "The cat sat on a red mat.\n\nThe dog barked at the door.",
    "b": "Prices rose 7% in March. Analysts expected 3%.",
    "c": "On Tuesday the council approved the plan. </script><script>alert(1)</script>",
}
# Offsets into the candidate (no cleaning here, so the scored candidate is the candidate).
DISCREPANCIES = [
    {"kind": "value", "text": "7%", "start": 12, "end": 14, "source": {"text": "5%", "start": 12, "end": 14}},
    {"kind": "unsupported", "text": "March", "start": 18, "end": 23, "source": None},
    {"kind": "value", "text": "wrong", "start": 0, "end": 3, "source": None},  # offsets that do not match
]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def make_results(root: Path) -> Path:
    """A task, ``harness eval`` of two systems on it, and numeric details added to the ``mine`` run."""
    from harness.cli import app

    write_jsonl(root / "data.jsonl", [{"id": k, "source": v} for k, v in SOURCES.items()])
    write_jsonl(root / "cands.jsonl", [{"id": k, "candidate": v} for k, v in CANDIDATES.items()])
    (root / "task.yaml").write_text(
        textwrap.dedent("""\
        name: tiny
        version: 1
        kind: rewrite
        data: data.jsonl
        metrics: [rouge, numeric, extractiveness]
        primary: rougeLsum_f
        systems: {mine: file:cands.jsonl, copy: copy}
        """),
        encoding="utf-8",
    )
    out = root / "results"
    result = CliRunner().invoke(app, ["eval", str(root / "task.yaml"), "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    (mine,) = (out / "tiny" / "mine").iterdir()
    rows = [json.loads(line) for line in (mine / "examples.jsonl").read_text(encoding="utf-8").splitlines()]
    rows[1]["details"] = {"numeric": {"discrepancies": DISCREPANCIES}}
    write_jsonl(mine / "examples.jsonl", rows)
    return out


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_results(tmp_path_factory.mktemp("report"))


@pytest.fixture
def private_results(tmp_path: Path) -> Path:
    """Results whose task files a test may change or delete."""
    return make_results(tmp_path)


@pytest.fixture(scope="module")
def page(results: Path) -> str:
    return render_html(build_report(results))


# --- text: tokens, shading, alignment, discrepancies -----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["The cats were running, 3.5% faster!", "İstanbul's K-pop (Kelvin sign: \u212a) co-operates", "", "  ... "],
)
def test_words_are_rouge_score_tokens_with_offsets(text: str) -> None:
    from nltk.stem import porter
    from rouge_score import tokenize

    found = words(text)
    assert [t for t, _, _ in found] == tokenize.tokenize(text, porter.PorterStemmer())
    for token, start, end in found:
        assert words(text[start:end]) == [(token, 0, end - start)]


def test_unsupported_words_new_and_new_pairing() -> None:
    # "a" is not in the source; "mat" is, but "a mat" is not and "mat" has no following word.
    spans = unsupported("the cat sat on a mat", "the cat sat on the mat")
    assert spans == [(15, 16, "new"), (17, 20, "pairing")]
    assert unsupported("the cat", "the cat sat") == []
    assert unsupported("cats", "the cat") == []  # Porter stems: cats -> cat
    assert unsupported("cats", "the cat", stem=False) == [(0, 4, "new")]


def test_paragraphs_and_sentences_are_spans_of_the_text() -> None:
    text = "One. Two.\n\n  Three.\n"
    assert [text[a:b] for a, b in paragraphs(text)] == ["One. Two.", "Three."]
    assert [("x\ny\n")[a:b] for a, b in paragraphs("x\ny\n")] == ["x", "y"]
    assert [text[a:b] for a, b in sentences(text)] == ["One.", "Two.", "Three."]


def test_align_paragraphs_when_counts_match_else_best_sentence() -> None:
    source = "Cats purr.\n\nDogs bark."
    units, beside = align(source, paragraphs(source), "Cats do purr.\n\nDogs bark loudly.")
    assert beside == [[0], [1]] and len(units) == 2
    units, beside = align(source, paragraphs(source), "Dogs bark. Cats purr. Zebras.")
    assert beside == [[1, 2], [0]]  # "Zebras." overlaps nothing: it stays beside the sentence before it


def test_discrepancies_are_checked_against_the_texts() -> None:
    row = {"details": {"numeric": {"discrepancies": DISCREPANCIES}}}
    found = discrepancies(row, CANDIDATES["b"], SOURCES["b"])
    assert [d["span"] for d in found] == [[12, 14], [18, 23], None]
    assert [d["source_span"] for d in found] == [[12, 14], None, None]
    assert discrepancies(row, CANDIDATES["b"], None)[0]["source_span"] is None  # no source: nothing to point at
    assert discrepancies({"details": {}}, "x", "x") == []
    assert discrepancies({"details": {"numeric": {"discrepancies": "junk"}}}, "x", "x") == []


# --- sources: found through the task file and checked --------------------------------------------------------


def the_run(results: Path) -> Any:
    runs, _ = read_runs(results, "tiny")
    return next(run for run in runs if run.system == "mine")


def test_sources_load_through_the_task_file(results: Path) -> None:
    texts, note = load_sources(the_run(results))
    assert note is None and texts == SOURCES


def test_sources_missing_task_file_gives_a_note(private_results: Path) -> None:
    (private_results.parent / "task.yaml").unlink()
    texts, note = load_sources(the_run(private_results))
    assert texts is None and note is not None and "not found" in note


def test_sources_changed_data_gives_a_note(private_results: Path) -> None:
    data = private_results.parent / "data.jsonl"
    data.write_text(data.read_text(encoding="utf-8").replace("cat", "bat"), encoding="utf-8")
    texts, note = load_sources(the_run(private_results))
    assert texts is None and note is not None and "sha256" in note


def test_sources_changed_clean_rules_give_a_note(private_results: Path) -> None:
    task = private_results.parent / "task.yaml"
    task.write_text(task.read_text(encoding="utf-8") + "clean: ['Junk.*']\n", encoding="utf-8")
    texts, note = load_sources(the_run(private_results))
    assert texts is None and note is not None and "clean rules" in note


def test_report_without_sources_shows_candidates_and_says_why(private_results: Path) -> None:
    (private_results.parent / "data.jsonl").unlink()
    report = build_report(private_results)
    (board,) = report.boards
    assert board.note is not None and "cannot be read" in board.note
    assert all(example["source"] is None for example in board.examples)
    # The candidate is shown whole, and the numeric discrepancy is still marked in it.
    pieces = board.examples[1]["systems"]["mine"]["units"][0]
    assert "".join(p[0] for p in pieces) == CANDIDATES["b"]
    assert pieces[1][:2] == ["7%", "num"]
    assert "Sources not shown" in render_html(report)


# --- gathering and rendering -------------------------------------------------------------------------------


def test_report_gathers_every_example_of_every_system(results: Path) -> None:
    (board,) = build_report(results).boards
    assert [run.system for run in board.board.ranked] == ["copy", "mine"]
    assert {(r["id"], r["system"]) for r in board.rows} == {(i, s) for i in SOURCES for s in ("copy", "mine")}
    worst = board.worst["mine"]
    assert len(worst) == 3
    assert [r["scores"]["rougeLsum_f"] for r in worst] == sorted(r["scores"]["rougeLsum_f"] for r in worst)
    # Example a aligns paragraph to paragraph; "a" and "red" are new words, "barked" is new.
    view = board.examples[0]["systems"]["mine"]
    assert view["beside"] == [[0], [1]]
    shaded = {p[0]: p[1] for unit in view["units"] for p in unit if p[1]}
    assert shaded["a"] == "new" and shaded["red"] == "new" and shaded["barked"] == "new"
    # Example b: the contradicted source figure is marked in the source with its tooltip.
    source_marks = [p for unit in board.examples[1]["source"] for p in unit if p[1]]
    assert source_marks == [["5%", "num-src", "mine: value: '7%', source says '5%'"]]


class Page(HTMLParser):
    """What the tests need from the page: tags with their attributes, and the report's JSON data."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.data: Any = None
        self._in_data = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        self.tags.append((tag, found))
        self._in_data = found.get("id") == "report-data"

    def handle_data(self, data: str) -> None:
        if self._in_data:
            self.data = unpack_data(data)
            self._in_data = False

    def having(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())]


def test_html_has_leaderboard_plots_and_every_example(page: str) -> None:
    parsed = Page()
    parsed.feed(page)
    assert [a["data-system"] for a in parsed.having("tr", **{"class": "board-row"})] == ["copy", "mine"]
    ids = {a.get("id", "") for _, a in parsed.tags}
    assert {"plot-means-tiny", "plot-scores-tiny", "plot-novelty-tiny", "fidelity-novelty-0", "drill-0"} <= ids
    # The fidelity-novelty view: copy is a near-copy, marked in the leaderboard and in the view's table.
    assert [a["data-system"] for a in parsed.having("tr") if "data-system" in a and not a.get("class")] == [
        "copy",
        "mine",
    ]
    assert page.count('<span class="near-copy"') == 1 and "Near-copy: mean extractiveness_coverage" in page
    rows = parsed.having("tr", **{"class": "ex-row"})
    assert sorted((a["data-ex"], a["data-system"]) for a in rows) == sorted(
        (str(i), s) for i in range(3) for s in ("copy", "mine")
    )
    assert [e["id"] for e in parsed.data[0]["examples"]] == list(SOURCES)
    assert "Plotly.newPlot" in page and page.count("plotly.js v") <= 2  # the library inlined once


def test_html_loads_nothing_from_a_network(page: str) -> None:
    parsed = Page()
    parsed.feed(page)
    for tag, attrs in parsed.tags:
        for name in ("src", "href"):
            value = attrs.get(name, "")
            assert not value.startswith(("http:", "https:", "//")), (tag, attrs)
        assert not (tag == "script" and "src" in attrs), attrs  # every script is inline
        assert not (tag == "link" and attrs.get("rel") == "stylesheet"), attrs


def test_html_escapes_candidate_text(page: str) -> None:
    assert "</script><script>alert" not in page
    parsed = Page()
    parsed.feed(page)  # the data block is not cut short by the candidate's "</script>"
    units = parsed.data[0]["examples"][2]["systems"]["mine"]["units"]
    assert "".join(piece[0] for unit in units for piece in unit).endswith("</script><script>alert(1)</script>")


def test_markdown_has_leaderboard_and_worst_examples(results: Path) -> None:
    text = render_markdown(build_report(results))
    assert "### tiny: ranked by rougeLsum_f" in text
    assert "| 1 | copy (near-copy) | 3 |" in text  # the source itself: marked as a near-copy
    assert "#### Fidelity-novelty: novelty = extractiveness_novel2" in text
    assert "#### Worst examples: the 3 lowest rougeLsum_f per system" in text
    worst = [line for line in text.split("#### Worst examples")[1].splitlines() if line.startswith("| mine | ")]
    assert len(worst) == 3 and all(line.count(" | ") == 3 for line in worst)
    assert "&lt;/script&gt;" in text  # raw HTML in a candidate does not become HTML in a pull request


# --- the command -------------------------------------------------------------------------------------------


def test_cli_writes_html_and_markdown(cli: Cli, results: Path, tmp_path: Path) -> None:
    out, md = tmp_path / "report.html", tmp_path / "report.md"
    result = cli("report", "--results", str(results), "--out", str(out), "--markdown", str(md))
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert "Worst examples" in md.read_text(encoding="utf-8")
    assert f"wrote {out}" in result.stderr


def test_cli_missing_results_folder_is_one_line_error(cli: Cli, tmp_path: Path) -> None:
    result = cli("report", "--results", str(tmp_path / "nope"), "--out", str(tmp_path / "r.html"))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "results folder not found" in result.stderr
    assert not (tmp_path / "r.html").exists()


def test_cli_unknown_task_and_unwritable_out(cli: Cli, results: Path, tmp_path: Path) -> None:
    result = cli("report", "--results", str(results), "--task", "nope", "--out", str(tmp_path / "r.html"))
    assert result.exit_code == 1 and "no runs of task 'nope'" in result.stderr
    result = cli("report", "--results", str(results), "--out", str(tmp_path / "missing" / "r.html"))
    assert result.exit_code == 1 and "cannot write report" in result.stderr


def test_cli_notes_missing_sources(cli: Cli, private_results: Path, tmp_path: Path) -> None:
    (private_results.parent / "task.yaml").unlink()
    result = cli("report", "--results", str(private_results), "--out", str(tmp_path / "r.html"))
    assert result.exit_code == 0
    assert "note: tiny: sources not shown: task file" in result.stderr


# --- in a real browser -------------------------------------------------------------------------------------


@pytest.fixture
def browser(tmp_path: Path) -> Any:
    """Headless Debian Chromium through Selenium and Debian's chromedriver (Selenium Manager downloads nothing)."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        reason = f"{CHROMIUM} or {CHROMEDRIVER} not found (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(reason + ": CI must run the browser test")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_window_size(1280, 900)
    yield driver
    driver.quit()
    shutil.rmtree(tmp_path / "chromium-profile", ignore_errors=True)


@pytest.mark.slow
def test_report_renders_and_responds_in_chromium(browser: Any, results: Path, page: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    path = tmp_path / "report.html"
    path.write_text(page, encoding="utf-8")
    browser.get(path.as_uri())
    find, find_all = browser.find_element, browser.find_elements
    # The drill-down data is inflated asynchronously (gzip + base64 in the page); the handlers are bound after it.
    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, "section.board[data-ready='true']"))
    assert [tr.get_attribute("data-system") for tr in find_all(By.CSS_SELECTOR, "tr.board-row")] == ["copy", "mine"]
    assert [tr.text.split()[1] for tr in find_all(By.CSS_SELECTOR, "tr.board-row")] == ["copy", "mine"]
    for plot in ("plot-means-tiny", "plot-scores-tiny", "plot-novelty-tiny"):  # drawn by plotly.js: an SVG
        assert find_all(By.CSS_SELECTOR, f"#{plot} svg.main-svg"), plot
    assert len(find_all(By.CSS_SELECTOR, "#plot-scores-tiny g.trace.boxes")) == 2
    # The fidelity-novelty scatter: one point per system (named in the legend), the Pareto front as a line.
    scatter = find(By.ID, "plot-novelty-tiny")
    assert [t.text for t in scatter.find_elements(By.CSS_SELECTOR, "g.legend text.legendtext")] == [
        "copy (near-copy)",
        "mine",
        "Pareto front",
    ]
    assert len(scatter.find_elements(By.CSS_SELECTOR, "g.trace.scatter path.point")) == 2
    assert scatter.find_elements(By.CSS_SELECTOR, "g.trace.scatter path.js-line")
    assert [td.text for td in find_all(By.CSS_SELECTOR, "table.novelty td.near")] == ["yes", ""]
    browser.save_screenshot(str(tmp_path / "top.png"))

    # Sorting by rougeLsum_f puts the worst example first; clicking it opens its side-by-side view.
    Select(find(By.CSS_SELECTOR, ".system-filter")).select_by_visible_text("mine")
    header = find(By.CSS_SELECTOR, "table.examples th[data-key='rougeLsum_f']")
    column = int(header.get_property("cellIndex"))
    header.click()
    visible = [tr for tr in find_all(By.CSS_SELECTOR, "table.examples tbody tr") if tr.is_displayed()]
    values = [float(tr.find_elements(By.TAG_NAME, "td")[column].text) for tr in visible]
    assert len(visible) == 3 and values == sorted(values)
    worst_id = visible[0].find_element(By.TAG_NAME, "td").text
    visible[0].click()
    drill = find(By.ID, "drill-0")
    assert drill.find_element(By.TAG_NAME, "h3").text == f"Example {worst_id}"
    heads = [h.text for h in drill.find_elements(By.CSS_SELECTOR, ".side > .head")]
    assert heads == ["Source", "mine"]
    assert drill.find_elements(By.CSS_SELECTOR, ".cell.cand .w-new")

    # A second system side by side; then example b, whose numeric discrepancy points at the source figure.
    Select(drill.find_element(By.CSS_SELECTOR, "select.pick-other")).select_by_visible_text("copy")
    drill = find(By.ID, "drill-0")
    assert [h.text for h in drill.find_elements(By.CSS_SELECTOR, ".side > .head")] == ["Source", "mine", "copy"]
    find(By.CSS_SELECTOR, "table.examples tr[data-ex='1'][data-system='mine']").click()
    drill = find(By.ID, "drill-0")
    assert [e.text for e in drill.find_elements(By.CSS_SELECTOR, ".cand .w-num")] == ["7%", "March"]
    assert drill.find_element(By.CSS_SELECTOR, ".src .w-num-src").text == "5%"
    assert "value: “7%” vs source “5%”" in drill.text
    browser.save_screenshot(str(tmp_path / "drill.png"))
    assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]

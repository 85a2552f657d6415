"""The README's and the docs' examples, run; the docs site, built.

Every fenced block in ``README.md`` and ``docs/**/*.md`` must say what it is, and this file holds it to that:

- ``sh`` (or ``bash``) blocks run with bash (``-e -o pipefail``), ``python`` blocks with this interpreter, each
  in a fresh working folder per page (blocks of a page run in order and share it, so a page can run ``harness
  eval`` and then ``harness leaderboard`` on what it wrote). The folder links the checkout's read-only parts
  (``seeds``, ``metrics``, ``docs``) so commands read as they would in a checkout; the
  venv's ``bin`` is first on ``PATH``; the Hugging Face libraries are offline. A block must exit 0, or the code
  a marker ``<!-- doc-test: exit N -->`` just above it names.
- A ``text`` block right after a block that runs (only blank lines between) is that block's output: it is
  compared with what the block wrote to stdout, after normalising run ids, timestamps, durations ("in 12.0 s"),
  the working folder's path, and the versions of dependencies pyproject.toml does not pin as signatures print
  them. A line ``...`` in the shown output stands for any number of lines (for long outputs shown in part).
- A block that cannot run here (it needs a model server, the network, or is the test suite itself) carries
  ``<!-- doc-test: skip REASON -->``; a ``text`` block quoted from a longer run than the suite can afford carries
  ``<!-- doc-test: evidence COMMAND -->`` naming the command that produced it. Neither is checked; both are
  counted, and an unmarked ``text`` block that follows nothing runnable is an error.
- ``yaml`` and ``json`` blocks must parse.

The docs site is built with ``mkdocs build --strict`` (its CLI reference is generated from the typer app at build
time by ``docs/hooks/cli_reference.py``).
"""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
LINKED = ("seeds", "metrics", "docs")  # read by the pages; nothing a page writes may land in them
RUNS = {"sh", "bash", "python"}
PARSED = {"yaml", "json"}
FENCE = re.compile(r"^(`{3,})\s*([\w+-]*)\s*$")
MARKER = re.compile(r"^<!--\s*doc-test:\s*(skip|evidence|exit)\b\s*(.*?)\s*-->\s*$")
BLOCK_TIMEOUT_S = 300


@dataclass
class Block:
    path: Path
    line: int  # 1-based line of the opening fence
    lang: str
    text: str
    marker: tuple[str, str] | None  # (kind, argument) of a doc-test marker just above the fence
    follows: Block | None  # the block just before, when only blank lines (or a marker) separate them

    @property
    def where(self) -> str:
        path = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path
        return f"{path}:{self.line}"


def parse(path: Path, text: str | None = None) -> list[Block]:
    """Fenced blocks of a Markdown file, in order, with their markers."""
    lines = (path.read_text(encoding="utf-8") if text is None else text).splitlines()
    blocks: list[Block] = []
    i = 0
    last_end = -10  # index of the previous block's closing fence
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, lang = m.group(1), m.group(2)
        j = i + 1
        while j < len(lines) and lines[j].strip() != fence:
            j += 1
        if j == len(lines):
            raise AssertionError(f"{path}:{i + 1}: code block never closed")
        marker = None
        k = i - 1
        while k >= 0 and not lines[k].strip():
            k -= 1
        if k >= 0 and (mm := MARKER.match(lines[k].strip())):
            marker = (mm.group(1), mm.group(2))
            k -= 1
            while k >= 0 and not lines[k].strip():
                k -= 1
        follows = blocks[-1] if blocks and k == last_end else None
        body = "".join(line + "\n" for line in lines[i + 1 : j])
        blocks.append(Block(path, i + 1, lang, body, marker, follows))
        last_end = j
        i = j + 1
    return blocks


def check_markers(blocks: list[Block]) -> list[str]:
    """What is wrong with the blocks' kinds and markers (an empty list when nothing is)."""
    problems = []
    for b in blocks:
        kind = b.marker[0] if b.marker else None
        if not b.lang:
            problems.append(f"{b.where}: a code block without an info string (sh, python, text, yaml, json)")
        elif b.lang not in RUNS | PARSED | {"text"}:
            problems.append(f"{b.where}: unknown info string {b.lang!r} (sh, python, text, yaml, json)")
        elif kind in ("skip", "evidence") and not b.marker[1]:  # type: ignore[index]
            problems.append(f"{b.where}: '{kind}' needs a reason or the command that produced the figures")
        elif b.lang == "text" and kind != "evidence" and not is_output(b):
            problems.append(
                f"{b.where}: a text block that is not the output of the block just above it; run the command "
                "above it, or mark it <!-- doc-test: evidence COMMAND --> with the command that produced it"
            )
        elif kind == "evidence" and b.lang != "text":
            problems.append(f"{b.where}: only text blocks can be evidence; skip a block that cannot run")
    return problems


def is_output(b: Block) -> bool:
    return b.lang == "text" and b.marker is None and b.follows is not None and runs(b.follows)


def runs(b: Block) -> bool:
    return b.lang in RUNS and not (b.marker and b.marker[0] == "skip")


RUN_ID = re.compile(r"\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{6}")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?")
# Versions of dependencies that pyproject.toml does not pin, as signatures print them (torch-2.13.0+cpu): a fresh
# install may bring a newer release, which changes a signature but not what the page shows.
DURATION = re.compile(r"\bin \d+(?:\.\d+)? s\b")  # progress lines: "generated NAME: ... in 12.0 s"
UNPINNED = re.compile(r"\b(nltk|spacy|transformers|torch|bert_score)-\d+(?:\.\d+)+(?:\+\w+)?")


def normalise(text: str, workdir: Path | None = None) -> str:
    if workdir is not None:
        text = text.replace(str(workdir) + "/", "").replace(str(workdir), ".")
    text = RUN_ID.sub("<run-id>", text)
    text = TIMESTAMP.sub("<time>", text)
    text = UNPINNED.sub(r"\1-<version>", text)
    text = DURATION.sub("in <seconds> s", text)
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def matches(expected: str, actual: str) -> bool:
    """Whether ``actual`` is ``expected``, a line ``...`` in ``expected`` standing for any lines."""
    pattern = "".join(r"(?:[^\n]*\n)*?" if line == "..." else re.escape(line) + r"\n" for line in expected.split("\n"))
    return re.fullmatch(pattern, actual + "\n") is not None


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TRANSFORMERS_OFFLINE="1", NO_COLOR="1", TERM="dumb")
    env.update(COLUMNS="200", PYTHONHASHSEED="0")
    env.pop("GITHUB_STEP_SUMMARY", None)
    return env


def run_block(b: Block, workdir: Path) -> subprocess.CompletedProcess[str]:
    python = b.lang == "python"
    args = [sys.executable, "-c", b.text] if python else ["bash", "-e", "-o", "pipefail", "-c", b.text]
    return subprocess.run(
        args, cwd=workdir, env=environment(), capture_output=True, text=True, timeout=BLOCK_TIMEOUT_S, check=False
    )


def prepare(workdir: Path) -> None:
    for name in LINKED:
        (workdir / name).symlink_to(ROOT / name)


def check_page(path: Path, workdir: Path) -> None:
    blocks = parse(path)
    problems = check_markers(blocks)
    assert not problems, "\n".join(problems)
    for b in blocks:
        if b.lang == "yaml":
            yaml.safe_load(b.text)
        elif b.lang == "json":
            json.loads(b.text)
    outputs = {id(b.follows): b for b in blocks if is_output(b)}
    for b in blocks:
        if not runs(b):
            continue
        want_rc = int(b.marker[1]) if b.marker and b.marker[0] == "exit" else 0
        done = run_block(b, workdir)
        assert done.returncode == want_rc, (
            f"{b.where}: exit {done.returncode}, expected {want_rc}\n--- block\n{b.text}--- stdout (end)\n"
            f"{done.stdout[-3000:]}\n--- stderr (end)\n{done.stderr[-3000:]}"
        )
        shown = outputs.get(id(b))
        if shown is None:
            continue
        expected, actual = normalise(shown.text), normalise(done.stdout, workdir)
        if not matches(expected, actual):
            diff = "\n".join(
                difflib.unified_diff(expected.splitlines(), actual.splitlines(), "shown", "actual", lineterm="")
            )
            raise AssertionError(f"{shown.where}: the output shown differs from what the block above prints\n{diff}")


RUNNABLE = [p for p in PAGES if any(runs(b) for b in parse(p))]


def linked_files() -> set[Path]:
    """The files under the checkout's folders a page's working folder links to (bytecode aside)."""
    return {f for name in LINKED for f in (ROOT / name).rglob("*") if "__pycache__" not in f.parts}


@pytest.mark.parametrize("path", RUNNABLE, ids=[str(p.relative_to(ROOT)) for p in RUNNABLE])
def test_examples_run_and_print_what_is_shown(path: Path, tmp_path: Path) -> None:
    before = linked_files()
    prepare(tmp_path)
    check_page(path, tmp_path)
    assert linked_files() == before, "a page's commands wrote into the checkout through a linked folder"


@pytest.mark.parametrize("path", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_block_is_run_or_marked(path: Path) -> None:
    blocks = parse(path)
    assert not check_markers(blocks), "\n".join(check_markers(blocks))
    for b in blocks:
        if b.lang == "yaml":
            yaml.safe_load(b.text)
        elif b.lang == "json":
            json.loads(b.text)


def test_the_collector_catches_drift(tmp_path: Path) -> None:
    """A shown output that differs, a wrong exit code and an unmarked text block each fail the page."""
    page = tmp_path / "page.md"
    page.write_text("```sh\necho one; echo two\n```\n\n```text\none\nthree\n```\n")
    with pytest.raises(AssertionError, match="differs"):
        check_page(page, tmp_path)
    page.write_text("```sh\necho one; echo two; echo three\n```\n\n```text\none\n...\nthree\n```\n")
    check_page(page, tmp_path)  # '...' stands for the lines between
    page.write_text("<!-- doc-test: exit 1 -->\n```sh\ntrue\n```\n")
    with pytest.raises(AssertionError, match="expected 1"):
        check_page(page, tmp_path)
    page.write_text("Some figures:\n\n```text\n0.5\n```\n")
    assert any("not the output" in p for p in check_markers(parse(page)))
    page.write_text("<!-- doc-test: evidence harness meta-eval all -->\n```text\n0.5\n```\n")
    assert check_markers(parse(page)) == []
    page.write_text("```\nbare\n```\n")
    assert any("without an info string" in p for p in check_markers(parse(page)))


def test_normalise_hides_run_ids_times_and_the_folder(tmp_path: Path) -> None:
    text = f"wrote {tmp_path}/results/t/s/20261206T015410.552140Z-59d02f at 2026-12-06T01:54:10.552140+00:00\n"
    assert normalise(text, tmp_path) == "wrote results/t/s/<run-id> at <time>"
    assert normalise("stem:porter-nltk-3.10.4|torch-2.13.0+cpu|rouge_score-0.1.2") == (
        "stem:porter-nltk-<version>|torch-<version>|rouge_score-0.1.2"
    )


def test_docs_build_strict(tmp_path: Path) -> None:
    """``mkdocs build --strict`` passes, and the CLI reference it generates covers every command and option."""
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(ROOT / "mkdocs.yml"), "-d", str(site)],
        cwd=ROOT,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    import typer

    from harness.cli import app

    reference = (site / "cli" / "index.html").read_text(encoding="utf-8")
    group = typer.main.get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        assert f"harness {name}" in reference, name
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--"):
                    assert opt in reference, f"harness {name} {opt} missing from the generated CLI reference"


def update_page(path: Path, workdir: Path) -> int:
    """Run a page's blocks and write what each prints into the output block under it; return how many changed.

    For writing a page, never in the suite: read the diff before keeping it (``python tests/test_docs.py PAGE``).
    A shown output that uses ``...`` and still matches is left as it is.
    """
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    blocks = parse(path)
    outputs = {id(b.follows): b for b in blocks if is_output(b)}
    edits: list[tuple[int, int, str]] = []
    for b in blocks:
        if not runs(b):
            continue
        done = run_block(b, workdir)
        print(f"{b.where}: exit {done.returncode}", file=sys.stderr)
        if done.returncode != 0 and not (b.marker and b.marker[0] == "exit"):
            print(done.stderr[-3000:], file=sys.stderr)
        shown = outputs.get(id(b))
        if shown is None:
            continue
        if not matches(normalise(shown.text), normalise(done.stdout, workdir)):
            # Written as printed, but for what differs from run to run (run ids, times, the working folder).
            shown_text = done.stdout.replace(str(workdir) + "/", "").replace(str(workdir), ".")
            shown_text = TIMESTAMP.sub("<time>", RUN_ID.sub("<run-id>", shown_text)).rstrip("\n")
            start = shown.line  # index of the first line inside the fence
            edits.append((start, start + len(shown.text.splitlines()), shown_text + "\n"))
    for start, end, text in reversed(edits):
        lines[start:end] = [text]
    path.write_text("".join(lines), encoding="utf-8")
    return len(edits)


if __name__ == "__main__":
    import tempfile

    for name in sys.argv[1:]:
        with tempfile.TemporaryDirectory() as tmp:
            prepare(Path(tmp))
            print(f"{name}: {update_page(Path(name).resolve(), Path(tmp))} output block(s) rewritten", file=sys.stderr)

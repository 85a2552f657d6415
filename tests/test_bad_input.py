"""Every bad input gets one line on stderr that says what and where, exit code 1, no traceback, and no run.

Typer's own usage errors (an unknown option, ``--limit 0``) keep exit code 2. A failing ``eval`` leaves
nothing in the results folder: no run, no ``.tmp-*`` folder.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Cli = Callable[..., Any]


def expect_error(result: Any, *fragments: str) -> str:
    """Exit 1, exactly one line on stderr containing every fragment, and no traceback anywhere."""
    output = result.stdout + result.stderr
    assert result.exit_code == 1, output
    assert "Traceback" not in output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    (line,) = lines
    assert line.startswith("error: ")
    for fragment in fragments:
        assert fragment in line, f"{fragment!r} not in {line!r}"
    return line


def assert_nothing_written(out: Path) -> None:
    """No run and no half-written temporary folder under the results folder."""
    assert not list(out.rglob("run.json")), list(out.rglob("*"))
    assert not list(out.rglob(".tmp-*"))
    assert not list(out.glob("*/*/*")), "a run folder was created"


def located(path: Path, fragments: list[str]) -> list[str]:
    """Fragments written ``:LINE: ...`` are relative to ``path``: prefix it; others are matched as they are."""
    return [f"{path}{f}" if f.startswith(":") else f for f in fragments]


def jsonl(*records: dict[str, Any]) -> bytes:
    """JSON Lines as UTF-8 bytes, non-ASCII kept as is (as most tools write it)."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "results"


@pytest.fixture
def base(make_task: Callable[..., Path]) -> str:
    """The text of the valid tiny task file written by conftest's ``make_task``, for tests that edit it."""
    return make_task().read_text(encoding="utf-8")


@pytest.fixture
def task(make_task: Callable[..., Path]) -> Path:
    """The valid tiny task (ids a, b, c; systems mine=file:cands.jsonl and copy)."""
    return make_task()


# --- task name and task file -----------------------------------------------------------------------------------


def test_unknown_task_name_suggests_the_closest(cli: Cli, out: Path) -> None:
    """A misspelt task name: 'did you mean' the real one."""
    result = cli("eval", "seeds-paragrahs", "--out", str(out))
    expect_error(result, "unknown task 'seeds-paragrahs'", "did you mean 'seeds-paragraphs'?")
    assert_nothing_written(out)


def test_missing_task_file(cli: Cli, tmp_path: Path, out: Path) -> None:
    """A task path that does not exist is named in the message."""
    missing = tmp_path / "nowhere" / "task.yaml"
    expect_error(cli("eval", str(missing), "--out", str(out)), f"{missing}: task file not found")
    assert_nothing_written(out)


def test_non_utf8_task_file(base: str, cli: Cli, make_task: Callable[..., Path], out: Path) -> None:
    """A task file that is not UTF-8: file, line and byte offset of the bad byte."""
    task = make_task()
    raw = base.encode() + b"description: caf\xe9\n"
    task.write_bytes(raw)
    at = raw.index(b"\xe9")
    expect_error(cli("eval", str(task), "--out", str(out)), f"{task}:10: not valid UTF-8", f"byte offset {at}")


TASK_CASES = [
    # (id, edit of the base task, fragments after "task.yaml")
    ("yaml-syntax", lambda y: y.replace("[rouge]", "[rouge]]"), [":5: invalid YAML"]),
    ("unknown-key", lambda y: y.replace("primary:", "primery:"), [":6: unknown key 'primery'", "'primary'"]),
    ("missing-key", lambda y: y.replace("version: 1\n", ""), [":1: missing required key 'version'"]),
    ("duplicate-key", lambda y: y + "kind: summarise\n", [":10: duplicate key 'kind'"]),
    ("bad-kind", lambda y: y.replace("kind: rewrite", "kind: rewrit"), [":3: 'kind' must be one of", "'rewrite'"]),
    (
        "primary-not-a-key",
        lambda y: y.replace("primary: rougeLsum_f", "primary: bleu"),
        [":6: 'primary' 'bleu' is not a key of the task's metrics"],
    ),
    ("bad-clean-regex", lambda y: y + "clean: ['(unclosed']\n", [":10: invalid regex '(unclosed'"]),
    ("unknown-metric", lambda y: y.replace("[rouge]", "[rogue]"), [":5: unknown metric 'rogue'", "'rouge'"]),
    (
        "unknown-metric-option",
        lambda y: y.replace("[rouge]", "[{rouge: {use_stemer: false}}]"),
        [":5: metric 'rouge': unknown option 'use_stemer'", "did you mean 'use_stemmer'?"],
    ),
    ("unknown-field-role", lambda y: y + "fields:\n  sorce: text\n", [":11: unknown field role 'sorce'", "'source'"]),
    ("bad-default-system", lambda y: y.replace("copy: copy", "copy: lea:3"), [":9: unknown system spec", "'lead:K'"]),
    ("not-a-mapping", lambda y: "- just\n- a list\n", [":1: a task file must be a mapping"]),
]


@pytest.mark.parametrize(("edit", "fragments"), [c[1:] for c in TASK_CASES], ids=[c[0] for c in TASK_CASES])
def test_bad_task_file(
    base: str, cli: Cli, task: Path, out: Path, edit: Callable[[str], str], fragments: list[str]
) -> None:
    """Each task-file mistake is reported with the task file and the line of the offending key."""
    task.write_text(edit(base), encoding="utf-8")
    expect_error(cli("eval", str(task), "--out", str(out)), *located(task, fragments))
    assert_nothing_written(out)


# --- data files --------------------------------------------------------------------------------------------------

A = {"id": "a", "source": "The cat sat on the mat."}
B = {"id": "b", "source": "Prices rose in March."}
NON_UTF8 = jsonl(A) + b'{"id": "b", "source": "caf\xe9 au lait"}\n'
NON_UTF8_AT = NON_UTF8.index(b"\xe9")
CSV_NON_UTF8 = b"id,source\na,caf\xe9\n"
CSV_NON_UTF8_AT = CSV_NON_UTF8.index(b"\xe9")

DATA_CASES = [
    # (id, file name, content or None for a missing file, fragments after the file's path)
    ("missing", "nope.jsonl", None, [": file not found"]),
    ("invalid-json", "bad.jsonl", jsonl(A) + b'{"id": "b", \n', [":2: invalid JSON"]),
    ("not-an-object", "list.jsonl", b'["a", "b"]\n', [":1: expected a JSON object"]),
    ("duplicate-id", "dup.jsonl", jsonl(A, B, {**A, "source": "x"}), [":3: duplicate id 'a'", "(first at line 1)"]),
    (
        "empty-source",
        "empty.jsonl",
        jsonl(A, {"id": "b", "source": "  "}),
        [":2: example 'b': field 'source' (source) is empty"],
    ),
    ("missing-id", "noid.jsonl", jsonl(A, {"source": "no id here"}), [":2: missing field 'id'"]),
    ("null-id", "nullid.jsonl", jsonl(A, {"id": None, "source": "x"}), [":2: field 'id' must be a non-empty"]),
    (
        "non-utf8",
        "latin1.jsonl",
        NON_UTF8,
        [":2: not valid UTF-8", f"byte offset {NON_UTF8_AT}"],
    ),
    ("csv-duplicate-id", "dup.csv", b"id,source\na,x\nb,y\na,z\n", [":4: duplicate id 'a'", "(first at line 2)"]),
    ("csv-missing-id", "noid.csv", b"ident,source\na,x\n", [":2: missing field 'id'"]),
    ("csv-non-utf8", "latin1.csv", CSV_NON_UTF8, [":2: not valid UTF-8", f"byte offset {CSV_NON_UTF8_AT}"]),
    ("empty-file", "empty2.jsonl", b"", [": no examples"]),
    ("unsupported-format", "data.txt", b"hello\n", ["must be .jsonl, .jsonl.gz, .csv, .parquet"]),
]


@pytest.mark.parametrize(("name", "content", "fragments"), [c[1:] for c in DATA_CASES], ids=[c[0] for c in DATA_CASES])
def test_bad_data_file(
    base: str,
    cli: Cli,
    task: Path,
    out: Path,
    name: str,
    content: bytes | None,
    fragments: list[str],
) -> None:
    """Each data-file mistake names the data file and the line (and id and field where there is one)."""
    path = task.parent / name
    if content is not None:
        path.write_bytes(content)
    task.write_text(base.replace("data.jsonl", name), encoding="utf-8")
    named = task if name.endswith(".txt") else path  # an unsupported suffix is the task file's mistake
    expect_error(cli("eval", str(task), "--out", str(out)), str(named), *located(path, fragments))
    assert_nothing_written(out)


def test_csv_and_parquet_data_work(base: str, cli: Cli, make_task: Callable[..., Path], out: Path) -> None:
    """The same three examples as CSV and as Parquet give the same scores as JSONL."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    task = make_task()
    examples = [
        json.loads(line) for line in (task.parent / "data.jsonl").read_text(encoding="utf-8").split("\n") if line
    ]
    with open(task.parent / "data.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "source"])
        writer.writeheader()
        writer.writerows(examples)
    pq.write_table(pa.Table.from_pylist(examples), task.parent / "data.parquet")
    means = {}
    for name in ("data.jsonl", "data.csv", "data.parquet"):
        task.write_text(base.replace("data.jsonl", name), encoding="utf-8")
        result = cli("eval", str(task), "--system", "mine", "--out", str(out / name))
        assert result.exit_code == 0, result.stderr
        (run_json,) = (out / name).glob("tiny/mine/*/run.json")
        run = json.loads(run_json.read_text(encoding="utf-8"))
        assert run["examples"]["n"] == 3
        means[name] = run["means"]
    assert means["data.csv"] == means["data.jsonl"] == means["data.parquet"]


@pytest.mark.parametrize("where", ["data", "candidates"])
def test_jsonl_with_unicode_line_separator_is_valid(
    cli: Cli, make_task: Callable[..., Path], out: Path, where: str
) -> None:
    """U+2028 inside a JSON string is valid JSON (json.dumps(ensure_ascii=False) writes it raw): not bad input.

    JSON Lines are split on '\\n' only; str.splitlines() would also split on U+2028, U+2029 and U+0085.
    """
    task = make_task()
    text = "The cat sat on the mat.\u2028It was warm."
    data = [{"id": "a", "source": text if where == "data" else "The cat sat on the mat. It was warm."}]
    (task.parent / "data.jsonl").write_bytes(jsonl(*data))
    (task.parent / "cands.jsonl").write_bytes(jsonl({"id": "a", "candidate": text if where == "candidates" else "x"}))
    result = cli("eval", str(task), "--system", "mine", "--out", str(out))
    assert result.exit_code == 0, result.stderr


# --- metrics and systems named on the command line ------------------------------------------------------------

OPTION_CASES = [
    ("unknown-metric", ["--metrics", "rogue"], ["unknown metric 'rogue'", "did you mean 'rouge'?"]),
    ("no-metric", ["--metrics", " , "], ["--metrics needs at least one metric name"]),
    ("metric-twice", ["--metrics", "rouge,rouge"], ["--metrics lists 'rouge' twice"]),
    ("unknown-spec", ["--system", "x=lea:3"], ["unknown system spec 'lea:3'", "did you mean 'lead:K'?"]),
    ("lead-0", ["--system", "x=lead:0"], ["'lead:0'", "K in lead:K must be a positive integer"]),
    ("file-without-path", ["--system", "x=file:"], ["'file:'", "needs a path"]),
    ("bad-system-name", ["--system", "a/b=copy"], ["system name 'a/b'"]),
    ("empty-system-name", ["--system", "=copy"], ["system name ''"]),
    (
        "not-a-default",
        ["--system", "lead"],
        ["--system 'lead': not a default system of task 'tiny'", "copy, mine", "NAME=SPEC"],
    ),
    ("system-twice", ["--system", "copy", "--system", "copy=lead:1"], ["--system 'copy' given twice"]),
    ("missing-candidate-file", ["--system", "m=file:no-such-cands.jsonl"], ["no-such-cands.jsonl: file not found"]),
]


@pytest.mark.parametrize(("args", "fragments"), [c[1:] for c in OPTION_CASES], ids=[c[0] for c in OPTION_CASES])
def test_bad_metric_or_system_option(cli: Cli, task: Path, out: Path, args: list[str], fragments: list[str]) -> None:
    """Unknown metrics, system specs and names on the command line: exit 1 with a suggestion where one is close."""
    expect_error(cli("eval", str(task), *args, "--out", str(out)), *fragments)
    assert_nothing_written(out)


@pytest.mark.parametrize(
    "args", [["--bogus"], ["--limit", "0"], ["--limit", "two"], ["--seed", "x"]], ids=lambda a: " ".join(a)
)
def test_usage_errors_keep_exit_code_2(cli: Cli, task: Path, out: Path, args: list[str]) -> None:
    """Typer's usage errors are not harness errors: exit code 2, and nothing is written."""
    result = cli("eval", str(task), *args, "--out", str(out))
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert_nothing_written(out)


# --- candidate files -----------------------------------------------------------------------------------------------

CAND_NON_UTF8 = jsonl({"id": "a", "candidate": "x"}) + b'{"id": "b", "candidate": "na\xefve"}\n'
CAND_NON_UTF8_AT = CAND_NON_UTF8.index(b"\xef")

CANDIDATE_CASES = [
    # (id, file name, content, fragments after the file's path)
    (
        "plain-text-multi-example",
        "rewrite.txt",
        b"One rewrite for three examples.\n",
        [": a plain text candidate file fits only a one-example task; this task has 3 examples"],
    ),
    ("non-utf8", "latin1.jsonl", CAND_NON_UTF8, [":2: not valid UTF-8", f"byte offset {CAND_NON_UTF8_AT}"]),
    ("invalid-json", "bad.jsonl", b'{"id": "a", "candidate": "x"}\n{oops}\n', [":2: invalid JSON"]),
    (
        "missing-candidate",
        "nocand.jsonl",
        jsonl({"id": "a", "candidate": "x"}, {"id": "b"}),
        [":2: missing field 'candidate'"],
    ),
    (
        "duplicate-id",
        "dup.jsonl",
        jsonl(*({"id": i, "candidate": "x"} for i in "abca")),
        [":4: duplicate id 'a' (first at line 1)"],
    ),
    (
        "candidate-not-string",
        "num.jsonl",
        jsonl(*({"id": i, "candidate": 3} for i in "abc")),
        [":1: example 'a': 'candidate' must be a string"],
    ),
]


@pytest.mark.parametrize(
    ("name", "content", "fragments"), [c[1:] for c in CANDIDATE_CASES], ids=[c[0] for c in CANDIDATE_CASES]
)
def test_bad_candidate_file(cli: Cli, task: Path, out: Path, name: str, content: bytes, fragments: list[str]) -> None:
    """Each candidate-file mistake names the candidate file and the line."""
    path = task.parent / name
    path.write_bytes(content)
    result = cli("eval", str(task), "--system", f"m=file:{path}", "--out", str(out))
    expect_error(result, *located(path, fragments))
    assert_nothing_written(out)


def test_candidate_ids_not_matching_task_ids(cli: Cli, make_task: Callable[..., Path], out: Path) -> None:
    """Candidate ids that differ from the task's: the first few missing and the first few unknown are listed."""
    ids = [f"t{n}" for n in range(1, 9)]
    task = make_task(examples=[{"id": i, "source": f"Sentence number {i}."} for i in ids])
    cands = task.parent / "other.jsonl"
    cands.write_bytes(jsonl(*({"id": i, "candidate": "x"} for i in ["t1", "t2"] + [f"x{n}" for n in range(1, 8)])))
    line = expect_error(
        cli("eval", str(task), "--system", f"m=file:{cands}", "--out", str(out)),
        f"{cands}: candidate ids do not match the task's ids",
        "6 task ids have no candidate: 't3', 't4', 't5', 't6', 't7', ... (1 more)",
        "7 candidate ids are not in the task: 'x1', 'x2', 'x3', 'x4', 'x5', ... (2 more)",
    )
    assert "'t8'" not in line and "'x6'" not in line
    assert_nothing_written(out)


def test_failing_second_system_leaves_no_run_of_the_first(cli: Cli, task: Path, out: Path) -> None:
    """All candidates are loaded before anything is scored: a bad second system means no run at all."""
    bad = task.parent / "short.jsonl"
    bad.write_bytes(jsonl({"id": "a", "candidate": "only one"}))
    result = cli("eval", str(task), "--system", "copy", "--system", f"short=file:{bad}", "--out", str(out))
    expect_error(result, f"{bad}: candidate ids do not match", "2 task ids have no candidate: 'b', 'c'")
    assert not out.exists() or not any(out.rglob("*")), list(out.rglob("*"))


def test_empty_candidate_is_scored_and_flagged(cli: Cli, task: Path, out: Path) -> None:
    """An empty candidate is not an error: scored (zeros), flagged in examples.jsonl and run.json, warned about."""
    cands = task.parent / "cands.jsonl"
    cands.write_bytes(
        jsonl({"id": "a", "candidate": "The cat sat."}, {"id": "b", "candidate": ""}, {"id": "c", "candidate": "x"})
    )
    result = cli("eval", str(task), "--system", "mine", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "warning: mine: 1 empty candidates scored and flagged: b" in result.stderr
    (run_dir,) = (out / "tiny" / "mine").iterdir()
    run = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert run["flags"]["empty_candidate"] == ["b"]
    rows = {
        r["id"]: r for r in map(json.loads, (run_dir / "examples.jsonl").read_text(encoding="utf-8").split("\n")[:-1])
    }
    assert rows["b"]["flags"] == ["empty_candidate"] and rows["a"]["flags"] == rows["c"]["flags"] == []
    assert rows["b"]["candidate"] == "" and rows["b"]["rougeLsum_f"] == 0.0 and rows["b"]["rouge1_r"] == 0.0


# --- harness score and harness leaderboard ------------------------------------------------------------------------


def test_score_missing_file(cli: Cli, tmp_path: Path) -> None:
    """harness score with a file that does not exist names it."""
    (tmp_path / "src.txt").write_text("The cat sat.", encoding="utf-8")
    missing = tmp_path / "missing.txt"
    expect_error(cli("score", str(tmp_path / "src.txt"), str(missing), "--json"), f"{missing}: file not found")


def test_score_non_utf8_file(cli: Cli, tmp_path: Path) -> None:
    """harness score with a Latin-1 file names the file, line and byte offset."""
    (tmp_path / "src.txt").write_text("The cat sat.", encoding="utf-8")
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"first line\nthe caf\xe9 opened\n")  # 0xe9 is byte 18
    expect_error(cli("score", str(tmp_path / "src.txt"), str(latin)), f"{latin}:2: not valid UTF-8", "byte offset 18")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b'{"id": 1, "source": "a b", "candidate": "a"}\n{"id": 2, "source": \n', ":2: invalid JSON"),
        (b'{"id": 1, "source": "a b", "candidate": "a"}\n{"id": 2, "source": "a"}\n', ":2: field 'candidate' missing"),
        (
            b'{"id": 1, "source": "a b", "candidate": "a"}\n{"id": 2, "source": 5.5, "candidate": "a"}\n',
            ":2: example '2': field 'source' (source) must be a string, got float",
        ),
    ],
    ids=["invalid-json", "missing-field", "source-not-a-string"],
)
def test_score_pairs_bad_line(cli: Cli, tmp_path: Path, content: bytes, fragment: str) -> None:
    """harness score --pairs names the pairs file and the bad line, and prints no partial output."""
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_bytes(content)
    result = cli("score", "--pairs", str(pairs))
    expect_error(result, f"{pairs}{fragment}")
    assert result.stdout == ""


def test_score_needs_two_files_or_pairs(cli: Cli, tmp_path: Path) -> None:
    """harness score with one file only (or with files and --pairs) says what it needs."""
    (tmp_path / "src.txt").write_text("The cat sat.", encoding="utf-8")
    expect_error(cli("score", str(tmp_path / "src.txt")), "give SOURCE_FILE and CANDIDATE_FILE, or --pairs")
    expect_error(
        cli("score", str(tmp_path / "src.txt"), str(tmp_path / "src.txt"), "--pairs", str(tmp_path / "src.txt")),
        "not both",
    )


def test_leaderboard_results_folder_missing(cli: Cli, tmp_path: Path) -> None:
    """harness leaderboard --results on a folder that does not exist names it."""
    missing = tmp_path / "no-results"
    expect_error(cli("leaderboard", "--results", str(missing)), f"{missing}: results folder not found")


def test_leaderboard_results_folder_empty(cli: Cli, tmp_path: Path) -> None:
    """An existing folder with no runs: exit 1, 'no runs found'."""
    expect_error(cli("leaderboard", "--results", str(tmp_path)), f"{tmp_path}: no runs found")


def test_leaderboard_unknown_task(cli: Cli, task: Path, out: Path) -> None:
    """--task with no runs in the folder says so."""
    assert cli("eval", str(task), "--system", "copy", "--out", str(out)).exit_code == 0
    expect_error(cli("leaderboard", "--results", str(out), "--task", "tiny2"), "no runs of task 'tiny2'")


# --- hf: data --------------------------------------------------------------------------------------------------


def test_hf_dataset_offline_fails_at_once(base: str, cli: Cli, task: Path, out: Path) -> None:
    """With HF_HUB_OFFLINE=1 (set by conftest) a hub dataset fails fast, in one line naming the data spec."""
    task.write_text(base.replace("data.jsonl", "hf:some/dataset:train"), encoding="utf-8")
    started = time.monotonic()
    result = cli("eval", str(task), "--system", "copy", "--out", str(out))
    expect_error(result, "data 'hf:some/dataset:train'", "datasets.load_dataset failed")
    assert time.monotonic() - started < 60, "an offline hub lookup must not wait on the network"
    assert_nothing_written(out)


@pytest.mark.parametrize("spec", ["hf:x", "hf:a:b:c:d", "hf::train"])
def test_hf_spec_malformed(base: str, cli: Cli, task: Path, out: Path, spec: str) -> None:
    """A malformed hf: spec is rejected before datasets is touched, with the expected form."""
    task.write_text(base.replace("data.jsonl", spec), encoding="utf-8")
    expect_error(cli("eval", str(task), "--out", str(out)), f"data {spec!r}", "hf:<dataset>[:<config>]:<split>")


def test_hf_local_folder_loads_through_datasets(base: str, cli: Cli, make_task: Callable[..., Path], out: Path) -> None:
    """hf:<local folder>:train loads a folder holding data.jsonl with datasets.load_dataset and evaluates."""
    task = make_task()
    folder = task.parent / "hfdata"
    folder.mkdir()
    (folder / "data.jsonl").write_bytes((task.parent / "data.jsonl").read_bytes())
    spec = f"hf:{folder.resolve()}:train"
    task.write_text(base.replace("data.jsonl", spec), encoding="utf-8")
    result = cli("eval", str(task), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    for system in ("mine", "copy"):
        (run_json,) = (out / "tiny" / system).glob("*/run.json")
        run = json.loads(run_json.read_text(encoding="utf-8"))
        assert run["task"]["data"] == spec and run["examples"]["n"] == 3
        if system == "copy":
            assert run["means"]["rougeLsum_f"] == pytest.approx(1.0)

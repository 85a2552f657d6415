"""Property tests (hypothesis) for the harness's parsers and text helpers."""

from __future__ import annotations

import csv
import io
import json
import re
import string
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from rouge_score.tokenize import tokenize

from harness.errors import HarnessError, did_you_mean
from harness.generate.systems import parse_spec
from harness.read.cleaning import CleanRule, clean_text
from harness.read.tasks import TASK_KEYS
from harness.read.textio import decode_utf8, read_rows
from harness.read.yamlio import load_yaml
from harness.scoring.sentences import split_sentences

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Words and separators that exercise sentence and line boundaries: abbreviations, decimals, quotes,
# brackets, ellipses, non-ASCII letters, blank lines, tabs, carriage returns.
WORDS = [
    *["the", "The", "cat", "sat", "Dr.", "Mr.", "U.S.", "e.g.", "No.", "3.5", "1,000", "10%", "a.b", "(a)"],
    *["naïve", "Ünïcödé", "漢字", "don't", '"Yes."', "«quoted»", "—", "...", "…", ".", "!", "?", ";", ",", ")"],
]
SEPARATORS = [" ", " ", " ", "", "\n", "\n\n", "\t", "\r\n", " \n ", ". "]
prose = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), max_size=30).map(
    lambda pairs: "".join(word + sep for word, sep in pairs)
)


# --------------------------------------------------------------------------------------------------
# harness.scoring.sentences.split_sentences
# --------------------------------------------------------------------------------------------------


@FAST
@given(text=st.one_of(prose, st.text(max_size=60)))
@example(text="")
@example(text="Dr. Smith arrived at 3.5 p.m. on Tuesday. He left.\nIt rained.")
@example(text="the\t. . . the ")  # pysbd returns no segment at all for this line
def test_split_sentences_keeps_every_token(text: str) -> None:
    """Splitting loses or adds no rouge-score token, and yields trimmed, non-empty, single-line sentences."""
    sentences = split_sentences(text)
    assert [token for s in sentences for token in tokenize(s, None)] == tokenize(text, None)
    for sentence in sentences:
        assert sentence and sentence == sentence.strip() and "\n" not in sentence


@FAST
@given(
    lines=st.lists(
        st.lists(st.sampled_from(["word", "Word", "cat", "sat", "mat", "dog"]), min_size=1, max_size=6), max_size=8
    )
)
def test_one_short_sentence_per_line_keeps_its_lines(lines: list[list[str]]) -> None:
    """Text already written one sentence per line comes back line for line."""
    sentences = [" ".join(words).capitalize() + "." for words in lines]
    assert split_sentences("\n".join(sentences)) == sentences


# --------------------------------------------------------------------------------------------------
# harness.read.cleaning.clean_text
# --------------------------------------------------------------------------------------------------

RULES = [
    CleanRule("source", re.compile(r"Source: .*")),
    CleanRule("caps", re.compile(r"[A-Z][A-Z ]+")),
    CleanRule("advert", re.compile(r"Advertisement", re.IGNORECASE)),
    CleanRule("comments", re.compile(r"\d+ comments?")),
    CleanRule("anything-short", re.compile(r".{1,3}")),
]
LINES = [
    *["", " ", "\t", "Source: BBC", "  Source: Reuters  ", "SPORT", "BREAKING NEWS", "advertisement"],
    *["ADVERTISEMENT", "3 comments", "1 comment", "ab", " xyz ", "The cat sat on the mat.", "Source of the river"],
    *["Sport news", "x\r", "Ünïcödé line", "12 comments and more"],
]
documents = st.lists(st.sampled_from(LINES), max_size=15).map("\n".join)
rule_sets = st.lists(st.sampled_from(RULES), unique_by=lambda r: r.name, max_size=len(RULES)).map(tuple)


def non_blank(lines: list[str]) -> list[str]:
    return [line for line in lines if line.strip()]


@FAST
@given(text=st.one_of(documents, st.text(max_size=40)))
def test_clean_text_without_rules_is_identity(text: str) -> None:
    """No rules: the text comes back untouched, nothing removed."""
    assert clean_text(text, ()) == (text, [])


@FAST
@given(text=documents, rules=rule_sets)
def test_clean_text_partitions_the_lines(text: str, rules: tuple[CleanRule, ...]) -> None:
    """Removed lines match a rule in full, kept lines match none, and no non-blank line is lost."""
    cleaned, removed = clean_text(text, rules)
    by_name = {rule.name: rule for rule in rules}
    for item in removed:
        assert by_name[item.rule].pattern.fullmatch(item.line), item
    kept = cleaned.split("\n")
    for line in kept:
        assert not any(rule.matches(line) for rule in rules), line
    assert len(non_blank(kept)) + len(removed) == len(non_blank(text.split("\n")))


@FAST
@given(text=documents, rules=rule_sets)
def test_clean_text_is_idempotent(text: str, rules: tuple[CleanRule, ...]) -> None:
    """Cleaning a cleaned text changes nothing and removes nothing."""
    once, _ = clean_text(text, rules)
    assert clean_text(once, rules) == (once, [])


# --------------------------------------------------------------------------------------------------
# harness.read.textio
# --------------------------------------------------------------------------------------------------

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=8,
)
json_objects = st.dictionaries(st.text(max_size=8), json_values, max_size=4)
blank_lines = st.lists(st.sampled_from(["", " ", "\t", "  \t "]), max_size=2)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for files written by hypothesis examples (function-scoped tmp_path does not fit @given)."""
    return tmp_path_factory.mktemp("properties")


@pytest.mark.parametrize("ensure_ascii", [True, False], ids=["escaped", "raw-unicode"])
@FAST
@given(records=st.lists(st.tuples(blank_lines, json_objects), max_size=6), trailing=blank_lines)
@example(records=[([], {"text": "line\u2028separator"})], trailing=[])
def test_jsonl_rows_and_line_numbers(
    scratch: Path, ensure_ascii: bool, records: list[tuple[list[str], dict]], trailing: list[str]
) -> None:
    """JSON objects written one per line, blank lines between, read back equal and at their 1-based line.

    ``raw-unicode`` writes like ``json.dumps(..., ensure_ascii=False)`` (as conftest's write_jsonl does),
    which leaves U+2028, U+2029 and U+0085 unescaped inside strings: they are not line breaks in JSONL.
    """
    lines: list[str] = []
    expected: list[tuple[int, dict]] = []
    for blanks, record in records:
        lines.extend(blanks)
        lines.append(json.dumps(record, ensure_ascii=ensure_ascii))
        expected.append((len(lines), record))
    lines.extend(trailing)
    path = scratch / "rows.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert [(row.line, row.fields) for row in read_rows(path)] == expected


csv_fields = st.text(alphabet=st.sampled_from(list("ab Z1é漢,\"\n'; ")), max_size=10)


@FAST
@given(
    records=st.lists(st.fixed_dictionaries({"id": csv_fields, "candidate": csv_fields, "note": csv_fields}), max_size=6)
)
@example(
    records=[{"id": "1", "candidate": 'He said "no,\nnever"', "note": ""}, {"id": "2", "candidate": "", "note": ","}]
)
def test_csv_rows_and_start_lines(scratch: Path, records: list[dict[str, str]]) -> None:
    """CSV written by csv.DictWriter (quoted commas, quotes, newlines) reads back equal, each at its first line."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=["id", "candidate", "note"])
    writer.writeheader()
    starts = []
    line = 1 + buffer.getvalue().count("\n")
    for record in records:
        before = buffer.tell()
        writer.writerow(record)
        starts.append(line)
        line += buffer.getvalue()[before:].count("\n")
    path = scratch / "rows.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    assert [(row.line, row.fields) for row in read_rows(path)] == list(zip(starts, records))


INVALID_BYTES = [bytes([b]) for b in [*range(0x80, 0xC2), *range(0xF5, 0x100)]]


@FAST
@given(before=st.text(max_size=20), after=st.text(max_size=20), bad=st.sampled_from(INVALID_BYTES))
def test_decode_utf8_names_the_offset_of_a_bad_byte(before: str, after: str, bad: bytes) -> None:
    """A byte that can never start a UTF-8 character, inserted at offset k, is reported at ``byte offset k``."""
    head = before.encode("utf-8")
    assume(not head.startswith(b"\xef\xbb\xbf"))  # a leading BOM has its own test below
    data = head + bad + after.encode("utf-8")
    with pytest.raises(HarnessError) as caught:
        decode_utf8(data, Path("f.txt"))
    k = len(head)
    message = str(caught.value)
    assert f"byte offset {k} " in message and f"(byte 0x{bad[0]:02x})" in message
    line = head.count(b"\n") + 1
    assert message.startswith(f"f.txt:{line}:")


@FAST
@given(before=st.text(max_size=20), bad=st.sampled_from(INVALID_BYTES))
@example(before="ab", bad=b"\xff")
def test_decode_utf8_offset_counts_the_bom(before: str, bad: bytes) -> None:
    """With a leading BOM (which decode_utf8 accepts and drops) the offset is still the file's byte offset."""
    head = b"\xef\xbb\xbf" + before.encode("utf-8")
    with pytest.raises(HarnessError) as caught:
        decode_utf8(head + bad, Path("f.txt"))
    message = str(caught.value)
    assert f"byte offset {len(head)} " in message and f"(byte 0x{bad[0]:02x})" in message, message


@FAST
@given(text=st.text(max_size=30))
def test_decode_utf8_round_trips_valid_text(text: str) -> None:
    """Valid UTF-8 decodes to its text, less one leading BOM."""
    assert decode_utf8(text.encode("utf-8"), Path("f.txt")) == text.removeprefix("\ufeff")


# --------------------------------------------------------------------------------------------------
# harness.read.yamlio.load_yaml
# --------------------------------------------------------------------------------------------------

# YAML 1.1 (PyYAML) also breaks lines at U+0085, U+2028 and U+2029; they get their own test below.
YAML_BREAKS = "\x85\u2028\u2029"
yaml_text = st.text(alphabet=st.characters(exclude_characters=YAML_BREAKS, exclude_categories=["Cs"]), max_size=10)
yaml_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), yaml_text
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(yaml_text, inner, max_size=3)),
    max_leaves=8,
)
yaml_keys = st.one_of(
    st.sampled_from(["name", "data", "metrics", "systems", "yes", "1", "null", "a: b", "#x"]), yaml_text
)


def dump(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)


@FAST
@given(data=st.dictionaries(yaml_keys, yaml_values, min_size=1, max_size=5))
def test_load_yaml_round_trips_and_records_key_lines(scratch: Path, data: dict) -> None:
    """safe_dump'ed data loads back equal, and each top-level key is recorded at the line it is written on."""
    chunks = [dump({key: value}) for key, value in data.items()]
    text = dump(data)
    assert "".join(chunks) == text  # block style: the document is its keys' chunks, one after another
    path = scratch / "doc.yaml"
    path.write_text(text, encoding="utf-8")
    doc = load_yaml(path)
    assert doc.data == data
    line = 1
    for key, chunk in zip(data, chunks):
        assert doc.lines[(key,)] == line, (key, text)
        line += chunk.count("\n")


@FAST
@given(data=st.dictionaries(yaml_keys, yaml_values, min_size=1, max_size=4), pick=st.integers(min_value=0))
def test_load_yaml_duplicate_key_names_second_line(scratch: Path, data: dict, pick: int) -> None:
    """A top-level key written twice is an error at the line of the second occurrence."""
    key = list(data)[pick % len(data)]
    text = dump(data)
    second = text.count("\n") + 1
    path = scratch / "dup.yaml"
    path.write_text(text + dump({key: "again"}), encoding="utf-8")
    with pytest.raises(HarnessError, match=rf"^{re.escape(str(path))}:{second}: duplicate key"):
        load_yaml(path)


def test_load_yaml_lines_count_only_newlines(scratch: Path) -> None:
    """A U+2028 LINE SEPARATOR inside a quoted value does not move later keys to another line.

    PyYAML's marks count U+2028, U+2029 and U+0085 as line breaks (YAML 1.1), but editors, ``grep -n``
    and every other ``file:line`` the harness prints (decode_utf8, CSV) count newlines only.
    """
    path = scratch / "breaks.yaml"
    path.write_text('description: "a\u2028b"\nname: demo\n', encoding="utf-8")
    doc = load_yaml(path)
    assert doc.data == {"description": "a\u2028b", "name": "demo"}
    assert doc.line("name") == 2


# --------------------------------------------------------------------------------------------------
# harness.generate.systems.parse_spec
# --------------------------------------------------------------------------------------------------

BASE = Path("/tasks/demo")


@FAST
@given(k=st.integers(min_value=1, max_value=10**6))
def test_lead_k_parses(k: int) -> None:
    """``lead:K`` for any positive K is the lead system with k=K."""
    spec = parse_spec(f"lead:{k}", base_dir=BASE)
    assert (spec.kind, spec.k, spec.path) == ("lead", k, None)


@pytest.mark.parametrize("spec", ["lead:0", "lead:-1", "lead:x", "lead:", "lead", "lead:1.5", "lead: 2", "lead:00"])
def test_bad_lead_raises(spec: str) -> None:
    """K must be a positive integer written in digits."""
    with pytest.raises(HarnessError, match="lead"):
        parse_spec(spec, base_dir=BASE)


@FAST
@given(
    path=st.text(
        alphabet=st.sampled_from(list(string.ascii_letters + string.digits + "._-/ é")), min_size=1, max_size=20
    )
)
def test_file_spec_resolves_against_base_dir(path: str) -> None:
    """``file:PATH`` is PATH relative to the task's folder (an absolute PATH stays as it is)."""
    spec = parse_spec(f"file:{path}", base_dir=BASE)
    assert spec.kind == "file" and spec.path == BASE / path
    if not path.startswith("/"):
        assert spec.path.is_relative_to(BASE)


spec_strings = st.one_of(
    st.text(max_size=15),
    st.builds(
        lambda kind, sep, arg: kind + sep + arg,
        st.sampled_from(["lead", "file", "copy", "led", "Lead", "fil", ""]),
        st.sampled_from([":", "", "::"]),
        st.one_of(st.text(max_size=6), st.text(alphabet=st.characters(categories=["Nd", "No"]), max_size=3)),
    ),
)


@FAST
@given(spec=spec_strings)
@example(spec="lead:²")  # str.isdigit() is true for superscripts, but int() rejects them
@example(spec="lead:٣")  # an Arabic-Indic digit three
def test_any_spec_parses_or_raises_harness_error(spec: str) -> None:
    """Whatever the user types as a system spec, the result is a spec or a HarnessError, never a crash."""
    try:
        parsed = parse_spec(spec, base_dir=BASE)
    except HarnessError:
        return
    assert parsed.kind in ("copy", "lead", "file") and parsed.spec == spec
    if parsed.kind == "lead":
        assert isinstance(parsed.k, int) and parsed.k >= 1


# --------------------------------------------------------------------------------------------------
# harness.errors.did_you_mean
# --------------------------------------------------------------------------------------------------


@st.composite
def typos(draw: st.DrawFn) -> tuple[str, str]:
    """A known task key and that key with one character deleted, inserted or replaced."""
    name = draw(st.sampled_from(TASK_KEYS))
    at = draw(st.integers(min_value=0, max_value=len(name)))  # len(name): only an insertion at the end
    letter = draw(st.sampled_from(string.ascii_lowercase))
    edit = "insert" if at == len(name) else draw(st.sampled_from(["delete", "insert", "replace"]))
    typo = {
        "delete": name[:at] + name[at + 1 :],
        "insert": name[:at] + letter + name[at:],
        "replace": name[:at] + letter + name[at + 1 :],
    }[edit]
    assume(typo != name)
    # "gata" is one edit from both "data" and "gate": only a typo that points at one key has one answer.
    assume(not any(_one_edit(typo, other) for other in TASK_KEYS if other != name))
    return name, typo


def _one_edit(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` with one character deleted, inserted or replaced."""
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long = sorted((a, b), key=len)
    return len(long) - len(short) == 1 and any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


@FAST
@given(pair=typos())
def test_did_you_mean_suggests_the_name_behind_a_typo(pair: tuple[str, str]) -> None:
    """A task key with one character deleted, inserted or replaced gets that key as the suggestion."""
    name, typo = pair
    assert did_you_mean(typo, TASK_KEYS) == f" (did you mean {name!r}?)"

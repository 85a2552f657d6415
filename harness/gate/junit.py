"""A gate's verdicts for CI: JUnit XML, the format CI systems (GitHub, GitLab, Jenkins, Azure) read as test
results, and the Markdown summary that ``harness compare`` prints and appends to ``$GITHUB_STEP_SUMMARY``.

The JUnit layout follows the schema Jenkins and GitLab parse (``testsuites`` > one ``testsuite`` > ``testcase``,
each failing one holding a ``failure`` with ``message`` and ``type``): one test case per gate, plus one per
example that breaks a hard check (``max_count``), whose failure message is the example's discrepancies.
The file validates against both published schemas (tested): Jenkins xunit's ``junit-10.xsd``, the one its
JUnit import checks, and the stricter Apache Ant schema (windyroad's ``JUnit.xsd``), which also requires the
suite's ``id``, ``package``, ``hostname`` and ``timestamp`` and its ``system-out``/``system-err`` elements.
"""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from harness.gate.compare import Comparison, GateResult


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(comparison: Comparison, results: list[GateResult]) -> str:
    """The comparison table and the gates' verdicts as Markdown (stdout and ``$GITHUB_STEP_SUMMARY``)."""
    base, cand = comparison.baseline.meta, comparison.candidate.meta
    failed = [r for r in results if not r.passed]
    lines = [
        f"## harness compare: {base['task']['name']} — {'FAILED' if failed else 'passed'}",
        "",
        f"Baseline `{base['system']['name']}` ({comparison.baseline.path.name}), candidate "
        f"`{cand['system']['name']}` ({comparison.candidate.path.name}): {len(comparison.ids)} common examples"
        + (f" ({comparison.only_baseline} only in the baseline)" if comparison.only_baseline else "")
        + (f" ({comparison.only_candidate} only in the candidate)" if comparison.only_candidate else "")
        + f". Difference = candidate − baseline, {comparison.level:.0%} paired bootstrap interval and paired "
        f"permutation p ({comparison.resamples} resamples, seed {comparison.seed}).",
        "",
        f"| key | baseline | candidate | difference | {comparison.level:.0%} CI | p |",
        "|---|---:|---:|---:|---|---:|",
    ]
    for k in comparison.keys:
        ci = k.difference
        lines.append(
            f"| {k.key} | {k.baseline:.4f} | {k.candidate:.4f} | {ci.mean:+.4f} | "
            f"[{ci.low:+.4f}, {ci.high:+.4f}] | {k.p:.4f} |"
        )
    if comparison.skipped_metrics:
        lines += ["", f"Not compared (run by one side only): {', '.join(comparison.skipped_metrics)}."]
    if comparison.findings:
        lines += [
            "",
            f"Findings (harness/rank/findings.py): examples with at least one, of the {len(comparison.ids)} common; "
            f"change in the rate (candidate − baseline) with its {comparison.level:.0%} paired bootstrap interval "
            "and paired permutation p.",
            "",
            f"| finding | baseline | candidate | change | {comparison.level:.0%} CI of the rate change | p |",
            "|---|---:|---:|---:|---|---:|",
        ]
        for f in comparison.findings:
            ci = f.difference
            lines.append(
                f"| {f.name} | {f.baseline} | {f.candidate} | {f.candidate - f.baseline:+d} | "
                f"[{ci.low:+.4f}, {ci.high:+.4f}] | {f.p:.4f} |"
            )
    lines += ["", "| gate | result | detail |", "|---|---|---|"]
    lines += [f"| {_cell(r.name)} | {'pass' if r.passed else '**FAIL**'} | {_cell(r.detail)} |" for r in results]
    if not results:
        lines.append("| (none) | pass | no gate configured |")
    broken = [(r, e) for r in failed for e in r.examples]
    if broken:
        lines += ["", "Examples that break a hard check:", ""]
        lines += [f"- `{_cell(e.id)}` ({_cell(r.name)}): {_cell(e.message)}" for r, e in broken]
    return "\n".join(lines) + "\n"


def to_junit(comparison: Comparison, results: list[GateResult], *, seconds: float = 0.0) -> str:
    """The XML document, UTF-8 declared, as text."""
    task = str(comparison.candidate.meta["task"]["name"])
    cases: list[ET.Element] = []
    for result in results:
        case = ET.Element("testcase", classname=f"harness.gate.{task}", name=result.name, time="0")
        if not result.passed:
            failure = ET.SubElement(case, "failure", message=result.detail, type="GateFailed")
            failure.text = result.detail
        cases.append(case)
        if result.passed:
            continue
        for example in result.examples:
            case = ET.Element(
                "testcase", classname=f"harness.gate.{task}.{result.name}", name=f"example {example.id}", time="0"
            )
            failure = ET.SubElement(case, "failure", message=example.message, type="HardCheckFailed")
            failure.text = f"example {example.id}: {example.message}"
            cases.append(case)
    failures = sum(1 for case in cases if case.find("failure") is not None)
    counts = {"tests": str(len(cases)), "failures": str(failures), "errors": "0"}
    # No attributes on <testsuites>: the Ant schema allows none (the counts live on the one suite).
    root = ET.Element("testsuites")
    suite = ET.SubElement(
        root,
        "testsuite",
        {
            "name": f"harness compare {task}",
            # id and package: the Ant schema requires them of a suite inside <testsuites>.
            "id": "0",
            "package": "harness.gate",
            **counts,
            "skipped": "0",
            "time": f"{seconds:.3f}",
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
            "hostname": socket.gethostname() or "localhost",
        },
    )
    properties = ET.SubElement(suite, "properties")
    for name, run in (("baseline", comparison.baseline), ("candidate", comparison.candidate)):
        ET.SubElement(properties, "property", name=name, value=str(run.path))
    suite.extend(cases)
    # Empty, but the Ant schema requires both after the test cases.
    ET.SubElement(suite, "system-out")
    ET.SubElement(suite, "system-err")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

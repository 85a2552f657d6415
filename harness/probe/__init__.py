"""``harness probe``: controlled edits of candidates that measure which errors each metric can see.

- :mod:`harness.probe.base`: what a probe is (a seeded generator returning the new text, the exact edited
  spans, its FRANK error type and the expected movement per metric key) and how expectations follow from
  each key's registered direction;
- :mod:`harness.probe.probes`: the probes, one module each (numbers, entities, negation, hedges, quotes,
  sentence order, truncation, the source itself, and the invariances: curly quotes, re-flow, contractions,
  "UK" / "United Kingdom");
- :mod:`harness.probe.runner`: margins, rates, bootstrap intervals, detection, blind spots;
- :mod:`harness.probe.render`: the matrix as a table, Markdown, JSON and an HTML block for ``harness report``.

Metrics are found through the registry, so a new metric is probed without editing anything here.
"""

"""Reporting: the HTML report of a run (:mod:`~harness.report.report`), its plots and the per-example highlighting
of a candidate against its source. The page templates and the vendored plotly.js stay in ``harness/templates/`` and
``harness/vendor/`` (package data, shared with the probe and meta-evaluation pages).
"""

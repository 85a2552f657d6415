"""Scoring: the metric registry and its ``evaluate`` wrapper, the public :func:`~harness.scoring.api.score` API
(exported as ``harness.score``), the runner that generates, scores and stores a task's run, and the helpers
scoring needs (sentence splitting, input-size warnings, ``--metric-option`` checks against a task).
"""

"""The regression gate: what a run must satisfy against a baseline (``harness compare``, ``eval --baseline``).

:mod:`~harness.gate.config` holds the gate's thresholds and how they are parsed and checked, which both the
task file (:mod:`harness.read.tasks`, its ``gate:`` section) and the comparison (:mod:`harness.gate.compare`) use; it
sits below both, so neither has to import the other for it.
"""

"""Fidelity metrics: one self-registering subpackage per metric (see ``harness.scoring.registry``).

Each subpackage also holds ``<name>.py``, an ``evaluate.Metric`` wrapper, so that
``evaluate.load("metrics/<name>")`` works from a checkout.
"""

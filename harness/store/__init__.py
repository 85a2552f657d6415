"""Storing: run directories under ``results/`` (:mod:`~harness.store.store`) and the signatures and environment
recorded with them (:mod:`~harness.store.provenance`).
"""

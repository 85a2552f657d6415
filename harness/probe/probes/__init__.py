"""The probes of ``harness probe``, one module each; every module registers its probe with
:func:`harness.probe.base.register_probe`."""

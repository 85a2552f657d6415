"""Reading the examples a run scores: the task's data rows turned into :class:`~harness.read.example.Example`.

:mod:`~harness.read.example` is the unit every later stage takes (prompts render it, systems produce a
candidate for it, the runner scores it); it sits below :mod:`harness.read.tasks`, which makes examples, so that the
stages that only use them need not import the task loader.
"""

"""The work behind the ``harness`` commands that do more than parse and delegate, one module per command.

:mod:`harness.cli` parses the flags, calls these, and prints what they return: nothing here prints, exits or
knows about typer; errors are :class:`~harness.errors.HarnessError` and notes go to a ``note`` callback, so
the command line keeps stdout, stderr and exit codes to itself.

- :mod:`~harness.commands.common`: the ``--metrics`` and ``--metric-option`` flags several commands take.
- :mod:`~harness.commands.eval`: ``harness eval``: the task, metrics, systems and baseline a command line
  names, and what a finished run has to say.
- :mod:`~harness.commands.gate`: ``compare`` and ``eval --baseline``: the gate's verdict and its reports.
- :mod:`~harness.commands.score`: ``harness score``: the pairs or the two files it scores.
"""

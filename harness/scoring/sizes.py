"""Warnings for inputs larger than a metric serves well: the harness scores them, and says so, naming the size.

Every metric is linear (or near it) in the length of its inputs, except where the published definition is not:
an LCS is O(n x m) in the two texts' token counts (bit-parallel: n x m / 64 word operations), and a windowed
BERTScore encodes a long source in ``length / 256`` passes of 512 word pieces. A source of megabytes then takes
minutes, not a hang, and the user is told which input, how large, and what to do instead. Library code does not
print: the warning goes through :mod:`warnings` (category :class:`InputSizeWarning`), which the CLI shows on stderr.
"""

from __future__ import annotations

import warnings


class InputSizeWarning(UserWarning):
    """An input is larger than the metric serves well (the message names the metric, the input and its size)."""


def warn_size(message: str) -> None:
    """Issue an :class:`InputSizeWarning` attributed to the caller of the metric."""
    warnings.warn(message, InputSizeWarning, stacklevel=3)

"""What a generation backend is and returns: an :class:`Answer` or a :class:`GenerationError` per prompt.

A backend never raises for one example's failure: it returns the error in that example's place, marked
retryable (429, 5xx, a timeout, a dropped connection) or not (a 400, a malformed response, a command that
exited non-zero), and the driver decides whether to try again. Configuration problems that would fail every
example alike (a model that cannot be loaded, a command not on PATH) are :class:`~harness.errors.HarnessError`
raised before any example is generated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Answer:
    """A generated candidate, and what the backend reported about it (finish reason, token usage)."""

    text: str
    meta: dict[str, Any] = field(default_factory=dict)


class GenerationError(Exception):
    """One prompt's generation failed. ``message`` is one line; ``retry_after`` is the server's hint in seconds."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = " ".join(message.split())  # one line, whatever the server or command wrote
        self.retryable = retryable
        self.retry_after = retry_after


Outcome = Answer | GenerationError


class Backend(Protocol):
    """A loaded generating system. ``batch_size`` prompts go to one :meth:`generate` call; ``max_workers``
    caps the calls in flight at once (``None``: only ``--concurrency`` does)."""

    batch_size: int
    max_workers: int | None

    def identity(self) -> dict[str, Any]:
        """Everything that decides the text this system generates for a prompt, and no secret: the cache key
        is its hash with the prompt's, and run.json records it."""
        ...

    def generate(self, prompts: list[str]) -> list[Outcome]:
        """One outcome per prompt, in order."""
        ...

    def close(self) -> None:
        """Release connections, processes or models."""
        ...


def one_line(text: str, limit: int = 300) -> str:
    """Collapse whitespace and cut ``text`` to ``limit`` characters, for error messages built from server or
    command output."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"

"""The judge's prompt templates: the shipped ``rating.txt`` and ``claims.txt`` beside this module, or a file
the task names (``prompt:``), checked when the metric is built.

A template is Python ``str.format`` text. The rating protocol fills ``{source}`` and ``{candidate}``; the
claims protocol ``{source}``, ``{sentences}`` (the rewrite's sentences, one per line, numbered ``1.``,
``2.``...) and optionally ``{count}``. Literal braces are written ``{{`` and ``}}``. A field the protocol
does not fill, or a required one missing, is an error naming the file. The sha256 of the template's text is
in the metric's signature, so editing a prompt never mixes its scores with the old ones.
"""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass
from pathlib import Path

from harness.errors import HarnessError, did_you_mean

HERE = Path(__file__).resolve().parent
FIELDS = {"rating": ("source", "candidate"), "claims": ("source", "sentences", "count")}
REQUIRED = {"rating": ("source", "candidate"), "claims": ("source", "sentences")}


@dataclass(frozen=True)
class Template:
    """A checked template, where it came from, and its hash."""

    text: str
    origin: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def name(self) -> str:
        """The file's name, for the signature (its hash says the rest)."""
        return Path(self.origin).name

    def render(self, **fields: str) -> str:
        return self.text.format(**fields)


def load(protocol: str, path: str | None) -> Template:
    """The protocol's shipped template, or the one at ``path`` (relative to the current folder)."""
    file = HERE / f"{protocol}.txt" if path is None else Path(path).expanduser()
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise HarnessError(f"judge: prompt file {str(file)!r} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise HarnessError(f"judge: cannot read prompt file {str(file)!r} ({exc})") from None
    check(text, protocol, str(file))
    return Template(text, str(file))


def check(text: str, protocol: str, origin: str) -> None:
    """Reject fields the protocol does not fill and missing required ones, naming the file."""
    allowed, used = FIELDS[protocol], set()
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise HarnessError(
            f"judge: prompt {origin}: not a valid format string ({exc}); write a brace as {{{{"
        ) from None
    for _, name, _, _ in parts:
        if name is None:
            continue
        if name not in allowed:
            raise HarnessError(
                f"judge: prompt {origin}: field {{{name}}} is not filled by the {protocol} protocol"
                f"{did_you_mean(name, allowed)}"
            )
        used.add(name)
    missing = [name for name in REQUIRED[protocol] if name not in used]
    if missing:
        raise HarnessError(f"judge: prompt {origin}: the {protocol} protocol needs {{{missing[0]}}} in the prompt")


def numbered(sentences: list[str]) -> str:
    """The rewrite's sentences as the claims prompt lists them: ``1. First.`` one per line."""
    return "\n".join(f"{number}. {sentence}" for number, sentence in enumerate(sentences, start=1))

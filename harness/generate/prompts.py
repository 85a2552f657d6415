"""The task's prompt template: Python ``str.format`` over an example's fields, checked when the task loads.

A template may name ``{source}`` (required: without it every example gets the same prompt), ``{id}`` and
``{reference}``; literal braces are written ``{{`` and ``}}``. Positional fields (``{}``), attribute or index
access (``{source.title}``, ``{source[0]}``) and unknown names are errors at load time, so a typo never
reaches an endpoint as a literal ``{sourse}``.
"""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass

from harness.errors import HarnessError, did_you_mean, where
from harness.read.example import Example

PLACEHOLDERS = ("id", "source", "reference")


@dataclass(frozen=True)
class PromptTemplate:
    """A validated template and the fields it uses."""

    text: str
    fields: tuple[str, ...]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def render(self, example: Example, *, location: str) -> str:
        """The prompt of one example. A template that names ``{reference}`` needs every example to have one."""
        if "reference" in self.fields and example.reference is None:
            raise HarnessError(
                f"{where(location, example.line)}: example {example.id!r} has no reference, and the task's prompt "
                "uses {reference}: add the field or drop it from the prompt"
            )
        return self.text.format(id=example.id, source=example.source, reference=example.reference)

    def to_json(self) -> dict[str, str]:
        return {"template": self.text, "sha256": self.sha256}


def parse_template(text: str) -> PromptTemplate:
    """Validate a template; the message of the :class:`HarnessError` says what to change."""
    used: list[str] = []
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise HarnessError(
            f"prompt is not a valid format string ({exc}); write a literal brace as {{{{ or }}}}"
        ) from None
    for _, name, spec, _ in parts:
        if name is None:
            continue
        if name == "" or name.isdigit():
            raise HarnessError("prompt has a positional field {}; name a field such as {source}")
        if not name.isidentifier():
            raise HarnessError(f"prompt field {{{name}}}: only plain names are allowed ({', '.join(PLACEHOLDERS)})")
        if name not in PLACEHOLDERS:
            raise HarnessError(f"prompt field {{{name}}} is not an example field{did_you_mean(name, PLACEHOLDERS)}")
        if spec and "{" in spec:
            raise HarnessError(f"prompt field {{{name}}}: nested fields in a format spec are not allowed")
        used.append(name)
    if "source" not in used:
        raise HarnessError("prompt never uses {source}: every example would get the same prompt")
    return PromptTemplate(text, tuple(dict.fromkeys(used)))

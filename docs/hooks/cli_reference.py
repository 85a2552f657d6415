"""MkDocs hook: renders the CLI reference from the typer app at build time, so it cannot drift from the code.

``docs/cli.md`` holds the marker ``<!-- cli-reference -->``; at build time it is replaced by one section per
command of ``harness``: its usage line, its help text and a table of its arguments and options (names, type,
default, help), read from ``typer.main.get_command(app)``, the click command typer itself runs.
"""

from __future__ import annotations

import enum
import typing
from typing import Any

MARKER = "<!-- cli-reference -->"


def _cell(text: object) -> str:
    """One Markdown table cell: pipes escaped, line breaks folded."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _type_name(param: Any) -> str:
    if getattr(param, "is_flag", False):
        return "flag"
    annotation = param.type_descriptor.annotation
    if typing.get_origin(annotation) in (list, tuple):  # a repeatable option: name its items' type
        annotation = (typing.get_args(annotation) or (str,))[0]
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return " \\| ".join(f"`{member.value}`" for member in annotation)
    name = getattr(annotation, "__name__", str(annotation))
    return {"str": "text", "int": "integer", "float": "number", "Path": "path"}.get(name, _cell(name))


def _default(param: Any) -> str:
    value = param.default
    if value is None or getattr(param, "is_flag", False) and value is False:
        return ""
    if callable(value):
        return ""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, (list, tuple)):
        if not value:
            return ""
        value = ",".join(map(str, value))
    return f"`{_cell(value)}`"


def render() -> str:
    """The reference, as Markdown: one ``##`` section per command, in the app's order."""
    import typer

    from harness.cli import app

    group = typer.main.get_command(app)
    out: list[str] = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        ctx = command.context_class(command, info_name=f"harness {name}")
        usage = " ".join(command.collect_usage_pieces(ctx))
        out += [f"## harness {name}", "", "```text", f"harness {name} {usage}".rstrip(), "```", ""]
        if command.help:
            out += [_cell(command.help), ""]
        rows = []
        for param in command.params:
            if param.name == "help":
                continue
            if param.param_type_name == "argument":
                names = f"`{(param.metavar or param.name or '').upper()}`"
                help_text = getattr(param, "help", "") or ""
                kind = "argument" + ("" if param.required else ", optional")
            else:
                names = ", ".join(f"`{o}`" for o in [*param.opts, *param.secondary_opts])
                help_text = param.help or ""
                kind = _type_name(param) + (", repeatable" if param.multiple else "")
            rows.append(f"| {names} | {kind} | {_default(param)} | {_cell(help_text)} |")
        if rows:
            out += ["| argument or option | type | default | what it does |", "|---|---|---|---|", *rows, ""]
    return "\n".join(out)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if MARKER in markdown:
        return markdown.replace(MARKER, render())
    return markdown

"""What a generating system spec names, and its options, validated strictly.

``openai:MODEL[@BASE_URL]``, ``hf:MODEL_ID_OR_PATH`` and ``command:CMD`` become a :class:`GeneratorConfig`.
Options come from a task's ``systems:`` entry written as a mapping (``{spec: ..., temperature: 0}``) and from
``harness eval --option KEY=VALUE``; an unknown name gets "did you mean", an option that means nothing to
the system's kind (``device`` for an endpoint) is an error rather than silently ignored.
"""

from __future__ import annotations

import math
import os
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from harness.errors import HarnessError, did_you_mean

GENERATING_KINDS = ("openai", "hf", "command")
DEFAULT_BASE_URL = "https://api.openai.com/v1"
BASE_URL_ENV = "OPENAI_BASE_URL"
_URL = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class OptionDef:
    """One option: the kinds it applies to, its type, its smallest value, and whether it changes the text
    generated (then it is part of the cache key)."""

    kinds: tuple[str, ...]
    type: type
    minimum: float | None
    output: bool
    help: str


OPTIONS: dict[str, OptionDef] = {
    "temperature": OptionDef(("openai", "hf"), float, 0.0, True, "sampling temperature; 0 is greedy (default 0)"),
    "max_tokens": OptionDef(("openai", "hf"), int, 1, True, "most tokens generated per example (default 1024)"),
    "seed": OptionDef(("openai", "hf"), int, None, True, "sampling seed, sent to the endpoint (default: none)"),
    "system_prompt": OptionDef(("openai", "hf"), str, None, True, "a system message before the prompt"),
    "timeout": OptionDef(("openai", "command"), float, 0.0, False, "seconds per request or command (120 / 600)"),
    "attempts": OptionDef(("openai",), int, 1, False, "tries per example on 429, 5xx and timeouts (default 5)"),
    "backoff": OptionDef(("openai",), float, 0.0, False, "first retry delay in seconds, doubled each time (1)"),
    "api_key_env": OptionDef(("openai",), str, None, False, "environment variable holding the API key"),
    "batch_size": OptionDef(("hf",), int, 1, False, "prompts generated together (default 8)"),
    "device": OptionDef(("hf",), str, None, False, "auto (CUDA when available), cpu, cuda, cuda:1, mps"),
    "allow_empty": OptionDef(
        GENERATING_KINDS,
        bool,
        None,
        False,
        "accept an empty answer as the candidate (default false: it is a failed attempt, retried, never cached)",
    ),
}


@dataclass(frozen=True)
class GenOptions:
    """Resolved options of one generating system (defaults filled in)."""

    temperature: float = 0.0
    max_tokens: int = 1024
    seed: int | None = None
    system_prompt: str | None = None
    timeout: float = 120.0
    attempts: int = 5
    backoff: float = 1.0
    api_key_env: str = "OPENAI_API_KEY"
    batch_size: int = 8
    device: str = "auto"
    # An empty answer is most often a server or command that failed quietly: retried and never cached, unless
    # the system says an empty candidate is a real answer.
    allow_empty: bool = False
    # Names given explicitly (task or command line), so run.json can tell a choice from a default.
    given: tuple[str, ...] = field(default=(), compare=False)

    def output_options(self, kind: str) -> dict[str, Any]:
        """The options of ``kind`` that change the generated text: part of the cache key and of run.json."""
        return {name: getattr(self, name) for name, spec in OPTIONS.items() if spec.output and kind in spec.kinds}


# A command may run a whole pipeline per example: give it longer than one HTTP request.
KIND_DEFAULTS: dict[str, dict[str, Any]] = {"command": {"timeout": 600.0}}


class OptionError(HarnessError):
    """A bad option; ``key`` is the option's name, so a task file error can point at its line."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


def parse_options(kind: str, raw: Mapping[str, Any]) -> GenOptions:
    """Validate ``raw`` for a ``kind`` system and fill in the defaults."""
    values: dict[str, Any] = dict(KIND_DEFAULTS.get(kind, {}))
    for name, value in raw.items():
        name = str(name)
        spec = OPTIONS.get(name)
        if spec is None:
            raise OptionError(f"unknown generation option {name!r}{did_you_mean(name, OPTIONS)}", name)
        if kind not in spec.kinds:
            applies = ", ".join(f"{k}:" for k in spec.kinds)
            raise OptionError(f"option {name!r} does not apply to {kind}: systems (only to {applies})", name)
        values[name] = _convert(name, spec, value, from_text=False)
    return replace(GenOptions(), **values, given=tuple(str(k) for k in raw))


def _convert(name: str, spec: OptionDef, value: Any, *, from_text: bool) -> Any:
    """Type-check one value; ``from_text``: a command-line string, converted to the option's type first."""
    if spec.type is bool:  # YAML's true/false, or the same words after --option
        words = {"true": True, "false": False}
        if from_text and isinstance(value, str) and value.strip().lower() in words:
            value = words[value.strip().lower()]
        if not isinstance(value, bool):
            raise OptionError(f"option {name!r} must be true or false, got {value!r}", name)
        return value
    if from_text and isinstance(value, str) and spec.type is not str:
        try:
            value = spec.type(value)
        except ValueError:
            raise OptionError(f"option {name!r} must be {_kind_name(spec.type)}, got {value!r}", name) from None
    if spec.type is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, spec.type) or isinstance(value, bool):
        raise OptionError(f"option {name!r} must be {_kind_name(spec.type)}, got {value!r}", name)
    return _check(name, spec, value)


def _check(name: str, spec: OptionDef, value: Any) -> Any:
    if spec.type is float and not math.isfinite(value):
        raise OptionError(f"option {name!r} must be a finite number, got {value!r}", name)
    if spec.type is str and not value.strip():
        raise OptionError(f"option {name!r} must not be empty", name)
    if spec.minimum is not None and value < spec.minimum:
        raise OptionError(f"option {name!r} must be at least {spec.minimum:g}, got {value!r}", name)
    if name == "timeout" and value == 0:
        raise OptionError("option 'timeout' must be more than 0 seconds", name)
    if name == "device" and not re.fullmatch(r"auto|cpu|mps|cuda(:\d+)?", value):
        raise OptionError(f"option 'device' must be auto, cpu, mps, cuda or cuda:N, got {value!r}", name)
    return value


def _kind_name(kind: type) -> str:
    return {float: "a number", int: "an integer", str: "a string"}[kind]


def parse_option_flags(items: list[str]) -> dict[str, Any]:
    """``--option KEY=VALUE`` flags as a mapping of typed values (whether each applies to a system's kind is
    checked by :func:`parse_options`)."""
    found: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise HarnessError(f"--option {item!r}: expected KEY=VALUE, e.g. --option temperature=0")
        if name not in OPTIONS:
            raise HarnessError(f"--option {item!r}: unknown generation option {name!r}{did_you_mean(name, OPTIONS)}")
        if name in found:
            raise HarnessError(f"--option {name!r} given twice")
        try:
            found[name] = _convert(name, OPTIONS[name], value, from_text=True)
        except OptionError as exc:
            raise HarnessError(f"--option {item!r}: {exc}") from None
    return found


@dataclass(frozen=True)
class GeneratorConfig:
    """A generating system: its kind, what it runs (model name, model id or path, or command line), where
    (base URL for ``openai``, working folder for ``command``), and its options."""

    kind: str
    target: str
    options: GenOptions
    base_url: str | None = None
    cwd: Path | None = None


def generator_config(kind: str, arg: str, *, spec: str, base_dir: Path, options: GenOptions) -> GeneratorConfig:
    """Parse the argument of a generating spec (the text after ``kind:``)."""
    if kind == "openai":
        model, at, url = arg.partition("@")
        if not model.strip() or any(c.isspace() for c in model):
            raise HarnessError(f"system spec {spec!r}: openai: needs a model name, e.g. openai:gpt-4o-mini")
        if at and not _URL.fullmatch(url):
            raise HarnessError(
                f"system spec {spec!r}: the base URL after '@' must start with http:// or https://, "
                "e.g. openai:llama3@http://127.0.0.1:8000/v1"
            )
        base_url = (url if at else os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")
        return GeneratorConfig(kind, model, options, base_url=base_url)
    if kind == "hf":
        if not arg.strip():
            raise HarnessError(f"system spec {spec!r}: hf: needs a model id or a local model folder")
        local = base_dir / Path(arg).expanduser()
        if local.exists():
            return GeneratorConfig(kind, str(local.resolve()), options)
        # A hub id is NAME or ORG/NAME; anything else that does not exist is a mistyped path.
        if arg.startswith((".", "/", "~")) or arg.count("/") > 1:
            raise HarnessError(
                f"system spec {spec!r}: model folder {str(local)!r} not found; give a folder written by "
                "save_pretrained, or a hub id such as hf:google/flan-t5-small"
            )
        return GeneratorConfig(kind, arg, options)
    if kind == "command":
        try:
            argv = shlex.split(arg)
        except ValueError as exc:
            raise HarnessError(f"system spec {spec!r}: cannot split the command line ({exc})") from None
        if not argv:
            raise HarnessError(f"system spec {spec!r}: command: needs a command line, e.g. command:python rewrite.py")
        return GeneratorConfig(kind, arg, options, cwd=base_dir.resolve())
    raise HarnessError(f"system spec {spec!r}: {kind!r} is not a generating kind")


def option_names() -> list[str]:
    """Every option name, for help texts."""
    return [f.name for f in fields(GenOptions) if f.name != "given"]

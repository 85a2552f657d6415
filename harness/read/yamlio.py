"""YAML with line numbers: every value's position is kept so task errors can say ``file:line``.

PyYAML's ``safe_load`` forgets where things were and silently keeps the last of two equal keys; here the
document is composed into nodes first, duplicate keys are errors, and the line of each key is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from harness.errors import HarnessError, where
from harness.read.textio import read_text

KeyPath = tuple[str | int, ...]


@dataclass
class YamlDoc:
    """A parsed YAML document and the 1-based line of each value, by its path of keys and indices."""

    path: Path
    data: Any
    text: str = ""
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line_of(self, mark: yaml.Mark) -> int:
        """1-based line of a position. PyYAML's own ``mark.line`` also counts U+2028, U+2029 and U+0085 as
        line breaks; editors, ``grep -n`` and every other ``file:line`` of the harness count only ``\n``."""
        return line_at(self.text, mark.index)

    def line(self, *keys: str | int) -> int | None:
        """Line of the value at ``keys``, else of its nearest parent that has one."""
        while keys:
            if keys in self.lines:
                return self.lines[keys]
            keys = keys[:-1]
        return self.lines.get((), 1)

    def error(self, message: str, *keys: str | int) -> HarnessError:
        """An error located at the value found at ``keys``."""
        return HarnessError(f"{where(self.path, self.line(*keys))}: {message}")


def line_at(text: str, index: int) -> int:
    """1-based line of the character at ``index``, counting ``\n`` only."""
    return text.count("\n", 0, index) + 1


def load_yaml(path: Path) -> YamlDoc:
    """Parse one YAML file strictly (safe tags only, no duplicate keys)."""
    text = read_text(path)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = line_at(text, mark.index) if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise HarnessError(f"{where(path, line)}: invalid YAML ({problem})") from None
    doc = YamlDoc(path, None, text)
    if node is None:
        return doc
    doc.data = _convert(node, (), doc, yaml.SafeLoader(""))
    return doc


def _convert(node: yaml.Node, keys: KeyPath, doc: YamlDoc, loader: yaml.SafeLoader) -> Any:
    doc.lines.setdefault(keys, doc.line_of(node.start_mark))
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, doc, loader)
            if key in result:
                raise HarnessError(f"{where(doc.path, doc.line_of(key_node.start_mark))}: duplicate key {key!r}")
            doc.lines[keys + (key,)] = doc.line_of(key_node.start_mark)
            result[key] = _convert(value_node, keys + (key,), doc, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, keys + (index,), doc, loader) for index, item in enumerate(node.value)]
    return _scalar(node, doc, loader)


def _scalar(node: yaml.Node, doc: YamlDoc, loader: yaml.SafeLoader) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise HarnessError(f"{where(doc.path, doc.line_of(node.start_mark))}: a mapping key must be a plain value")
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        raise HarnessError(f"{where(doc.path, doc.line_of(node.start_mark))}: invalid YAML value ({exc})") from None

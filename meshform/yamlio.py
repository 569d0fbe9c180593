"""YAML loading that keeps line numbers and refuses duplicate keys (PyYAML silently keeps the last one)."""
from __future__ import annotations

from pathlib import Path

import yaml

from meshform.errors import ErrorList

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path, errors: ErrorList, display: str) -> tuple[object, dict[str, int]] | tuple[None, None]:
    """Return (data, lines) where lines maps dotted field paths to 1-based line numbers; (None, None) on error."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        errors.add(display, "", f"cannot read the file: {exc}", "make it a readable UTF-8 text file")
        return None, None
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        detail = f"{context}, {problem}" if context else problem
        errors.add(display, "", f"YAML syntax error at line {line}: {detail}",
                   "fix the YAML syntax (indentation, quotes, colons) at that line", {"": line})
        return None, None
    if root is None:
        errors.add(display, "", "the file is empty", "add the document's content")
        return None, None
    lines: dict[str, int] = {"": root.start_mark.line + 1}
    dup_count = len(errors)
    _walk(root, "", lines, errors, display)
    if len(errors) != dup_count:
        return None, None
    return yaml.load(text, Loader=_Loader), lines


def _walk(node: yaml.Node, prefix: str, lines: dict[str, int], errors: ErrorList, display: str) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            path = f"{prefix}.{key}" if prefix else key
            line = key_node.start_mark.line + 1
            if key in seen:
                errors.add(display, path, f"duplicate key '{key}' (first defined at line {seen[key]})",
                           "keep one entry per key: merge or rename the duplicate", {path: line})
                continue
            seen[key] = line
            lines[path] = line
            _walk(value_node, path, lines, errors, display)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            path = f"{prefix}.{index}" if prefix else str(index)
            lines[path] = item.start_mark.line + 1
            _walk(item, path, lines, errors, display)

"""User-facing errors: every problem names the file, the field path inside it and the fix.

Loaders never raise on bad input; they append to an ErrorList so that one run reports everything at once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class SpecError:
    file: str
    line: int
    path: str
    problem: str
    fix: str = ""

    def render(self) -> str:
        file, path, problem, fix = (_shown(v) for v in (self.file, self.path, self.problem, self.fix))
        where = f"{file}:{self.line}" if self.line else file
        text = f"{where}: {path or '<top>'}: {problem}"
        if fix:
            text += f"\n    fix: {fix}"
        return text


MAX_SHOWN = 1000    # characters per rendered field: a hostile 1 MB value must not become a 1 MB message


def _shown(text: str) -> str:
    """Messages quote user input (keys, values, file names): escape what a terminal would interpret or cannot
    print (control characters such as ANSI escapes, undecodable file-name bytes) and clip very long values."""
    text = str(text)
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
    if len(text) > MAX_SHOWN:
        text = text[:MAX_SHOWN] + f"... ({len(text) - MAX_SHOWN} more characters)"
    return text


@dataclass
class ErrorList:
    """Collects SpecErrors; `lines` maps a field path to its line number in the file being checked."""

    errors: list[SpecError] = field(default_factory=list)

    def add(self, file: Path | str, path: str, problem: str, fix: str = "", lines: dict | None = None) -> None:
        self.errors.append(SpecError(str(file), line_of(lines, path), path, problem, fix))

    def __bool__(self) -> bool:
        return bool(self.errors)

    def __len__(self) -> int:
        return len(self.errors)

    def render(self) -> str:
        ordered = sorted(set(self.errors))
        body = "\n".join(e.render() for e in ordered)
        return f"{body}\n\n{len(ordered)} error(s) found; nothing was written."


class ValidationFailed(Exception):
    """Raised once, after all errors of a run were collected."""

    def __init__(self, errors: ErrorList):
        super().__init__(errors.render())
        self.errors = errors


def line_of(lines: dict | None, path: str) -> int:
    """Line of the deepest known ancestor of `path` (a dotted path such as domains.sales.account_id)."""
    if not lines:
        return 0
    parts = path.split(".") if path else []
    while parts:
        key = ".".join(parts)
        if key in lines:
            return lines[key]
        parts.pop()
    return lines.get("", 0)

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
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.path or '<top>'}: {self.problem}"
        if self.fix:
            text += f"\n    fix: {self.fix}"
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

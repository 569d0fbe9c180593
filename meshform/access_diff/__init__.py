"""`meshform access --diff [BASE]`: how access changes between two revisions (docs/ci.md).

Both revisions are exported from git into temporary directories (revisions.py) and loaded by the ordinary loader,
so each is validated exactly like `meshform validate` would; their access models are compared per environment
(model.py) and rendered as a pull-request comment or as JSON (render.py)."""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from meshform.access_diff.model import EnvironmentDiff, Snapshot, default_review_level, diff_environment, snapshot
from meshform.access_diff.revisions import GitError, Revision, open_repository
from meshform.errors import ErrorList, ValidationFailed

# Exit codes of `meshform access --diff` (the other commands: 0 ok, 1 input error or failed gate, 2 usage,
# 3 a required tool is missing).
EXIT_OK = 0               # no change, or changes that need no governance review
EXIT_ERROR = 1            # a revision does not load (named, with every error), or git cannot read it
EXIT_TOOL_MISSING = 3     # git is not installed
EXIT_REVIEW = 4           # some change needs governance review (model.py, rules 1-5)


class RevisionInvalid(Exception):
    def __init__(self, failures: list[tuple[Revision, ErrorList]]):
        super().__init__("invalid revision")
        self.failures = failures

    def render(self) -> str:
        parts = []
        for revision, errors in self.failures:
            parts.append(f"error: {revision.describe()} does not load:\n{errors.render()}")
        return "\n\n".join(parts)


@dataclass
class AccessDiff:
    base: Revision
    head: Revision
    environments: list[EnvironmentDiff]

    @property
    def needs_review(self) -> bool:
        return any(e.needs_review for e in self.environments)

    @property
    def exit_code(self) -> int:
        return EXIT_REVIEW if self.needs_review else EXIT_OK


def access_diff(root: Path, base: str | None, head: str = "HEAD", envs: list[str] | None = None,
                review_from: str | None = None) -> AccessDiff:
    """Raises GitError, RevisionInvalid, ToolMissing or ValueError (an unusable --env / --review-from)."""
    repo = open_repository(root)
    head_rev = repo.resolve(head)
    base_rev = repo.resolve(base) if base else repo.default_base(head_rev)
    with tempfile.TemporaryDirectory(prefix="meshform-access-diff-") as tmp:
        roots = {"base": repo.export(base_rev, Path(tmp) / "base"), "head": repo.export(head_rev, Path(tmp) / "head")}
        available = {side: _environments(path) for side, path in roots.items()}
        every = sorted(available["base"] | available["head"])
        selected = envs or every
        unknown = [e for e in selected if e not in every]
        if unknown:
            raise ValueError(f"environment(s) {', '.join(unknown)} exist in neither {base_rev.describe()} nor "
                             f"{head_rev.describe()} (fix: choose from {', '.join(every) or 'none'})")
        snapshots: dict[str, dict[str, Snapshot]] = {}
        failures = []
        for side, revision in (("base", base_rev), ("head", head_rev)):
            names = [e for e in selected if e in available[side]]
            try:
                meshes = _load(roots[side], names)
            except ValidationFailed as failed:
                failures.append((revision, failed.errors))
                continue
            snapshots[side] = {m.env: snapshot(m) for m in meshes}
        if failures:
            raise RevisionInvalid(failures)
    diffs = []
    for env in selected:
        b, h = snapshots["base"].get(env), snapshots["head"].get(env)
        current = h or b
        assert current is not None
        if review_from is not None and review_from not in current.ontology:
            raise ValueError(f"--review-from {review_from!r} is not a classification of {env} "
                             f"(fix: choose from {', '.join(current.ontology)})")
        level = review_from or default_review_level(current.ontology, current.default_classification)
        diffs.append(diff_environment(env, b, h, level))
    return AccessDiff(base_rev, head_rev, diffs)


def _environments(root: Path) -> set[str]:
    directory = root / "environments"
    if not directory.is_dir():
        return set()
    return {p.name[:-len(".yaml")] for p in directory.iterdir() if p.name.endswith(".yaml")}


def _load(root: Path, names: list[str]):
    from meshform.loader import load_meshes

    return load_meshes(root, names) if names else []


__all__ = ["EXIT_ERROR", "EXIT_OK", "EXIT_REVIEW", "EXIT_TOOL_MISSING", "AccessDiff", "GitError", "RevisionInvalid",
           "access_diff"]

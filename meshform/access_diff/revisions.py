"""Two revisions of a project, read from git without touching the user's working tree: the files meshform loads
(`environments/`, `contracts/`, `handshake/`) of a commit are exported with `git archive` into a temporary
directory, which the ordinary loader then reads like any project root. Nothing is checked out, no index or ref
changes, and the temporary directory is removed afterwards."""
from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from meshform.local.terraform import ToolMissing

# What meshform loads from a project root (meshform/loader.py): nothing else is exported.
PROJECT_DIRS = ("environments", "contracts", "handshake")
DEFAULT_BASES = ("main", "origin/main")


class GitError(Exception):
    """A revision that cannot be resolved or read; the message names it and says what to do."""


@dataclass(frozen=True)
class Revision:
    label: str        # what the user asked for ("main", "HEAD", "merge base of HEAD and main", ...)
    commit: str       # full SHA

    @property
    def short(self) -> str:
        return self.commit[:12]

    def describe(self) -> str:
        return f"{self.label} ({self.short})"


@dataclass(frozen=True)
class Repository:
    toplevel: Path
    prefix: str       # the project root inside the repository, "" when it is the top level

    def git(self, *args: str, binary: bool = False) -> subprocess.CompletedProcess:
        return _git(self.toplevel, *args, binary=binary)

    def resolve(self, rev: str, label: str | None = None) -> Revision:
        if rev.startswith("-"):
            raise GitError(f"{rev!r} is not a revision (it would be read as a git option)")
        found = self.git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
        if found.returncode != 0:
            raise GitError(f"revision {rev!r} does not exist in {self.toplevel} (fix: name a branch, tag or commit; "
                           "in CI fetch the history, e.g. actions/checkout with fetch-depth: 0)")
        return Revision(label or rev, found.stdout.strip())

    def default_base(self, head: Revision) -> Revision:
        """The merge base of HEAD with main, else with origin/main (a CI checkout has no local main)."""
        for candidate in DEFAULT_BASES:
            if self.git("rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}").returncode != 0:
                continue
            base = self.git("merge-base", head.commit, candidate)
            if base.returncode != 0:
                raise GitError(f"{head.describe()} and {candidate} have no common ancestor (fix: pass the base "
                               "revision explicitly: meshform access --diff <BASE>)")
            return Revision(f"merge base of {head.label} and {candidate}", base.stdout.strip())
        raise GitError("neither 'main' nor 'origin/main' exists, so there is no default base (fix: pass the base "
                       "revision explicitly: meshform access --diff <BASE>, or fetch main)")

    def export(self, revision: Revision, dest: Path) -> Path:
        """Write the revision's project files under `dest`; returns the project root inside it. A directory the
        revision does not have (e.g. no contracts yet) is simply absent, as it would be in a checkout."""
        wanted = [f"{self.prefix}/{d}" if self.prefix else d for d in PROJECT_DIRS]
        listed = self.git("ls-tree", "--name-only", revision.commit, "--", *wanted)
        if listed.returncode != 0:
            raise GitError(f"cannot list {revision.describe()}: {listed.stderr.strip()}")
        present = [line for line in listed.stdout.splitlines() if line]
        dest.mkdir(parents=True, exist_ok=True)
        if present:
            archive = self.git("archive", "--format=tar", revision.commit, "--", *present, binary=True)
            if archive.returncode != 0:
                raise GitError(f"cannot read {revision.describe()}: {archive.stderr.decode(errors='replace').strip()}")
            try:
                with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
                    # The "data" filter refuses absolute paths, links out of the directory and device files: a
                    # revision is untrusted input like any spec.
                    tar.extractall(dest, filter="data")
            except (tarfile.TarError, OSError) as error:
                raise GitError(f"cannot extract {revision.describe()}: {error}") from error
        return dest / self.prefix if self.prefix else dest


def open_repository(root: Path) -> Repository:
    if shutil.which("git") is None:
        raise ToolMissing("git was not found on PATH (meshform access --diff reads the two revisions with git)")
    found = _git(root, "rev-parse", "--show-toplevel")
    if found.returncode != 0:
        raise GitError(f"{root} is not inside a git repository (fix: run from your project's clone, or pass "
                       "--root <project>)")
    toplevel = Path(found.stdout.strip()).resolve()
    try:
        prefix = root.resolve().relative_to(toplevel).as_posix()
    except ValueError as error:
        raise GitError(f"{root} is outside its repository {toplevel}") from error
    return Repository(toplevel, "" if prefix == "." else prefix)


def _git(cwd: Path, *args: str, binary: bool = False) -> subprocess.CompletedProcess:
    # No pager, no prompts, no user configuration that could change the output (e.g. a custom archive format).
    env_args = ["-c", "core.quotepath=off", "--no-pager"]
    return subprocess.run(["git", "-C", str(cwd), *env_args, *args], capture_output=True, text=not binary,
                          env=_clean_env(), check=False)


def _clean_env() -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in ("GIT_CONFIG_NOSYSTEM",)}
    env["GIT_TERMINAL_PROMPT"] = "0"
    return env

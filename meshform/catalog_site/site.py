"""The whole site of one or more environments, rendered in memory and written atomically.

Layout of the output directory:
    index.html                     the environments
    <env>/index.html               domains and products, search
    <env>/graph.html, graph.svg    the mesh graph
    <env>/products/<d>.<p>.html, <env>/domains/<d>.html, <env>/consumers/<c>.html
    .meshform-catalog              marks the directory as generated (see `_replace`)

Byte-identical for the same input: no timestamps, every list sorted, JSON with sorted keys."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from meshform.catalog_site.graph import mesh_graph
from meshform.catalog_site.render import render_environment, render_root
from meshform.catalog_site.search_index import search_entries
from meshform.catalog_site.sla import sla_reader
from meshform.catalog_site.views import environment_view
from meshform.output_dir import replace_dir
from meshform.spec.mesh import Mesh

MARKER = ".meshform-catalog"
_MARKER_TEXT = ("This directory is written by `meshform catalog` and replaced as a whole on every run: "
                "do not keep other files here.\n")


class CatalogError(Exception):
    """A problem with the output directory: `problem` and `fix`, printed by the CLI like a validation error."""

    def __init__(self, problem: str, fix: str):
        super().__init__(problem)
        self.problem = problem
        self.fix = fix


def render_site(meshes: list[Mesh], root: Path) -> dict[str, str]:
    """Every file of the site: path relative to the output directory -> text, in sorted order."""
    meshes = sorted(meshes, key=lambda m: m.env)
    read_sla = sla_reader(root)
    views = [environment_view(mesh, root, read_sla) for mesh in meshes]
    envs = [v.env for v in views]
    files = {"index.html": render_root(views), MARKER: _MARKER_TEXT}
    for view in views:
        for path, text in render_environment(view, mesh_graph(view), search_entries(view), envs).items():
            files[f"{view.env}/{path}"] = text
    return dict(sorted(files.items()))


def write_catalog(meshes: list[Mesh], root: Path, out: Path) -> Path:
    """Render into a staging directory next to `out`, then swap it in: a failed run leaves the previous catalog
    untouched, and a reader never sees half a site. Returns the site's front page."""
    out = out.resolve()
    _check_target(out)
    files = render_site(meshes, root)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    except OSError as exc:
        raise CatalogError(f"cannot create {out.parent}: {exc.strerror or exc}",
                           "choose an --out whose parent directory is writable") from None
    try:
        for rel, text in files.items():
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
        replace_dir(staging, out)
    except OSError as exc:
        raise CatalogError(f"cannot write the catalog to {out}: {exc.strerror or exc}",
                           "check the directory's permissions and free space, then run again") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out / "index.html"


def _check_target(out: Path) -> None:
    """The output directory is replaced whole, so it must be ours: absent, empty, or marked by an earlier run.
    This is what keeps `--out ~` or `--out .` from deleting someone's files."""
    if not out.exists():
        return
    if not out.is_dir():
        raise CatalogError(f"{out} exists and is not a directory", "choose another --out")
    try:
        entries = os.listdir(out)
    except OSError as exc:
        raise CatalogError(f"cannot read {out}: {exc.strerror or exc}", "choose another --out") from None
    if entries and MARKER not in entries:
        raise CatalogError(f"{out} is not empty and was not written by `meshform catalog` (it has no {MARKER} "
                           "file); the catalog replaces its output directory as a whole",
                           "choose a new or empty --out directory, e.g. catalog/")

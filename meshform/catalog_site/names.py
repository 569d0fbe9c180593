"""Where each page lives and what its links look like. Names in the spec and contracts are validated to safe
alphabets already (meshform/spec/), but a file name is where a bad value would do damage (`../`, a name the
file system refuses, two names mapping to one file), so every page name passes through `page_name` anyway."""
from __future__ import annotations

import hashlib
import re

# Lower-case ASCII letters, digits, '_', '-' and '.', not starting with '.', short enough for any file system.
_SAFE = re.compile(r"[a-z0-9_][a-z0-9_.-]{0,99}", re.ASCII)
_SLUG_UNSAFE = re.compile(r"[^a-z0-9_-]", re.ASCII)      # no '.' either: the slug of a bad name has no '..'



def page_name(name: str) -> str:
    """A file-name stem for `name`: the name itself when it is safe, otherwise a readable slug plus a hash of the
    original, so that two different unsafe names never share a page."""
    if _SAFE.fullmatch(name) and ".." not in name:
        return name
    slug = _SLUG_UNSAFE.sub("_", name.lower())[:60] or "_"
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{slug}-{digest}"


def anchor(*parts: str) -> str:
    """An HTML id (also the URL fragment) for e.g. a table of a product page."""
    return "-".join(page_name(p) for p in parts)


# Paths relative to the environment's directory (`<out>/<env>/`); every page of the environment lives at depth 0
# (index, graph) or 1 (products/, domains/, consumers/).
def product_page(fqn: str) -> str:
    return f"products/{page_name(fqn)}.html"


def domain_page(name: str) -> str:
    return f"domains/{page_name(name)}.html"


def consumer_page(name: str) -> str:
    return f"consumers/{page_name(name)}.html"


INDEX_PAGE = "index.html"
GRAPH_PAGE = "graph.html"

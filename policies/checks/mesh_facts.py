"""Shared helpers for the mesh policies: the mesh facts file written by `meshform check` ($MESHFORM_MESH_FILE),
and unwrapping checkov's "hclified" values (every attribute arrives wrapped in a list)."""
from __future__ import annotations

import json
import os
from functools import lru_cache


@lru_cache(maxsize=4)
def _load(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def facts() -> dict:
    path = os.environ.get("MESHFORM_MESH_FILE")
    if not path:
        raise RuntimeError("MESHFORM_MESH_FILE is not set: run these policies through `meshform check`")
    return _load(path)


def first(value):
    """checkov wraps attribute values in a one-element list; return the value itself."""
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value

"""Shared helpers for the mesh policies: the mesh facts file written by `meshform check` ($MESHFORM_MESH_FILE),
the account of the stack being scanned (read from the scanned file's path), and unwrapping checkov's "hclified"
values (every attribute arrives wrapped in a list, nested blocks as lists of dicts, list attributes as [[a, b]], and
parsed dicts carry __startline__/__endline__ keys)."""
from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import PurePath


@lru_cache(maxsize=4)
def _load(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def facts() -> dict:
    path = os.environ.get("MESHFORM_MESH_FILE")
    if not path:
        raise RuntimeError("MESHFORM_MESH_FILE is not set: run these policies through `meshform check`")
    return _load(path)


def stack_of(entity_path: str | None) -> str | None:
    """The stack a resource belongs to, from checkov's `entity_path` ("<scanned file>:<type>:<name>", set on a
    check while it runs): the scanned file's parent directory (cdktf.out/stacks/<stack>/cdk.tf.json)."""
    if not entity_path or entity_path.count(":") < 2:
        return None
    scanned_file = entity_path.rsplit(":", 2)[0]
    return PurePath(scanned_file).parent.name or None


def stack_account(entity_path: str | None) -> str | None:
    """The account the scanned stack deploys into (facts' stack_accounts), or None when it is not known."""
    stack = stack_of(entity_path)
    return facts().get("stack_accounts", {}).get(stack) if stack else None


def first(value):
    """checkov wraps attribute values in a one-element list; return the value itself."""
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def values(value) -> list:
    """A list attribute ([[a, b]], [a] or a bare value) as a plain list; None -> []."""
    if value is None:
        return []
    if isinstance(value, list):
        if len(value) == 1 and isinstance(value[0], list):
            return values(value[0])
        return value
    return [value]


def blocks(conf: dict | None, key: str) -> list[dict]:
    """The nested blocks `key` of a resource or block, as a list of dicts (empty when absent)."""
    found: list[dict] = []

    def walk(value) -> None:
        if isinstance(value, dict):
            found.append(value)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk((conf or {}).get(key))
    return found


def block(conf: dict | None, key: str) -> dict:
    """The first nested block `key`, or {} when absent."""
    found = blocks(conf, key)
    return found[0] if found else {}


def attr(conf: dict | None, key: str, default=None):
    """A scalar attribute of a resource or block."""
    value = first((conf or {}).get(key))
    return default if value is None or value == [] else value


def is_true(value) -> bool:
    return first(value) in (True, "true", "True")


def is_reference(value) -> bool:
    """A Terraform expression ("${...}"), e.g. a reference to a managed key or secret."""
    return isinstance(value, str) and "${" in value


def plain(value):
    """Drop checkov's line-number keys from parsed dicts (e.g. tags)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if not (k.startswith("__") and k.endswith("__"))}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def account_of_arn(arn: str) -> str | None:
    """The 12-digit account of an ARN (arn:aws:iam::123456789012:role/x -> 123456789012)."""
    parts = arn.split(":") if isinstance(arn, str) else []
    if len(parts) >= 6 and parts[0] == "arn" and parts[4].isdigit() and len(parts[4]) == 12:
        return parts[4]
    return None


def is_account_id(value) -> bool:
    return isinstance(value, str) and len(value) == 12 and value.isdigit()


def is_aws_managed_key(key_id) -> bool:
    """An AWS-managed KMS key named by alias (alias/aws/s3, alias/aws/glue, ...): no key policy we control."""
    return isinstance(key_id, str) and not is_reference(key_id) and "alias/aws/" in key_id


FILTER_CLEARANCE_SEPARATOR = "__upto_"


def filter_clearance(name, table, classifications) -> str | None:
    """The clearance a data cells filter is named for, by meshform's convention `<table>__upto_<clearance>`
    (meshform/naming.py data_cells_filter_name): the clearance when `name` is exactly that for `table` and a
    level of `classifications`, else None (another table's name, an unknown level, a reference, no name)."""
    if not isinstance(name, str) or not isinstance(table, str) or not table:
        return None
    prefix = f"{table}{FILTER_CLEARANCE_SEPARATOR}"
    level = name[len(prefix):] if name.startswith(prefix) else None
    return level if level in classifications else None

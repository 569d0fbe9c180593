"""Helpers for the construct unit tests (tests/test_constructs*.py): one construct alone in a throwaway stack,
synthesized with `Testing.synth` (the stack's JSON as the user gets it). The jsii runtime and the AWS provider load
once per test process (~25 s); each synth after that takes milliseconds, so every test synthesizes its own minimal
stack."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


def synth_document(build: Callable[[Any], object]) -> dict:
    """The whole JSON document (`resource`, `data`, ...) of a stack that `build(stack)` filled."""
    from cdktf import TerraformStack, Testing

    stack = TerraformStack(Testing.app(), "t")
    build(stack)
    return json.loads(Testing.synth(stack))


def synth(build: Callable[[Any], object]) -> dict:
    """The `resource` block of a stack that `build(stack)` filled."""
    return synth_document(build).get("resource", {})


def only(resources: dict, rtype: str) -> dict:
    """The one resource of type `rtype` (fails if there are none or several)."""
    items = list(resources[rtype].values())
    assert len(items) == 1, items
    return items[0]


def depends_on_types(resource: dict) -> set[str]:
    """The resource types a synthesized resource's `depends_on` names (`<type>.<name>` references)."""
    return {ref.split(".")[0] for ref in resource.get("depends_on", [])}

"""Stamps the mandatory mesh tags (meshform/tags.py) on every taggable resource itself (checkov cannot see provider
default_tags)."""
from __future__ import annotations

from typing import Any

import jsii
from cdktf import IAspect, TerraformResource
from constructs import IConstruct


@jsii.implements(IAspect)
class StampTags:
    """Aspect: merges the stack's mandatory tags into every resource that has a `tags` argument.

    Tags a construct set explicitly (e.g. mesh:classification) are kept.
    """

    def __init__(self, tags: dict[str, str]):
        self._tags = dict(sorted(tags.items()))

    def visit(self, node: IConstruct) -> None:
        if isinstance(node, TerraformResource) and hasattr(type(node), "tags_input"):
            taggable: Any = node          # `tags` exists only on the generated classes of taggable resources
            own = taggable.tags_input or {}
            taggable.tags = {**self._tags, **own}

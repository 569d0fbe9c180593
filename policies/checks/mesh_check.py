"""Base class of the mesh's Python policies (not a policy itself: it registers nothing).

A rule implements `problems(conf)` and returns what is wrong, in words a reviewer can act on; no problems means
PASSED. The problems become the finding's details in `meshform check`. `stack_account()` is the account of the stack
being scanned (None when unknown), for rules whose verdict depends on where a resource is deployed. A rule that
crashes on an unexpected shape fails the resource with the error as detail rather than aborting the scan or silently
passing.
"""
from __future__ import annotations

from collections.abc import Iterable

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from mesh_facts import stack_account


class MeshCheck(BaseResourceCheck):
    def __init__(self, *, id: str, name: str, supported_resources: list[str], guideline: str,
                 categories: list[CheckCategories] | None = None) -> None:
        super().__init__(name=name, id=id, categories=categories or [CheckCategories.GENERAL_SECURITY],
                         supported_resources=supported_resources, guideline=guideline)

    def problems(self, conf: dict) -> Iterable[str]:
        raise NotImplementedError

    def stack_account(self) -> str | None:
        """The account of the stack being scanned (checkov sets entity_path while the check runs), or None."""
        return stack_account(getattr(self, "entity_path", None))

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        try:
            found = list(self.problems(conf))
        except Exception as error:  # noqa: BLE001 - a broken rule must fail loudly, never pass
            found = [f"policy error in {self.id} ({type(error).__name__}: {error}): fix the rule in policies/checks"]
        if found:
            self.details.extend(found)
            return CheckResult.FAILED
        return CheckResult.PASSED

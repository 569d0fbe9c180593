"""Cost-allocation tag activation (Cost Explorer), for moto 5.2.5, which has no UpdateCostAllocationTagsStatus or
ListCostAllocationTags (what `aws_ce_cost_allocation_tag` calls).

AWS (https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/activating-tags.html,
https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_UpdateCostAllocationTagsStatus.html,
https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_ListCostAllocationTags.html):
- only the management (payer) account of an Organization, or a standalone account, manages cost-allocation tags;
  a member account is refused (AccessDeniedException);
- UpdateCostAllocationTagsStatus takes 1 to 20 entries with Status Active or Inactive (ValidationException
  otherwise); an entry whose tag key has never been seen on a resource of the account (for a management account:
  of any account of its Organization) is not updated and comes back in `Errors`, the call itself succeeds;
  re-activating an active tag changes nothing;
- ListCostAllocationTags lists the user-defined tag keys seen so far with their Status (Inactive until activated),
  filtered by TagKeys (at most 100), Status and Type.

Decisions where AWS is not explicit: a key counts as seen as soon as any taggable moto resource carries it (AWS
takes up to 24 hours to show a new key); the per-entry error code is `TagKeyNotFound`; status lives in the
account's Cost Explorer backend (`cost_allocation_tags`: key -> status, last update).
"""
from __future__ import annotations

import json
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.core.utils import iso_8601_datetime_without_milliseconds, utcnow

MAX_ENTRIES = 20
MAX_TAG_KEYS_FILTER = 100
STATUSES = ("Active", "Inactive")


class CostExplorerError(JsonRESTError):
    code = 400


def _organization_accounts(account: str) -> list[str] | None:
    """The accounts whose tags a management account sees; None when `account` is an Organization member."""
    from moto.organizations.models import organizations_backends

    for regions in organizations_backends.values():
        for backend in regions.values():
            if backend.org is None or not any(a.id == account for a in backend.accounts):
                continue
            if backend.org.master_account_id != account:
                return None
            return [a.id for a in backend.accounts]
    return [account]


def seen_tag_keys(accounts: list[str], region: str) -> set[str]:
    """User-defined tag keys on any taggable resource of `accounts` (aws:* keys are AWS-generated, not user tags)."""
    from moto.core.resource_tagging import iter_taggable_backends

    keys: set[str] = set()
    for account in accounts:
        for backend in iter_taggable_backends(account, region):
            for resource in backend.iter_tagged_resources():
                keys.update(k for k in resource.tags if not k.startswith("aws:"))
    return keys


def _store(backend: Any) -> dict[str, dict[str, str]]:
    if not hasattr(backend, "cost_allocation_tags"):
        backend.cost_allocation_tags = {}
    return backend.cost_allocation_tags


def _accounts_or_denied(account: str) -> list[str]:
    accounts = _organization_accounts(account)
    if accounts is None:
        raise CostExplorerError("AccessDeniedException", "Cost allocation tags can only be managed by the "
                                "management (payer) account of the organization.")
    return accounts


def install() -> None:
    from moto.ce.responses import CostExplorerResponse

    if getattr(CostExplorerResponse, "__meshform__", False):
        return

    def update_cost_allocation_tags_status(self: Any) -> str:
        accounts = _accounts_or_denied(self.current_account)
        entries = self._get_param("CostAllocationTagsStatus") or []
        if not 1 <= len(entries) <= MAX_ENTRIES:
            raise CostExplorerError("ValidationException",
                                    f"CostAllocationTagsStatus takes 1 to {MAX_ENTRIES} entries, not {len(entries)}")
        for entry in entries:
            if entry.get("Status") not in STATUSES:
                raise CostExplorerError("ValidationException", f"Status {entry.get('Status')!r} is not one of "
                                        f"{', '.join(STATUSES)}")
        seen = seen_tag_keys(accounts, self.region)
        store, errors = _store(self.ce_backend), []
        now = iso_8601_datetime_without_milliseconds(utcnow())
        for entry in entries:
            key = entry.get("TagKey", "")
            if key not in seen:
                errors.append({"TagKey": key, "Code": "TagKeyNotFound",
                               "Message": f"tag key {key!r} has not been applied to any resource"})
                continue
            if store.get(key, {}).get("Status") != entry["Status"]:
                store[key] = {"Status": entry["Status"], "LastUpdatedDate": now}
        return json.dumps({"Errors": errors})

    def list_cost_allocation_tags(self: Any) -> str:
        accounts = _accounts_or_denied(self.current_account)
        wanted = self._get_param("TagKeys")
        if wanted is not None and len(wanted) > MAX_TAG_KEYS_FILTER:
            raise CostExplorerError("ValidationException", f"TagKeys takes at most {MAX_TAG_KEYS_FILTER} keys")
        status, kind = self._get_param("Status"), self._get_param("Type")
        store = _store(self.ce_backend)
        tags = []
        for key in sorted(seen_tag_keys(accounts, self.region) | set(store)):
            entry = {"TagKey": key, "Type": "UserDefined", "Status": store.get(key, {}).get("Status", "Inactive")}
            if key in store:
                entry["LastUpdatedDate"] = store[key]["LastUpdatedDate"]
            if (wanted is None or key in wanted) and (status is None or entry["Status"] == status) and \
                    (kind is None or kind == "UserDefined"):
                tags.append(entry)
        return json.dumps({"CostAllocationTags": tags})

    CostExplorerResponse.update_cost_allocation_tags_status = update_cost_allocation_tags_status
    CostExplorerResponse.list_cost_allocation_tags = list_cost_allocation_tags
    CostExplorerResponse.__meshform__ = True

"""Inviting existing accounts into an AWS Organization, for moto 5.2.5 (which can only create new accounts with
random ids): InviteAccountToOrganization by the management account, AcceptHandshake by the invited account
(https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_invites.html). Real state: the
account joins the organization (moto's member-account bookkeeping), so RAM sees both in one organization."""
from __future__ import annotations

import json
import random
import re
import string
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.core.utils import unix_time, utcnow


class OrgError(JsonRESTError):
    code = 400


def _handshakes(backend: Any) -> list[dict]:
    if not hasattr(backend, "handshakes"):
        backend.handshakes = []
    return backend.handshakes


class Handlers:
    def invite_account_to_organization(self: Any) -> str:
        backend = self.organizations_backend
        if backend.org is None:
            raise OrgError("AWSOrganizationsNotInUseException",
                           "Your account is not a member of an organization.")
        target = (self.request_params.get("Target") or {})
        if target.get("Type") != "ACCOUNT" or not str(target.get("Id", "")).isdigit():
            raise OrgError("InvalidInputException", "Target must be an ACCOUNT with a 12-digit Id.")
        if any(a.id == target["Id"] for a in backend.accounts):
            raise OrgError("DuplicateAccountException", f"Account {target['Id']} is already a member.")
        hid = "h-" + "".join(random.choices(string.ascii_lowercase + string.digits, k=32))
        handshake = {
            "Id": hid, "Arn": f"arn:aws:organizations::{backend.account_id}:handshake/{backend.org.id}/invite/{hid}",
            "Parties": [{"Id": backend.org.id, "Type": "ORGANIZATION"}, {"Id": target["Id"], "Type": "ACCOUNT"}],
            "State": "OPEN", "Action": "INVITE", "RequestedTimestamp": unix_time(utcnow()),
            "Resources": [{"Value": backend.org.id, "Type": "ORGANIZATION"}]}
        _handshakes(backend).append(handshake)
        return json.dumps({"Handshake": handshake})

    def accept_handshake(self: Any) -> str:
        from moto.organizations import utils
        from moto.organizations.models import FakeAccount, organizations_backends

        hid = self.request_params.get("HandshakeId")
        me = self.current_account
        for master in list(organizations_backends.keys()):
            backend = organizations_backends[master]["aws"]
            for handshake in _handshakes(backend):
                if handshake["Id"] != hid:
                    continue
                if handshake["Parties"][1]["Id"] != me:
                    raise OrgError("AccessDeniedException", "The handshake is addressed to another account.")
                if handshake["State"] != "OPEN":
                    raise OrgError("InvalidHandshakeTransitionException", f"Handshake is {handshake['State']}.")
                account = FakeAccount(backend.org, AccountName=f"account-{me}", Email=f"{me}@example.invalid")
                account.id = me
                account.joined_method = "INVITED"
                backend.accounts.append(account)
                for policy_id in (utils.DEFAULT_SCP_POLICY_ID, utils.DEFAULT_RCP_POLICY_ID):
                    backend.attach_policy(PolicyId=policy_id, TargetId=me)
                organizations_backends.master_accounts[me] = (backend.account_id, backend.partition)
                handshake["State"] = "ACCEPTED"
                return json.dumps({"Handshake": handshake})
        raise OrgError("HandshakeNotFoundException", f"Handshake {hid} not found.")


ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")


def _create_organization_with_id(original: Any) -> Any:
    """Emulator-only extension: CreateOrganization accepts an `Id` (AWS always generates one), so the emulated
    Organization has the id the spec names (`organization_id`) and policies that name it (the audit bucket's
    AWSLogs/<organization id>/ prefix) are evaluated as in the real Organization. meshform/local/prerequisites.py
    adds it to the request; without it moto's random id is used."""
    def create_organization(self: Any, region: str, **kwargs: Any) -> Any:
        from moto.organizations import utils

        wanted = kwargs.pop("Id", None)
        if wanted is None:
            return original(self, region, **kwargs)
        if not ORG_ID.fullmatch(str(wanted)):
            raise OrgError("InvalidInputException", f"{wanted!r} is not an organization id (o-[a-z0-9]{{10,32}})")
        generate = utils.make_random_org_id
        utils.make_random_org_id = lambda: wanted
        try:
            return original(self, region, **kwargs)
        finally:
            utils.make_random_org_id = generate
    create_organization.__meshform__ = True  # type: ignore[attr-defined]
    return create_organization


def install() -> None:
    from moto.organizations.models import OrganizationsBackend
    from moto.organizations.responses import OrganizationsResponse

    for name, member in vars(Handlers).items():
        if callable(member) and not name.startswith("__"):
            setattr(OrganizationsResponse, name, member)
    if not getattr(OrganizationsBackend.create_organization, "__meshform__", False):
        OrganizationsBackend.create_organization = _create_organization_with_id(
            OrganizationsBackend.create_organization)

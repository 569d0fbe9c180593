"""AWS RAM invitations and associations for moto 5.2.5 (real state), and the RAM side of Lake Formation
cross-account grants. Installed by meshform's moto launcher.

RAM rules modelled (https://docs.aws.amazon.com/ram/latest/userguide/working-with-sharing.html):
- sharing with an account outside the owner's AWS Organization (or with organization sharing not enabled by the
  management account) sends that account an invitation; the principal association stays ASSOCIATING and the
  share is invisible to the receiver until it accepts (AcceptResourceShareInvitation);
- inside an Organization with sharing enabled (EnableSharingWithAwsOrganization, called by the management
  account), the association is ASSOCIATED at once and no invitation is sent
  (https://docs.aws.amazon.com/ram/latest/userguide/getting-started-sharing.html#getting-started-sharing-orgs).
What aws_ram_resource_share_accepter (provider internal/service/ram/resource_share_accepter.go) calls is here:
GetResourceShareInvitations, AcceptResourceShareInvitation, GetResourceShares(OTHER-ACCOUNTS, resourceShareArns),
ListResources(OTHER-ACCOUNTS), DisassociateResourceShare.

Lake Formation (CROSS_ACCOUNT_VERSION >= 2) puts every named-resource grant between one pair of accounts into one
RAM share; version 1 makes a share per grant; LF-tag (LF-TBAC) grants use RAM only from version 3
(https://docs.aws.amazon.com/lake-formation/latest/dg/optimize-ram.html). Shares are named "LakeFormation-V<n>-..."
here; the suffix AWS uses is not documented.
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
import uuid
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.core.utils import unix_time, utcnow

NEW_ACTIONS = ("getresourceshareinvitations", "acceptresourceshareinvitation", "rejectresourceshareinvitation",
               "associateresourceshare", "disassociateresourceshare", "listresources",
               "listresourcesharepermissions")


class RamError(JsonRESTError):
    code = 400

    def __init__(self, error: str, message: str):
        super().__init__(error, message)


# ---------------------------------------------------------------- organizations: who is in which organization
def _org_of(account: str) -> tuple[str, Any] | None:
    """(management account, FakeOrganization) of the organization an account belongs to, or None."""
    from moto.organizations.models import organizations_backends

    backend = organizations_backends[account]["aws"]
    if backend.org is not None:
        return account, backend.org
    if account in organizations_backends.master_accounts:
        master, partition = organizations_backends.master_accounts[account]
        return master, organizations_backends[master][partition].org
    return None


def same_org_sharing(owner: str, principal_account: str, region: str) -> bool:
    """Both accounts in one organization whose management account enabled RAM sharing with it."""
    from moto.ram.models import ram_backends

    a, b = _org_of(owner), _org_of(principal_account)
    if a is None or b is None or a[0] != b[0]:
        return False
    return bool(getattr(ram_backends[a[0]][region], "org_sharing_enabled", False))


# ---------------------------------------------------------------- backend state and methods
class StrictRam:
    account_id: str
    region_name: str
    resource_shares: list

    @property
    def invitations(self) -> list[dict]:
        """Invitations this account received."""
        if not hasattr(self, "_invitations"):
            self._invitations: list[Any] = []
        return self._invitations

    def _share(self, arn: str | None):
        share = next((s for s in self.resource_shares if s.arn == arn), None)
        if share is None:
            raise RamError("UnknownResourceException", f"ResourceShare {arn} could not be found.")
        return share

    def _associate_principals(self, share: Any, principals: list[str]) -> None:
        with _SHARE_LOCK:
            self._associate_principals_locked(share, principals)

    def _associate_principals_locked(self, share: Any, principals: list[str]) -> None:
        from moto.ram.models import ram_backends

        status = _statuses(share)
        share.add_principals([p for p in principals if p not in share.principals])
        for principal in principals:
            if principal in status and status[principal] != "DISASSOCIATED":
                continue
            account = principal if re.fullmatch(r"\d{12}", principal) else None
            if account is None or account == self.account_id or same_org_sharing(self.account_id, account,
                                                                                   self.region_name):
                status[principal] = "ASSOCIATED"
                continue
            if not share.allow_external_principals:
                raise RamError("OperationNotPermittedException",
                               f"The resource share {share.arn} does not allow principals outside your "
                               "organization.")
            status[principal] = "ASSOCIATING"
            ram_backends[account][self.region_name].invitations.append({
                "resourceShareInvitationArn": f"arn:aws:ram:{self.region_name}:{self.account_id}:"
                                              f"resource-share-invitation/{uuid.uuid4()}",
                "resourceShareName": share.name, "resourceShareArn": share.arn,
                "senderAccountId": self.account_id, "receiverAccountId": account,
                "invitationTimestamp": unix_time(utcnow()), "status": "PENDING"})

    # ---- API
    def strict_create_resource_share(self, params: dict) -> dict:
        from moto.ram.models import ResourceShare

        share = ResourceShare(self.account_id, self.region_name, **params)
        share.add_resources(params.get("resourceArns", []))
        self.resource_shares.append(share)
        try:
            self._associate_principals(share, params.get("principals", []))
        except RamError:
            # a CreateResourceShare that fails creates nothing
            # (https://docs.aws.amazon.com/ram/latest/APIReference/API_CreateResourceShare.html#API_CreateResourceShare_Errors)
            self.resource_shares.remove(share)
            for backend in _all_backends(self.region_name):
                backend._invitations = [i for i in backend.invitations if i["resourceShareArn"] != share.arn]
            raise
        out = share.describe()
        out.pop("featureSet")
        return {"resourceShare": out}

    def strict_get_resource_shares(self, params: dict) -> dict:
        owner = params.get("resourceOwner")
        if owner not in ("SELF", "OTHER-ACCOUNTS"):
            raise RamError("InvalidParameterException", f"{owner} is not a valid resource owner.")
        if owner == "SELF":
            shares = list(self.resource_shares)
        else:
            shares = [s for backend in _all_backends(self.region_name) if backend is not self
                      for s in backend.resource_shares if _statuses(s).get(self.account_id) == "ASSOCIATED"]
        arns, name = params.get("resourceShareArns"), params.get("name")
        out = [s.describe() for s in shares if (not arns or s.arn in arns) and (not name or s.name == name)
               and (not params.get("resourceShareStatus") or s.status == params["resourceShareStatus"])]
        return {"resourceShares": out}

    def strict_get_associations(self, params: dict) -> dict:
        kind = params.get("associationType")
        if kind not in ("PRINCIPAL", "RESOURCE"):
            raise RamError("InvalidParameterException", f"{kind} is not a valid association type.")
        arns, wanted = params.get("resourceShareArns") or [], params.get("associationStatus")
        out = []
        for share in self.resource_shares:
            if arns and share.arn not in arns:
                continue
            entities = ([(p, _statuses(share).get(p, "ASSOCIATED")) for p in share.principals]
                        if kind == "PRINCIPAL" else [(r, "ASSOCIATED") for r in share.resource_arns])
            for entity, status in entities:
                if params.get("principal") and entity != params["principal"]:
                    continue
                if params.get("resourceArn") and entity != params["resourceArn"]:
                    continue
                if wanted and status != wanted:
                    continue
                out.append({"resourceShareArn": share.arn, "resourceShareName": share.name,
                            "associatedEntity": entity, "associationType": kind, "status": status,
                            "creationTime": unix_time(share.creation_time),
                            "lastUpdatedTime": unix_time(share.last_updated_time),
                            "external": kind == "PRINCIPAL" and re.fullmatch(r"\d{12}", entity) is not None
                            and not same_org_sharing(self.account_id, entity, self.region_name)})
        return {"resourceShareAssociations": out}

    def strict_enable_org_sharing(self) -> dict:
        """Only the management account of an organization can enable sharing with it."""
        from moto.organizations.models import organizations_backends

        if organizations_backends[self.account_id]["aws"].org is None:
            raise RamError("OperationNotPermittedException",
                           "Only the management account of an AWS Organization can enable sharing with it.")
        self.org_sharing_enabled = True
        return {"returnValue": True}

    def get_invitations(self, params: dict) -> dict:
        arns, shares = params.get("resourceShareInvitationArns"), params.get("resourceShareArns")
        found = [i for i in self.invitations if (not arns or i["resourceShareInvitationArn"] in arns)
                 and (not shares or i["resourceShareArn"] in shares)]
        if arns and not found:
            raise RamError("ResourceShareInvitationArnNotFoundException",
                           f"ResourceShareInvitationArn {arns[0]} could not be found.")
        return {"resourceShareInvitations": found}

    def answer_invitation(self, arn: str, accept: bool) -> dict:
        with _SHARE_LOCK:
            return self._answer_invitation_locked(arn, accept)

    def _answer_invitation_locked(self, arn: str, accept: bool) -> dict:
        from moto.ram.models import ram_backends

        invitation = next((i for i in self.invitations if i["resourceShareInvitationArn"] == arn), None)
        if invitation is None:
            raise RamError("ResourceShareInvitationArnNotFoundException",
                           f"ResourceShareInvitationArn {arn} could not be found.")
        if invitation["status"] == "ACCEPTED":
            raise RamError("ResourceShareInvitationAlreadyAcceptedException", "The invitation was already accepted.")
        if invitation["status"] == "REJECTED":
            raise RamError("ResourceShareInvitationAlreadyRejectedException", "The invitation was already rejected.")
        invitation["status"] = "ACCEPTED" if accept else "REJECTED"
        owner = ram_backends[invitation["senderAccountId"]][self.region_name]
        share = owner._share(invitation["resourceShareArn"])
        _statuses(share)[self.account_id] = "ASSOCIATED" if accept else "DISASSOCIATED"
        return {"resourceShareInvitation": invitation}

    def associate(self, params: dict) -> dict:
        share = self._share(params.get("resourceShareArn"))
        share.add_resources([r for r in params.get("resourceArns") or [] if r not in share.resource_arns])
        self._associate_principals(share, params.get("principals") or [])
        return {"resourceShareAssociations": [
            {"resourceShareArn": share.arn, "associatedEntity": e, "associationType": t,
             "status": _statuses(share).get(e, "ASSOCIATED") if t == "PRINCIPAL" else "ASSOCIATED"}
            for t, items in (("PRINCIPAL", params.get("principals") or []),
                             ("RESOURCE", params.get("resourceArns") or [])) for e in items]}

    def disassociate(self, params: dict) -> dict:
        """The owner removes principals/resources; a receiver may leave a share it was associated with."""
        arn = params.get("resourceShareArn")
        share = next((s for s in self.resource_shares if s.arn == arn), None)
        principals = params.get("principals") or []
        if share is None:
            share = next((s for b in _all_backends(self.region_name) for s in b.resource_shares if s.arn == arn),
                         None)
            if share is None:
                raise RamError("UnknownResourceException", f"ResourceShare {arn} could not be found.")
            if principals != [self.account_id] or params.get("resourceArns"):
                raise RamError("OperationNotPermittedException", "Only the owner can change this resource share.")
        for principal in principals:
            if principal in share.principals:
                share.principals.remove(principal)
                _statuses(share)[principal] = "DISASSOCIATED"
        for resource in params.get("resourceArns") or []:
            if resource in share.resource_arns:
                share.resource_arns.remove(resource)
        return {"resourceShareAssociations": [
            {"resourceShareArn": share.arn, "associatedEntity": p, "associationType": "PRINCIPAL",
             "status": "DISASSOCIATING"} for p in principals]}

    def list_resources(self, params: dict) -> dict:
        owner = params.get("resourceOwner")
        if owner not in ("SELF", "OTHER-ACCOUNTS"):
            raise RamError("InvalidParameterException", f"{owner} is not a valid resource owner.")
        shares = self.strict_get_resource_shares({"resourceOwner": owner,
                                                  "resourceShareArns": params.get("resourceShareArns")})
        arns = {s["resourceShareArn"] for s in shares["resourceShares"]}
        out = []
        for backend in _all_backends(self.region_name):
            for share in backend.resource_shares:
                if share.arn not in arns:
                    continue
                for resource in share.resource_arns:
                    out.append({"arn": resource, "type": _resource_type(resource), "resourceShareArn": share.arn,
                                "status": "AVAILABLE", "creationTime": unix_time(share.creation_time),
                                "lastUpdatedTime": unix_time(share.last_updated_time)})
        return {"resources": out}

    def list_share_permissions(self, params: dict) -> dict:
        share = self._share(params.get("resourceShareArn"))
        types = sorted({_resource_type(r) for r in share.resource_arns})
        return {"permissions": [{"arn": f"arn:aws:ram::aws:permission/AWSRAMPermission{t.split(':')[1]}",
                                 "resourceType": t, "status": "ATTACHABLE", "defaultVersion": True,
                                 "version": "1", "isResourceTypeDefault": True} for t in types]}


def _statuses(share: Any) -> dict[str, str]:
    if not hasattr(share, "principal_status"):
        share.principal_status = {}
    return share.principal_status


def _resource_type(arn: str) -> str:
    kind = arn.split(":", 5)[5].split("/")[0]
    return f"glue:{kind.capitalize()}"


def _all_backends(region: str) -> list:
    from moto.ram.models import ram_backends

    return [ram_backends[account][region] for account in list(ram_backends.keys())
            if region in ram_backends[account]]


# ---------------------------------------------------------------- Lake Formation's use of RAM
def cross_account_version(lf: Any) -> int:
    """The CROSS_ACCOUNT_VERSION of a Lake Formation backend's data lake settings (1 when unset)."""
    return _cross_account_version(lf)


def _cross_account_version(lf: Any) -> int:
    params = lf.settings[lf.account_id].get("Parameters") or {}
    try:
        return int(params.get("CROSS_ACCOUNT_VERSION", "1"))
    except ValueError:
        return 1


def _glue_arn(region: str, owner: str, kind: str, body: dict) -> str:
    prefix = f"arn:aws:glue:{region}:{owner}"
    if kind == "Database":
        return f"{prefix}:database/{body['Name']}"
    if kind in ("Table", "TableWithColumns"):
        name = "*" if body.get("TableWildcard") is not None else body["Name"]
        return f"{prefix}:table/{body['DatabaseName']}/{name}"
    if kind == "DataCellsFilter":
        return f"{prefix}:table/{body['DatabaseName']}/{body['TableName']}"
    return f"{prefix}:catalog"


# moto's server answers requests on several threads, and Terraform applies stacks (and resources) in parallel:
# finding-or-creating a share and its invitation must be atomic, or two concurrent grants to one account create two
# invitations for one share — which AWS never does (one share per account pair, one invitation per principal).
_SHARE_LOCK = threading.RLock()


def share_for_grant(lf: Any, owner: str, principal: str, account: str | None, kind: str, body: dict) -> None:
    """The RAM share a cross-account grant by the catalog owner goes into (created or reused)."""
    with _SHARE_LOCK:
        _share_for_grant(lf, owner, principal, account, kind, body)


def _share_for_grant(lf: Any, owner: str, principal: str, account: str | None, kind: str, body: dict) -> None:
    from moto.ram.models import ResourceShare, ram_backends

    version = _cross_account_version(lf)
    if kind in ("LFTag", "LFTagPolicy") and version < 3:
        return      # LF-TBAC before version 3: Data Catalog resource policy, no RAM
    ram = ram_backends[owner][lf.region_name]
    target = account or principal
    resource_arn = _glue_arn(lf.region_name, owner, kind, body)
    if version >= 2:
        digest = hashlib.sha256(f"{owner}:{target}".encode()).hexdigest()[:16]
        name = f"LakeFormation-V{version}-{digest}"
    else:
        name = f"LakeFormation-{hashlib.sha256(f'{target}:{resource_arn}'.encode()).hexdigest()[:16]}"
    share = next((s for s in ram.resource_shares if s.name == name and s.status == "ACTIVE"), None)
    if share is None:
        share = ResourceShare(owner, lf.region_name, name=name, allowExternalPrincipals=True)
        ram.resource_shares.append(share)
    if resource_arn not in share.resource_arns:
        share.resource_arns.append(resource_arn)
    ram._associate_principals(share, [target])


def lf_share_visible(owner: str, account: str, region: str) -> bool:
    """Has account accepted (or been auto-associated with) a Lake Formation share from owner?"""
    from moto.ram.models import ram_backends

    return any(s.name.startswith("LakeFormation") and s.status == "ACTIVE"
               and _statuses(s).get(account) == "ASSOCIATED" for s in ram_backends[owner][region].resource_shares)


def lf_shares_for(lf: Any, grant: Any) -> list[str]:
    from moto.ram.models import ram_backends

    from meshform.local.moto_lf.rules import principal_account

    account = principal_account(grant.principal)
    if account is None or account == lf.account_id:
        return []
    return sorted(s.arn for s in ram_backends[lf.account_id][lf.region_name].resource_shares
                  if s.name.startswith("LakeFormation") and account in s.principals)


# ---------------------------------------------------------------- wiring
class Handlers:
    def _ram_params(self: Any) -> dict:
        try:
            return json.loads(self.body or "{}")
        except ValueError:
            return {}

    def create_resource_share(self: Any) -> str:
        return json.dumps(self.ram_backend.strict_create_resource_share(self._ram_params()))

    def get_resource_shares(self: Any) -> str:
        return json.dumps(self.ram_backend.strict_get_resource_shares(self._ram_params()))

    def get_resource_share_associations(self: Any) -> str:
        return json.dumps(self.ram_backend.strict_get_associations(self._ram_params()))

    def enable_sharing_with_aws_organization(self: Any) -> str:
        return json.dumps(self.ram_backend.strict_enable_org_sharing())

    def get_resource_share_invitations(self: Any) -> str:
        return json.dumps(self.ram_backend.get_invitations(self._ram_params()))

    def _answer_invitation(self: Any, accept: bool) -> str:
        params = self._ram_params()
        out = self.ram_backend.answer_invitation(params.get("resourceShareInvitationArn"), accept=accept)
        return json.dumps({**out, "clientToken": params.get("clientToken")})

    def accept_resource_share_invitation(self: Any) -> str:
        return self._answer_invitation(accept=True)

    def reject_resource_share_invitation(self: Any) -> str:
        return self._answer_invitation(accept=False)

    def associate_resource_share(self: Any) -> str:
        return json.dumps(self.ram_backend.associate(self._ram_params()))

    def disassociate_resource_share(self: Any) -> str:
        return json.dumps(self.ram_backend.disassociate(self._ram_params()))

    def list_resources(self: Any) -> str:
        return json.dumps(self.ram_backend.list_resources(self._ram_params()))

    def list_resource_share_permissions(self: Any) -> str:
        return json.dumps(self.ram_backend.list_share_permissions(self._ram_params()))


def install() -> None:
    from moto.ram import urls as ram_urls
    from moto.ram.models import ResourceAccessManagerBackend
    from moto.ram.responses import ResourceAccessManagerResponse

    for name, member in vars(StrictRam).items():
        if not name.startswith("__") and (callable(member) or isinstance(member, property)):
            setattr(ResourceAccessManagerBackend, name, member)
    for name, member in vars(Handlers).items():
        if callable(member) and not name.startswith("__"):
            setattr(ResourceAccessManagerResponse, name, member)
    for action in NEW_ACTIONS:
        ram_urls.url_paths[f"{{0}}/{action}$"] = ResourceAccessManagerResponse.dispatch

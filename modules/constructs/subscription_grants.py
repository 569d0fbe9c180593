"""The grants a subscription consists of. Governance side (`grant_database_describe`, `grant_tag_key_describe`,
`grant_tag_policies`, and `grant_table_read` with `grantable=True`): to the subscriber's *account* (never to IAM
roles of other accounts), grantable so that the subscriber's LF admin re-grants to its own principals. The
subscriber side re-grants the same tables with `grant_table_read` (modules/constructs/subscriber_regrants.py). Who
gets which mechanism is decided in meshform/access.py; what each grant is (principal, resource, permissions), in
meshform/lf_grants.py, which `meshform audit` compares live accounts against."""
from __future__ import annotations

from collections.abc import Sequence

from cdktf_cdktf_provider_aws.lakeformation_permissions import LakeformationPermissions
from constructs import Construct

from meshform import lf_grants
from meshform.access import TableAccess, TagAccess
from modules.constructs.lf_permission import emit
from modules.types import Dependencies


def grant_database_describe(scope: Construct, id_: str, *, account: str, database: str,
                            after: Dependencies) -> None:
    """DESCRIBE on the database, grantable (lf_grants.database_describe)."""
    emit(scope, id_, lf_grants.database_describe(account, database), depends_on=after)


def grant_tag_key_describe(scope: Construct, id_: str, accesses: Sequence[TagAccess],
                           after: Dependencies) -> None:
    """DESCRIBE on the tag values an account's tag grants use (lf_grants.tag_key_describe). Account-wide: in the
    governance stack, next to the ontology."""
    for suffix, planned in lf_grants.tag_key_describe(accesses):
        emit(scope, f"{id_}_{suffix}", planned, depends_on=after)


def grant_tag_policies(scope: Construct, id_: str, access: TagAccess, after: Dependencies) -> None:
    """LF-tag policy grants for one tag grant (lf_grants.tag_policies). In the domain's catalog stack: a change to
    one domain's tag grant plans only that stack."""
    for suffix, planned in lf_grants.tag_policies(access):
        emit(scope, f"{id_}_{suffix}", planned, depends_on=after)


def grant_table_read(scope: Construct, id_: str, access: TableAccess, *, principal: str, governance: str,
                     grantable: bool, depends_on: Dependencies) -> LakeformationPermissions:
    """Read access to one shared table, in the shape its access mechanism needs (lf_grants.table_read)."""
    return emit(scope, id_, lf_grants.table_read(access, principal=principal, governance=governance,
                                                 grantable=grantable), depends_on=depends_on)


"""What each account should hold, from the same functions the stacks are built from: the grants
(meshform/lf_grants.py), the data lake settings (meshform/lake_settings.py), the registered locations, data cells
filters and LF-tag ontology (meshform/access.py, meshform/naming.py), and the RAM shares (the handshake files
for standalone accounts, meshform/ram_handshake.py)."""
from __future__ import annotations

from dataclasses import dataclass

from meshform import naming
from meshform.access import cells_filters
from meshform.audit.normalize import Atoms, declared_atoms
from meshform.audit.report import Account
from meshform.lake_settings import LakeSettings, intended_lake_settings
from meshform.lf_grants import CLASSIFICATION_KEY, DOMAIN_KEY, declared_grants, declared_tag_assignments
from meshform.spec.mesh import Mesh


@dataclass(frozen=True)
class Expected:
    account: Account
    env: str
    governance_account: str
    grants: Atoms
    settings: LakeSettings
    locations: dict[str, str]                          # registered S3 ARN -> registration role ARN
    filters: dict[tuple[str, str, str], tuple[str, ...]]   # (database, table, name) -> excluded columns
    lf_tags: dict[str, tuple[str, ...]]                # tag key -> values
    # governance: ("database", d) / ("column", d, table, column) -> assigned LF-tags; the tables whose tags are read
    tag_assignments: dict[tuple[str, ...], dict[str, str]]
    tables: tuple[tuple[str, str], ...]
    known_principals: frozenset[str]                   # every principal the spec knows (any account)
    receives_from_governance: bool                     # governance grants it something (so shares it via RAM)
    handshake_shares: tuple[str, ...] | None           # standalone: the share ARNs it accepts; None in an org

    @property
    def account_id(self) -> str:
        return self.account.account_id

    @property
    def implicit_holders(self) -> frozenset[str]:
        """Its data lake administrators: Lake Formation gives them (and the creator of a resource, the deploy role)
        implicit permissions on the account's own catalog, which ListPermissions may list; not drift."""
        return frozenset(self.settings.admins) | frozenset(self.settings.read_only_admins)


def accounts_of(mesh: Mesh) -> list[Account]:
    """Deploy order: governance, then domains, then consumers (each sorted by name)."""
    accounts = [Account("governance", "governance", mesh.governance_account)]
    accounts += [Account(n, "domain", d.account_id) for n, d in sorted(mesh.spec.domains.items())]
    accounts += [Account(n, "consumer", c.account_id) for n, c in sorted(mesh.spec.consumers.items())]
    return accounts


def known_principals(mesh: Mesh) -> frozenset[str]:
    """Accounts and IAM principals the spec names or the stacks create, in every account of the mesh."""
    prefix, env, gov = mesh.spec.name_prefix, mesh.env, mesh.spec.governance
    known = set(mesh.all_accounts())
    known |= {mesh.deploy_role_arn(a) for a in mesh.all_accounts()}
    known |= set(gov.admins) | set(gov.read_only_admins)
    for name, d in mesh.spec.domains.items():
        known |= set(d.admins) | set(d.principals)
        known.add(naming.role_arn(d.account_id, naming.etl_role_name(prefix, env, name)))
        known.add(naming.role_arn(d.account_id, naming.etl_fgac_role_name(prefix, env, name)))
        known.add(naming.role_arn(gov.account_id, naming.lf_registration_role_name(prefix, env, name)))
    for c in mesh.spec.consumers.values():
        known |= set(c.admins) | set(c.principals)
    known |= {g.principal for grants in declared_grants(mesh).values() for g in grants}
    return frozenset(known)


def expected_state(mesh: Mesh) -> list[Expected]:
    grants = declared_grants(mesh)
    gov = mesh.governance_account
    known = known_principals(mesh)
    receivers = {g.principal for g in grants[gov]}
    out = []
    for account in accounts_of(mesh):
        is_gov = account.account_id == gov
        locations = {naming.bucket_arn(mesh.bucket(d, "analytics")):
                     naming.role_arn(gov, naming.lf_registration_role_name(mesh.spec.name_prefix, mesh.env, d))
                     for d in mesh.spec.domains} if is_gov else {}
        tags = {DOMAIN_KEY: tuple(sorted(mesh.spec.domains)),
                CLASSIFICATION_KEY: tuple(mesh.spec.governance.classifications)} if is_gov else {}
        handshake = None
        if not mesh.spec.organization_id and not is_gov:
            handshake = tuple(sorted(mesh.ram_shares.get(account.name, [])))
        out.append(Expected(
            account=account, env=mesh.env, governance_account=gov,
            grants=declared_atoms(grants[account.account_id], account.account_id),
            settings=intended_lake_settings(mesh, account.account_id), locations=locations,
            filters=dict(cells_filters(mesh)) if is_gov else {}, lf_tags=tags,
            tag_assignments=declared_tag_assignments(mesh) if is_gov else {},
            tables=tuple(sorted((p.domain, t.name) for p in mesh.products.values() for t in p.tables)) if is_gov
            else (), known_principals=known,
            receives_from_governance=account.account_id in receivers, handshake_shares=handshake))
    return out

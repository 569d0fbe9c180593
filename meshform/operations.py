"""The mesh's operations model (docs/operations.md), pure functions of a `Mesh` (no jsii): where the audit trails
run and what they log, and the budget of every account. The stacks, the mesh facts the governance rules read and
`meshform cost` all use these, so they cannot disagree."""
from __future__ import annotations

from dataclasses import dataclass

from meshform import naming, ops_names
from meshform.spec.environment import ConsumerSpec, DomainSpec, GovernanceSpec
from meshform.spec.mesh import Mesh

# A trail's advanced selectors hold at most 500 condition values; management events and the S3 selector's
# eventCategory and resources.type spend 3, so one trail covers at most 497 buckets.
TRAIL_SELECTOR_VALUES_MAX = 500 - 3


def audit_trails(mesh: Mesh) -> dict[str, str]:
    """account -> ARN of the mesh's trails: the governance trail (an organization trail when the mesh is one
    Organization) and, outside an Organization, each domain account's own trail."""
    prefix, env, region = mesh.spec.name_prefix, mesh.env, mesh.region
    accounts = [mesh.governance_account]
    if mesh.spec.organization_id is None:
        accounts += [d.account_id for d in mesh.spec.domains.values()]
    return {a: ops_names.trail_arn(region, a, prefix, env) for a in sorted(set(accounts))}


def audit_log_owners(mesh: Mesh) -> list[str]:
    """The AWSLogs/<owner>/ prefixes trails write to: each trail's account, and the organization id for an
    organization trail (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html)."""
    owners = list(audit_trails(mesh))
    if mesh.spec.organization_id is not None:
        owners.append(mesh.spec.organization_id)
    return sorted(owners)


def trail_lake_buckets(mesh: Mesh, account: str) -> list[str]:
    """The lake buckets whose object-level events the trail in `account` logs: all of the mesh's for the
    organization trail, the account's own otherwise."""
    organization = mesh.spec.organization_id is not None
    return sorted(mesh.bucket(name, layer) for name, d in mesh.spec.domains.items()
                  for layer in naming.DOMAIN_BUCKET_LAYERS
                  if (organization and account == mesh.governance_account) or
                  (not organization and d.account_id == account))



@dataclass(frozen=True)
class Budget:
    kind: str                 # governance | domain | consumer
    owner: str                # the mesh:domain tag value the budget filters on
    account: str
    name: str
    monthly_usd: float
    email: str
    topic_arn: str
    thresholds: tuple[tuple[str, int], ...]


# (notification type, percent): forecast >= 100 %, actual >= 80 %, actual >= 100 %.
THRESHOLDS: tuple[tuple[str, int], ...] = (("FORECASTED", 100), ("ACTUAL", 80), ("ACTUAL", 100))


def notification_topic_arn(mesh: Mesh, owner: str) -> str:
    """The account's notification topic (the governance topic, or the domain's / consumer's)."""
    from meshform import pipeline_names

    prefix, env = mesh.spec.name_prefix, mesh.env
    name = (ops_names.governance_topic_name(prefix, env) if owner == "governance"
            else pipeline_names.notification_topic_name(prefix, env, owner))
    return f"arn:aws:sns:{mesh.region}:{mesh.account_of(owner)}:{name}"


def budgets(mesh: Mesh) -> list[Budget]:
    """One monthly budget per mesh account, in spec order: governance, domains, consumers."""
    spec, prefix, env = mesh.spec, mesh.spec.name_prefix, mesh.env
    owners: list[tuple[str, str, GovernanceSpec | DomainSpec | ConsumerSpec]] = [
        ("governance", "governance", spec.governance),
        *[("domain", name, d) for name, d in spec.domains.items()],
        *[("consumer", name, c) for name, c in spec.consumers.items()]]
    return [Budget(kind, owner, entry.account_id, ops_names.budget_name(prefix, env, owner),
                   float(entry.monthly_budget_usd), entry.owner, notification_topic_arn(mesh, owner), THRESHOLDS)
            for kind, owner, entry in owners]


def budget_of(mesh: Mesh, owner: str) -> Budget:
    return next(b for b in budgets(mesh) if b.owner == owner)

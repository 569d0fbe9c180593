"""Deterministic identifiers derived from the spec (never read from another stack's state).

Every stack computes the names of resources in other accounts from these functions, which is what lets the
stacks deploy independently (no terraform_remote_state, no cross-stack references).
"""
from __future__ import annotations

S3_BUCKET_MAX = 63
IAM_ROLE_MAX = 64

DOMAIN_BUCKET_LAYERS = ("raw", "stage", "analytics")
ACCESS_LOG_LAYER = "logs"
ATHENA_RESULTS_LAYER = "athena-results"
LONGEST_LAYER = max((*DOMAIN_BUCKET_LAYERS, ACCESS_LOG_LAYER, ATHENA_RESULTS_LAYER), key=len)


def stack_name(env: str, kind: str, name: str | None = None) -> str:
    return f"{env}-{kind}" if name is None else f"{env}-{kind}-{name}"


def catalog_stack_name(env: str, domain: str, part: int = 0) -> str:
    """A stack in the governance account holding one domain's catalog objects and grants: part 0 is
    `<env>-catalog-<domain>`, further parts (meshform/catalog_layout.py) `<env>-catalog-<domain>-<part>` (domain
    names have no '-', so these never collide with another domain's stack)."""
    return stack_name(env, "catalog", domain if part == 0 else f"{domain}-{part}")


def in_governance_account(env: str, stack: str) -> bool:
    """Is this stack (by name) deployed into the governance account: the account-wide stack or a catalog stack?"""
    return stack == stack_name(env, "governance") or stack.startswith(f"{env}-catalog-")


def role_arn(account_id: str, role_name: str) -> str:
    return f"arn:aws:iam::{account_id}:role/{role_name}"


def account_root_arn(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:root"


def bucket_name(prefix: str, env: str, owner: str, layer: str, account_id: str) -> str:
    """Global S3 name: <prefix>-<env>-<owner>-<layer>-<account>; the account suffix avoids global collisions."""
    return f"{prefix}-{env}-{owner}-{layer}-{account_id}"


def bucket_arn(bucket: str) -> str:
    return f"arn:aws:s3:::{bucket}"


def kms_alias(prefix: str, env: str, owner: str, purpose: str) -> str:
    return f"alias/{prefix}-{env}-{owner}-{purpose}"


def athena_workgroup_name(prefix: str, env: str, consumer: str) -> str:
    return f"{prefix}-{env}-{consumer}"


def central_database_name(domain: str) -> str:
    """The domain's database in the governance account's catalog: the domain name itself."""
    return domain


def table_location(analytics_bucket: str, product: str, table: str) -> str:
    return f"s3://{analytics_bucket}/{product}/{table}/"


def lf_registration_role_name(prefix: str, env: str, domain: str) -> str:
    """Role in the governance account that Lake Formation assumes to reach the domain's analytics bucket."""
    return f"{prefix}-{env}-lf-reg-{domain}"


def etl_role_name(prefix: str, env: str, domain: str) -> str:
    return f"{prefix}-{env}-{domain}-etl"


def etl_fgac_role_name(prefix: str, env: str, domain: str) -> str:
    """The domain's Glue role for jobs in Lake Formation fine-grained access mode: reads products shared to the
    domain through a data cells filter or a column list (a full-table-access job cannot read those)."""
    return f"{prefix}-{env}-{domain}-etl-fgac"


def resource_link_name(domain: str) -> str:
    """A subscriber's local link to the domain's database in the governance catalog, named exactly like that
    database: Athena only needs a link, but Glue jobs read cross-account tables only through a resource link with
    the same name as the shared resource
    (https://docs.aws.amazon.com/glue/latest/dg/security-lf-enable-considerations.html)."""
    return central_database_name(domain)


def data_cells_filter_name(table: str, clearance: str) -> str:
    """One filter per (table, clearance level): the table without the columns above that clearance."""
    return f"{table}__upto_{clearance}"


def access_policy_name(prefix: str, env: str, subscriber: str) -> str:
    return f"{prefix}-{env}-{subscriber}-mesh-access"


def role_name_from_arn(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


# --- HCP Terraform delivery (docs/delivery.md) -------------------------------------------------------------
# The audience HCP Terraform puts in its workload identity tokens for AWS unless TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE
# says otherwise (https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/
# aws-configuration#configure-hcp-terraform).
HCP_TERRAFORM_AUDIENCE = "aws.workload.identity"


def delivery_stack_name(env: str) -> str:
    """The environment's HCP Terraform stack (tfe provider only): project, workspaces, variables, run triggers,
    notifications."""
    return stack_name(env, "delivery")


def trust_stack_name(env: str, kind: str, owner: str | None = None) -> str:
    """The per-account stack holding the account's OIDC provider for HCP Terraform and the run roles of the
    workspaces deploying into that account: `<env>-trust-governance`, `<env>-trust-domain-<d>`,
    `<env>-trust-consumer-<c>`."""
    return stack_name(env, "trust", kind if owner is None else f"{kind}-{owner}")


def is_trust_stack(env: str, stack: str) -> bool:
    return stack.startswith(f"{env}-trust-")


def workspace_name(workspace_prefix: str, stack: str) -> str:
    """The HCP Terraform workspace of a stack: what its `cloud` block names and what the delivery stack creates."""
    return f"{workspace_prefix}{stack}"


def run_role_name(prefix: str, stack: str) -> str:
    """The role a stack's workspace runs as in the stack's account (`<prefix>-tfc-<stack>`; stack names carry the
    environment)."""
    return f"{prefix}-tfc-{stack}"


def oidc_provider_arn(account_id: str, hostname: str) -> str:
    """IAM names an OIDC provider by its URL without the scheme."""
    return f"arn:aws:iam::{account_id}:oidc-provider/{hostname}"


def workload_subject(organization: str, project: str, workspace: str, run_phase: str) -> str:
    """The `sub` claim of an HCP Terraform workload identity token (https://developer.hashicorp.com/terraform/
    cloud-docs/workspaces/dynamic-provider-credentials/workload-identity-tokens#token-structure)."""
    return f"organization:{organization}:project:{project}:workspace:{workspace}:run_phase:{run_phase}"

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


# --- Redshift (docs/redshift.md) -----------------------------------------------------------------------------
# Namespace and workgroup names: 3-64 lower-case letters, digits and hyphens
# (https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_CreateWorkgroup.html); cluster
# identifiers: 1-63 of the same, a letter first, no "--", no trailing hyphen
# (https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateCluster.html).
REDSHIFT_WAREHOUSE_MAX = 63
# Database objects (databases, schemas, tables, views, datashares, users): identifiers of at most 127 bytes
# (https://docs.aws.amazon.com/redshift/latest/dg/r_names.html).
REDSHIFT_IDENTIFIER_MAX = 127


def redshift_warehouse_name(prefix: str, env: str, owner: str) -> str:
    """The namespace + workgroup (Serverless) or cluster identifier (provisioned) of an account's warehouse."""
    return f"{prefix}-{env}-{owner}"


def redshift_ident(name: str) -> str:
    """A mesh name as a Redshift identifier: hyphens (consumer and classification names) become underscores."""
    return name.replace("-", "_")


def redshift_database_name(owner: str) -> str:
    """The warehouse's own database: the domain or consumer name (a domain's schemas hold its products)."""
    return redshift_ident(owner)


def redshift_schema_name(product: str) -> str:
    """One schema per product in the producer's database: the product name."""
    return product


def redshift_datashare_name(product: str, clearance: str | None) -> str:
    """A product's datashares: `<product>` holds every table whole; `<product>__upto_<clearance>` holds, per table,
    a view without the columns above that clearance (a datashare is all-or-nothing per consumer account, so each
    clearance level that withholds something has its own)."""
    return product if clearance is None else redshift_ident(f"{product}__upto_{clearance}")


def redshift_view_name(table: str, clearance: str) -> str:
    """The view of a table for one clearance level: the name of the Lake Formation data cells filter for it."""
    return redshift_ident(data_cells_filter_name(table, clearance))


def redshift_consumer_database_name(domain: str, product: str) -> str:
    """The subscriber's database created from a product's datashare."""
    return f"{domain}_{product}"


def redshift_database_ledger_path(prefix: str, env: str, owner: str) -> str:
    """The SSM parameter path under which an account records the databases it created from other domains'
    datashares (one parameter each, named after the database; docs/redshift.md, "Unsubscribing")."""
    return f"/{prefix}/{env}/{owner}/redshift/consumer-databases"


def redshift_role_name(prefix: str, env: str, owner: str) -> str:
    """The role the warehouse's namespace holds: COPY from the domain's analytics bucket."""
    return f"{prefix}-{env}-{owner}-redshift"


def redshift_datashare_arn(region: str, account: str, namespace_id: str, share: str) -> str:
    """https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonredshift.html (datashare)."""
    return f"arn:aws:redshift:{region}:{account}:datashare:{namespace_id}/{share}"


def redshift_iam_user(role_arn: str) -> str:
    """The database user an IAM role signs in as (GetCredentials / GetClusterCredentialsWithIAM):
    `IAMR:<role name>` (https://docs.aws.amazon.com/redshift/latest/mgmt/redshift-iam-access-control-identity-based.html)."""
    return f"IAMR:{role_name_from_arn(role_arn)}"


def redshift_flow_logs_role_name(prefix: str, env: str, owner: str) -> str:
    """The role VPC flow logs of the warehouse's private network deliver with."""
    return f"{redshift_warehouse_name(prefix, env, owner)}-flow-logs"

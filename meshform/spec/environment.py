"""Pydantic model of `environments/<env>.yaml`.

Field names are the user-facing contract (see README "Environment spec"): extend, never rename.
Unknown keys are errors so that a typo never silently drops a setting.
"""
from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

# Patterns are written with explicit ASCII classes and `^...$` and are applied with `fullmatch` (Python) or by
# pydantic's Rust regex engine: Python's `\d`/`\w` also match non-ASCII digits and letters (e.g. Arabic-Indic
# digits) and Python's `$` also matches before a final newline, so neither is used. Rust's `$` is end of text.
_A = re.ASCII

# ARN partitions (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html): aws, aws-cn (China),
# aws-us-gov (GovCloud). The synthesized stacks build `arn:aws:` ARNs (meshform/naming.py, modules/), so only the
# `aws` partition is supported; the other two are recognised to give a precise error. Anything else is unknown.
PARTITIONS = {"aws": "AWS Regions", "aws-cn": "China Regions", "aws-us-gov": "AWS GovCloud (US) Regions"}
SUPPORTED_PARTITIONS = ("aws",)

# IAM limits (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html,
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): role/user names 1-64 characters of
# A-Z a-z 0-9 and _+=,.@- ; paths 1-512 characters, "/" or "/segments/" ; role descriptions at most 1000.
IAM_NAME_MAX = 64
IAM_PATH_MAX = 512
IAM_DESCRIPTION_MAX = 1000
# Tags (https://docs.aws.amazon.com/IAM/latest/APIReference/API_Tag.html): key 1-128, value 0-256 characters of
# letters, digits, spaces and _.:/=+-@ . owner and cost_center become the values of mesh:owner / mesh:cost-center
# on every resource (the keys are fixed in modules/tagging.py and far below 128).
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256

_IAM_NAME_CHARS = r"[A-Za-z0-9_+=,.@-]"
ACCOUNT_ID = re.compile(r"^[0-9]{12}$", _A)
# arn:<partition>:iam::<account>:(role|user)<path><name>; partition and lengths are checked by _principal_arn.
IAM_PRINCIPAL_ARN = re.compile(
    rf"^arn:([a-z0-9-]+):iam::([0-9]{{12}}):(role|user)(/(?:{_IAM_NAME_CHARS}+/)*)({_IAM_NAME_CHARS}+)$", _A)
IAM_ROLE_NAME = re.compile(rf"^{_IAM_NAME_CHARS}{{1,64}}$", _A)
REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]{1,2}$", _A)
ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$", _A)
# Domain names become Glue database names, LF-tag values and parts of S3 bucket names: the safe intersection.
DOMAIN_NAME = re.compile(r"^[a-z][a-z0-9]{1,29}$", _A)
# Consumer names appear in stack, bucket and workgroup names (hyphens are fine there).
CONSUMER_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", _A)
ENV_NAME = re.compile(r"^[a-z][a-z0-9]{1,9}$", _A)
NAME_PREFIX = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", _A)
CLASSIFICATION = re.compile(r"^[a-z][a-z0-9_-]{0,49}$", _A)
# An e-mail address that is also a valid tag value (no %, !, #, ' ...: IAM/S3/KMS reject them in tags).
EMAIL = re.compile(r"^[A-Za-z0-9_.+=-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$", _A)
COST_CENTER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/=+@-]{0,127}$", _A)
# Descriptions land in Glue database descriptions (2048), Athena workgroup descriptions (1024) and may land in IAM
# descriptions (1000): at most IAM_DESCRIPTION_MAX characters, no control characters except tab/newline/CR.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


# Validators raise ValueError(f"{problem}{FIX_SEPARATOR}{fix}"); the loader splits it into the error's two parts.
FIX_SEPARATOR = " || fix: "


def region_partition(region: str) -> str:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html: cn-* regions are aws-cn, us-gov-*
    regions aws-us-gov, every other region aws."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def check_partition(partition: str, what: str) -> None:
    if partition not in PARTITIONS:
        raise ValueError(f"{what}: unknown ARN partition {partition!r} (AWS partitions are "
                         f"{', '.join(PARTITIONS)}; meshform supports {', '.join(SUPPORTED_PARTITIONS)})"
                         f"{FIX_SEPARATOR}write arn:aws:... (README, 'Environment spec': partitions)")
    if partition not in SUPPORTED_PARTITIONS:
        raise ValueError(f"{what}: partition {partition!r} ({PARTITIONS[partition]}) is not supported: the "
                         f"synthesized stacks use {', '.join(SUPPORTED_PARTITIONS)} ARNs only"
                         f"{FIX_SEPARATOR}use a region and ARNs of the aws partition")


def _matches(pattern: re.Pattern, what: str, example: str, max_length: int | None = None):
    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(f"{value!r} is not a valid {what} (expected e.g. {example})"
                             f"{FIX_SEPARATOR}write it like {example}")
        if max_length is not None and len(value) > max_length:
            raise ValueError(f"{what} is {len(value)} characters; at most {max_length} are allowed"
                             f"{FIX_SEPARATOR}shorten it to {max_length} characters")
        return value
    return check


def _principal_arn(roles_only: bool, what: str, example: str):
    def check(value: str) -> str:
        match = IAM_PRINCIPAL_ARN.fullmatch(value)
        if not match or (roles_only and match.group(3) != "role"):
            raise ValueError(f"{value!r} is not a valid {what} (expected e.g. {example}; names and paths use "
                             f"A-Z a-z 0-9 and _+=,.@-){FIX_SEPARATOR}write it like {example}")
        partition, _, kind, path, name = match.groups()
        check_partition(partition, value)
        if len(name) > IAM_NAME_MAX:
            raise ValueError(f"{value!r}: IAM {kind} name {name[:20]!r}... is {len(name)} characters; IAM allows "
                             f"{IAM_NAME_MAX}{FIX_SEPARATOR}use the role's real name (IAM names are at most "
                             f"{IAM_NAME_MAX} characters)")
        if len(path) > IAM_PATH_MAX:
            raise ValueError(f"{value!r}: IAM path is {len(path)} characters; IAM allows {IAM_PATH_MAX}"
                             f"{FIX_SEPARATOR}use the role's real path (at most {IAM_PATH_MAX} characters)")
        return value
    return check


def _description(value: str) -> str:
    if len(value) > IAM_DESCRIPTION_MAX:
        raise ValueError(f"description is {len(value)} characters; at most {IAM_DESCRIPTION_MAX} are allowed (AWS "
                         f"description limits: IAM 1000, Athena workgroups 1024, Glue databases 2048)"
                         f"{FIX_SEPARATOR}shorten the description to {IAM_DESCRIPTION_MAX} characters")
    bad = _CONTROL.search(value)
    if bad:
        raise ValueError(f"description contains the control character U+{ord(bad.group()):04X}"
                         f"{FIX_SEPARATOR}remove it (tab, newline and carriage return are allowed)")
    return value


def _region(value: str) -> str:
    if not REGION.fullmatch(value):
        raise ValueError(f"{value!r} is not a valid AWS region (expected e.g. eu-west-1)"
                         f"{FIX_SEPARATOR}use a region code such as eu-west-1 or us-east-1")
    return value


def _mesh_region(value: str) -> str:
    _region(value)
    check_partition(region_partition(value), f"region {value}")
    return value


AccountId = Annotated[str, AfterValidator(_matches(ACCOUNT_ID, "AWS account ID: 12 digits, quoted", '"123456789012"'))]
PrincipalArn = Annotated[str, AfterValidator(_principal_arn(
    False, "IAM role or user ARN", "arn:aws:iam::123456789012:role/DataPlatformAdmin"))]
# Principals that read data get an IAM policy attached as roles: roles only.
RoleArn = Annotated[str, AfterValidator(_principal_arn(
    True, "IAM role ARN (users are not supported as principals: use roles)",
    "arn:aws:iam::123456789012:role/Analyst"))]
Email = Annotated[str, AfterValidator(_matches(
    EMAIL, "owner e-mail address (it becomes the mesh:owner tag: letters, digits and _.+=-@ only)",
    "sales-data@acme.example", TAG_VALUE_MAX))]
Region = Annotated[str, AfterValidator(_region)]
MeshRegion = Annotated[str, AfterValidator(_mesh_region)]
CostCenter = Annotated[str, AfterValidator(_matches(COST_CENTER, "cost center tag value", "CC-1001", TAG_VALUE_MAX))]
Description = Annotated[str, AfterValidator(_description)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class LocalBackendSpec(_Strict):
    """Terraform state on disk, one file per stack (the default; fine for a laptop and for the demo)."""

    type: Literal["local"] = "local"
    directory: str = Field(default="terraform-state", pattern=r"^[A-Za-z0-9_./-]{1,1024}$")


class S3BackendSpec(_Strict):
    """Terraform state in S3 with native lock files (Terraform >= 1.10), encrypted, one key per stack."""

    type: Literal["s3"]
    bucket: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
    region: Region
    key_prefix: str = Field(default="meshform", pattern=r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")
    role_arn: str | None = Field(default=None, pattern=(
        r"^arn:[a-z0-9-]+:iam::[0-9]{12}:role/([A-Za-z0-9_+=,.@-]+/)*[A-Za-z0-9_+=,.@-]{1,64}$"))
    kms_key_id: str | None = Field(default=None, pattern=(
        r"^arn:[a-z0-9-]+:kms:[a-z0-9-]+:[0-9]{12}:(key/[A-Za-z0-9-]{1,128}|alias/[A-Za-z0-9/_-]{1,256})$"))

    @model_validator(mode="after")
    def _partitions(self) -> S3BackendSpec:
        # The state bucket may live in any partition, but its role and key must be in the bucket region's one.
        wanted = region_partition(self.region)
        for arn in (self.role_arn, self.kms_key_id):
            if arn is None:
                continue
            partition = arn.split(":")[1]
            if partition not in PARTITIONS:
                raise ValueError(f"{arn}: unknown ARN partition {partition!r} (AWS partitions are "
                                 f"{', '.join(PARTITIONS)})")
            if partition != wanted:
                raise ValueError(f"{arn} is in partition {partition!r} but the state bucket's region "
                                 f"{self.region} is in {wanted!r}")
        return self


class CloudVcsSpec(_Strict):
    """`backend.vcs`: the repository HCP Terraform runs from in the VCS-driven workflow (docs/delivery.md). Only
    identifiers, never a secret: the OAuth client's token ID (`ot-...`) or the GitHub App installation ID
    (`ghain-...`) name a connection an organization owner made once in HCP Terraform."""

    # <organization>/<repository> as the VCS provider spells it (tfe_workspace vcs_repo.identifier).
    repository: str = Field(pattern=r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$", max_length=255)
    branch: str = Field(default="main", pattern=r"^[A-Za-z0-9_./-]{1,255}$")
    oauth_token_id: str | None = Field(default=None, pattern=r"^ot-[A-Za-z0-9]{1,64}$")
    github_app_installation_id: str | None = Field(default=None, pattern=r"^ghain-[A-Za-z0-9]{1,64}$")
    # Where the committed `cdktf synth` output lives in the repository: workspace working directories are
    # <stacks_directory>/<stack>.
    stacks_directory: str = Field(default="cdktf.out/stacks", pattern=r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")

    @model_validator(mode="after")
    def _one_connection(self) -> CloudVcsSpec:
        if (self.oauth_token_id is None) == (self.github_app_installation_id is None):
            raise ValueError("exactly one of oauth_token_id and github_app_installation_id is required (the VCS "
                             f"connection HCP Terraform clones with){FIX_SEPARATOR}set oauth_token_id: ot-... or "
                             "github_app_installation_id: ghain-... (HCP Terraform, Settings > Providers)")
        return self


# HCP Terraform notification triggers (https://developer.hashicorp.com/terraform/cloud-docs/api-docs/notification-
# configurations#notification-triggers).
NotificationTrigger = Literal["run:created", "run:planning", "run:needs_attention", "run:applying", "run:completed",
                              "run:errored", "assessment:drifted", "assessment:failed", "assessment:check_failure"]


class CloudNotificationSpec(_Strict):
    """`backend.notifications[]`: one notification configuration on every mesh workspace. Webhook URLs (Slack,
    Microsoft Teams, generic) carry their secret in the URL, so the spec never holds them: the delivery stack
    reads each from a sensitive Terraform variable `notification_url_<name>` (set it on the delivery workspace)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    destination_type: Literal["email", "slack", "microsoft-teams", "generic"]
    triggers: list[NotificationTrigger] = Field(
        default_factory=lambda: ["run:needs_attention", "run:errored"], min_length=1)  # type: ignore[arg-type]
    # email: HCP Terraform user IDs (organization members) that get the e-mails.
    email_user_ids: list[Annotated[str, Field(pattern=r"^user-[A-Za-z0-9]{1,64}$")]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _recipients(self) -> CloudNotificationSpec:
        if self.destination_type == "email" and not self.email_user_ids:
            raise ValueError(f"an email notification needs recipients{FIX_SEPARATOR}list email_user_ids "
                             "(user-... IDs of organization members)")
        if self.destination_type != "email" and self.email_user_ids:
            raise ValueError(f"email_user_ids are only for destination_type email{FIX_SEPARATOR}remove them")
        if len(set(self.triggers)) != len(self.triggers):
            raise ValueError(f"triggers repeat a value{FIX_SEPARATOR}list each trigger once")
        return self


class CloudBackendSpec(_Strict):
    """HCP Terraform (Terraform Cloud / Enterprise): one workspace per stack, grouped in a project, all created by
    the environment's delivery stack (docs/delivery.md). No token ever appears here."""

    type: Literal["cloud"]
    organization: str = Field(pattern=r"^[A-Za-z0-9_-]{3,40}$")
    project: str = Field(pattern=r"^[A-Za-z0-9 _-]{3,40}$")
    workspace_prefix: str = Field(default="", pattern=r"^[A-Za-z0-9_-]{0,40}$")
    hostname: str = Field(default="app.terraform.io", max_length=253,
                          pattern=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")
    # cli: `cdktf deploy` / `terraform apply` upload the stack directory; vcs: HCP Terraform runs from the
    # committed synthesized stacks of `vcs.repository`.
    workflow: Literal["cli", "vcs"] = "cli"
    vcs: CloudVcsSpec | None = None
    # Where the mesh workspaces' runs execute: HCP Terraform's workers (remote) or your agent pool (agent).
    execution_mode: Literal["remote", "agent"] = "remote"
    agent_pool_id: str | None = Field(default=None, pattern=r"^apool-[A-Za-z0-9]{1,64}$")
    terraform_version: str = Field(default="1.11.4", pattern=r"^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$")
    # Apply a successful plan without confirmation, also for runs started by run triggers (per environment: e.g.
    # dev true, prod false).
    auto_apply: bool = False
    # Run triggers along the deploy order (docs/delivery.md); HCP Terraform allows 20 source workspaces each.
    run_triggers: bool = True
    notifications: list[CloudNotificationSpec] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _consistent(self) -> CloudBackendSpec:
        if self.workflow == "vcs" and self.vcs is None:
            raise ValueError(f"workflow vcs needs the repository{FIX_SEPARATOR}add vcs: {{repository: org/repo, "
                             "oauth_token_id: ot-...} or use workflow: cli")
        if self.workflow == "cli" and self.vcs is not None:
            raise ValueError(f"vcs settings are given but the workflow is cli{FIX_SEPARATOR}remove vcs or set "
                             "workflow: vcs")
        if (self.execution_mode == "agent") != (self.agent_pool_id is not None):
            raise ValueError(f"agent_pool_id goes with execution_mode agent, and only with it{FIX_SEPARATOR}set "
                             "both (execution_mode: agent, agent_pool_id: apool-...) or neither")
        names = [n.name for n in self.notifications]
        if len(set(names)) != len(names):
            raise ValueError(f"notification names repeat{FIX_SEPARATOR}give every notification its own name")
        return self


Backend = Annotated[LocalBackendSpec | S3BackendSpec | CloudBackendSpec, Field(discriminator="type")]


# --- operations (docs/operations.md): budgets, billing, audit ------------------------------------------------
# AWS Budgets limits (https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-limits.html): an amount
# is a decimal of at most 15 digits; the upper bound here is a guard against typos (a million USD a month).
BUDGET_MAX_USD = 1_000_000
MonthlyBudget = Annotated[float, Field(gt=0, le=BUDGET_MAX_USD)]


class BillingSpec(_Strict):
    """Where billing lives. Cost-allocation tags can only be activated in the management (payer) account of an
    Organization, or in a standalone account for itself
    (https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/activating-tags.html). meshform activates the mesh
    tags when that account is the governance account; otherwise activate them there yourself (docs/operations.md)."""

    # The payer account; None: the governance account.
    account_id: AccountId | None = None
    # Off by default: AWS activates only keys that have already appeared in billing data (up to 24 hours after
    # the first deploy), so turn it on once the mesh has been deployed for a day.
    activate_cost_allocation_tags: bool = False


class AuditSpec(_Strict):
    """The audit trail (docs/operations.md): how long the audit bucket keeps CloudTrail log files and the log
    group keeps the events the governance alarms read."""

    # Default: 7 years (2,557 days), a common retention for audit records; at least 90 days.
    retention_days: int = Field(default=2557, ge=90, le=36500)
    log_group_retention_days: Literal[90, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
                                      3653] = 365


class GovernanceSpec(_Strict):
    account_id: AccountId
    owner: Email
    cost_center: CostCenter
    # AWS Budgets: monthly cost budget of the governance account (docs/operations.md).
    monthly_budget_usd: MonthlyBudget = 500
    admins: list[PrincipalArn] = Field(min_length=1)
    read_only_admins: list[PrincipalArn] = Field(default_factory=list)
    # Ordered from least to most sensitive; they become the values of the `classification` LF-tag.
    classifications: list[str] = Field(default_factory=lambda: ["public", "internal", "confidential", "pii"],
                                       min_length=1, max_length=50)
    default_classification: str = "internal"

    @model_validator(mode="after")
    def _ontology(self) -> GovernanceSpec:
        for value in self.classifications:
            if not CLASSIFICATION.fullmatch(value):
                raise ValueError(f"classification {value!r} must be lower-case letters, digits, '_' or '-' "
                                 "and at most 50 characters (Lake Formation tag value rules)")
        if len(set(self.classifications)) != len(self.classifications):
            raise ValueError("classifications must be unique")
        if self.default_classification not in self.classifications:
            raise ValueError(f"default_classification {self.default_classification!r} is not one of "
                             f"classifications {self.classifications}")
        return self


# --- product pipelines (docs/pipelines.md; validated against the contracts in meshform/loader.py) ------------
# `<domain>.<product>`, as in subscriptions.
PRODUCT_REF = r"^[a-z][a-z0-9]*\.[a-z][a-z0-9_]*$"


class CsvOptionsSpec(_Strict):
    """How stage A parses CSV input (RFC 4180 quoting; the other options keep the pipeline's defaults)."""

    header: bool = True
    delimiter: str = Field(default=",", min_length=1, max_length=1)


class PipelineWorkersSpec(_Strict):
    """Glue 5.0 Spark worker type and count (https://docs.aws.amazon.com/glue/latest/dg/add-job.html, "Worker
    type"); a Spark job needs at least 2 workers (one driver, one executor)."""

    type: Literal["G.1X", "G.2X", "G.4X", "G.8X"] = "G.1X"
    # Upper bound: a guard against typos, well above the default per-account Glue DPU quota.
    count: int = Field(default=2, ge=2, le=1000)


class PipelineSpec(_Strict):
    """`domains.<d>.pipelines.<product>`: opt-in pipeline of one of the domain's own products (raw -> stage ->
    analytics on Glue 5, started by EventBridge, run by Step Functions)."""

    format: Literal["csv", "json", "parquet"]
    csv: CsvOptionsSpec | None = None
    # Other products the pipeline reads: `<domain>.<product>`, subscribed by this domain (or its own products).
    inputs: list[Annotated[str, Field(pattern=PRODUCT_REF)]] = Field(default_factory=list)
    # Step Functions retries of a failed Glue job run or Glue API error: attempts after the first, the first
    # interval, and its growth factor (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
    retries: int = Field(default=2, ge=0, le=10)
    retry_interval_seconds: int = Field(default=60, ge=1, le=3600)
    backoff_rate: float = Field(default=2.0, ge=1.0, le=10.0)
    workers: PipelineWorkersSpec = Field(default_factory=PipelineWorkersSpec)
    # Per Glue job run (Glue's own default is 2,880 minutes: two days of DPUs for a hung job).
    timeout_minutes: int = Field(default=60, ge=1, le=2880)

    @model_validator(mode="after")
    def _csv_only_for_csv(self) -> PipelineSpec:
        if self.csv is not None and self.format != "csv":
            raise ValueError(f"csv options are given but the format is {self.format!r}{FIX_SEPARATOR}remove "
                             "`csv` or set format: csv")
        return self

# --- Redshift warehouses (docs/redshift.md; cross-field rules in meshform/loader.py) --------------------------
# Data sharing needs RA3 nodes or Serverless (https://docs.aws.amazon.com/redshift/latest/dg/datashare-overview.html).
# Node counts per RA3 type (https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-clusters.html#rs-ra3-node-types).
RA3_NODE_COUNTS = {"ra3.large": (1, 16), "ra3.xlplus": (1, 16), "ra3.4xlarge": (2, 32), "ra3.16xlarge": (2, 128)}
# Serverless capacity in RPUs: a base of 8..512 in steps of 8, a maximum of base..5632 in steps of 8
# (https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-capacity.html).
RPU_STEP, RPU_BASE_MIN, RPU_BASE_MAX, RPU_MAX = 8, 8, 512, 5632
# Database user names: 1..127 characters, a letter first, then letters, digits, _ or $ ("admin"-style reserved
# words are rejected by Redshift: https://docs.aws.amazon.com/redshift/latest/dg/r_names.html and
# https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_CreateNamespace.html).
REDSHIFT_USER = re.compile(r"^[a-z][a-z0-9_]{0,126}$", _A)
REDSHIFT_RESERVED_USERS = {"admin", "rdsadmin", "public", "user", "root", "superuser", "redshift"}


class RedshiftSpec(_Strict):
    """`domains.<d>.redshift` / `consumers.<c>.redshift`: the account's own Redshift warehouse (docs/redshift.md).
    Always encrypted with the account's CMK, private (no public endpoint), in a VPC meshform creates, with audit
    logging, `require_ssl` and enhanced VPC routing; the admin password is generated and kept by Secrets Manager."""

    mode: Literal["serverless", "provisioned"] = "serverless"
    # serverless: RPUs
    base_capacity: int = Field(default=8, ge=RPU_BASE_MIN, le=RPU_BASE_MAX)
    max_capacity: int | None = Field(default=None, ge=RPU_BASE_MIN, le=RPU_MAX)
    # provisioned: RA3 only (data sharing)
    node_type: Literal["ra3.large", "ra3.xlplus", "ra3.4xlarge", "ra3.16xlarge"] | None = None
    nodes: int = Field(default=2, ge=1, le=128)
    # The private network meshform creates for the warehouse: a /16..../24 IPv4 block split over three AZs.
    cidr: str = Field(default="10.64.0.0/16", pattern=r"^10\.[0-9]{1,3}\.[0-9]{1,3}\.0/(1[6-9]|2[0-2])$")
    admin_user: str = "meshadmin"

    @model_validator(mode="after")
    def _mode_fields(self) -> RedshiftSpec:
        if not REDSHIFT_USER.fullmatch(self.admin_user) or self.admin_user in REDSHIFT_RESERVED_USERS:
            reserved = ", ".join(sorted(REDSHIFT_RESERVED_USERS))
            raise ValueError(f"admin_user {self.admin_user!r} must be 1-127 lower-case letters, digits or '_', "
                             f"starting with a letter, and not a reserved name ({reserved})"
                             f"{FIX_SEPARATOR}use e.g. meshadmin")
        octets = [int(o) for o in self.cidr.split("/")[0].split(".")]
        if any(o > 255 for o in octets):
            raise ValueError(f"cidr {self.cidr!r} is not an IPv4 block{FIX_SEPARATOR}use e.g. 10.64.0.0/16")
        if self.mode == "serverless":
            if self.node_type is not None or "nodes" in self.model_fields_set:
                raise ValueError(f"node_type/nodes are for mode: provisioned{FIX_SEPARATOR}remove them or set "
                                 "mode: provisioned")
            if self.base_capacity % RPU_STEP or (self.max_capacity is not None and self.max_capacity % RPU_STEP):
                raise ValueError(f"Serverless capacity is set in steps of {RPU_STEP} RPUs{FIX_SEPARATOR}use a "
                                 f"multiple of {RPU_STEP}")
            if self.max_capacity is not None and self.max_capacity < self.base_capacity:
                raise ValueError(f"max_capacity {self.max_capacity} is below base_capacity {self.base_capacity}"
                                 f"{FIX_SEPARATOR}raise max_capacity or lower base_capacity")
            return self
        if "base_capacity" in self.model_fields_set or self.max_capacity is not None:
            raise ValueError(f"base_capacity/max_capacity are for mode: serverless{FIX_SEPARATOR}remove them or "
                             "set mode: serverless")
        if self.node_type is None:
            raise ValueError(f"mode: provisioned needs node_type (RA3: data sharing needs RA3 nodes or Serverless)"
                             f"{FIX_SEPARATOR}set node_type to one of {', '.join(RA3_NODE_COUNTS)}")
        low, high = RA3_NODE_COUNTS[self.node_type]
        if not low <= self.nodes <= high:
            raise ValueError(f"{self.node_type} clusters have {low}..{high} nodes, not {self.nodes}"
                             f"{FIX_SEPARATOR}set nodes between {low} and {high}")
        return self


class DomainSpec(_Strict):
    account_id: AccountId
    owner: Email
    cost_center: CostCenter
    description: Description = ""
    # Highest classification the domain's principals may read when it subscribes to other domains' products.
    clearance: str | None = None
    # Roles of the domain's own account (e.g. its analysts) that read subscribed products, besides its ETL role.
    principals: list[RoleArn] = Field(default_factory=list)
    # Lake Formation admins of the domain account besides the deploy role (the settings replace the whole list).
    admins: list[PrincipalArn] = Field(default_factory=list)
    # Stacks the domain's catalog objects spread over in the governance account (meshform/catalog_layout.py):
    # raise it when validation says a catalog stack would exceed its resource limit.
    catalog_stacks: int = Field(default=1, ge=1, le=64)
    # AWS Budgets: monthly cost budget of the domain's account (docs/operations.md).
    monthly_budget_usd: MonthlyBudget = 1000
    # Product pipelines, keyed by the product name (a contract of this domain): docs/pipelines.md.
    pipelines: dict[str, PipelineSpec] = Field(default_factory=dict)
    # Optional Redshift warehouse: shares the domain's products as datashares, reads `via: redshift` subscriptions.
    redshift: RedshiftSpec | None = None


class TagGrantSpec(_Strict):
    """Tag-based access to a class of data: every table/column of `domain` tagged with one of `classification`,
    including tables added later (Lake Formation LF-tag policy grant)."""

    domain: str
    classification: list[str] = Field(min_length=1)


class ConsumerSpec(_Strict):
    account_id: AccountId
    owner: Email
    cost_center: CostCenter
    description: Description = ""
    principals: list[RoleArn] = Field(min_length=1)
    clearance: str
    # Lake Formation admins of the consumer account besides the deploy role (the settings replace the whole list).
    admins: list[PrincipalArn] = Field(default_factory=list)
    # Optional tag-based access to classes of data (LF-tag policies), next to named subscriptions.
    grants: list[TagGrantSpec] = Field(default_factory=list)
    # Athena guard rail: queries scanning more than this are cancelled (cost control).
    athena_bytes_scanned_cutoff_gb: int = Field(default=100, ge=1, le=100_000)
    # AWS Budgets: monthly cost budget of the consumer's account (docs/operations.md).
    monthly_budget_usd: MonthlyBudget = 1000
    # Optional Redshift warehouse that reads `via: redshift` subscriptions as datashare databases.
    redshift: RedshiftSpec | None = None


class SubscriptionSpec(_Strict):
    subscriber: str
    product: str = Field(pattern=r"^[a-z][a-z0-9]*\.[a-z][a-z0-9_]*$")
    # How the product reaches the subscriber: Lake Formation grants, a Redshift datashare, or both (one access
    # model decides the columns of each: meshform/access.py).
    via: list[Literal["lakeformation", "redshift"]] = Field(
        default_factory=lambda: ["lakeformation"], min_length=1, max_length=2)  # type: ignore[arg-type]
    # Optional explicit column subset: {table: [column, ...]}; tables not listed are not shared.
    columns: dict[str, list[str]] | None = None


class EnvironmentSpec(_Strict):
    environment: str = Field(pattern=ENV_NAME.pattern)
    region: MeshRegion
    name_prefix: str = Field(min_length=2, max_length=16, pattern=NAME_PREFIX.pattern)
    organization_id: str | None = Field(default=None, pattern=ORG_ID.pattern)
    deploy_role: str = Field(default="mesh-deploy", pattern=IAM_ROLE_NAME.pattern)
    backend: Backend = Field(default_factory=LocalBackendSpec)
    governance: GovernanceSpec
    domains: dict[str, DomainSpec] = Field(min_length=1)
    consumers: dict[str, ConsumerSpec] = Field(default_factory=dict)
    subscriptions: list[SubscriptionSpec] = Field(default_factory=list)
    billing: BillingSpec = Field(default_factory=BillingSpec)
    audit: AuditSpec = Field(default_factory=AuditSpec)

    @model_validator(mode="after")
    def _billing_where_meshform_deploys(self) -> EnvironmentSpec:
        payer = self.billing.account_id
        if self.billing.activate_cost_allocation_tags and payer not in (None, self.governance.account_id):
            raise ValueError(
                f"billing.account_id {payer} is not the governance account, but meshform can only activate the mesh "
                f"cost-allocation tags in an account it deploys to{FIX_SEPARATOR}set "
                "billing.activate_cost_allocation_tags: false and activate them in the payer account "
                "(docs/operations.md, 'Cost allocation tags'), or make the governance account the payer")
        return self

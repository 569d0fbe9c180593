"""Pydantic model of `environments/<env>.yaml`.

Field names are the user-facing contract (see README "Environment spec"): extend, never rename.
Unknown keys are errors so that a typo never silently drops a setting.
"""
from __future__ import annotations

import re
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

ACCOUNT_ID = re.compile(r"^\d{12}$")
IAM_PRINCIPAL_ARN = re.compile(r"^arn:aws(-[a-z]+)*:iam::(\d{12}):(role|user)/[\w+=,.@/-]{1,512}$")
IAM_ROLE_ARN = re.compile(r"^arn:aws(-[a-z]+)*:iam::(\d{12}):role/[\w+=,.@/-]{1,512}$")
IAM_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$")
ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")
# Domain names become Glue database names, LF-tag values and parts of S3 bucket names: the safe intersection.
DOMAIN_NAME = re.compile(r"^[a-z][a-z0-9]{1,29}$")
# Consumer names appear in stack, bucket and workgroup names (hyphens are fine there).
CONSUMER_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
ENV_NAME = re.compile(r"^[a-z][a-z0-9]{1,9}$")
NAME_PREFIX = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
CLASSIFICATION = re.compile(r"^[a-z][a-z0-9_-]{0,49}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
COST_CENTER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/=+@-]{0,127}$")


def _matches(pattern: re.Pattern, what: str, example: str):
    def check(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(f"{value!r} is not a valid {what} (expected e.g. {example})")
        return value
    return check


AccountId = Annotated[str, AfterValidator(_matches(ACCOUNT_ID, "AWS account ID: 12 digits, quoted", '"123456789012"'))]
PrincipalArn = Annotated[str, AfterValidator(_matches(
    IAM_PRINCIPAL_ARN, "IAM role or user ARN", "arn:aws:iam::123456789012:role/DataPlatformAdmin"))]
# Principals that read data get an IAM policy attached as roles: roles only.
RoleArn = Annotated[str, AfterValidator(_matches(
    IAM_ROLE_ARN, "IAM role ARN (users are not supported as principals: use roles)",
    "arn:aws:iam::123456789012:role/Analyst"))]
Email = Annotated[str, AfterValidator(_matches(EMAIL, "owner e-mail address", "sales-data@acme.example"))]
Region = Annotated[str, AfterValidator(_matches(REGION, "AWS region", "eu-west-1"))]
CostCenter = Annotated[str, AfterValidator(_matches(COST_CENTER, "cost center tag value", "CC-1001"))]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class LocalBackendSpec(_Strict):
    """Terraform state on disk, one file per stack (the default; fine for a laptop and for the demo)."""

    type: Literal["local"] = "local"
    directory: str = Field(default="terraform-state", pattern=r"^[A-Za-z0-9_./-]+$")


class S3BackendSpec(_Strict):
    """Terraform state in S3 with native lock files (Terraform >= 1.10), encrypted, one key per stack."""

    type: Literal["s3"]
    bucket: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
    region: Region
    key_prefix: str = Field(default="meshform", pattern=r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")
    role_arn: str | None = Field(default=None, pattern=r"^arn:aws(-[a-z]+)*:iam::\d{12}:role/[\w+=,.@/-]+$")
    kms_key_id: str | None = Field(default=None, pattern=r"^arn:aws(-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:(key|alias)/.+$")


class CloudBackendSpec(_Strict):
    """HCP Terraform (Terraform Cloud / Enterprise): one workspace per stack, grouped in a project."""

    type: Literal["cloud"]
    organization: str = Field(pattern=r"^[A-Za-z0-9_-]{3,40}$")
    project: str = Field(pattern=r"^[A-Za-z0-9 _-]{3,40}$")
    workspace_prefix: str = Field(default="", pattern=r"^[A-Za-z0-9_-]{0,40}$")
    hostname: str = Field(default="app.terraform.io", pattern=r"^[a-z0-9.-]+$")


Backend = Annotated[Union[LocalBackendSpec, S3BackendSpec, CloudBackendSpec], Field(discriminator="type")]


class GovernanceSpec(_Strict):
    account_id: AccountId
    owner: Email
    cost_center: CostCenter
    admins: list[PrincipalArn] = Field(min_length=1)
    read_only_admins: list[PrincipalArn] = Field(default_factory=list)
    # Ordered from least to most sensitive; they become the values of the `classification` LF-tag.
    classifications: list[str] = Field(default_factory=lambda: ["public", "internal", "confidential", "pii"],
                                       min_length=1, max_length=50)
    default_classification: str = "internal"

    @model_validator(mode="after")
    def _ontology(self) -> "GovernanceSpec":
        for value in self.classifications:
            if not CLASSIFICATION.match(value):
                raise ValueError(f"classification {value!r} must be lower-case letters, digits, '_' or '-' "
                                 "and at most 50 characters (Lake Formation tag value rules)")
        if len(set(self.classifications)) != len(self.classifications):
            raise ValueError("classifications must be unique")
        if self.default_classification not in self.classifications:
            raise ValueError(f"default_classification {self.default_classification!r} is not one of "
                             f"classifications {self.classifications}")
        return self


class DomainSpec(_Strict):
    account_id: AccountId
    owner: Email
    cost_center: CostCenter
    description: str = ""
    # Highest classification the domain's principals may read when it subscribes to other domains' products.
    clearance: str | None = None
    # Roles of the domain's own account (e.g. its analysts) that read subscribed products, besides its ETL role.
    principals: list[RoleArn] = Field(default_factory=list)
    # Lake Formation admins of the domain account besides the deploy role (the settings replace the whole list).
    admins: list[PrincipalArn] = Field(default_factory=list)


class TagGrantSpec(_Strict):
    """Tag-based access to a class of data: every table/column of `domain` tagged with one of `classification`,
    including tables added later (Lake Formation LF-tag policy grant)."""

    domain: str
    classification: list[str] = Field(min_length=1)


class ConsumerSpec(_Strict):
    account_id: AccountId
    owner: Email
    cost_center: CostCenter
    description: str = ""
    principals: list[RoleArn] = Field(min_length=1)
    clearance: str
    # Lake Formation admins of the consumer account besides the deploy role (the settings replace the whole list).
    admins: list[PrincipalArn] = Field(default_factory=list)
    # Optional tag-based access to classes of data (LF-tag policies), next to named subscriptions.
    grants: list[TagGrantSpec] = Field(default_factory=list)
    # Athena guard rail: queries scanning more than this are cancelled (cost control).
    athena_bytes_scanned_cutoff_gb: int = Field(default=100, ge=1, le=100_000)


class SubscriptionSpec(_Strict):
    subscriber: str
    product: str = Field(pattern=r"^[a-z][a-z0-9]*\.[a-z][a-z0-9_]*$")
    via: list[Literal["lakeformation"]] = Field(default_factory=lambda: ["lakeformation"], min_length=1)
    # Optional explicit column subset: {table: [column, ...]}; tables not listed are not shared.
    columns: dict[str, list[str]] | None = None


class EnvironmentSpec(_Strict):
    environment: str = Field(pattern=ENV_NAME.pattern)
    region: Region
    name_prefix: str = Field(min_length=2, max_length=16, pattern=NAME_PREFIX.pattern)
    organization_id: str | None = Field(default=None, pattern=ORG_ID.pattern)
    deploy_role: str = Field(default="mesh-deploy", pattern=IAM_ROLE_NAME.pattern)
    backend: Backend = Field(default_factory=LocalBackendSpec)
    governance: GovernanceSpec
    domains: dict[str, DomainSpec] = Field(min_length=1)
    consumers: dict[str, ConsumerSpec] = Field(default_factory=dict)
    subscriptions: list[SubscriptionSpec] = Field(default_factory=list)

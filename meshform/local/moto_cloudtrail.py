"""CloudTrail trails as strict as AWS for the rules the mesh relies on, for moto 5.2.5, which creates any trail whose
bucket exists and stores any advanced event selectors it is given.

CreateTrail / UpdateTrail (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html):
- **bucket policy**: CloudTrail must be allowed s3:GetBucketAcl on the bucket and s3:PutObject on
  `<bucket>/[<prefix>/]AWSLogs/<account>/*` (and `AWSLogs/<organization id>/*` for an organization trail), as
  `cloudtrail.amazonaws.com`, with aws:SourceArn = the trail's ARN, aws:SourceAccount = the trail's account and
  s3:x-amz-acl = bucket-owner-full-control in the request context
  (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html); otherwise
  InsufficientS3BucketPolicyException. The bucket may be in another account (cross-account delivery).
- **KMS key** (`KmsKeyId`: key id, key ARN, alias name or alias ARN): it must exist, else KmsKeyNotFoundException; its
  policy must let `cloudtrail.amazonaws.com` kms:GenerateDataKey with the encryption context
  `aws:cloudtrail:arn` = the trail's ARN and aws:SourceArn = the trail's ARN, and kms:DescribeKey
  (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html); otherwise
  InsufficientEncryptionPolicyException.
- **CloudWatch Logs**: the log group ARN must name an existing log group of the trail's account
  (InvalidCloudWatchLogsLogGroupArnException); the role must exist and trust `cloudtrail.amazonaws.com` for this
  trail (InvalidCloudWatchLogsRoleArnException); one without the other is InvalidParameterCombinationException
  (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/send-cloudtrail-events-to-cloudwatch-logs.html).
- **organization trail** (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html):
  the account must belong to an Organization (OrganizationsNotInUseException), be its management account or a
  registered CloudTrail delegated administrator (NotOrganizationMasterAccountException), and trusted access for
  cloudtrail.amazonaws.com must be enabled (CloudTrailAccessNotEnabledException).
  RegisterOrganizationDelegatedAdmin (management account only) is added, stored as the Organization's delegated
  administrator for cloudtrail.amazonaws.com
  (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_RegisterOrganizationDelegatedAdmin.html).

PutEventSelectors with AdvancedEventSelectors
(https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedEventSelector.html,
https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html), otherwise
InvalidEventSelectorsException:
- basic and advanced selectors together are refused; a selector needs at least one field selector;
- `Field` is one of AWS's documented fields; each field selector has at least one operator with 1+ values;
- `eventCategory` is required and uses Equals only (Management, Data, NetworkActivity);
- a Data selector needs `resources.type` with Equals and exactly one value; a Management selector may use only
  eventCategory, eventSource and readOnly;
- at most 500 condition values across all advanced selectors of a trail.

Answer shapes: KmsKeyId is stored and returned as the key's ARN whatever form was given (key id, alias name or
alias ARN), as AWS does; HasCustomEventSelectors is true once the trail has event selectors (moto always said
false, so the provider never read them back and drift in them went unseen).

Decisions where AWS is not explicit: the selector checks run before anything is stored (all-or-nothing); a key
that is not Enabled is treated as not usable (InsufficientEncryptionPolicyException).
"""
from __future__ import annotations

import json
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.core.utils import unix_time

CLOUDTRAIL = "cloudtrail.amazonaws.com"
FIELDS = {"eventCategory", "eventSource", "eventName", "eventType", "readOnly", "resources.type", "resources.ARN",
          "errorCode", "userIdentity.arn", "sessionCredentialFromConsole", "vpcEndpointId"}
OPERATORS = ("Equals", "StartsWith", "EndsWith", "NotEquals", "NotStartsWith", "NotEndsWith")
CATEGORIES = {"Management", "Data", "NetworkActivity"}
MANAGEMENT_FIELDS = {"eventCategory", "eventSource", "readOnly"}
MAX_VALUES = 500


class CloudTrailError(JsonRESTError):
    code = 400

    def __init__(self, error: str, message: str):
        super().__init__(error, message)


def _invalid_selectors(message: str) -> CloudTrailError:
    return CloudTrailError("InvalidEventSelectorsException", message)


def validate_advanced_selectors(selectors: list[dict[str, Any]]) -> None:
    total = 0
    for index, selector in enumerate(selectors):
        where = f"AdvancedEventSelectors[{index}]"
        fields = selector.get("FieldSelectors") or []
        if not fields:
            raise _invalid_selectors(f"{where} has no FieldSelectors")
        seen: dict[str, dict[str, Any]] = {}
        for field in fields:
            name = field.get("Field")
            if name not in FIELDS:
                raise _invalid_selectors(f"{where}: Field {name!r} is not valid; valid fields are "
                                         f"{', '.join(sorted(FIELDS))}")
            used = {op: field[op] for op in OPERATORS if field.get(op) is not None}
            if not used or any(not values for values in used.values()):
                raise _invalid_selectors(f"{where}: the field selector for {name} needs an operator with values")
            total += sum(len(values) for values in used.values())
            seen[name] = used
        category = seen.get("eventCategory")
        if category is None:
            raise _invalid_selectors(f"{where}: eventCategory is required")
        if set(category) != {"Equals"} or not set(category["Equals"]) <= CATEGORIES:
            raise _invalid_selectors(f"{where}: eventCategory must use Equals with {', '.join(sorted(CATEGORIES))}")
        if category["Equals"] == ["Management"] and set(seen) - MANAGEMENT_FIELDS:
            raise _invalid_selectors(f"{where}: a Management events selector may use only "
                                     f"{', '.join(sorted(MANAGEMENT_FIELDS))}")
        if "Data" in category["Equals"]:
            rtype = seen.get("resources.type")
            if rtype is None or set(rtype) != {"Equals"} or len(rtype["Equals"]) != 1:
                raise _invalid_selectors(f"{where}: a Data events selector needs resources.type with Equals and "
                                         "exactly one value")
    if total > MAX_VALUES:
        raise _invalid_selectors(f"the advanced event selectors use {total} condition values; a trail allows "
                                 f"{MAX_VALUES}")


def _find_bucket(name: str) -> tuple[str, Any] | None:
    from moto.s3.models import s3_backends

    for account, regions in s3_backends.items():
        for backend in regions.values():
            bucket = backend.buckets.get(name)
            if bucket is not None:
                return account, bucket
    return None


def check_bucket(trail_arn: str, account: str, bucket_name: str, prefix: str | None, org_id: str | None) -> None:
    from meshform.local.moto_s3_policy import evaluate

    denied = CloudTrailError("InsufficientS3BucketPolicyException",
                             f"Incorrect S3 bucket policy is detected for bucket: {bucket_name}")
    found = _find_bucket(bucket_name)
    if found is None:
        raise CloudTrailError("S3BucketDoesNotExistException", f"S3 bucket {bucket_name} does not exist!")
    _, bucket = found
    if not bucket.policy:
        raise denied
    policy = json.loads(bucket.policy)
    caller = {"service": CLOUDTRAIL, "arn": "", "account": ""}
    context = {"aws:SourceArn": trail_arn, "aws:SourceAccount": account, "s3:x-amz-acl": "bucket-owner-full-control"}
    base = f"arn:aws:s3:::{bucket_name}"
    if evaluate(policy, "s3:GetBucketAcl", base, caller, context) != "PERMITTED":
        raise denied
    key_prefix = f"{prefix.strip('/')}/" if prefix else ""
    for owner in [account, *([org_id] if org_id else [])]:
        obj = f"{base}/{key_prefix}AWSLogs/{owner}/CloudTrail/digest-check.json.gz"
        if evaluate(policy, "s3:PutObject", obj, caller, context) != "PERMITTED":
            raise denied


def _find_key(key_id: str, account: str, region: str) -> Any:
    from moto.kms.models import kms_backends

    key_account, key_region = account, region
    if key_id.startswith("arn:"):
        parts = key_id.split(":")
        key_region, key_account = parts[3], parts[4]
    backend = kms_backends[key_account][key_region]
    try:
        return backend.keys[backend.any_id_to_key_id(key_id)]
    except Exception:  # noqa: BLE001 - moto raises KeyError or its own NotFoundException for unknown ids
        return None


def check_key(trail_arn: str, account: str, region: str, bucket: str, key_id: str) -> str:
    """The key's ARN (what AWS stores and returns as KmsKeyId, whatever form was given), when CloudTrail may use
    it for this trail."""
    from meshform.local.moto_s3_policy import evaluate

    key = _find_key(key_id, account, region)
    if key is None:
        raise CloudTrailError("KmsKeyNotFoundException", f"KMS key {key_id} does not exist or is not in {region}")
    denied = CloudTrailError("InsufficientEncryptionPolicyException",
                             f"Insufficient permissions to access S3 bucket {bucket} or KMS key {key.arn}.")
    if getattr(key, "key_state", "Enabled") != "Enabled":
        raise denied
    policy = json.loads(key.policy)
    caller = {"service": CLOUDTRAIL, "arn": "", "account": ""}
    context = {"aws:SourceArn": trail_arn, "aws:SourceAccount": account,
               "kms:EncryptionContext:aws:cloudtrail:arn": trail_arn}
    for action in ("kms:GenerateDataKey", "kms:DescribeKey"):
        if evaluate(policy, action, key.arn, caller, context) != "PERMITTED":
            raise denied
    return key.arn


def check_logs(trail_arn: str, account: str, region: str, group_arn: str | None, role_arn: str | None) -> None:
    from moto.iam.models import iam_backends
    from moto.logs.models import logs_backends

    from meshform.local.moto_s3_policy import evaluate

    if not group_arn and not role_arn:
        return
    if not group_arn or not role_arn:
        raise CloudTrailError("InvalidParameterCombinationException",
                              "CloudWatchLogsLogGroupArn and CloudWatchLogsRoleArn must be given together")
    parts = group_arn.split(":")
    bad_group = CloudTrailError("InvalidCloudWatchLogsLogGroupArnException",
                                f"Access denied. Check the log group ARN {group_arn}")
    if len(parts) < 7 or parts[2] != "logs" or parts[4] != account or parts[5] != "log-group":
        raise bad_group
    if parts[6] not in logs_backends[account][parts[3]].groups:
        raise bad_group
    bad_role = CloudTrailError("InvalidCloudWatchLogsRoleArnException",
                               f"Access denied. Verify in IAM that the role {role_arn} exists and that CloudTrail "
                               "may assume it")
    role_name = role_arn.rsplit("/", 1)[-1]
    try:
        role = iam_backends[account]["global"].get_role(role_name)
    except Exception:  # noqa: BLE001 - moto raises its own NoSuchEntity
        raise bad_role from None
    trust = json.loads(role.assume_role_policy_document)
    statements = [{**s, "Resource": role.arn} for s in trust.get("Statement", [])]
    caller = {"service": CLOUDTRAIL, "arn": "", "account": ""}
    if evaluate({"Statement": statements}, "sts:AssumeRole", role.arn, caller,
                {"aws:SourceArn": trail_arn, "aws:SourceAccount": account}) != "PERMITTED":
        raise bad_role


def _organization_of(account: str) -> Any:
    from moto.organizations.models import organizations_backends

    for regions in organizations_backends.values():
        for backend in regions.values():
            if backend.org is not None and any(a.id == account for a in backend.accounts):
                return backend
    return None


def check_organization_trail(account: str) -> str:
    """The Organization's id, when `account` may create an organization trail (module docstring)."""
    org = _organization_of(account)
    if org is None:
        raise CloudTrailError("OrganizationsNotInUseException",
                              "This account is not a member of an organization in AWS Organizations.")
    admins = [a.account.id for a in org.admins if CLOUDTRAIL in a.services]
    if account != org.org.master_account_id and account not in admins:
        raise CloudTrailError("NotOrganizationMasterAccountException",
                              "This operation can be performed only by the management account or a delegated "
                              "administrator account of an organization.")
    if not any(s.get("ServicePrincipal") == CLOUDTRAIL for s in org.services):
        raise CloudTrailError("CloudTrailAccessNotEnabledException",
                              "Trusted access for AWS CloudTrail is not enabled for the organization.")
    return org.org.id


def _check_trail(backend: Any, name: str, bucket: str, prefix: str | None, org_trail: bool, group: str | None,
                 role: str | None, kms_key_id: str | None) -> str | None:
    """Raise what AWS raises for the trail's configuration; return the key's ARN (None without a key)."""
    account, region = backend.account_id, backend.region_name
    arn = f"arn:aws:cloudtrail:{region}:{account}:trail/{name}"
    org_id = check_organization_trail(account) if org_trail else None
    check_bucket(arn, account, bucket, prefix, org_id)
    key_arn = check_key(arn, account, region, bucket, kms_key_id) if kms_key_id else None
    check_logs(arn, account, region, group, role)
    return key_arn


def install() -> None:
    from moto.cloudtrail.models import CloudTrailBackend, Trail
    from moto.cloudtrail.responses import CloudTrailResponse

    original_create = CloudTrailBackend.create_trail
    if getattr(original_create, "__meshform__", False):
        return
    original_update = CloudTrailBackend.update_trail
    original_put = CloudTrailBackend.put_event_selectors
    original_bucket_check = Trail.check_bucket_exists

    def create_trail(self: Any, name: str, bucket_name: str, s3_key_prefix: str, sns_topic_name: str,
                     is_global: bool, is_multi_region: bool, log_validation: bool, is_org_trail: bool,
                     cw_log_group_arn: str, cw_role_arn: str, kms_key_id: str, tags_list: list[dict[str, str]]):
        key_arn = _check_trail(self, name, bucket_name, s3_key_prefix, is_org_trail, cw_log_group_arn, cw_role_arn,
                               kms_key_id)
        return original_create(self, name, bucket_name, s3_key_prefix, sns_topic_name, is_global, is_multi_region,
                               log_validation, is_org_trail, cw_log_group_arn, cw_role_arn, key_arn or kms_key_id,
                               tags_list)

    def update_trail(self: Any, name: str, **kwargs: Any):
        trail = self.get_trail(name)

        def after(key: str, current: Any) -> Any:
            return current if kwargs.get(key) is None else kwargs[key]

        key_arn = _check_trail(self, trail.trail_name, after("s3_bucket_name", trail.bucket_name),
                               after("s3_key_prefix", trail.s3_key_prefix),
                               after("is_organization_trail", trail.is_org_trail),
                               after("cw_log_group_arn", trail.cw_log_group_arn),
                               after("cw_role_arn", trail.cw_role_arn), after("kms_key_id", trail.kms_key_id))
        if kwargs.get("kms_key_id") and key_arn:
            kwargs["kms_key_id"] = key_arn
        return original_update(self, name, **kwargs)

    def put_event_selectors(self: Any, trail_name: str, event_selectors: Any, advanced_event_selectors: Any):
        if event_selectors and advanced_event_selectors:
            raise _invalid_selectors("EventSelectors and AdvancedEventSelectors cannot both be given")
        if advanced_event_selectors:
            validate_advanced_selectors(advanced_event_selectors)
        return original_put(self, trail_name=trail_name, event_selectors=event_selectors,
                            advanced_event_selectors=advanced_event_selectors)

    original_description = Trail.description

    def description(self: Any, include_region: bool = False) -> dict[str, Any]:
        # AWS reports whether the trail has event selectors of its own (the provider reads them back only then).
        desc = original_description(self, include_region)
        desc["HasCustomEventSelectors"] = bool(self.event_selectors or self.advanced_event_selectors)
        return desc

    def check_bucket_exists(self: Any) -> None:
        # A trail may deliver to a bucket of another account: look for it everywhere (the policy decides).
        if _find_bucket(self.bucket_name) is None:
            original_bucket_check(self)

    def register_organization_delegated_admin(self: Any) -> str:
        account = self._get_param("MemberAccountId")
        org = _organization_of(self.current_account)
        if org is None:
            raise CloudTrailError("OrganizationsNotInUseException",
                                  "This account is not a member of an organization in AWS Organizations.")
        if self.current_account != org.org.master_account_id:
            raise CloudTrailError("NotOrganizationManagementAccountException",
                                  "This operation can be performed only by the management account of an "
                                  "organization.")
        if account == org.org.master_account_id or not any(a.id == account for a in org.accounts):
            raise CloudTrailError("InvalidParameterException",
                                  f"{account} is not a member account of the organization")
        # moto's delegated-administrator list lacks CloudTrail: record it on the Organization's own model.
        from moto.organizations.models import FakeDelegatedAdministrator

        admin = next((a for a in org.admins if a.account.id == account), None)
        if admin is None:
            admin = FakeDelegatedAdministrator(org.get_account_by_id(account))
            org.admins.append(admin)
        admin.services[CLOUDTRAIL] = {"ServicePrincipal": CLOUDTRAIL, "DelegationEnabledDate": unix_time()}
        return "{}"

    create_trail.__meshform__ = True  # type: ignore[attr-defined]
    CloudTrailBackend.create_trail = create_trail
    CloudTrailBackend.update_trail = update_trail
    CloudTrailBackend.put_event_selectors = put_event_selectors
    Trail.check_bucket_exists = check_bucket_exists
    Trail.description = description
    CloudTrailResponse.register_organization_delegated_admin = register_organization_delegated_admin

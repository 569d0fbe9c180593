"""CloudWatch Logs encryption with a customer-managed key, for moto 5.2.5, which stores any `kmsKeyId` it is given
and has no AssociateKmsKey/DisassociateKmsKey.

AWS (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html): CreateLogGroup with
`kmsKeyId` and AssociateKmsKey work only when the key exists in the log group's region and its key policy lets
the regional CloudWatch Logs service principal (`logs.<region>.amazonaws.com`) use it — kms:Encrypt*, kms:Decrypt*,
kms:ReEncrypt*, kms:GenerateDataKey*, kms:Describe* — within the policy's conditions; CloudWatch Logs calls KMS
with the encryption context `aws:logs:arn` = the log group's ARN
(arn:aws:logs:<region>:<account>:log-group:<name>). Otherwise the call fails with AccessDeniedException "The
specified KMS key does not exist or is not allowed to be used with Arn '<log group ARN>'"
(https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_AssociateKmsKey.html). The key policy is
evaluated with meshform's policy evaluator (moto_s3_policy.evaluate): the service principal, its actions, and
conditions such as ArnLike on kms:EncryptionContext:aws:logs:arn. DisassociateKmsKey removes the key.

Decision where AWS is not explicit: the actions required are Encrypt, Decrypt, GenerateDataKey and DescribeKey
(each must be allowed, by name or wildcard); a key that is disabled or pending deletion is refused as well.
"""
from __future__ import annotations

import json
from typing import Any

from moto.core.exceptions import JsonRESTError

REQUIRED_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey")


class AccessDeniedException(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("AccessDeniedException", message)


def log_group_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:logs:{region}:{account}:log-group:{name}"


def check_key(account: str, region: str, key_id: str, group_arn: str) -> None:
    """Raise AccessDeniedException unless CloudWatch Logs may use the key for this log group."""
    from moto.kms.models import kms_backends

    from meshform.local.moto_s3_policy import evaluate

    denied = AccessDeniedException(f"The specified KMS key does not exist or is not allowed to be used with Arn "
                                   f"'{group_arn}'")
    key_region = key_id.split(":")[3] if key_id.startswith("arn:") else region
    key_account = key_id.split(":")[4] if key_id.startswith("arn:") else account
    if key_region != region:
        raise denied
    backend = kms_backends[key_account][region]
    try:
        key = backend.keys[backend.any_id_to_key_id(key_id)]
    except Exception:  # noqa: BLE001 - moto raises KeyError or its own NotFoundException for unknown ids
        raise denied from None
    if getattr(key, "key_state", "Enabled") != "Enabled":
        raise denied
    policy = json.loads(key.policy)
    caller = {"service": f"logs.{region}.amazonaws.com", "arn": "", "account": ""}
    context = {"kms:EncryptionContext:aws:logs:arn": group_arn}
    for action in REQUIRED_ACTIONS:
        if evaluate(policy, action, key.arn, caller, context) != "PERMITTED":
            raise denied


def install() -> None:
    from moto.logs.models import LogsBackend
    from moto.logs.responses import LogsResponse

    original_create = LogsBackend.create_log_group
    if getattr(original_create, "__meshform__", False):
        return

    def create_log_group(self: Any, log_group_name: str, tags: dict[str, str], **kwargs: Any):
        if kwargs.get("kmsKeyId"):
            check_key(self.account_id, self.region_name, kwargs["kmsKeyId"],
                      log_group_arn(self.region_name, self.account_id, log_group_name))
        return original_create(self, log_group_name, tags, **kwargs)

    def associate_kms_key(self: Any) -> str:
        from moto.logs.exceptions import ResourceNotFoundException

        name, key_id = self._get_param("logGroupName"), self._get_param("kmsKeyId")
        group = self.logs_backend.groups.get(name)
        if group is None:
            raise ResourceNotFoundException()
        check_key(self.current_account, self.region, key_id, log_group_arn(self.region, self.current_account, name))
        group.kms_key_id = key_id
        return ""

    def disassociate_kms_key(self: Any) -> str:
        from moto.logs.exceptions import ResourceNotFoundException

        group = self.logs_backend.groups.get(self._get_param("logGroupName"))
        if group is None:
            raise ResourceNotFoundException()
        group.kms_key_id = None
        return ""

    create_log_group.__meshform__ = True  # type: ignore[attr-defined]
    LogsBackend.create_log_group = create_log_group
    LogsResponse.associate_kms_key = associate_kms_key
    LogsResponse.disassociate_kms_key = disassociate_kms_key

"""The key-policy statement that lets CloudWatch Logs encrypt a domain's log groups with the domain key: the state
machines' execution logs and the Glue jobs' logs (the security configuration's CloudWatch encryption). Without it
CreateLogGroup/AssociateKmsKey fail with AccessDeniedException ("The specified KMS key does not exist or is not
allowed to be used with Arn ..."). Scoped by the encryption context to this account's log groups
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html)."""
from __future__ import annotations

from collections.abc import Sequence

from modules import policy_documents as pd
from modules.types import Statement

# AWS's documented kms:Encrypt*, Decrypt*, ReEncrypt*, GenerateDataKey*, Describe*, spelled out (no wildcards in
# key policies: CKV_MESH_KMS_KEY_POLICY).
LOGS_KEY_ACTIONS = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey",
                    "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo"]


def cloudwatch_logs_key_statement(region: str, account: str, log_groups: Sequence[str] | None = None) -> Statement:
    """For this account's log groups, or, with `log_groups` (names), for exactly those (ArnEquals on the
    encryption context: a key that encrypts a warehouse's audit logs encrypts nothing else)."""
    if log_groups:
        arns = sorted(f"arn:aws:logs:{region}:{account}:log-group:{name}" for name in log_groups)
        return pd.statement("CloudWatchLogsEncryptsTheseLogGroups", LOGS_KEY_ACTIONS, "*",
                            principal={"Service": f"logs.{region}.amazonaws.com"},
                            condition={"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": arns}})
    return pd.statement("CloudWatchLogsEncryptsThisAccountsLogGroups", LOGS_KEY_ACTIONS, "*",
                        principal={"Service": f"logs.{region}.amazonaws.com"},
                        condition={"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
                                               f"arn:aws:logs:{region}:{account}:log-group:*"}})

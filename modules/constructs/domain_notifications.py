"""The domain's notification topic (`<prefix>-<env>-<domain>-notifications`): pipeline results today, budgets and
alarms next; named for the domain, not for one use.

Encrypted with the domain's customer-managed key (https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html;
a publisher needs kms:GenerateDataKey and kms:Decrypt on it — the state machine roles get them through IAM, which the
key's root statement delegates to). The topic policy (https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html):
- refuses every request that does not use TLS;
- refuses Publish by any IAM principal other than the domain's pipeline state machine roles (an explicit Deny: in
  the same account an identity policy alone would otherwise be enough to publish);
- allows Publish by those roles and by EventBridge rules of this account only (aws:SourceAccount against the
  confused deputy, https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html). AWS services publishing
  to an encrypted topic also need the key policy statement `notification_key_statements` returns.
The domain owner's address is subscribed (e-mail subscriptions stay pending until the owner confirms them).
"""
from __future__ import annotations

from cdktf_cdktf_provider_aws.sns_topic import SnsTopic
from cdktf_cdktf_provider_aws.sns_topic_policy import SnsTopicPolicy
from cdktf_cdktf_provider_aws.sns_topic_subscription import SnsTopicSubscription
from constructs import Construct

from modules import policy_documents as pd
from modules.types import Statement

PUBLISH = ["sns:Publish"]


def notification_key_statements(account: str) -> list[Statement]:
    """Key-policy statement letting EventBridge (rules of this account) use the key when it publishes to the
    encrypted topic (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services)."""
    return [pd.statement("EventBridgePublishesToEncryptedTopics", ["kms:Decrypt", "kms:GenerateDataKey"], "*",
                         principal={"Service": "events.amazonaws.com"},
                         condition={"StringEquals": {"aws:SourceAccount": account}})]


class DomainNotifications(Construct):
    """Args:
        name: meshform.pipeline_names.notification_topic_name.
        account, region: the domain's account and region (the topic ARN is derived from them).
        kms_key_arn: the domain's lake key.
        owner_email: the domain owner (subscribed by e-mail).
        publisher_role_pattern: IAM role name pattern of the domain's state machine roles (the only IAM publishers).

    Attributes:
        topic: the `aws_sns_topic`; arn: its ARN, derived from the name (no reference needed).
    """

    def __init__(self, scope: Construct, id_: str, *, name: str, account: str, region: str, kms_key_arn: str,
                 owner_email: str, publisher_role_pattern: str):
        super().__init__(scope, id_)
        self.arn = f"arn:aws:sns:{region}:{account}:{name}"
        self.topic = SnsTopic(self, "topic", name=name, kms_master_key_id=kms_key_arn,
                              display_name=name[:100])
        publishers = f"arn:aws:iam::{account}:role/{publisher_role_pattern}"
        policy = pd.document([
            pd.statement("DenyInsecureTransport", ["sns:Publish", "sns:Subscribe"], self.arn,
                         principal={"AWS": "*"}, effect="Deny", condition={"Bool": {"aws:SecureTransport": "false"}}),
            # aws:PrincipalIsAWSService is in every signed request: the Deny spares service principals, whose
            # access the Allow below limits to this account.
            pd.statement("OnlyPipelineStateMachinesPublish", PUBLISH, self.arn, principal={"AWS": "*"},
                         effect="Deny", condition={"ArnNotLike": {"aws:PrincipalArn": publishers},
                                                   "Bool": {"aws:PrincipalIsAWSService": "false"}}),
            pd.statement("PipelineStateMachinesPublish", PUBLISH, self.arn,
                         principal={"AWS": f"arn:aws:iam::{account}:root"},
                         condition={"ArnLike": {"aws:PrincipalArn": publishers}}),
            pd.statement("EventBridgeRulesOfThisAccountPublish", PUBLISH, self.arn,
                         principal={"Service": "events.amazonaws.com"},
                         condition={"StringEquals": {"aws:SourceAccount": account}}),
        ])
        self.policy = SnsTopicPolicy(self, "policy", arn=self.topic.arn, policy=policy)
        SnsTopicSubscription(self, "owner", topic_arn=self.topic.arn, protocol="email", endpoint=owner_email)

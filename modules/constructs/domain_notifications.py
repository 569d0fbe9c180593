"""An account's notification topic: the domain's (`<prefix>-<env>-<domain>-notifications`: pipeline results, pipeline
and freshness alarms, budget alerts), a consumer's (budget alerts) and governance's (audit alarms, budget alerts);
named for its owner, not for one use.

Encrypted with the domain's customer-managed key (https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html;
a publisher needs kms:GenerateDataKey and kms:Decrypt on it — the state machine roles get them through IAM, which the
key's root statement delegates to). The topic policy (https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html):
- refuses every request that does not use TLS;
- refuses Publish by any IAM principal other than the domain's pipeline state machine roles (an explicit Deny: in
  the same account an identity policy alone would otherwise be enough to publish);
- allows Publish by those roles and, for this account only (aws:SourceAccount against the confused deputy,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html), by EventBridge rules, CloudWatch alarms
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html) and AWS Budgets
  (https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html). AWS services publishing
  to an encrypted topic also need the key policy statements `notification_key_statements` returns.
The domain owner's address is subscribed (e-mail subscriptions stay pending until the owner confirms them).
"""
from __future__ import annotations

from collections.abc import Sequence

from cdktf_cdktf_provider_aws.sns_topic import SnsTopic
from cdktf_cdktf_provider_aws.sns_topic_policy import SnsTopicPolicy
from cdktf_cdktf_provider_aws.sns_topic_subscription import SnsTopicSubscription
from constructs import Construct

from modules import policy_documents as pd
from modules.types import Statement

PUBLISH = ["sns:Publish"]
EVENTS, CLOUDWATCH, BUDGETS = "events.amazonaws.com", "cloudwatch.amazonaws.com", "budgets.amazonaws.com"
# Which AWS services publish to the topic, and the source ARN pattern of their requests in this account.
SERVICE_SOURCES = {
    EVENTS: ("EventBridgeRulesOfThisAccountPublish", None),
    CLOUDWATCH: ("CloudWatchAlarmsOfThisAccountPublish", "arn:aws:cloudwatch:{region}:{account}:alarm:*"),
    BUDGETS: ("BudgetsOfThisAccountPublish", "arn:aws:budgets::{account}:*"),
}
KEY_SIDS = {EVENTS: "EventBridgePublishesToEncryptedTopics", CLOUDWATCH: "CloudWatchAlarmsPublishToEncryptedTopics",
            BUDGETS: "BudgetsPublishToEncryptedTopics"}


def notification_key_statements(account: str, services: Sequence[str] = (EVENTS, CLOUDWATCH, BUDGETS)
                                ) -> list[Statement]:
    """Key-policy statements letting the AWS services that publish to the encrypted topic (for this account
    only) use the key (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services)."""
    return [pd.statement(KEY_SIDS[service], ["kms:Decrypt", "kms:GenerateDataKey"], "*",
                         principal={"Service": service},
                         condition={"StringEquals": {"aws:SourceAccount": account}}) for service in services]


class DomainNotifications(Construct):
    """Args:
        name: meshform.pipeline_names.notification_topic_name.
        account, region: the domain's account and region (the topic ARN is derived from them).
        kms_key_arn: the domain's lake key.
        owner_email: the owner (subscribed by e-mail).
        publisher_role_pattern: IAM role name pattern of the domain's state machine roles (the only IAM publishers);
            None (default): no IAM principal publishes, only the services.
        services: the AWS services that publish (default: EventBridge, CloudWatch alarms, Budgets); the key
            needs `notification_key_statements` for the same services.

    Attributes:
        topic: the `aws_sns_topic`; arn: its ARN, derived from the name (no reference needed).
    """

    def __init__(self, scope: Construct, id_: str, *, name: str, account: str, region: str, kms_key_arn: str,
                 owner_email: str, publisher_role_pattern: str | None = None,
                 services: Sequence[str] = (EVENTS, CLOUDWATCH, BUDGETS)):
        super().__init__(scope, id_)
        self.arn = f"arn:aws:sns:{region}:{account}:{name}"
        self.topic = SnsTopic(self, "topic", name=name, kms_master_key_id=kms_key_arn,
                              display_name=name[:100])
        statements = [
            pd.statement("DenyInsecureTransport", ["sns:Publish", "sns:Subscribe"], self.arn,
                         principal={"AWS": "*"}, effect="Deny", condition={"Bool": {"aws:SecureTransport": "false"}}),
        ]
        # aws:PrincipalIsAWSService is in every signed request: the Deny spares service principals, whose access
        # the service statements below limit to this account.
        if publisher_role_pattern is not None:
            publishers = f"arn:aws:iam::{account}:role/{publisher_role_pattern}"
            statements += [
                pd.statement("OnlyPipelineStateMachinesPublish", PUBLISH, self.arn, principal={"AWS": "*"},
                             effect="Deny", condition={"ArnNotLike": {"aws:PrincipalArn": publishers},
                                                       "Bool": {"aws:PrincipalIsAWSService": "false"}}),
                pd.statement("PipelineStateMachinesPublish", PUBLISH, self.arn,
                             principal={"AWS": f"arn:aws:iam::{account}:root"},
                             condition={"ArnLike": {"aws:PrincipalArn": publishers}}),
            ]
        else:
            statements.append(pd.statement("OnlyAwsServicesPublish", PUBLISH, self.arn, principal={"AWS": "*"},
                                           effect="Deny", condition={"Bool": {"aws:PrincipalIsAWSService": "false"}}))
        for service in services:
            sid, source = SERVICE_SOURCES[service]
            condition: dict = {"StringEquals": {"aws:SourceAccount": account}}
            if source:
                condition["ArnLike"] = {"aws:SourceArn": source.format(region=region, account=account)}
            statements.append(pd.statement(sid, PUBLISH, self.arn, principal={"Service": service},
                                           condition=condition))
        policy = pd.document(statements)
        self.policy = SnsTopicPolicy(self, "policy", arn=self.topic.arn, policy=policy)
        SnsTopicSubscription(self, "owner", topic_arn=self.topic.arn, protocol="email", endpoint=owner_email)

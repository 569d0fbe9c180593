"""Faithful addition to moto 5.2.5's S3 emulation, installed by meshform's moto launcher.

moto stores a bucket's EventBridgeConfiguration (PutBucketNotificationConfiguration) but its
GetBucketNotificationConfiguration leaves it out, so Terraform sees `eventbridge = false` after every apply. The
replacement answers with the stored configuration, as S3 does.
"""
from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.s3.responses import S3Response

_original = S3Response.get_bucket_notification


def _get_bucket_notification(self: Any):
    config = self.backend.get_bucket_notification_configuration(self.bucket_name)
    if not config or getattr(config, "event_bridge", None) is None:
        return _original(self)

    def build(item: Any, arn_key: str) -> dict[str, Any]:
        out: dict[str, Any] = {"Id": item.id, arn_key: item.arn, "Events": item.events}
        if item.filters:
            out["Filter"] = {"Key": {"FilterRules": item.filters["S3Key"]["FilterRule"]}}
        return out

    result = {
        "TopicConfigurations": [build(t, "TopicArn") for t in config.topic],
        "QueueConfigurations": [build(q, "QueueArn") for q in config.queue],
        "LambdaFunctionConfigurations": [build(f, "LambdaFunctionArn") for f in config.cloud_function],
        "EventBridgeConfiguration": {},
    }
    self.data["Action"] = "GetBucketNotificationConfiguration"
    return self.serialized(ActionResult(result))


def install() -> None:
    S3Response.get_bucket_notification = _get_bucket_notification

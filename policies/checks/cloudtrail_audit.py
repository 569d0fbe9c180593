"""CKV_MESH_CLOUDTRAIL_AUDIT — the mesh's trails are tamper-evident, encrypted, multi-region, and log the data
events of every lake bucket they are responsible for.

Why: after an incident the governance team must prove who read or wrote which object of a data product and that the
record is complete and unaltered: log file validation makes changes to delivered log files detectable
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html), a customer
key keeps the audit record inside the governance KMS boundary, a multi-region trail misses no region, and S3 object
reads and writes are data events a trail logs only when its selectors name the buckets
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html). Which
buckets each trail must cover is in the mesh facts (`audit_trail_buckets`, from meshform/operations.py: all lake
buckets for the organization trail, the account's own otherwise); a trail in an account without an entry is
UNKNOWN (not the mesh's).
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories, CheckResult

from mesh_check import MeshCheck
from mesh_facts import attr, blocks, facts, is_aws_managed_key, is_true, values


def _selector_fields(selector: dict) -> dict[str, dict]:
    return {attr(f, "field"): f for f in blocks(selector, "field_selector")}


class CloudTrailAudit(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="CloudTrail trails validate log files, use a customer-managed key, span all regions, and log "
                 "management events and the data events of every lake bucket",
            id="CKV_MESH_CLOUDTRAIL_AUDIT",
            categories=[CheckCategories.LOGGING],
            supported_resources=["aws_cloudtrail"],
            guideline="Use modules/constructs/audit_trail.py (AuditTrail): it sets all of these from "
                      "meshform/operations.py.",
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        account = self.stack_account()
        if account is None or account not in facts().get("audit_trail_buckets", {}):
            return CheckResult.UNKNOWN
        return super().scan_resource_conf(conf)

    def problems(self, conf: dict):
        if not is_true(attr(conf, "enable_log_file_validation")):
            yield "enable_log_file_validation is not true: changed or deleted log files go unnoticed"
        if not is_true(attr(conf, "is_multi_region_trail")):
            yield "is_multi_region_trail is not true: activity in other regions is not logged"
        key = attr(conf, "kms_key_id")
        if not key:
            yield "kms_key_id is not set: log files are encrypted with SSE-S3 only"
        elif is_aws_managed_key(key):
            yield f"kms_key_id {key!r} is an AWS-managed key"
        selectors = blocks(conf, "advanced_event_selector")
        management = any(values(_selector_fields(s).get("eventCategory", {}).get("equals")) == ["Management"]
                         and len(_selector_fields(s)) == 1 for s in selectors)
        if not management:
            yield "no advanced_event_selector logs all management events (eventCategory = Management alone)"
        covered: set[str] = set()
        for selector in selectors:
            fields = _selector_fields(selector)
            if values(fields.get("eventCategory", {}).get("equals")) != ["Data"] or \
                    values(fields.get("resources.type", {}).get("equals")) != ["AWS::S3::Object"]:
                continue
            if set(fields) - {"eventCategory", "resources.type", "resources.ARN"}:
                continue          # narrowed by eventName/readOnly/...: not every read and write is logged
            for prefix in values(fields.get("resources.ARN", {}).get("starts_with")):
                if isinstance(prefix, str) and prefix.startswith("arn:aws:s3:::") and prefix.endswith("/"):
                    covered.add(prefix[len("arn:aws:s3:::"):-1])
        missing = sorted(set(facts()["audit_trail_buckets"][self.stack_account()]) - covered)
        if missing:
            yield (f"the S3 data events of {', '.join(missing)} are not logged (advanced_event_selector with "
                   "eventCategory = Data, resources.type = AWS::S3::Object, resources.ARN starts_with "
                   "arn:aws:s3:::<bucket>/)")


check = CloudTrailAudit()

"""The central LF-tag ontology: `domain` (one value per domain) and `classification` (the spec's ordered list).

Lake Formation tag keys/values are limited to 50 characters and, per API call, 50 values; the spec validation
keeps names within those limits.
"""
from __future__ import annotations

from cdktf_cdktf_provider_aws.lakeformation_lf_tag import LakeformationLfTag
from constructs import Construct

DOMAIN_KEY = "domain"
CLASSIFICATION_KEY = "classification"


class LfTagOntology(Construct):
    def __init__(self, scope: Construct, id_: str, *, domains: list[str], classifications: list[str], after: list):
        super().__init__(scope, id_)
        self.domain = LakeformationLfTag(self, "domain", key=DOMAIN_KEY, values=sorted(domains), depends_on=after)
        self.classification = LakeformationLfTag(self, "classification", key=CLASSIFICATION_KEY,
                                                 values=list(classifications), depends_on=after)

    @property
    def tags(self) -> list:
        return [self.domain, self.classification]

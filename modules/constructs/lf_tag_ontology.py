"""The central LF-tag ontology: `domain` (one value per domain) and `classification` (the spec's ordered list).

Lake Formation tag keys/values are limited to 50 characters and, per API call, 50 values; the spec validation
keeps names within those limits.
"""
from __future__ import annotations

from collections.abc import Sequence

from cdktf_cdktf_provider_aws.lakeformation_lf_tag import LakeformationLfTag
from constructs import Construct

from meshform.lf_grants import CLASSIFICATION_KEY, DOMAIN_KEY
from modules.types import Dependencies

__all__ = ["CLASSIFICATION_KEY", "DOMAIN_KEY", "LfTagOntology"]


class LfTagOntology(Construct):
    """The two LF-tags of the governance account.

    Args:
        domains: every domain of the spec (the `domain` values).
        classifications: the ontology, least to most sensitive (the `classification` values, in that order).
        after: the governance LF settings (tags are created by an admin).

    Attributes:
        domain, classification: the `aws_lakeformation_lf_tag` resources; `tags` lists both (resources that
            assign or grant tags depend on them).
    """

    def __init__(self, scope: Construct, id_: str, *, domains: Sequence[str], classifications: Sequence[str],
                 after: Dependencies):
        super().__init__(scope, id_)
        self.domain = LakeformationLfTag(self, "domain", key=DOMAIN_KEY, values=sorted(domains), depends_on=list(after))
        self.classification = LakeformationLfTag(self, "classification", key=CLASSIFICATION_KEY,
                                                 values=list(classifications), depends_on=list(after))

    @property
    def tags(self) -> list[LakeformationLfTag]:
        return [self.domain, self.classification]

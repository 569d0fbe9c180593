"""Glue Data Quality rulesets for moto 5.2.5, which has none of their API (every call answered "not implemented"):
CreateDataQualityRuleset, GetDataQualityRuleset, UpdateDataQualityRuleset, DeleteDataQualityRuleset,
ListDataQualityRulesets, and tags on ruleset ARNs (arn:aws:glue:<region>:<account>:dataQualityRuleset/<name>).

State lives on moto's GlueBackend (one per account and region). AWS's rules, each with its documentation:
- Name: 1-255 characters of the API's NameString pattern (no control characters but tab); unique per account and
  region ("Rulesets are global and must be unique": AlreadyExistsException "Another ruleset with the same name
  already exists.", https://docs.aws.amazon.com/glue/latest/dg/data-quality-trouble.html).
  https://docs.aws.amazon.com/glue/latest/webapi/API_CreateDataQualityRuleset.html
- Ruleset: 1-65,536 characters of DQDL (https://docs.aws.amazon.com/glue/latest/dg/dqdl.html): a `Rules = [...]`
  section (and optionally `Analyzers = [...]`), each rule a documented rule type or a parenthesised composite
  joined by `and`/`or`, strings closed, brackets balanced. Anything else is InvalidInputException.
- Description: at most 2,048 characters (DescriptionString); TargetTable: TableName and DatabaseName required, each
  1-255 characters, CatalogId 1-255 (https://docs.aws.amazon.com/glue/latest/webapi/API_DataQualityTargetTable.html).
- Tags: at most 50, keys 1-128, values at most 256 characters (TagsMap).
- Get/Update/Delete of a ruleset that does not exist, and tag calls on its ARN: EntityNotFoundException
  (https://docs.aws.amazon.com/glue/latest/webapi/API_GetDataQualityRuleset.html#API_GetDataQualityRuleset_Errors).
- UpdateDataQualityRuleset changes Description and Ruleset only (the target table is fixed at creation,
  https://docs.aws.amazon.com/glue/latest/webapi/API_UpdateDataQualityRuleset.html) and sets LastModifiedOn.
- ListDataQualityRulesets: MaxResults 1-1000 (PageSize), NextToken, Filter (Name, Description, CreatedBefore/After,
  LastModifiedBefore/After, TargetTable) and Tags
  (https://docs.aws.amazon.com/glue/latest/webapi/API_ListDataQualityRulesets.html).

Not modelled (AWS's documented errors list no table check for CreateDataQualityRuleset, so neither is one made
here): whether the target table exists; DQDL rule arguments beyond their structure; recommendation runs and
evaluations. Error messages other than AlreadyExists are meshform's wording (AWS documents codes, not texts).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow
from moto.glue.exceptions import AlreadyExistsException, EntityNotFoundException, InvalidInputException

NAME_MAX, DESCRIPTION_MAX, RULESET_MAX, TAGS_MAX, TAG_KEY_MAX, TAG_VALUE_MAX = 255, 2048, 65536, 50, 128, 256
PAGE_MAX = 1000
# NameString / DescriptionString patterns: no control characters except tab (and CR/LF in descriptions).
_NAME_BAD = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_DESCRIPTION_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
RULESET_ARN = re.compile(r"^arn:aws[a-z-]*:glue:([a-z0-9-]+):([0-9]{12}):dataQualityRuleset/(.+)$")

# The rule types of the DQDL reference (https://docs.aws.amazon.com/glue/latest/dg/dqdl.html#dqdl-rule-types).
RULE_TYPES = frozenset({
    "AggregateMatch", "AllStatistics", "ColumnCorrelation", "ColumnCount", "ColumnDataType", "ColumnExists",
    "ColumnLength", "ColumnNamesMatchPattern", "ColumnValues", "Completeness", "CustomSql", "DataFreshness",
    "DatasetMatch", "DetectAnomalies", "DistinctValuesCount", "Entropy", "FileFreshness", "FileMatch", "FileSize",
    "FileUniqueness", "IsComplete", "IsPrimaryKey", "IsUnique", "Mean", "ReferentialIntegrity", "RowCount",
    "RowCountMatch", "SchemaMatch", "StandardDeviation", "Sum", "UniqueValueRatio", "Uniqueness",
})
SECTIONS = ("Rules", "Analyzers")


class DqdlError(ValueError):
    pass


# Whitespace, "strings" (with \-escapes), names, numbers, operators and punctuation, # comments.
_TOKEN = re.compile(r'\s+|"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_.]*|-?[0-9]+(?:\.[0-9]+)?|>=|<=|!=|[=<>\[\](),*]'
                    r'|#[^\n]*')


def _tokens(text: str) -> list[str]:
    out, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            if text[pos] == '"':
                raise DqdlError(f"unterminated string at character {pos + 1}")
            raise DqdlError(f"unexpected character {text[pos]!r} at character {pos + 1}")
        token = match.group()
        if not token.isspace() and not token.startswith("#"):
            out.append(token)
        pos = match.end()
    return out


def _rule(tokens: list[str], where: str) -> None:
    """One rule: `RuleType args...` or `(rule) and|or (rule) ...` (composite rules)."""
    if not tokens:
        raise DqdlError(f"{where}: empty rule")
    if tokens[0] == "(":
        depth, parts, current = 0, [], []
        for token in tokens:
            current.append(token)
            depth += {"(": 1, ")": -1}.get(token, 0)
            if depth == 0:
                parts.append(current)
                current = []
        if current:
            raise DqdlError(f"{where}: unbalanced parentheses")
        for i, part in enumerate(parts):
            if i % 2 == 1:
                if part not in (["and"], ["or"]):
                    raise DqdlError(f"{where}: composite rules are joined by `and` or `or`, not {' '.join(part)!r}")
                continue
            if part[0] != "(" or part[-1] != ")":
                raise DqdlError(f"{where}: each part of a composite rule is parenthesised")
            _rule(part[1:-1], where)
        if len(parts) % 2 == 0:
            raise DqdlError(f"{where}: a composite rule ends with `and`/`or`")
        return
    if tokens[0] not in RULE_TYPES:
        raise DqdlError(f"{where}: unknown rule type {tokens[0]!r}")


def validate_dqdl(text: str) -> None:
    tokens = _tokens(text)
    seen: set[str] = set()
    pos = 0
    while pos < len(tokens):
        section = tokens[pos]
        if section not in SECTIONS or tokens[pos + 1:pos + 3] != ["=", "["]:
            raise DqdlError(f"expected `Rules = [` (or `Analyzers = [`), found {' '.join(tokens[pos:pos + 3])!r}")
        if section in seen:
            raise DqdlError(f"section {section} appears twice")
        seen.add(section)
        pos += 3
        depth, index = 0, 0
        rule: list[str] = []
        while True:
            if pos >= len(tokens):
                raise DqdlError(f"section {section} is not closed with `]`")
            token = tokens[pos]
            pos += 1
            if depth == 0 and token in (",", "]"):
                if rule or token == ",":
                    index += 1
                    _rule(rule, f"{section} item {index}")
                rule = []
                if token == "]":
                    break
                continue
            depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(token, 0)
            if depth < 0:
                raise DqdlError(f"{section} item {index + 1}: unbalanced brackets")
            rule.append(token)
        if section == "Rules" and index == 0:
            raise DqdlError("the Rules section is empty")
    if "Rules" not in seen:
        raise DqdlError("a ruleset needs a `Rules = [...]` section")


@dataclass
class Ruleset:
    name: str
    ruleset: str
    description: str
    target_table: dict[str, str] | None
    created_on: datetime = field(default_factory=utcnow)
    last_modified_on: datetime = field(default_factory=utcnow)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"Name": self.name, "Ruleset": self.ruleset, "CreatedOn": self.created_on,
                               "LastModifiedOn": self.last_modified_on}
        if self.description:
            out["Description"] = self.description
        if self.target_table is not None:
            out["TargetTable"] = self.target_table
        return out


def _invalid(message: str) -> InvalidInputException:
    return InvalidInputException("DataQualityRuleset", message)


def _check_name(name: Any, what: str = "Name") -> str:
    if not isinstance(name, str) or not 1 <= len(name) <= NAME_MAX or _NAME_BAD.search(name):
        raise _invalid(f"{what} must be 1-{NAME_MAX} characters without control characters")
    return name


def _check_description(description: Any) -> str:
    if description is None:
        return ""
    if not isinstance(description, str) or len(description) > DESCRIPTION_MAX or _DESCRIPTION_BAD.search(description):
        raise _invalid(f"Description must be at most {DESCRIPTION_MAX} characters without control characters")
    return description


def _check_ruleset(text: Any) -> str:
    if not isinstance(text, str) or not 1 <= len(text) <= RULESET_MAX:
        raise _invalid(f"Ruleset must be 1-{RULESET_MAX} characters of DQDL")
    try:
        validate_dqdl(text)
    except DqdlError as error:
        raise _invalid(f"Ruleset is not valid DQDL: {error}") from None
    return text


def _check_target(target: Any) -> dict[str, str] | None:
    if target is None:
        return None
    if not isinstance(target, dict) or not target.get("TableName") or not target.get("DatabaseName"):
        raise _invalid("TargetTable needs TableName and DatabaseName")
    out = {"TableName": _check_name(target["TableName"], "TargetTable.TableName"),
           "DatabaseName": _check_name(target["DatabaseName"], "TargetTable.DatabaseName")}
    if target.get("CatalogId") is not None:
        out["CatalogId"] = _check_name(target["CatalogId"], "TargetTable.CatalogId")
    return out


def _check_tags(tags: Any) -> dict[str, str]:
    tags = tags or {}
    if not isinstance(tags, dict) or len(tags) > TAGS_MAX:
        raise _invalid(f"at most {TAGS_MAX} tags are allowed")
    for key, value in tags.items():
        if not 1 <= len(key) <= TAG_KEY_MAX or len(value) > TAG_VALUE_MAX:
            raise _invalid(f"tag keys are 1-{TAG_KEY_MAX} characters, values at most {TAG_VALUE_MAX}")
    return tags


class StrictDataQuality:
    """Members grafted onto moto's GlueBackend."""

    @property
    def dq_rulesets(self: Any) -> dict[str, Ruleset]:
        if "_meshform_dq_rulesets" not in self.__dict__:
            self.__dict__["_meshform_dq_rulesets"] = {}
        return self.__dict__["_meshform_dq_rulesets"]

    def dq_ruleset_arn(self: Any, name: str) -> str:
        return f"arn:aws:glue:{self.region_name}:{self.account_id}:dataQualityRuleset/{name}"

    def dq_get(self: Any, name: str) -> Ruleset:
        found = self.dq_rulesets.get(name)
        if found is None:
            raise EntityNotFoundException(f"Data quality ruleset {name} not found.")
        return found


def _target_matches(wanted: dict[str, Any] | None, actual: dict[str, str] | None) -> bool:
    if not wanted:
        return True
    return actual is not None and all(actual.get(k) == v for k, v in wanted.items() if v is not None)


def _as_datetime(value: Any) -> datetime:
    """A timestamp of the JSON protocol (epoch seconds) or ISO text, as moto's naive UTC datetimes."""
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC).replace(tzinfo=None)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC).replace(tzinfo=None)


def _within_dates(criteria: dict[str, Any], ruleset: Ruleset) -> bool:
    for key in ("CreatedBefore", "CreatedAfter", "LastModifiedBefore", "LastModifiedAfter"):
        if criteria.get(key) is None:
            continue
        at = ruleset.created_on if key.startswith("Created") else ruleset.last_modified_on
        limit = _as_datetime(criteria[key])
        if (key.endswith("Before") and at >= limit) or (key.endswith("After") and at <= limit):
            return False
    return True


class Handlers:
    """Members grafted onto moto's GlueResponse (the JSON actions dispatch to them by snake-case name)."""

    def create_data_quality_ruleset(self: Any) -> ActionResult:
        params = self.parameters
        name = _check_name(params.get("Name"))
        ruleset = Ruleset(name, _check_ruleset(params.get("Ruleset")), _check_description(params.get("Description")),
                          _check_target(params.get("TargetTable")))
        tags = _check_tags(params.get("Tags"))
        backend = self.glue_backend
        if name in backend.dq_rulesets:
            raise AlreadyExistsException("Another ruleset with the same name")
        backend.dq_rulesets[name] = ruleset
        if tags:
            backend.tag_resource(backend.dq_ruleset_arn(name), tags)
        return ActionResult({"Name": name})

    def get_data_quality_ruleset(self: Any) -> ActionResult:
        return ActionResult(self.glue_backend.dq_get(_check_name(self.parameters.get("Name"))).as_dict())

    def update_data_quality_ruleset(self: Any) -> ActionResult:
        params = self.parameters
        found = self.glue_backend.dq_get(_check_name(params.get("Name")))
        if "Ruleset" in params:
            found.ruleset = _check_ruleset(params["Ruleset"])
        if "Description" in params:
            found.description = _check_description(params["Description"])
        found.last_modified_on = utcnow()
        out: dict[str, Any] = {"Name": found.name, "Ruleset": found.ruleset}
        if found.description:
            out["Description"] = found.description
        return ActionResult(out)

    def delete_data_quality_ruleset(self: Any) -> EmptyResult:
        backend = self.glue_backend
        name = _check_name(self.parameters.get("Name"))
        backend.dq_get(name)
        del backend.dq_rulesets[name]
        backend.tagger.delete_all_tags_for_resource(backend.dq_ruleset_arn(name))
        return EmptyResult()

    def list_data_quality_rulesets(self: Any) -> ActionResult:
        params = self.parameters
        backend = self.glue_backend
        size = params.get("MaxResults", PAGE_MAX)
        if not isinstance(size, int) or not 1 <= size <= PAGE_MAX:
            raise _invalid(f"MaxResults must be 1-{PAGE_MAX}")
        criteria = params.get("Filter") or {}
        wanted_tags = _check_tags(params.get("Tags"))
        found = []
        for name in sorted(backend.dq_rulesets):
            r = backend.dq_rulesets[name]
            if criteria.get("Name") is not None and r.name != criteria["Name"]:
                continue
            if criteria.get("Description") is not None and r.description != criteria["Description"]:
                continue
            if not _target_matches(criteria.get("TargetTable"), r.target_table):
                continue
            if not _within_dates(criteria, r):
                continue
            tags = backend.get_tags(backend.dq_ruleset_arn(name))
            if any(tags.get(k) != v for k, v in wanted_tags.items()):
                continue
            found.append(r)
        start = int(params.get("NextToken") or 0)
        page = found[start:start + size]
        out: dict[str, Any] = {"Rulesets": [
            {key: value for key, value in {
                "Name": r.name, "Description": r.description or None, "CreatedOn": r.created_on,
                "LastModifiedOn": r.last_modified_on, "TargetTable": r.target_table,
                "RuleCount": _rule_count(r.ruleset)}.items() if value is not None} for r in page]}
        if start + size < len(found):
            out["NextToken"] = str(start + size)
        return ActionResult(out)


def _rule_count(text: str) -> int:
    """Top-level items of the Rules section."""
    tokens = _tokens(text)
    start = tokens.index("Rules") + 3
    depth, count, empty = 0, 0, True
    for token in tokens[start:]:
        if depth == 0 and token in (",", "]"):
            count += 0 if empty else 1
            empty = True
            if token == "]":
                break
            continue
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(token, 0)
        empty = False
    return count


def _tags_checked(original, kind: str):
    """Glue's tag calls on a ruleset ARN of this account and region: the ruleset must exist."""
    def handler(self: Any):
        match = RULESET_ARN.match(self.parameters.get("ResourceArn") or "")
        if match and match.group(1) == self.region and match.group(2) == self.current_account:
            self.glue_backend.dq_get(match.group(3))
            if kind == "tag_resource":
                current = self.glue_backend.get_tags(self.parameters["ResourceArn"])
                _check_tags({**current, **(self.parameters.get("TagsToAdd") or {})})
        return original(self)
    handler.__name__ = kind
    handler.__meshform__ = True  # type: ignore[attr-defined]
    return handler


def install() -> None:
    from moto.glue.models import GlueBackend
    from moto.glue.responses import GlueResponse

    for name in ("dq_rulesets", "dq_ruleset_arn", "dq_get"):
        setattr(GlueBackend, name, vars(StrictDataQuality)[name])
    for name, member in vars(Handlers).items():
        if callable(member) and not name.startswith("__"):
            setattr(GlueResponse, name, member)
    for kind in ("get_tags", "tag_resource", "untag_resource"):
        original = getattr(GlueResponse, kind)
        if not getattr(original, "__meshform__", False):
            setattr(GlueResponse, kind, _tags_checked(original, kind))

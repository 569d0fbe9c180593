"""Data contracts: `contracts/<domain>/<product>.yaml` in ODCS v3, checked against the standard's own JSON
schema and parsed with the `open-data-contract-standard` pydantic model, then mapped to the mesh's view of a
data product (tables, columns, partition keys, classifications)."""
from __future__ import annotations

import importlib.resources
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jsonschema_rs
from open_data_contract_standard.model import OpenDataContractStandard
from pydantic import ValidationError

from meshform.errors import ErrorList
from meshform.spec.hive_types import type_problem as hive_type_problem
from meshform.spec.quality import QualityRule, parse_quality
from meshform.yamlio import already_reported, describe_value, load_yaml, plain_text, quote_fix

# ASCII only and always applied with fullmatch (Python's `$` also matches before a final newline).
TABLE_NAME = re.compile(r"[a-z][a-z0-9_]{0,127}", re.ASCII)
COLUMN_NAME = re.compile(r"[a-z_][a-z0-9_]{0,127}", re.ASCII)
PRODUCT_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}", re.ASCII)


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    comment: str
    classification: str
    required: bool = False
    primary_key: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]          # data columns, contract order
    partition_keys: tuple[Column, ...]   # ordered by partitionKeyPosition
    classification: str                  # the most sensitive classification of any of its columns
    quality: tuple[QualityRule, ...] = ()   # the contract's quality rules (meshform/spec/quality.py)

    @property
    def all_columns(self) -> tuple[Column, ...]:
        return self.columns + self.partition_keys


@dataclass(frozen=True)
class Product:
    domain: str
    name: str
    title: str
    version: str
    status: str
    description: str
    owner: str
    tables: tuple[Table, ...]
    classification: str
    file: str
    # The freshness SLA (slaProperties `freshness` or ODCS's `latency`) in seconds; None when none is promised.
    freshness_seconds: int | None = None

    @property
    def fqn(self) -> str:
        return f"{self.domain}.{self.name}"

    def table(self, name: str) -> Table | None:
        return next((t for t in self.tables if t.name == name), None)


@lru_cache(maxsize=1)
def _odcs_validator():
    """The standard's own JSON schema (draft 2019-09), compiled once. jsonschema-rs rather than the pure-Python
    `jsonschema`: the same draft and error locations, ~150 us instead of ~25 ms per contract, which is what keeps
    validating 1,000 contracts under two seconds."""
    schema_text = (importlib.resources.files("open_data_contract_standard") / "schema.json").read_text()
    return jsonschema_rs.validator_for(json.loads(schema_text))


_ODCS_FIX = "see https://bitol-io.github.io/open-data-contract-standard/ for the field's definition"
_JSON_TYPES = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "array": "a list", "object": "a mapping"}


@lru_cache(maxsize=1)
def _odcs_property_names() -> frozenset[str]:
    """Every property name the ODCS schema defines anywhere (what an "unevaluated property" may be noise about)."""
    names: set[str] = set()
    stack: list[object] = [json.loads((importlib.resources.files("open_data_contract_standard") / "schema.json")
                                      .read_text())]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("properties"), dict):
                names.update(node["properties"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return frozenset(names)


def _odcs_errors(data: dict) -> list:
    """The schema's errors, with what the user needs in front:
    - a `oneOf` that failed (a quality rule matches none of mustBe/mustBeGreaterThan/...) is replaced by the errors
      of the one alternative whose required keys are present (`mustBeGreaterThan: none` is "expected a number"),
      when exactly one alternative failed for another reason than a missing key;
    - "unevaluated properties" next to another error inside the same object is the schema's echo of that error
      (properties of a failing alternative count as unevaluated): only names the standard defines nowhere (typos)
      are kept then."""
    validator = _odcs_validator()
    if validator.is_valid(data):            # the common case, without building error objects (a quarter faster)
        return []
    found = []
    for err in validator.iter_errors(data):
        if isinstance(err.kind, jsonschema_rs.ValidationErrorKind.OneOfNotValid):
            decisive = [alt for alt in err.kind.context
                        if not all(isinstance(e.kind, jsonschema_rs.ValidationErrorKind.Required) for e in alt)]
            if len(decisive) == 1:
                found.extend(decisive[0])
                continue
        found.append(err)
    # A value outside an enum of text is reported once, as the enum (quoting a `yes` would not make it valid).
    enums = {tuple(map(str, e.instance_path)) for e in found
             if isinstance(e.kind, jsonschema_rs.ValidationErrorKind.Enum)}
    found = [e for e in found if not (isinstance(e.kind, jsonschema_rs.ValidationErrorKind.Type)
                                      and tuple(map(str, e.instance_path)) in enums)]
    paths = [tuple(map(str, e.instance_path)) for e in found]
    known = _odcs_property_names()
    kept = []
    for err, path in zip(found, paths, strict=True):
        if isinstance(err.kind, jsonschema_rs.ValidationErrorKind.UnevaluatedProperties):
            echoes = any(other[:len(path)] == path and o is not err for o, other in zip(found, paths, strict=True)
                         if not isinstance(o.kind, jsonschema_rs.ValidationErrorKind.UnevaluatedProperties))
            if echoes and all(name in known for name in err.kind.unexpected):
                continue
        kept.append(err)
    return sorted(kept, key=lambda e: list(map(str, e.instance_path)))


def _odcs_problem(err, field_path: str, lines: dict | None) -> tuple[str, str]:
    """(problem, fix) for one ODCS schema error. A value of the wrong type says what YAML read (`version: 1.10` is
    the number 1.1) and, where text was expected, the quoted form to write."""
    if isinstance(err.kind, jsonschema_rs.ValidationErrorKind.UnevaluatedProperties):
        unknown = [n for n in err.kind.unexpected if n not in _odcs_property_names()] or list(err.kind.unexpected)
        return (f"not valid ODCS v3: unknown key(s) {', '.join(map(repr, unknown))} here",
                f"remove them or fix their spelling ({_ODCS_FIX})")
    if isinstance(err.kind, jsonschema_rs.ValidationErrorKind.Enum) and not isinstance(err.instance, list | dict):
        options = ", ".join(repr(o) for o in err.kind.options)
        got = describe_value(err.instance, plain_text(lines, field_path))
        return f"not valid ODCS v3: expected one of {options}, got {got}", f"use one of the values ({_ODCS_FIX})"
    if not isinstance(err.kind, jsonschema_rs.ValidationErrorKind.Type):
        return f"not valid ODCS v3: {err.message}", _ODCS_FIX
    types = [t for t in err.kind.types if t != "null"]
    raw = plain_text(lines, field_path)
    problem = (f"not valid ODCS v3: expected {' or '.join(_JSON_TYPES.get(t, t) for t in types)}, got "
               f"{describe_value(err.instance, raw)}")
    key = field_path.rsplit(".", 1)[-1] or "the field"
    if err.instance is None:
        return problem, f"write the value after `{key}:` (or remove the line if the field is optional)"
    if "string" in types and raw is not None:
        return problem, quote_fix(field_path, raw)
    if types == ["boolean"]:
        return problem, f"write {key}: true or {key}: false"
    if types in (["integer"], ["number"]) and isinstance(err.instance, str):
        return problem, f"write {key} as a number without quotes or units ({_ODCS_FIX})"
    if "array" in types and not isinstance(err.instance, list | dict):
        return problem, f"write a list, e.g. {key}: [{raw if raw is not None else err.instance}] ({_ODCS_FIX})"
    return problem, _ODCS_FIX


def load_contract(path: Path, display: str, domain: str, ontology: list[str], default_classification: str,
                  errors: ErrorList) -> Product | None:
    """Parse one contract; append every problem to `errors`; return None when it cannot be used."""
    before = len(errors)
    data, lines = load_yaml(path, errors, display)
    if data is None:
        return None
    if not isinstance(data, dict):
        errors.add(display, "", "a data contract must be a YAML mapping (ODCS v3 document)",
                   "start from an existing contract in contracts/", lines)
        return None

    def add(field_path: str, problem: str, fix: str = "") -> None:
        if not already_reported(lines, field_path):
            errors.add(display, field_path, problem, fix, lines)

    for err in _odcs_errors(data):
        field_path = ".".join(str(p) for p in err.instance_path)
        add(field_path, *_odcs_problem(err, field_path, lines))
    if len(errors) > before:
        return None
    try:
        contract = OpenDataContractStandard.model_validate(data)
    except ValidationError as exc:           # the JSON schema passed, but the ODCS model is stricter somewhere
        for err in exc.errors():
            add(".".join(str(p) for p in err["loc"]), f"not valid ODCS v3: {err['msg']}",
                "see https://bitol-io.github.io/open-data-contract-standard/ for the field's definition")
        return None

    product = path.stem
    if not PRODUCT_NAME.fullmatch(product):
        add("", f"product name {product!r} (the file name) must be lower-case letters, digits and '_', "
                "starting with a letter, at most 63 characters", "rename the file")
    if contract.kind != "DataContract":
        add("kind", f"kind is {contract.kind!r}", "set kind: DataContract")
    if contract.domain != domain:
        add("domain", f"domain is {contract.domain!r} but the contract lives in contracts/{domain}/",
            f"set domain: {domain} or move the file")
    if contract.dataProduct != product:
        add("dataProduct", f"dataProduct is {contract.dataProduct!r} but the file is named {path.name}",
            f"set dataProduct: {product} or rename the file")
    if not contract.schema_:
        add("schema", "the contract declares no schema objects (tables)", "add at least one object under schema")
        return None

    rank = {c: i for i, c in enumerate(ontology)}
    tables: list[Table] = []
    for t_index, obj in enumerate(contract.schema_):
        t_path = f"schema.{t_index}"
        table_name = obj.physicalName or obj.name or ""
        if not TABLE_NAME.fullmatch(table_name):
            add(f"{t_path}.name", f"table name {table_name!r} must be lower-case letters, digits and '_', "
                                  "starting with a letter (Glue/Athena rule), at most 128 characters",
                "rename the schema object (or set physicalName)")
        columns: list[Column] = []
        partitions: list[tuple[int, Column]] = []
        seen: set[str] = set()
        for c_index, prop in enumerate(obj.properties or []):
            c_path = f"{t_path}.properties.{c_index}"
            name = prop.physicalName or prop.name or ""
            if not COLUMN_NAME.fullmatch(name):
                add(f"{c_path}.name", f"column name {name!r} must be lower-case letters, digits and '_' "
                                      "(Glue/Athena rule)", "rename the property (or set physicalName)")
            if name in seen:
                add(f"{c_path}.name", f"column {name!r} appears twice in table {table_name!r}",
                    "remove or rename one of them")
            seen.add(name)
            col_type = (prop.physicalType or "").strip().lower()
            if not col_type:
                add(f"{c_path}", f"column {name!r} has no physicalType",
                    "set physicalType to a Glue type such as string, bigint, decimal(18,2), date, timestamp")
            elif (type_problem := hive_type_problem(col_type)) is not None:
                shown = prop.physicalType if len(prop.physicalType) <= 100 else prop.physicalType[:100] + "..."
                add(f"{c_path}.physicalType", f"{shown!r} is not a Glue/Hive column type ({type_problem})",
                    "use e.g. string, int, bigint, double, boolean, date, timestamp, decimal(p,s), "
                    "array<string>, map<string,string>, struct<a:int>")
            classification = prop.classification or default_classification
            if classification not in rank:
                add(f"{c_path}.classification", f"classification {classification!r} is not in the "
                    f"governance ontology {ontology}", f"use one of: {', '.join(ontology)}")
                classification = default_classification
            column = Column(name, col_type, (prop.description or "").strip(), classification,
                            bool(prop.required), bool(prop.primaryKey))
            if prop.partitioned:
                if rank[classification] > rank[default_classification]:
                    add(f"{c_path}.classification",
                        f"partition column {name!r} is classified {classification!r}: partition values are "
                        "visible in S3 object keys and cannot be hidden by column-level security",
                        f"partition on a column classified at most {default_classification!r}")
                position = prop.partitionKeyPosition or (len(partitions) + 1)
                partitions.append((position, column))
            else:
                columns.append(column)
        positions = [p for p, _ in partitions]
        if len(set(positions)) != len(positions):
            add(f"{t_path}.properties", f"table {table_name!r} has duplicate partitionKeyPosition values",
                "give each partition column a distinct position 1..n")
        if not columns:
            add(f"{t_path}.properties", f"table {table_name!r} has no data (non-partition) columns",
                "declare at least one property that is not partitioned")
        ordered_partitions = tuple(c for _, c in sorted(partitions, key=lambda pc: pc[0]))
        every = columns + list(ordered_partitions)
        sensitivity = max((c.classification for c in every), key=lambda c: rank.get(c, 0),
                          default=default_classification)
        tables.append(Table(table_name, (obj.description or "").strip(), tuple(columns), ordered_partitions,
                            sensitivity, parse_quality(obj, table_name, every, t_path, add)))

    owner = ""
    team = contract.team
    members = getattr(team, "members", None) if team is not None and not isinstance(team, list) else team
    for member in members or []:
        if (member.role or "").lower() == "owner" and member.username:
            owner = member.username
            break
    description = contract.description.purpose if contract.description and contract.description.purpose else ""
    classification = max((t.classification for t in tables), key=lambda c: rank.get(c, 0),
                         default=default_classification)
    freshness = _freshness_seconds(contract, add)
    if len(errors) > before:
        return None
    return Product(domain, product, contract.name or product, contract.version or "", contract.status or "",
                   description.strip(), owner, tuple(tables), classification, display, freshness)


# ODCS v3 `slaProperties` (https://bitol-io.github.io/open-data-contract-standard/v3.0.2/service-level-agreement/):
# each term is a `property`, a `value` and a `unit` (ODCS spells days `d`/`day`/`days`, years `y`/`yr`/`years`).
# `freshness` (and ODCS's own name for it, `latency`: how old the newest data may be) is what the freshness alarm
# watches (docs/operations.md); the other terms are shown in the catalog only.
FRESHNESS_PROPERTIES = ("freshness", "latency")
TIME_UNITS = {"m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
              "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
              "d": 86400, "day": 86400, "days": 86400}


def _freshness_seconds(contract: OpenDataContractStandard, add) -> int | None:
    """The tightest freshness term of the contract in seconds (validated: a positive number of minutes, hours or
    days), or None when it promises none."""
    found: list[int] = []
    for index, term in enumerate(contract.slaProperties or []):
        if (term.property or "").strip().lower() not in FRESHNESS_PROPERTIES:
            continue
        where = f"slaProperties.{index}"
        unit = (term.unit or "").strip().lower()
        value = term.value
        if unit not in TIME_UNITS:
            add(f"{where}.unit", f"the {term.property} term has unit {term.unit!r}; a freshness SLA needs a time "
                f"unit", "use m, h or d (minutes, hours, days)")
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            add(f"{where}.value", f"the {term.property} term's value is {describe_value(value)}; it must be a "
                "positive number",
                "write e.g. value: 24 with unit: h")
            continue
        seconds = value * TIME_UNITS[unit]
        if seconds != int(seconds) or int(seconds) % 60:
            add(f"{where}.value", f"the {term.property} term is {value} {unit}, not a whole number of minutes "
                "(CloudWatch alarm periods are multiples of 60 seconds)", "round it to whole minutes")
            continue
        found.append(int(seconds))
    return min(found) if found else None

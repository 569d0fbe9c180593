"""CKV_MESH_LF_CLASSIFIED_COLUMNS — SELECT grants never expose columns above the grantee account's clearance.

Why: each account has a clearance in the spec (e.g. internal) and each contract column a classification (public <
internal < confidential < pii). A SELECT on a whole table (table.name or table.wildcard) gives every column; when a
column is classified above the grantee's clearance the grant must go through a data cells filter or a column
include list instead (docs/architecture.md, "Access model"). The grantee is the 12-digit principal, or the account
of an IAM principal.
- A grant through a data cells filter passes only when the filter is named `<table>__upto_<clearance>` (meshform's
  convention) for a clearance at or below the grantee's: the name says what the filter withholds, and
  CKV_MESH_LF_FILTER_WITHHOLDS_ABOVE_CLEARANCE proves the filter keeps that promise.
- An LF-tag-policy grant on TABLEs gives the columns whose `classification` tag is one of the expression's values:
  every value must be at or below the grantee's clearance, and an expression without a `classification` key gives
  every column of every matching table, so it fails.
Clearance limits what an account reads of OTHER domains' products: a domain owns its data, so grants on its own
central database (named after the domain) to the domain's account or to its roles — the governance stack's producer
grant, the domain stack's re-grant to its ETL role — are not judged. Whole-table and column grants on tables the
contracts do not know (no columns in the mesh facts) are not judged here; an unknown classification counts as the
most sensitive, an unknown account as no clearance.
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

import lf_grants
from mesh_check import MeshCheck
from mesh_facts import account_of_arn, attr, blocks, facts, filter_clearance, is_account_id, is_true, values


class LfClassifiedColumns(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Lake Formation SELECT grants expose no column classified above the grantee's clearance",
            id="CKV_MESH_LF_CLASSIFIED_COLUMNS",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_lakeformation_permissions"],
            guideline="Grant SELECT through the data cells filter <table>__upto_<clearance> for the subscriber's "
                      "clearance (or a lower one), which excludes the columns above it, or through "
                      "table_with_columns.column_names listing only columns within it; give LF-tag policies on "
                      "TABLE a classification key with only values within the clearance; or raise the account's "
                      "clearance in the environment spec.",
        )

    def problems(self, conf: dict):
        if not lf_grants.granted(conf) & {"SELECT", "ALL"}:
            return
        mesh = facts()
        ontology = mesh["classifications"]

        def rank(classification: str | None) -> int:
            return ontology.index(classification) if classification in ontology else len(ontology)

        principal = str(attr(conf, "principal", ""))
        account = principal if is_account_id(principal) else account_of_arn(principal)
        info = mesh["accounts"].get(account)
        kind, found = lf_grants.target(conf)
        database, table = attr(found, "database_name"), attr(found, "name")
        if info and info.get("kind") == "domain" and database is not None and info.get("name") == database:
            return  # the domain's own central database (named after the domain): its own data
        clearance = (info.get("clearance") or mesh["default_classification"]) if info else None
        allowed = rank(clearance) if clearance else -1
        if kind == "table":
            if table and not is_true(found.get("wildcard")):
                exposed = {f"{database}.{table}": None}
            else:
                exposed = {key: None for key in mesh["columns"] if key.split(".", 1)[0] == database}
        elif kind == "table_with_columns":
            columns = mesh["columns"].get(f"{database}.{table}", {})
            if values(found.get("column_names")):
                chosen = set(values(found.get("column_names")))
            else:  # wildcard, optionally minus excluded_column_names
                chosen = set(columns) - set(values(found.get("excluded_column_names")))
            exposed = {f"{database}.{table}": chosen}
        elif kind == "data_cells_filter":
            name, filtered = attr(found, "name"), attr(found, "table_name")
            level = filter_clearance(name, filtered, ontology)
            if level is None:
                yield (f"SELECT on {database}.{filtered} to {principal} through filter {name!r}: not named "
                       f"<table>__upto_<clearance> with a clearance of {ontology}, so nothing says what it withholds")
            elif rank(level) > allowed:
                yield (f"SELECT on {database}.{filtered} to {principal} (clearance "
                       f"{clearance or 'none: not a mesh account'}) through filter {name}, which shows columns up "
                       f"to {level}")
            return
        elif kind == "lf_tag_policy":
            if str(attr(found, "resource_type", "")).upper() != "TABLE":
                return  # DATABASE tag policies give database permissions, no columns
            expression = blocks(found, "expression")
            tags = ", ".join(f"{attr(e, 'key')}={values(e.get('values'))}" for e in expression)
            levels = [v for e in expression if attr(e, "key") == "classification" for v in values(e.get("values"))]
            if not any(attr(e, "key") == "classification" for e in expression):
                yield (f"SELECT through LF-tag policy [{tags}] to {principal}: no classification key, so every "
                       f"column of every matching table, whatever its classification")
            above = sorted({str(v) for v in levels if rank(v) > allowed}, key=lambda v: (rank(v), v))
            if above:
                yield (f"SELECT through LF-tag policy [{tags}] to {principal} (clearance "
                       f"{clearance or 'none: not a mesh account'}) includes classification {', '.join(above)}")
            return
        else:  # tags, locations, databases: not a column exposure
            return
        for key, chosen in sorted(exposed.items()):
            columns = mesh["columns"].get(key, {})
            above = sorted(f"{c} ({cls})" for c, cls in columns.items()
                           if rank(cls) > allowed and (chosen is None or c in chosen))
            if above:
                yield (f"SELECT on {key} to {principal} (clearance {clearance or 'none: not a mesh account'}) "
                       f"exposes {', '.join(above)}")


check = LfClassifiedColumns()

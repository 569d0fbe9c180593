"""CKV_MESH_REDSHIFT_DATASHARE_CLEARANCE — datashare SQL never gives an account a column above its clearance.

Why: a Redshift datashare is all-or-nothing for a consumer account: whatever a datashare holds, every account with
USAGE on it reads (https://docs.aws.amazon.com/redshift/latest/dg/datashare-overview.html). meshform shares each
product as `<product>` (every table whole) and `<product>__upto_<clearance>` (per table, the table when nothing of
it is above the clearance, else the view `<table>__upto_<clearance>` without those columns); the names are
promises this rule keeps by parsing the statements' SQL (sqlglot, Redshift dialect):
- `CREATE VIEW "<schema>"."<table>__upto_<c>" AS SELECT ... FROM "<schema>"."<table>"` selects only columns the
  contracts classify at most `c` (no `*`, no column the contract does not know);
- `ALTER DATASHARE "<p>__upto_<c>" ADD TABLE ...` adds only the view for `c` or a table with no column above `c`;
- `GRANT USAGE ON DATASHARE ... TO ACCOUNT '<a>'` goes only to a mesh account cleared for the datashare: `c` for
  `<p>__upto_<c>`, the product's most sensitive column for `<p>`.
Other statements (schemas, tables, grants to database users, consumer databases) are out of this rule's scope
and pass. The producer is the scanned stack's account; an unknown stack account fails.
"""
from __future__ import annotations

import sqlglot
from checkov.common.models.enums import CheckCategories
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect

from mesh_check import MeshCheck
from mesh_facts import attr, facts

SEPARATOR = "__upto_"


def _ident(name: str) -> str:
    return name.replace("-", "_")


class RedshiftDatashareClearance(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Redshift datashare statements never share a table or view column above a subscriber's clearance",
            id="CKV_MESH_REDSHIFT_DATASHARE_CLEARANCE",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_redshiftdata_statement"],
            guideline="Let meshform generate the datashare SQL from the spec (meshform/redshift/model.py): views "
                      "named <table>__upto_<clearance> select only columns within it, datashares named "
                      "<product>__upto_<clearance> hold only those views or tables within it, and USAGE goes only "
                      "to accounts cleared for the datashare.",
        )

    def problems(self, conf: dict):
        text = attr(conf, "sql")
        if not isinstance(text, str):
            yield "sql is not a literal string: cannot tell what it shares"
            return
        tokens = [(t.token_type.name, t.text) for t in Dialect.get_or_raise("redshift").tokenize(text)]
        words = [value.upper() if kind != "IDENTIFIER" and kind != "STRING" else value for kind, value in tokens]
        is_view = words[:2] == ["CREATE", "VIEW"] or words[:4] == ["CREATE", "OR", "REPLACE", "VIEW"]
        is_add = words[:2] == ["ALTER", "DATASHARE"] and "ADD" in words
        is_grant = words[:4] == ["GRANT", "USAGE", "ON", "DATASHARE"]
        if not (is_view or is_add or is_grant):
            return
        mesh = facts()
        account = self.stack_account()
        producer = mesh["accounts"].get(account or "", {}).get("name")
        if producer is None:
            yield "cannot tell which account this stack belongs to (no producer domain to read the contracts of)"
            return
        ontology = mesh["classifications"]
        levels = {_ident(level): level for level in ontology}

        def rank(classification: str | None) -> int:
            return ontology.index(classification) if classification in ontology else len(ontology)

        def columns_of(table: str) -> dict[str, str] | None:
            return mesh["columns"].get(f"{producer}.{table}")

        def level_of(name: str) -> tuple[str, str | None]:
            base, sep, level = name.partition(SEPARATOR)
            return base, (levels.get(level) if sep else None)

        if is_view:
            yield from self._view(text, producer, columns_of, level_of, rank)
        elif is_add:
            share, obj = tokens[2][1], tokens[-1][1]
            _, level = level_of(share)
            if SEPARATOR in share and level is None:
                yield f"datashare {share!r}: {share.partition(SEPARATOR)[2]!r} is not a level of {ontology}"
                return
            if level is None or words[3:5] != ["ADD", "TABLE"]:
                return                       # the whole-product datashare: USAGE decides who reads it
            table, view_level = level_of(obj)
            if SEPARATOR in obj:
                if view_level != level:
                    yield f"datashare {share} (up to {level}) gets view {obj}, made for another clearance"
                return                       # the view's own statement proves what it selects
            columns = columns_of(obj)
            if columns is None:
                yield f"table {obj!r} is unknown to {producer}'s contracts: cannot tell what it shares"
                return
            above = sorted(c for c, cls in columns.items() if rank(cls) > rank(level))
            if above:
                yield (f"datashare {share} (up to {level}) gets table {obj} whole, with columns above {level}: "
                       f"{', '.join(above)}")
        else:
            share, target = tokens[4][1], tokens[-1][1]
            consumer = mesh["accounts"].get(target)
            if consumer is None or "clearance" not in consumer:
                yield f"USAGE on {share} to {target!r}, which is no subscriber account of the mesh"
                return
            product, level = level_of(share)
            if level is None:
                tables = mesh.get("products", {}).get(f"{producer}.{product}")
                if tables is None:
                    yield f"datashare {share!r} is no product of {producer}: cannot tell what it shares"
                    return
                level = max((cls for t in tables for cls in (columns_of(t) or {"?": None}).values()), key=rank)
            if rank(level) > rank(consumer["clearance"]):
                yield (f"USAGE on {share} (columns up to {level}) to {consumer['name']} ({target}), cleared only "
                       f"to {consumer['clearance']}")

    @staticmethod
    def _view(text, producer, columns_of, level_of, rank):
        parsed = sqlglot.parse_one(text, read="redshift")
        select = parsed.expression if isinstance(parsed, exp.Create) else None
        if not isinstance(select, exp.Select):
            yield "the view is not a plain SELECT: cannot tell which columns it shows"
            return
        view = parsed.this.name
        table, level = level_of(view)
        sources = [t.name for t in select.find_all(exp.Table)]
        if level is None or sources != [table]:
            yield f"view {view!r} is not named <table>__upto_<clearance> for the one table it reads ({sources})"
            return
        columns = columns_of(table)
        if columns is None:
            yield f"table {table!r} is unknown to {producer}'s contracts"
            return
        for item in select.expressions:
            if isinstance(item, exp.Star) or not isinstance(item, exp.Column):
                yield f"view {view} selects {item.sql(dialect='redshift')}: list the columns it may show"
            elif rank(columns.get(item.name)) > rank(level):
                yield (f"view {view} shows {item.name} ({columns.get(item.name, 'not in the contract')}), above "
                       f"{level}")


check = RedshiftDatashareClearance()

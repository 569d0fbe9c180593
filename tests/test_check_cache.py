"""The check cache's slice of the mesh facts (meshform/check/cache.py): a stack keeps every fact a policy can read
for it, so a cached result can never differ from a run with the whole environment's facts."""
from __future__ import annotations

import json

from meshform.check.cache import stack_facts

FACTS = {"columns": {"sales.orders": {"a": "pii"}, "sales.customers": {"b": "pii"}, "finance.invoices": {"c": "x"}},
         "taggable_resource_types": ["aws_s3_bucket", "aws_iam_role"], "accounts": {}}


def _stack(table: dict) -> tuple[str, dict]:
    data = {"resource": {"aws_lakeformation_permissions": {"g": {"principal": "1", "table": [table]}}}}
    return json.dumps(data), data


def test_a_grant_on_a_named_table_keeps_that_table_only():
    text, data = _stack({"database_name": "sales", "name": "orders"})
    sliced = stack_facts(FACTS, text, {"aws_lakeformation_permissions"}, data)
    assert sliced["columns"] == {"sales.orders": {"a": "pii"}}
    assert sliced["taggable_resource_types"] == []


def test_any_wildcard_spelling_or_unnamed_table_keeps_the_whole_database():
    for table in ({"database_name": "sales", "wildcard": True}, {"database_name": "sales", "wildcard": "true"},
                  {"database_name": "sales", "wildcard": "True"}, {"database_name": "sales"},
                  {"database_name": "sales", "name": "${aws_glue_catalog_table.t.name}"}):
        text, data = _stack(table)
        assert set(stack_facts(FACTS, text, set(), data)["columns"]) == {"sales.orders", "sales.customers"}, table


def test_without_the_parsed_stack_the_slice_stays_conservative():
    text, _ = _stack({"database_name": "sales", "name": "orders"})
    assert set(stack_facts(FACTS, text, set())["columns"]) == {"sales.orders", "sales.customers"}

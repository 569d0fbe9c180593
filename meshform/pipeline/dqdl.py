"""The Glue Data Quality ruleset (DQDL, https://docs.aws.amazon.com/glue/latest/dg/dqdl.html) of one contract table,
for the `aws_glue_data_quality_ruleset` on the central table. Generated from the same compiled checks stage B
evaluates before publishing (`rules.py`), so the ruleset and the pipeline's quality gate cannot disagree.

Deterministic (same contract, same text) and never empty: a table with no required column, no key and no quality
rule still gets `ColumnCount = <n>`.
"""
from __future__ import annotations

from meshform.pipeline.rules import compile_table
from meshform.spec.contract import Table


def dqdl_ruleset(table: Table) -> str:
    checks, _ = compile_table(table)
    body = ",\n".join(f"    {check.dqdl}" for check in checks)
    return f"Rules = [\n{body}\n]"

"""CKV_MESH_LF_FILTER_WITHHOLDS_ABOVE_CLEARANCE — data cells filters withhold every column above their named clearance.

Why: a subscriber whose clearance is below some column of a table gets SELECT through a data cells filter, and
CKV_MESH_LF_CLASSIFIED_COLUMNS accepts such a grant by the filter's NAME alone: meshform names each filter
`<table>__upto_<clearance>` (meshform/naming.py data_cells_filter_name) and grants it only to accounts cleared to
that level. The name is a promise this rule keeps: the filter must hide every column of the table that the
contracts classify above the named clearance (docs/architecture.md, "Access model"). So a filter fails when:
- its name does not follow the convention for its own table with a level of the ontology (nothing can then say
  who may read it);
- its table is unknown to the contracts (no columns in the mesh facts, "<database>.<table>"): nothing proves what
  it withholds;
- its column_wildcard's excluded_column_names leave out a column classified above the clearance, or its
  column_names include list names such a column (a column the contract does not know counts as the most
  sensitive). A filter with neither exposes every column. Rows are not judged (row filters never hide columns).
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

from mesh_check import MeshCheck
from mesh_facts import attr, blocks, facts, filter_clearance, values


class LfCellsFilterClearance(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Lake Formation data cells filters named <table>__upto_<clearance> withhold every column "
                 "classified above that clearance",
            id="CKV_MESH_LF_FILTER_WITHHOLDS_ABOVE_CLEARANCE",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_lakeformation_data_cells_filter"],
            guideline="Name the filter <table>__upto_<clearance> (a level of governance.classifications) on a table "
                      "of the contracts, and list in column_wildcard.excluded_column_names every column classified "
                      "above that clearance (or give column_names with only columns within it); meshform "
                      "generates exactly this from the spec, so regenerate instead of editing the stack by hand.",
        )

    def problems(self, conf: dict):
        mesh = facts()
        ontology = mesh["classifications"]

        def rank(classification: str | None) -> int:
            return ontology.index(classification) if classification in ontology else len(ontology)

        table_data = blocks(conf, "table_data")
        if not table_data:
            yield "no table_data: the filter names no table"
            return
        for data in table_data:
            database, table, name = attr(data, "database_name"), attr(data, "table_name"), attr(data, "name")
            key = f"{database}.{table}"
            clearance = filter_clearance(name, table, ontology)
            if clearance is None:
                yield (f"filter name {name!r} does not follow <table>__upto_<clearance> for table {table!r} "
                       f"with a clearance of {ontology}")
            columns = mesh["columns"].get(key)
            if not columns:
                yield f"table {key} is unknown to the contracts: cannot tell which columns the filter must withhold"
            if clearance is None or not columns:
                continue
            included = set(values(data.get("column_names")))
            wildcards = blocks(data, "column_wildcard")
            if wildcards or not included:  # a wildcard (or no column selection at all) gives every column ...
                excluded = {c for w in wildcards for c in values(w.get("excluded_column_names"))}
                included |= set(columns) - excluded  # ... minus its exclusions
            exposed = sorted(f"{c} ({columns.get(c, 'not in the contract')})" for c in included
                             if rank(columns.get(c)) > rank(clearance))
            if exposed:
                yield f"filter {name} on {key} exposes columns above {clearance}: {', '.join(exposed)}"


check = LfCellsFilterClearance()

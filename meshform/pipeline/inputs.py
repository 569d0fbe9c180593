"""What a product pipeline reads from other products (`domains.<d>.pipelines.<p>.inputs`, docs/pipelines.md): the
job arguments of stage B (`--inputs`) and of the fine-grained-access import job, from the same access model the
grants come from. Pure data, so the stacks (modules/constructs/pipeline/product_pipeline.py) and `meshform
run-pipeline` build exactly the same arguments.

Stage B's `--inputs`, keyed `<domain>.<product>.<table>`: a table the domain may read whole is `{"mode": "catalog",
"database": <resource link named like the source database>, "table", "catalog_id": <governance>}`; a table shared
through a data cells filter or a column list is `{"mode": "import", "path": s3://<stage>/imports/<product>/<domain>/
<table>/}`, written there by the import job, whose own `--inputs` entry lists database, table, catalog id, the
granted columns, their contract types and that path.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from meshform import naming
from meshform import pipeline_names as names
from meshform.access import TableAccess, effective_accesses, reads_full_tables
from meshform.spec.environment import PipelineSpec
from meshform.spec.mesh import Mesh


@dataclass(frozen=True)
class PipelineInputs:
    stage_b: dict[str, dict[str, Any]]     # stage B's --inputs
    imports: dict[str, dict[str, Any]]     # the import job's --inputs (empty: no import job)
    imports_path: str                      # the import job's --imports_path


def foreign_and_own(mesh: Mesh, domain: str, pipeline: PipelineSpec) -> tuple[list[TableAccess], list[str]]:
    """The tables of the pipeline's inputs from other domains (as the access model grants them to the domain) and
    its inputs from the domain's own products."""
    wanted = set(pipeline.inputs)
    foreign = [a for a in effective_accesses(mesh) if a.subscriber == domain and a.product in wanted]
    own = [ref for ref in pipeline.inputs if ref.split(".", 1)[0] == domain]
    return sorted(foreign, key=lambda a: (a.product, a.table)), own


def pipeline_inputs(mesh: Mesh, domain: str, product: str, pipeline: PipelineSpec) -> PipelineInputs:
    governance, stage = mesh.governance_account, mesh.bucket(domain, "stage")
    imports_path = f"s3://{stage}/{names.IMPORTS_PREFIX}{product}/"
    foreign, own = foreign_and_own(mesh, domain, pipeline)
    stage_b: dict[str, dict[str, Any]] = {}
    imports: dict[str, dict[str, Any]] = {}
    for access in foreign:
        key = f"{access.product}.{access.table}"
        if reads_full_tables(access):
            stage_b[key] = {"mode": "catalog", "database": naming.resource_link_name(access.domain),
                            "table": access.table, "catalog_id": governance}
            continue
        path = f"{imports_path}{access.domain}/{access.table}/"
        stage_b[key] = {"mode": "import", "path": path}
        source = mesh.products[access.product].table(access.table)
        assert source is not None, access
        imports[key] = {"database": naming.resource_link_name(access.domain), "table": access.table,
                        "catalog_id": governance, "columns": list(access.columns),
                        "types": {c.name: c.type for c in source.all_columns if c.name in access.columns},
                        "path": path}
    for ref in own:
        for table in mesh.products[ref].tables:
            stage_b[f"{ref}.{table.name}"] = {"mode": "catalog", "database": naming.resource_link_name(domain),
                                              "table": table.name, "catalog_id": governance}
    return PipelineInputs(stage_b, imports, imports_path)

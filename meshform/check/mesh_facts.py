"""The mesh facts file the custom policies read (accounts, admins, ontology, clearances, taggable types, the account
of each stack): written next to the synthesized stacks by `meshform check`, so policies never hard-code the mesh."""
from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from meshform import naming, tags
from meshform.operations import audit_trails, budgets, trail_lake_buckets
from meshform.spec.environment import CloudBackendSpec
from meshform.spec.mesh import Mesh

MANDATORY_TAGS = list(tags.MANDATORY)
MESH_FILE_ENV = "MESHFORM_MESH_FILE"


def taggable(resource_type: str) -> bool:
    """True when the AWS binding of `resource_type` has a `tags` argument (read from the binding's source text:
    importing it would load jsii)."""
    if not resource_type.startswith("aws_"):
        return False
    spec = importlib.util.find_spec("cdktf_cdktf_provider_aws")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("cdktf-cdktf-provider-aws is not installed")
    source = Path(spec.submodule_search_locations[0]) / resource_type[len("aws_"):] / "__init__.py"
    if not source.is_file():
        return False
    # The module (one per resource type) also holds struct classes, some with their own `tags`: look only at
    # the resource class, the one that defines TF_RESOURCE_TYPE.
    for chunk in source.read_text().split("\nclass "):
        if "def TF_RESOURCE_TYPE(" in chunk:
            return "def tags_input(" in chunk
    return False


def mesh_facts(mesh: Mesh, resource_types: set[str]) -> dict:
    spec = mesh.spec
    gov = spec.governance
    accounts: dict[str, dict[str, Any]] = {gov.account_id: {"name": "governance", "kind": "governance",
                                 "deploy_role": mesh.deploy_role_arn(gov.account_id)}}
    for name, d in spec.domains.items():
        accounts[d.account_id] = {"name": name, "kind": "domain", "clearance": mesh.clearance_of(name),
                                  "deploy_role": mesh.deploy_role_arn(d.account_id)}
    for name, c in spec.consumers.items():
        accounts[c.account_id] = {"name": name, "kind": "consumer", "clearance": c.clearance,
                                  "deploy_role": mesh.deploy_role_arn(c.account_id),
                                  "principals": sorted(c.principals)}
    # The account each stack deploys into, by stack name (= the synthesized stack's directory name): a resource
    # check sees only its file path, and the policies read a stack's own account from here.
    stack_accounts = {naming.stack_name(mesh.env, "governance"): gov.account_id}
    stack_accounts.update({naming.catalog_stack_name(mesh.env, d, part): gov.account_id
                           for d, domain in spec.domains.items() for part in range(domain.catalog_stacks)})
    stack_accounts.update({naming.stack_name(mesh.env, "domain", name): d.account_id
                           for name, d in spec.domains.items()})
    stack_accounts.update({naming.stack_name(mesh.env, "consumer", name): c.account_id
                           for name, c in spec.consumers.items()})
    if isinstance(spec.backend, CloudBackendSpec):   # the trust stacks (OIDC provider + run roles) of each account
        stack_accounts[naming.trust_stack_name(mesh.env, "governance")] = gov.account_id
        stack_accounts.update({naming.trust_stack_name(mesh.env, "domain", name): d.account_id
                               for name, d in spec.domains.items()})
        stack_accounts.update({naming.trust_stack_name(mesh.env, "consumer", name): c.account_id
                               for name, c in spec.consumers.items()})
    classified = {}
    for product in mesh.products.values():
        for table in product.tables:
            classified[f"{naming.central_database_name(product.domain)}.{table.name}"] = {
                c.name: c.classification for c in table.all_columns}
    return {
        "environment": mesh.env,
        "region": mesh.region,
        "governance_account": gov.account_id,
        "accounts": dict(sorted(accounts.items())),
        # Exactly who may administer Lake Formation in each account (the deploy role + the spec's admins).
        "lake_formation_admins": {
            gov.account_id: sorted({mesh.deploy_role_arn(gov.account_id), *gov.admins}),
            **{a: sorted({info["deploy_role"], *mesh.subscriber(info["name"]).admins})
               for a, info in accounts.items() if info["kind"] != "governance"},
        },
        "classifications": list(gov.classifications),
        "default_classification": gov.default_classification,
        "mandatory_tags": MANDATORY_TAGS,
        "taggable_resource_types": sorted(t for t in resource_types if taggable(t)),
        "columns": dict(sorted(classified.items())),
        # "<domain>.<product>" -> its tables (the Redshift datashare rule: what a whole-product datashare holds).
        "products": {fqn: [t.name for t in p.tables] for fqn, p in sorted(mesh.products.items())},
        "stack_accounts": dict(sorted(stack_accounts.items())),
        # Operations (meshform/operations.py): the lake buckets each account's audit trail must log, and the
        # budget owner (mesh:domain tag value) of each account.
        "audit_trail_buckets": {a: trail_lake_buckets(mesh, a) for a in sorted(audit_trails(mesh))},
        "budget_owners": {b.account: b.owner for b in budgets(mesh)},
    }

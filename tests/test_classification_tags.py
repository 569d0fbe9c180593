"""Classification never fails open: contract changes planned by real terraform against the applied dev state.

The rule (modules/constructs/central_database.py, contract_table.py): a domain's database carries the ontology's
most sensitive classification; every column below it carries its own LF-tag, one tag resource per column. A column
without an explicit tag — while its tag is being replaced, or one added outside meshform — inherits the most
sensitive level, so no clearance below the top can read it through an LF-tag policy.
"""
from __future__ import annotations

import json
import shutil

import pytest
import yaml

from meshform.loader import load_meshes
from meshform.local import terraform as tf
from meshform.synth import synthesize

pytestmark = [pytest.mark.emulator, pytest.mark.xdist_group("dev-applied")]

LF_TAGS = "aws_lakeformation_resource_lf_tags"


def _plan_changed_contract(dev, tmp_path, change) -> dict:
    """Edit sales/customers.yaml, synthesize, and plan dev-governance against the applied state (no apply)."""
    root = tmp_path / "project"
    shutil.copytree(dev["root"] / "environments", root / "environments")
    shutil.copytree(dev["root"] / "contracts", root / "contracts")
    path = root / "contracts" / "sales" / "customers.yaml"
    contract = yaml.safe_load(path.read_text())
    change(contract["schema"][0]["properties"])
    path.write_text(yaml.safe_dump(contract, sort_keys=False))
    synthesize(load_meshes(root, ["dev"]), root / "cdktf.out")

    applied = dev["workdir"] / "cdktf.out" / "stacks" / "dev-governance"
    stack = tmp_path / "dev-governance"
    shutil.copytree(applied, stack, symlinks=True)          # keeps .terraform, the lock file and the override
    shutil.copy(root / "cdktf.out" / "stacks" / "dev-governance" / "cdk.tf.json", stack / "cdk.tf.json")
    cli_config = dev["workdir"] / "terraform.rc"
    log = tmp_path / "terraform.log"
    plan = tf.run(tf.find_terraform(), ["plan", "-input=false", "-lock=false", "-out=change.tfplan"], stack,
                  cli_config, log)
    assert plan.returncode == 0, plan.output
    shown = tf.run(tf.find_terraform(), ["show", "-json", "change.tfplan"], stack, cli_config, log)
    assert shown.returncode == 0, shown.output
    return json.loads(shown.output[shown.output.index("{"):])


def _tag_changes(plan: dict) -> dict[str, list[str]]:
    return {c["address"]: c["change"]["actions"] for c in plan["resource_changes"]
            if c["type"] == LF_TAGS and c["change"]["actions"] != ["no-op"]}


def _tag_column(plan: dict, address: str) -> tuple[list[str], str]:
    after = next(c for c in plan["resource_changes"] if c["address"] == address)["change"]["after"]
    return after["table_with_columns"][0]["column_names"], after["lf_tag"][0]["value"]


def test_adding_classified_columns_only_creates_tags(dev, tmp_path):
    def add(properties):
        properties.append({"name": "loyalty_tier", "physicalName": "loyalty_tier", "logicalType": "string",
                           "physicalType": "string", "description": "Loyalty programme tier.",
                           "classification": "confidential"})
        properties.append({"name": "national_id", "physicalName": "national_id", "logicalType": "string",
                           "physicalType": "string", "description": "National identity number.",
                           "classification": "pii"})

    plan = _plan_changed_contract(dev, tmp_path, add)
    changes = _tag_changes(plan)
    # one new tag for the confidential column; the pii column needs none (it inherits the database's level);
    # no existing column's tag is deleted or replaced
    assert list(changes.values()) == [["create"]], changes
    assert _tag_column(plan, next(iter(changes))) == (["loyalty_tier"], "confidential")


def test_reclassifying_a_column_replaces_only_its_own_tag(dev, tmp_path):
    def reclassify(properties):
        column = next(p for p in properties if p["name"] == "customer_segment")
        assert column["classification"] == "internal"
        column["classification"] = "public"

    plan = _plan_changed_contract(dev, tmp_path, reclassify)
    changes = _tag_changes(plan)
    assert list(changes.values()) == [["delete", "create"]], changes
    assert _tag_column(plan, next(iter(changes))) == (["customer_segment"], "public")


def test_database_tag_is_the_most_sensitive_level_untagged_columns_inherit(dev):
    mesh = dev["mesh"]
    lf = dev["as_account"](mesh.governance_account)("lakeformation")
    for domain in mesh.spec.domains:
        tags = lf.get_resource_lf_tags(Resource={"Database": {"CatalogId": mesh.governance_account,
                                                              "Name": domain}})["LFTagOnDatabase"]
        assert {t["TagKey"]: t["TagValues"] for t in tags}["classification"] == [mesh.most_sensitive]
    customers = mesh.products["sales.customers"].table("customers")
    below = sorted(c.name for c in customers.all_columns if c.classification != mesh.most_sensitive)
    tagged = lf.get_resource_lf_tags(Resource={"TableWithColumns": {
        "CatalogId": mesh.governance_account, "DatabaseName": "sales", "Name": "customers", "ColumnNames": below}})
    got = {c["Name"]: {t["TagKey"]: t["TagValues"] for t in c["LFTags"]}["classification"]
           for c in tagged["LFTagsOnColumns"]}
    assert got == {c.name: [c.classification] for c in customers.all_columns if c.name in below}

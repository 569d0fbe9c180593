"""Incremental synthesis (meshform/synth.py, synth_state.py): after a contract change only the stacks the product
reaches are rebuilt, and the output is byte-identical to a cold synthesis of the same input; anything it cannot
vouch for (a changed spec, an edited output file) synthesizes everything."""
from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from meshform.loader import load_meshes
from meshform.synth import synthesize
from tests.conftest import copy_project


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _rebuilt(stacks) -> set[str]:
    return {s.name for s in stacks if s.rebuilt}


def test_a_contract_change_rebuilds_what_it_reaches_and_equals_a_cold_build(tmp_path):
    root = copy_project(tmp_path / "project")
    out = root / "cdktf.out"
    first = synthesize(load_meshes(root, ["dev"]), out, incremental=True)
    assert _rebuilt(first) == {s.name for s in first}                  # nothing to re-use yet

    again = synthesize(load_meshes(root, ["dev"]), out, incremental=True)
    assert _rebuilt(again) == set()                                    # same input: every stack copied

    path = root / "contracts" / "sales" / "customers.yaml"
    contract = yaml.safe_load(path.read_text())
    contract["schema"][0]["properties"].append({
        "name": "loyalty_tier", "physicalName": "loyalty_tier", "logicalType": "string", "physicalType": "string",
        "classification": "internal", "description": "Loyalty programme tier."})
    path.write_text(yaml.safe_dump(contract, sort_keys=False))
    changed = synthesize(load_meshes(root, ["dev"]), out, incremental=True)
    # sales.customers: its catalog and domain, and its subscribers (marketing, data-science)
    assert _rebuilt(changed) == {"dev-catalog-sales", "dev-domain-sales", "dev-domain-marketing",
                                 "dev-consumer-data-science"}
    cold = root / "cold"
    synthesize(load_meshes(root, ["dev"]), cold)
    assert _files(out) == _files(cold)
    assert b"loyalty_tier" in (out / "stacks" / "dev-catalog-sales" / "cdk.tf.json").read_bytes()


def test_a_spec_change_or_an_edited_output_rebuilds_everything(tmp_path):
    root = copy_project(tmp_path / "project")
    out = root / "cdktf.out"
    synthesize(load_meshes(root, ["dev"]), out, incremental=True)
    stack_file = out / "stacks" / "dev-consumer-analytics" / "cdk.tf.json"
    stack_file.write_text(stack_file.read_text().replace("analytics", "analytics ", 1))   # edited by hand
    assert all(s.rebuilt for s in synthesize(load_meshes(root, ["dev"]), out, incremental=True))
    assert b"analytics \"" not in stack_file.read_bytes()

    spec = root / "environments" / "dev.yaml"
    spec.write_text(spec.read_text().replace("BI dashboards and ad-hoc analysis", "BI dashboards"))
    assert all(s.rebuilt for s in synthesize(load_meshes(root, ["dev"]), out, incremental=True))
    shutil.rmtree(out / "stacks" / "dev-governance")
    assert all(s.rebuilt for s in synthesize(load_meshes(root, ["dev"]), out, incremental=True))


def test_stacks_split_over_worker_processes_give_the_same_files(tmp_path, monkeypatch):
    import meshform.synth

    root = copy_project(tmp_path / "project")
    meshes = load_meshes(root, ["dev"])
    synthesize(meshes, root / "one")
    monkeypatch.setattr(meshform.synth, "_PARALLEL_FROM", 1)             # split even this small mesh
    monkeypatch.setenv("MESHFORM_WORKERS", "2")
    synthesize(meshes, root / "two")
    assert _files(root / "one") == _files(root / "two")

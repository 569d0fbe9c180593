"""A domain's catalog over several stacks (meshform/catalog_layout.py): the count validation relies on equals what
synthesis writes, products never move unless the stack count changes, and an oversized domain is refused with the
fix."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

from meshform import naming
from meshform.catalog_layout import MAX_STACK_RESOURCES, catalog_layouts, shard_of
from meshform.errors import ValidationFailed
from meshform.loader import load_meshes

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
import scale  # noqa: E402  (the benchmark's synthetic mesh generator)


def _counts(stacks_dir: Path) -> dict[str, int]:
    return {d.name: sum(len(v) for v in json.loads((d / "cdk.tf.json").read_text()).get("resource", {}).values())
            for d in stacks_dir.iterdir() if d.is_dir()}


def test_counted_resources_equal_the_synthesized_catalog_stacks(synth_root):
    counts = _counts(synth_root / "cdktf.out" / "stacks")
    for mesh in load_meshes(synth_root):
        for domain, layout in catalog_layouts(mesh).items():
            for part, expected in enumerate(layout.resources):
                assert counts[naming.catalog_stack_name(mesh.env, domain, part)] == expected, (mesh.env, domain)
    # prod splits sales over two stacks; each product's tables live in exactly one of them
    prod = json.loads((synth_root / "cdktf.out" / "stacks" / "prod-catalog-sales-1" / "cdk.tf.json").read_text())
    base = json.loads((synth_root / "cdktf.out" / "stacks" / "prod-catalog-sales" / "cdk.tf.json").read_text())
    names = {t["name"] for t in prod["resource"]["aws_glue_catalog_table"].values()}
    assert names == {"orders", "order_lines"}
    assert {t["name"] for t in base["resource"]["aws_glue_catalog_table"].values()} == {"customers"}
    assert "aws_glue_catalog_database" not in prod["resource"] and "aws_lakeformation_resource" not in prod["resource"]
    manifest = json.loads((synth_root / "cdktf.out" / "manifest.json").read_text())
    assert manifest["stacks"]["prod-catalog-sales-1"]["dependencies"] == ["prod-trust-governance", "prod-catalog-sales"]
    assert "prod-catalog-sales-1" in manifest["stacks"]["prod-domain-sales"]["dependencies"]


def test_products_never_move_unless_the_stack_count_grows_and_then_only_to_the_new_stack():
    names = [f"p{i:04d}" for i in range(400)]
    for count in range(1, 8):
        before = {n: shard_of(n, count) for n in names}
        after = {n: shard_of(n, count + 1) for n in names}
        moved = [n for n in names if before[n] != after[n]]
        assert all(after[n] == count for n in moved)                 # only into the new stack
        assert len(moved) < 2 * len(names) / (count + 1)             # about 1/(count+1) of them
    # a product's stack does not depend on which other products exist
    assert [shard_of(n, 5) for n in names[:10]] == [shard_of(n, 5) for n in names[:10]]


def test_an_oversized_domain_is_refused_with_the_stack_count_that_fits(tmp_path):
    root = tmp_path / "mesh"
    scale.build(root, 1, 0, 1)                                        # the environment without products
    spec_file = root / "environments" / "dev.yaml"
    spec = yaml.safe_load(spec_file.read_text())
    scale.build(tmp_path / "big", 1, 30, 1)                            # 30 products in one domain
    spec["subscriptions"] = yaml.safe_load((tmp_path / "big" / "environments" / "dev.yaml").read_text())[
        "subscriptions"]
    spec["domains"]["d000"].pop("catalog_stacks", None)
    (root / "contracts").mkdir(exist_ok=True)
    for src in (tmp_path / "big" / "contracts").rglob("*.yaml"):
        dest = root / src.relative_to(tmp_path / "big")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(src.read_bytes())
    spec_file.write_text(yaml.safe_dump(spec, sort_keys=False))
    with pytest.raises(ValidationFailed) as failed:
        load_meshes(root)
    (error,) = failed.value.errors.errors
    assert error.file == "environments/dev.yaml" and error.path == "domains.d000" and error.line > 0
    assert f"more than {MAX_STACK_RESOURCES} resources into one stack (dev-catalog-d000 (" in error.problem
    suggested = int(error.fix.split("catalog_stacks: ")[1].split()[0])
    spec["domains"]["d000"]["catalog_stacks"] = suggested
    spec_file.write_text(yaml.safe_dump(spec, sort_keys=False))
    (mesh,) = load_meshes(root)                                       # the fix is enough
    layout = catalog_layouts(mesh)["d000"]
    assert len(layout.resources) == suggested and layout.largest <= MAX_STACK_RESOURCES
    assert sorted(p for part in layout.products for p in part) == sorted(p.name for p in mesh.products.values())

"""Benchmark: how validate and synth scale with the number of data products. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/scale.py --products 200 [--domains 10] [--consumers 5]

Builds a scratch project from the bundled dev environment: `--domains` domains, `--products` contracts spread
over them (copies of contracts/sales/orders.yaml with renamed tables), and one subscription per product for a
consumer. Measures `load_meshes` (validate) and synthesize in-process, then the resource count.
"""
from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def build(root: Path, domains: int, products: int, consumers: int) -> None:
    base = yaml.safe_load((REPO / "environments" / "dev.yaml").read_text())
    template = yaml.safe_load((REPO / "contracts" / "sales" / "orders.yaml").read_text())
    names = [f"d{i:03d}" for i in range(domains)]
    # Every account's roles live in that account (validation rejects admins/principals of another account).
    base["domains"] = {n: {**base["domains"]["sales"], "account_id": f"{200000000000 + i:012d}",
                           "admins": [f"arn:aws:iam::{200000000000 + i:012d}:role/DataSteward"],
                           "description": f"synthetic domain {n}"} for i, n in enumerate(names)}
    base["consumers"] = {f"c{i:03d}": {**base["consumers"]["analytics"], "account_id": f"{900000000000 + i:012d}",
                                       "principals": [f"arn:aws:iam::{900000000000 + i:012d}:role/Analyst"]}
                         for i in range(consumers)}
    base["subscriptions"] = []
    for p in range(products):
        domain = names[p % domains]
        product = f"p{p:04d}"
        contract = yaml.safe_load(yaml.safe_dump(template))
        contract.update(domain=domain, dataProduct=product, id=f"urn:meshform:{domain}:{product}")
        for obj in contract["schema"]:
            obj["name"] = obj["physicalName"] = f"{product}_{obj['name']}"
        path = root / "contracts" / domain / f"{product}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(contract, sort_keys=False))
        base["subscriptions"].append({"subscriber": f"c{p % consumers:03d}", "product": f"{domain}.{product}"})
    (root / "environments").mkdir(parents=True)
    (root / "environments" / "dev.yaml").write_text(yaml.safe_dump(base, sort_keys=False))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=100)
    parser.add_argument("--domains", type=int, default=10)
    parser.add_argument("--consumers", type=int, default=5)
    parser.add_argument("--check", action="store_true", help="also run the governance check (checkov) on the stacks")
    args = parser.parse_args(argv)
    from meshform.loader import load_meshes
    from meshform.synth import synthesize

    root = Path(tempfile.mkdtemp(prefix="meshform-bench-"))
    try:
        build(root, args.domains, args.products, args.consumers)
        started = time.perf_counter()
        meshes = load_meshes(root)
        validated = time.perf_counter() - started
        started = time.perf_counter()
        stacks = synthesize(meshes, root / "cdktf.out")
        synthesized = time.perf_counter() - started
        total = sum(s.resource_count for s in stacks)
        checked = None
        if args.check:
            from meshform.check.runner import run_checks

            started = time.perf_counter()
            results = run_checks(meshes, root / "cdktf.out" / "stacks", root / "reports")
            checked = time.perf_counter() - started
            passed, failed = sum(r.passed for r in results), sum(len(r.failed) for r in results)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"products {args.products}, domains {args.domains}, consumers {args.consumers}")
        print(f"validate (spec + contracts): {validated:6.2f} s")
        print(f"synthesize ({len(stacks)} stacks, {total} resources): {synthesized:6.2f} s "
              f"(includes the one-time import of the provider bindings)")
        largest = max(stacks, key=lambda st: st.resource_count)
        print(f"largest stack: {largest.name} ({largest.resource_count} resources)")
        print(f"peak RSS of the Python process: {peak_mb:.0f} MB (jsii's node process not included)")
        if checked is not None:
            print(f"check (checkov + governance rules): {checked:6.2f} s, {passed} passed, {failed} failed")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

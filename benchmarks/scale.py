"""Benchmark: the main job (`meshform build`) at scale, against plain checkov on the same stacks. Prints figures;
asserts nothing about them.

    .venv/bin/python benchmarks/scale.py --products 1000 [--domains 20] [--consumers 10]

Builds a scratch project from the bundled dev environment: `--domains` domains, `--products` contracts spread
over them (copies of contracts/sales/orders.yaml with renamed tables), one subscription per product for a consumer,
and `catalog_stacks` where validation asks for it. Then, each as the user runs it (a subprocess, peak RSS sampled
per process kind): `meshform validate`; `meshform build` with one broken contract (time to its error, nothing
written); a cold `meshform build`; plain checkov with its built-in checks on the same stacks (the reference); a
re-run of `meshform build` after changing one contract, and a cold build of that same input in a fresh directory
to show the re-run's output is byte-identical; last, a cold build with one product per domain (the fixed cost) for
the cost per product net of it.
"""
from __future__ import annotations

import argparse
import copy
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
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
    # The Lake Formation side at scale: no pipelines or Redshift warehouses in the synthetic accounts (a warehouse is
    # a per-account network and namespace, not something that grows with the number of products).
    skip = ("pipelines", "catalog_stacks", "redshift")
    template_domain = {k: v for k, v in base["domains"]["sales"].items() if k not in skip}
    template_consumer = {k: v for k, v in base["consumers"]["analytics"].items() if k not in skip}
    base["domains"] = {n: {**copy.deepcopy(template_domain), "account_id": f"{200000000000 + i:012d}",
                           "admins": [f"arn:aws:iam::{200000000000 + i:012d}:role/DataSteward"],
                           "description": f"synthetic domain {n}"} for i, n in enumerate(names)}
    base["consumers"] = {f"c{i:03d}": {**copy.deepcopy(template_consumer), "account_id": f"{900000000000 + i:012d}",
                                       "principals": [f"arn:aws:iam::{900000000000 + i:012d}:role/Analyst"]}
                         for i in range(consumers)}
    base["subscriptions"] = []
    for p in range(products):
        domain = names[p % domains]
        product = f"p{p:04d}"
        contract = yaml.safe_load(yaml.safe_dump(template))
        contract.update(domain=domain, dataProduct=product, id=f"urn:meshform:{domain}:{product}")
        for obj in contract["schema"]:
            renamed = f"{product}_{obj['name']}"
            for rule in obj.get("quality", []):        # SQL rules address their own table by name
                if "query" in rule:
                    rule["query"] = re.sub(rf"\b{obj['name']}\b", renamed, rule["query"])
            obj["name"] = obj["physicalName"] = renamed
        path = root / "contracts" / domain / f"{product}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(contract, sort_keys=False))
        base["subscriptions"].append({"subscriber": f"c{p % consumers:03d}", "product": f"{domain}.{product}"})
    (root / "environments").mkdir(parents=True)
    spec_file = root / "environments" / "dev.yaml"
    spec_file.write_text(yaml.safe_dump(base, sort_keys=False))
    # Large domains need more catalog stacks: take them from validation's own fix, as a user would.
    from meshform.errors import ValidationFailed
    from meshform.loader import load_meshes
    try:
        load_meshes(root)
    except ValidationFailed as failed:
        for error in failed.errors.errors:
            fix = re.fullmatch(r"set domains\.(\w+)\.catalog_stacks: (\d+) .*", error.fix)
            if fix is None:
                raise
            base["domains"][fix.group(1)]["catalog_stacks"] = int(fix.group(2))
        spec_file.write_text(yaml.safe_dump(base, sort_keys=False))


class PeakMemory:
    """Samples /proc every 50 ms for a process tree: the peak RSS of each kind of process (python = meshform,
    node = jsii's runtime, checkov = its Python processes)."""

    def __init__(self, pid: int):
        self.pid, self.peaks, self._stop = pid, {"python": 0, "node": 0, "checkov": 0}, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
            except (OSError, ValueError, IndexError):
                continue
        tree, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo += children.get(pid, [])
        return tree

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            for pid in self._tree():
                try:
                    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                    rss = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                               if line.startswith("VmRSS:")) // 1024
                except (OSError, StopIteration, ValueError):
                    continue
                kind = "checkov" if "checkov" in cmdline else "node" if cmdline.startswith("node") or "/node " in \
                    cmdline else "python" if "python" in cmdline or "meshform" in cmdline else None
                if kind:
                    self.peaks[kind] = max(self.peaks[kind], rss)

    def stop(self) -> dict[str, int]:
        self._stop.set()
        self._thread.join()
        return self.peaks


def timed(args: list[str], cwd: Path, env: dict | None = None) -> tuple[float, subprocess.CompletedProcess, dict]:
    started = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    memory = PeakMemory(proc.pid)
    stdout, stderr = proc.communicate()
    elapsed = time.perf_counter() - started
    return elapsed, subprocess.CompletedProcess(args, proc.returncode, stdout, stderr), memory.stop()


def _tree_bytes(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=100)
    parser.add_argument("--domains", type=int, default=10)
    parser.add_argument("--consumers", type=int, default=5)
    args = parser.parse_args(argv)
    meshform = [sys.executable, "-m", "meshform.cli"]
    checkov = str(REPO / ".venv-checkov" / "bin" / "checkov")

    work = Path(tempfile.mkdtemp(prefix="meshform-bench-"))
    try:
        root = work / "mesh"
        build(root, args.domains, args.products, args.consumers)
        print(f"products {args.products}, domains {args.domains}, consumers {args.consumers}")

        seconds, proc, memory = timed([*meshform, "--root", str(root), "validate"], REPO)
        assert proc.returncode == 0, proc.stderr[-2000:]
        print(f"validate: {seconds:6.2f} s (peak RSS {memory['python']} MB)")

        broken = work / "broken"
        shutil.copytree(root, broken)
        victim = sorted((broken / "contracts").rglob("*.yaml"))[len(list((broken / "contracts").rglob("*.yaml"))) // 2]
        victim.write_text(victim.read_text().replace("physicalType: decimal(18,2)", "physicalType: decimal(40,2)", 1))
        seconds, proc, _ = timed([*meshform, "--root", str(broken), "build"], REPO)
        written = (broken / "cdktf.out").exists()
        print(f"build with one broken contract of {args.products}: {seconds:6.2f} s to its error, exit "
              f"{proc.returncode}, {'something' if written else 'nothing'} written "
              f"({proc.stderr.strip().splitlines()[0][:110] if proc.stderr.strip() else 'no error?'})")

        cold, proc, memory = timed([*meshform, "--root", str(root), "build"], REPO)
        assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
        summary = proc.stdout.strip().splitlines()[-1]
        print(f"cold build: {cold:6.2f} s — {summary}")
        print(f"  peak RSS: python {memory['python']} MB, node {memory['node']} MB, checkov {memory['checkov']} MB")
        stacks = root / "cdktf.out" / "stacks"
        counts = {d.name: sum(len(v) for v in json.loads((d / "cdk.tf.json").read_text()).get("resource", {})
                              .values()) for d in stacks.iterdir()}
        largest = max(counts, key=lambda n: counts[n])
        print(f"  {len(counts)} stacks, {sum(counts.values())} resources, largest {largest} ({counts[largest]}); "
              f"{cold / args.products * 1000:.0f} ms per product")

        reference, proc, memory = timed([checkov, "-d", str(stacks), "--framework", "terraform_json",
                                         "--skip-download", "--compact", "-o", "json", "--output-file-path",
                                         str(work / "plain")], REPO)
        print(f"plain checkov (built-in checks, same stacks): {reference:6.2f} s (peak RSS {memory['checkov']} MB)"
              f" -> cold build = {cold / reference:.2f} x plain checkov")

        contract = sorted((root / "contracts").rglob("*.yaml"))[0]
        data = yaml.safe_load(contract.read_text())
        data["schema"][0]["properties"].insert(1, {
            "name": "bench_note", "physicalName": "bench_note", "logicalType": "string", "physicalType": "string",
            "classification": "internal", "description": "Added by the benchmark's re-run."})
        contract.write_text(yaml.safe_dump(data, sort_keys=False))
        rerun, proc, memory = timed([*meshform, "--root", str(root), "build"], REPO)
        assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
        print(f"re-run after changing {contract.relative_to(root)}: {rerun:6.2f} s = {rerun / cold:.2f} x cold — "
              f"{proc.stdout.strip().splitlines()[-1]}")

        fresh = work / "fresh"
        shutil.copytree(root / "environments", fresh / "environments")
        shutil.copytree(root / "contracts", fresh / "contracts")
        proc = subprocess.run([*meshform, "--root", str(fresh), "build"], cwd=REPO, capture_output=True, text=True)
        assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
        same_output = _tree_bytes(root / "cdktf.out") == _tree_bytes(fresh / "cdktf.out")
        same_reports = all((root / "reports" / "checkov" / "dev" / n).read_bytes() ==
                           (fresh / "reports" / "checkov" / "dev" / n).read_bytes().replace(
                               str(fresh).encode(), str(root).encode())
                           for n in ("results_json.json", "results_sarif.sarif", "results_junitxml.xml"))
        print(f"  re-run output byte-identical to a cold build of the same input: stacks {same_output}, "
              f"reports {same_reports}")

        # The fixed cost of a build (process start, jsii and the provider bindings, checkov's import, the
        # governance, domain and consumer stacks) does not grow with products: a cold build of the same domains and
        # consumers with one product per domain measures it, and what a product costs is what is left, per product.
        if args.products > args.domains:
            baseline = work / "baseline"
            build(baseline, args.domains, args.domains, args.consumers)
            fixed, proc, _ = timed([*meshform, "--root", str(baseline), "build"], REPO)
            assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
            print(f"per product: {cold / args.products * 1000:.0f} ms on average; "
                  f"{(cold - fixed) / (args.products - args.domains) * 1000:.0f} ms net of the fixed cost "
                  f"(a cold build of the same {args.domains} domains / {args.consumers} consumers with one product "
                  f"per domain: {fixed:.2f} s)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

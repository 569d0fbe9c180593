"""`meshform run-pipeline`: a product's stage A and stage B on local Spark, exactly as Glue runs them: the same
scripts (`glue_scripts/stage_a.py`, `stage_b.py`) as subprocesses with the same job arguments, against a work
directory laid out like the S3 buckets:

    DIR/raw/<product>/<table>/<file>          the landing (inputs are copied here, modification time kept)
    DIR/stage/<product>/<table>/<k>=<v>/...   stage A's output
    DIR/quarantine/<product>/<table>/rejected_by=stage_a|stage_b/...   rejected rows with _reason
    DIR/analytics/<product>/<table>/<k>=<v>/...   what the central table reads
    DIR/stage/imports/<product>/<domain>/<table>/   a filtered input, imported first (`--input D.P.T=DIR`)
    DIR/manifest/<domain>.<product>.json, DIR/logs/{import,stage_a,stage_b}.log

A filtered input (another domain's table shared through a data cells filter or a column list,
meshform/pipeline/inputs.py) is given as `--input <domain>.<product>.<table>=DIR`, DIR holding the producer's
published Parquet: the import job (`glue_scripts/import_inputs.py`) then runs first and keeps exactly the columns the
filter grants, as Lake Formation does on Glue.

Exit codes: 0 published, 1 the quality gate failed (analytics unchanged), 2 bad input (named file/column/fix),
3 a stage failed unexpectedly (see its log).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from meshform.pipeline.inputs import pipeline_inputs
from meshform.pipeline.manifest import FORMATS, ManifestError, manifest_json
from meshform.spec.environment import PipelineSpec

SCRIPTS = Path(__file__).resolve().parent.parent.parent / "glue_scripts"
RESULT_MARKER, ERROR_MARKER = "MESHFORM_RESULT ", "MESHFORM_ERROR "
# Small local runs are dominated by JVM warm-up; C1-only JIT halves them. JVM flags never change results.
QUICK_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


class RunError(Exception):
    """Bad input to run-pipeline: printed as `error: ...` with a fix, exit 2."""

    def __init__(self, problem: str, fix: str = ""):
        super().__init__(problem)
        self.problem, self.fix = problem, fix

    def render(self) -> str:
        return f"error: {self.problem}" + (f"\n    fix: {self.fix}" if self.fix else "")


@dataclass
class StageRun:
    code: int
    result: dict[str, Any] | None
    error: str | None
    log: Path


def _pipeline_spec(mesh: Any, domain: str, product: str) -> Any:
    """The spec's `domains.<d>.pipelines.<product>` entry, or None (the spec may not know pipelines yet)."""
    pipelines = getattr(mesh.spec.domains[domain], "pipelines", None) or {}
    return pipelines.get(product) if isinstance(pipelines, dict) else getattr(pipelines, product, None)


def _split_inputs(specs: list[str]) -> tuple[list[str], dict[str, str]]:
    """(`TABLE=PATH` of the product's own tables, {`<domain>.<product>.<table>`: PATH} of inputs to import)."""
    own: list[str] = []
    foreign: dict[str, str] = {}
    for spec in specs:
        table, sep, raw = spec.partition("=")
        if not sep or not table or not raw:
            raise RunError(f"--input {spec!r} is not TABLE=PATH", "write e.g. --input orders=data/orders.csv")
        if "." not in table:
            own.append(spec)
        elif table in foreign:
            raise RunError(f"--input {spec!r}: input {table} is given twice", "pass one directory per input table")
        else:
            foreign[table] = raw
    return own, foreign


def _local_imports(planned: Any, workdir: Path) -> Path:
    """The import job's --imports_path in the work directory: s3://<stage>/imports/<product>/ ->
    DIR/stage/imports/<product>/ (the stage bucket's layout)."""
    return workdir / "stage" / planned.imports_path.split("/", 3)[3]


def _imports(planned: Any, given: dict[str, str], workdir: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """The import job's --inputs (targets under DIR/stage/) and --sources for the given filtered inputs."""
    inputs, sources = {}, {}
    for key, raw in sorted(given.items()):
        if key not in planned.imports:
            whole = sorted(k for k, v in planned.stage_b.items() if v["mode"] == "catalog")
            raise RunError(f"--input {key}={raw}: {key} is not a filtered input of this pipeline"
                           + (f" ({key} is read whole through the catalog on Glue)" if key in whole else ""),
                           f"filtered inputs: {', '.join(sorted(planned.imports)) or '(none)'}")
        path = Path(raw).expanduser()
        if not path.is_dir():
            raise RunError(f"--input {key}={raw}: {path} is not a directory",
                           "pass the directory of the producer's published Parquet table")
        entry = dict(planned.imports[key])
        entry["path"] = str(_local_imports(planned, workdir) / entry["path"][len(planned.imports_path):])
        inputs[key] = entry
        sources[key] = str(path.resolve())
    return inputs, sources


def _inputs(product: Any, specs: list[str]) -> dict[str, list[Path]]:
    tables = {t.name for t in product.tables}
    out: dict[str, list[Path]] = {}
    for spec in specs:
        table, _, raw = spec.partition("=")
        if table not in tables:
            raise RunError(f"--input {spec!r}: product {product.fqn} has no table {table!r}",
                           f"use one of: {', '.join(sorted(tables))}")
        path = Path(raw).expanduser()
        if not path.exists():
            raise RunError(f"--input {spec!r}: {path} does not exist", "check the path")
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        if not files or not all(p.is_file() for p in files):
            raise RunError(f"--input {spec!r}: {path} is not a file (or a directory with files)",
                           "pass a data file, or a directory of data files")
        for file in files:
            if not os.access(file, os.R_OK):
                raise RunError(f"--input {spec!r}: {file} is not readable", "fix its permissions")
        names = [f.name for f in out.get(table, []) + files]
        clash = sorted({n for n in names if names.count(n) > 1})
        if clash:
            raise RunError(f"two inputs for table {table!r} are named {clash[0]!r}: they would land on the same "
                           "raw key", "rename one of them")
        out.setdefault(table, []).extend(files)
    if not out:
        raise RunError("no --input given", f"pass --input TABLE=PATH for one or more of: {', '.join(sorted(tables))}")
    return out


def _stage(script: str, args: list[str], log: Path) -> StageRun:
    env = dict(os.environ)
    env.setdefault("MESHFORM_SPARK_JAVA_OPTIONS", QUICK_JVM)
    env["PYTHONUNBUFFERED"] = "1"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as out:
        code = subprocess.run([sys.executable, str(SCRIPTS / script), *args], cwd=SCRIPTS, stdout=out,
                              stderr=subprocess.STDOUT, env=env, check=False).returncode
    result = error = None
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith(RESULT_MARKER):
            result = json.loads(line[len(RESULT_MARKER):])
        elif line.startswith(ERROR_MARKER):
            error = json.loads(line[len(ERROR_MARKER):])["message"]
    return StageRun(code, result, error, log)


def _print_a(result: dict[str, Any]) -> None:
    for t in result["tables"]:
        line = (f"  {t['table']:<20} {t['files']:>4} file(s) {t['read']:>9} read {t['staged']:>9} staged "
                f"{t['quarantined']:>7} quarantined")
        print(line + (f"   e.g. {t['reasons'][0]}" if t.get("reasons") else ""))


def _print_b(result: dict[str, Any]) -> None:
    for t in result["tables"]:
        if "skipped" in t:
            print(f"  {t['table']:<20} skipped: {t['skipped']}")
            continue
        checks = t["quality"]
        ok = sum(1 for c in checks if c["passed"])
        print(f"  {t['table']:<20} {t['in']:>9} in {t['superseded']:>7} superseded {t['quarantined']:>7} quarantined "
              f"{t['published']:>9} published   quality {'PASSED' if t['passed'] else 'FAILED'} ({ok}/{len(checks)})")
        for c in checks:
            if not c["passed"]:
                kind = "FAILED" if c["blocking"] else "warning"
                print(f"      {kind}: {c['id']}: {c['description']} (value {c['value']}; DQDL: {c['dqdl']})")


def run_pipeline(root: Path, env: str, product_fqn: str, input_specs: list[str], workdir: Path,
                 fmt: str | None = None) -> int:
    from meshform.loader import load_meshes

    mesh = load_meshes(root, [env])[0]        # ValidationFailed: reported by the CLI like `validate`
    try:
        product = mesh.products.get(product_fqn)
        if product is None:
            raise RunError(f"product {product_fqn!r} is not in environment {env!r}",
                           f"use one of: {', '.join(mesh.products) or '(none)'}")
        spec = _pipeline_spec(mesh, product.domain, product.name)
        if spec is None and fmt is None:
            raise RunError(f"{product.fqn} has no pipeline in environments/{env}.yaml "
                           f"(domains.{product.domain}.pipelines.{product.name})",
                           f"add it there, or pass --format {'|'.join(FORMATS)} to try the product anyway")
        if fmt is not None:
            spec = {"format": fmt, "csv": getattr(spec, "csv", None) if spec is not None else None}
        own_specs, foreign_specs = _split_inputs(input_specs)
        inputs = _inputs(product, own_specs)
        planned = pipeline_inputs(mesh, product.domain, product.name, spec) if isinstance(spec, PipelineSpec) \
            else None
        if foreign_specs and planned is None:
            raise RunError(f"--input {next(iter(foreign_specs))}: {product.fqn} has no pipeline with inputs",
                           f"declare domains.{product.domain}.pipelines.{product.name}.inputs first")
        imports, sources = _imports(planned, foreign_specs, workdir.resolve()) if planned else ({}, {})
        try:
            manifest_text = manifest_json(mesh, product, spec)
        except ManifestError as err:
            raise RunError(str(err), "change the pipeline's format in the environment spec") from None
    except RunError as err:
        print(err.render(), file=sys.stderr)
        return 2
    workdir = workdir.resolve()
    manifest = workdir / "manifest" / f"{product.fqn}.json"
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text(manifest_text, encoding="utf-8")
    for table, files in inputs.items():
        landing = workdir / "raw" / product.name / table
        landing.mkdir(parents=True, exist_ok=True)
        for file in files:
            shutil.copy2(file, landing / file.name)       # keeps the modification time: _ingested_at
    tables = ",".join(sorted(inputs))
    common = ["--manifest", str(manifest), "--stage_path", str(workdir / "stage"),
              "--quarantine_path", str(workdir / "quarantine"), "--tables", tables]
    if imports:
        assert planned is not None
        print(f"{product.fqn} ({env}): import  filtered inputs (fine-grained access on Glue)")
        imported = _stage("import_inputs.py", [
            "--JOB_NAME", f"{env}-{product.domain}-{product.name}-import", "--manifest", str(manifest),
            "--inputs", json.dumps(imports, sort_keys=True), "--sources", json.dumps(sources, sort_keys=True),
            "--imports_path", str(_local_imports(planned, workdir))],
            workdir / "logs" / "import.log")
        if (failed := _failed(imported)) is not None:
            return failed
        assert imported.result is not None
        for item in imported.result["inputs"]:
            print(f"  {item['input']:<28} {item['columns']:>3} granted column(s) {item['rows']:>9} rows -> "
                  f"{item['path']}")
    print(f"{product.fqn} ({env}): stage A  raw -> stage")
    a = _stage("stage_a.py", ["--JOB_NAME", f"{env}-{product.domain}-{product.name}-stage-a",
                              "--raw_path", str(workdir / "raw"), *common], workdir / "logs" / "stage_a.log")
    if (failed := _failed(a)) is not None:
        return failed
    assert a.result is not None
    _print_a(a.result)
    print(f"{product.fqn} ({env}): stage B  stage -> analytics")
    b = _stage("stage_b.py", ["--JOB_NAME", f"{env}-{product.domain}-{product.name}-stage-b",
                              "--analytics_path", str(workdir / "analytics"), *common],
               workdir / "logs" / "stage_b.log")
    if b.result is None:
        return _failed(b) or 3
    _print_b(b.result)
    if b.code == 1 or not b.result.get("published"):
        print(f"quality: FAILED - nothing was published; {workdir / 'analytics' / product.name} is unchanged")
        return 1
    if b.code != 0:
        return _failed(b) or 3
    print(f"quality: PASSED - published to {workdir / 'analytics' / product.name}/")
    return 0


def _failed(stage: StageRun) -> int | None:
    if stage.code == 0 and stage.result is not None:
        return None
    if stage.error is not None:
        print(f"error: {stage.error}", file=sys.stderr)
        print(f"nothing was published (log: {stage.log})", file=sys.stderr)
        return 2
    tail = stage.log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
    print(f"error: {stage.log.stem} failed (exit {stage.code}); last lines of {stage.log}:", file=sys.stderr)
    print("\n".join(f"    {line}" for line in tail), file=sys.stderr)
    return 3

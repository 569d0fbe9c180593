"""glue_scripts/ on real local Spark (pyspark 3.5.4, the Glue 5.0 version), with input files the tests write.

The stages run in-process through their real entry points (`meshform_glue.stage_a.run(argv)`, the function
`glue_scripts/stage_a.py` calls) on ONE module-scoped Spark session; the `meshform run-pipeline` tests at the end run
the scripts as subprocesses, exactly as the command does.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from meshform.loader import load_meshes
from meshform.pipeline.manifest import manifest_json
from meshform.pipeline.run import QUICK_JVM
from tests.pipeline_fixtures import GOOD, HEADER, shipments_project, write_csv, write_jsonl

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "glue_scripts"))

pyspark = pytest.importorskip("pyspark")

from meshform_glue import runtime, stage_a, stage_b  # noqa: E402
from meshform_glue.runtime import InputError, QualityFailed  # noqa: E402

T0 = 1_710_000_000            # 2024-03-09T16:00:00Z: raw files' modification times (= _ingested_at)


@pytest.fixture(scope="module")
def spark():
    # The scripts' own local configuration; tiny inputs: C1-only JIT and 2 shuffle partitions (speed, not results).
    os.environ.setdefault("MESHFORM_SPARK_JAVA_OPTIONS", QUICK_JVM)
    os.environ.setdefault("MESHFORM_SPARK_SHUFFLE_PARTITIONS", "2")
    session = runtime.start({"JOB_NAME": "tests"}).spark
    yield session
    session.stop()


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = shipments_project(tmp_path_factory.mktemp("project"))
    mesh = load_meshes(root, ["dev"])[0]
    manifests = {}
    for fmt in ("csv", "json", "parquet"):
        path = root / f"manifest-{fmt}.json"
        path.write_text(manifest_json(mesh, mesh.products["sales.shipments"], {"format": fmt}))
        manifests[fmt] = path
    return root, manifests


class Lake:
    """A work directory laid out like the buckets, and the two stages run against it."""

    def __init__(self, root: Path, manifest: Path):
        self.root, self.manifest = root, manifest
        self.raw = root / "raw" / "shipments" / "shipments"

    def stage_a(self) -> dict:
        return self._run(stage_a.run, ["--raw_path", str(self.root / "raw")])

    def stage_b(self) -> dict:
        return self._run(stage_b.run, ["--analytics_path", str(self.root / "analytics")])

    def _run(self, entry, extra: list[str]) -> dict:
        argv = ["stage.py", "--JOB_NAME", "t", "--manifest", str(self.manifest), "--stage_path",
                str(self.root / "stage"), "--quarantine_path", str(self.root / "quarantine"), *extra]
        self.last = entry(argv)
        return self.last

    def rows(self, spark, layer: str, order: str = "shipment_id") -> list:
        path = self.root / layer / "shipments" / "shipments"
        return spark.read.option("basePath", str(path)).parquet(str(path)).orderBy(order).collect()

    def layout(self, layer: str) -> list[str]:
        base = self.root / layer
        return sorted(str(p.parent.relative_to(base)) for p in base.rglob("*.parquet"))


def lake(tmp_path: Path, project, fmt: str = "csv") -> Lake:
    return Lake(tmp_path / "lake", project[1][fmt])


def result_of(capsys) -> dict:
    import json

    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith(runtime.RESULT_MARKER)]
    return json.loads(lines[-1][len(runtime.RESULT_MARKER):])


BAD = [
    ["S4", "O4", "dhl", "12.7.1", "1", "true", "2024-03-15 08:00:00", "2024-03-15"],     # not a decimal
    ["S5", "O5", "dhl", "1.2345", "1", "true", "2024-03-15 08:00:00", "2024-03-15"],     # would round
    ["S6", "O6", "dhl", "1", "2.5", "true", "2024-03-15 08:00:00", "2024-03-15"],        # not an int
    ["S7", "O7", "dhl", "1", "1", "yes", "2024-03-15 08:00:00", "2024-03-15"],           # not a boolean
    ["S8", "O8", "dhl", "1", "1", "true", "2024-03-15 08:00:00", "2024-02-30"],          # no such day
    ["S9", "O9", "dhl", "1", "1", "true", "2024-03-15 08:00:00", ""],                    # partition key missing
]


def test_csv_is_converted_with_exact_types_partitioned_and_bad_values_quarantined(spark, project, tmp_path, capsys):
    lk = lake(tmp_path, project)
    write_csv(lk.raw / "batch1.csv", GOOD + BAD, mtime=T0)
    stage_a.run(["a", "--JOB_NAME", "t", "--manifest", str(lk.manifest), "--raw_path", str(lk.root / "raw"),
                 "--stage_path", str(lk.root / "stage"), "--quarantine_path", str(lk.root / "quarantine")])
    assert result_of(capsys)["tables"][0] | {"reasons": None} == {
        "table": "shipments", "files": 1, "read": 9, "staged": 3, "quarantined": 6, "reasons": None}
    assert lk.layout("stage") == ["shipments/shipments/ship_date=2024-03-15",
                                  "shipments/shipments/ship_date=2024-03-16"]
    staged = lk.rows(spark, "stage")
    assert [(r.shipment_id, r._source_record, r._ingested_at) for r in staged] == [
        ("S1", 1, dt.datetime(2024, 3, 9, 16, 0)), ("S2", 2, dt.datetime(2024, 3, 9, 16, 0)),
        ("S3", 3, dt.datetime(2024, 3, 9, 16, 0))]
    quarantined = {r.shipment_id: (r._reason, r._source_record, r.weight_kg)
                   for r in lk.rows(spark, "quarantine")}
    assert quarantined == {
        "S4": ("weight_kg: '12.7.1' is not a valid decimal(10,3)", 4, "12.7.1"),
        "S5": ("weight_kg: '1.2345' is not a valid decimal(10,3)", 5, "1.2345"),
        "S6": ("parcels: '2.5' is not a valid int", 6, "1"),
        "S7": ("express: 'yes' is not a valid boolean", 7, "1"),
        "S8": ("ship_date: '2024-02-30' is not a valid date", 8, "1"),
        "S9": ("ship_date: partition key is missing (it names the S3 prefix)", 9, "1"),
    }
    lk.stage_b()
    schema = {f.name: f.dataType.simpleString()
              for f in spark.read.parquet(str(lk.root / "analytics" / "shipments" / "shipments")).schema.fields}
    assert schema == {"shipment_id": "string", "order_id": "string", "carrier": "string", "weight_kg": "decimal(10,3)",
                      "parcels": "int", "express": "boolean", "shipped_ts": "timestamp", "ship_date": "date"}
    files = sorted((lk.root / "analytics" / "shipments" / "shipments").rglob("*.parquet"))
    assert [f.parent.name for f in files] == ["ship_date=2024-03-15", "ship_date=2024-03-16"]
    # The files hold exactly the contract's data columns (the partition key is the directory).
    assert spark.read.parquet(str(files[0])).columns == HEADER[:-1]
    assert [tuple(r) for r in lk.rows(spark, "analytics")] == [
        ("S1", "O1", "dhl", Decimal("1.250"), 1, True, dt.datetime(2024, 3, 15, 8, 0), dt.date(2024, 3, 15)),
        ("S2", "O2", "ups", Decimal("20.000"), 3, False, dt.datetime(2024, 3, 15, 9, 30), dt.date(2024, 3, 15)),
        ("S3", "O3", None, Decimal("0.500"), 2, None, dt.datetime(2024, 3, 16, 10, 0), dt.date(2024, 3, 16)),
    ]


def test_json_and_parquet_inputs_give_the_same_analytics_as_csv(spark, project, tmp_path):
    expected = None
    for fmt in ("csv", "json", "parquet"):
        lk = lake(tmp_path / fmt, project, fmt)
        if fmt == "csv":
            write_csv(lk.raw / "in.csv", GOOD, mtime=T0)
        elif fmt == "json":
            write_jsonl(lk.raw / "in.json", GOOD, mtime=T0)
        else:
            # Typed columns where the type widens without loss (int32 -> decimal, string timestamps parsed).
            frame = spark.createDataFrame(
                [(r[0], r[1], r[2] or None, Decimal(r[3]), int(r[4]), {"true": True, "false": False}.get(r[5]),
                  r[6], r[7]) for r in GOOD],
                "shipment_id string, order_id string, carrier string, weight_kg decimal(8,3), parcels int, "
                "express boolean, shipped_ts string, ship_date string")
            frame.coalesce(1).write.parquet(str(tmp_path / "pq"))
            lk.raw.mkdir(parents=True)
            source = next((tmp_path / "pq").glob("*.parquet"))
            source.rename(lk.raw / "in.parquet")
        lk.stage_a()
        lk.stage_b()
        rows = [tuple(r) for r in lk.rows(spark, "analytics")]
        assert len(rows) == 3
        expected = expected or rows
        assert rows == expected, fmt


def test_latest_wins_by_ingestion_time_then_file_then_record(spark, project, tmp_path):
    lk = lake(tmp_path, project)
    row = ["S1", "O1", "dhl", "1", "1", "true", "2024-03-15 08:00:00", "2024-03-15"]

    def version(order: str, date: str = "2024-03-15") -> list[str]:
        return [row[0], order, *row[2:7], date]

    write_csv(lk.raw / "z_first.csv", [version("old")], mtime=T0)               # earliest, greatest name
    write_csv(lk.raw / "a_later.csv", [version("later", "2024-03-16")], mtime=T0 + 60)
    write_csv(lk.raw / "b_later.csv", [version("tie-loses"), version("tie-wins")], mtime=T0 + 60)
    lk.stage_a()
    result = lk.stage_b()
    assert result == 0
    published = lk.rows(spark, "analytics")
    # T0+60 beats T0; among the two T0+60 files b_later.csv > a_later.csv; in it, the later record wins.
    assert [(r.order_id, r.ship_date) for r in published] == [("tie-wins", dt.date(2024, 3, 15))]
    assert lk.layout("analytics") == ["shipments/shipments/ship_date=2024-03-15"]


def test_contract_rules_quarantine_rows_in_stage_b(spark, project, tmp_path, capsys):
    lk = lake(tmp_path, project)
    write_csv(lk.raw / "in.csv", GOOD + [
        ["S4", "", "dhl", "1", "1", "true", "2024-03-15 08:00:00", "2024-03-15"],       # required order_id
        ["S5", "O5", "royal-mail", "1", "1", "true", "2024-03-15 08:00:00", "2024-03-15"],  # not an accepted carrier
        ["S6", "O6", "ups", "1001", "1", "true", "2024-03-15 08:00:00", "2024-03-15"],  # above the range
        ["S7", "O7", "ups", "1", "0", "true", "2024-03-15 08:00:00", "2024-03-15"],     # below the range
        ["", "O8", "ups", "1", "1", "true", "2024-03-15 08:00:00", "2024-03-15"],       # no key
    ], mtime=T0)
    lk.stage_a()
    lk.stage_b()
    out = result_of(capsys)["tables"][0]
    assert (out["in"], out["superseded"], out["quarantined"], out["published"], out["passed"]) == (8, 0, 5, 3, True)
    reasons = {r.shipment_id: r._reason for r in lk.rows(spark, "quarantine", "_source_record")}
    range_rule = "Parcels are positive and a shipment weighs at most 1000 kg (schema.0.quality.0)"
    assert reasons == {
        "S4": "order_id: required column is missing (null)",
        "S5": "Known carriers only (schema.0.properties.2.quality.0)",
        "S6": range_rule, "S7": range_rule,
        None: "shipment_id: primary key column is missing (null)",
    }
    assert {p.split("/")[-1] for p in lk.layout("quarantine")} == {"rejected_by=stage_b"}


def test_quality_gate_failure_publishes_nothing_and_keeps_the_previous_analytics(spark, project, tmp_path, capsys):
    lk = lake(tmp_path, project)
    write_csv(lk.raw / "day1.csv", GOOD, mtime=T0)
    lk.stage_a()
    lk.stage_b()
    before = [tuple(r) for r in lk.rows(spark, "analytics")]
    # A re-delivery of day1 in which every row breaks the range rule: all current versions are quarantined, the
    # table would be empty and `rowCount > 0` fails.
    write_csv(lk.raw / "day1.csv", [r[:4] + ["0"] + r[5:] for r in GOOD], mtime=T0 + 3600)
    lk.stage_a()
    with pytest.raises(QualityFailed, match="schema.0.quality.1"):
        lk.stage_b()
    out = result_of(capsys)
    assert out["published"] is False
    failed = [o for o in out["tables"][0]["quality"] if not o["passed"]]
    assert [(o["id"], o["dqdl"], o["value"]) for o in failed] == [("schema.0.quality.1", "RowCount > 0", 0)]
    assert [tuple(r) for r in lk.rows(spark, "analytics")] == before
    assert not (lk.root / "analytics" / "_tmp").exists()


def test_running_the_same_input_twice_gives_the_same_output(spark, project, tmp_path):
    lk = lake(tmp_path, project)
    write_csv(lk.raw / "in.csv", GOOD + BAD[:2], mtime=T0)
    snapshots = []
    for _ in range(2):
        lk.stage_a()
        lk.stage_b()
        snapshots.append({layer: ([tuple(r) for r in lk.rows(spark, layer, "_source_record")]
                                  if layer != "analytics" else [tuple(r) for r in lk.rows(spark, layer)],
                                  lk.layout(layer)) for layer in ("stage", "quarantine", "analytics")})
    assert snapshots[0] == snapshots[1]
    assert len(snapshots[0]["stage"][0]) == 3 and len(snapshots[0]["quarantine"][0]) == 2


def test_schema_drift_is_rejected_before_anything_is_written(spark, project, tmp_path):
    lk = lake(tmp_path, project)
    write_csv(lk.raw / "extra.csv", [r + ["x"] for r in GOOD], header=HEADER + ["discount"])
    with pytest.raises(InputError) as extra:
        lk.stage_a()
    assert extra.value.file.endswith("extra.csv") and extra.value.column == "discount"
    assert "not in the contract (schema drift)" in extra.value.problem
    (lk.raw / "extra.csv").unlink()
    write_csv(lk.raw / "missing.csv", [r[:2] + r[3:] for r in GOOD], header=HEADER[:2] + HEADER[3:])
    with pytest.raises(InputError) as missing:
        lk.stage_a()
    assert missing.value.column == "carrier" and "missing" in missing.value.problem
    assert not (lk.root / "stage").exists() and not (lk.root / "quarantine").exists()


def test_parquet_with_a_type_that_does_not_convert_and_files_of_the_wrong_format(spark, project, tmp_path):
    lk = lake(tmp_path, project, "parquet")
    frame = spark.createDataFrame([("S1", "O1", "dhl", 1.5, 1, True, "2024-03-15 08:00:00", "2024-03-15")],
                                  "shipment_id string, order_id string, carrier string, weight_kg double, "
                                  "parcels int, express boolean, shipped_ts string, ship_date string")
    frame.coalesce(1).write.parquet(str(tmp_path / "pq"))
    lk.raw.mkdir(parents=True)
    next((tmp_path / "pq").glob("*.parquet")).rename(lk.raw / "typed.parquet")
    with pytest.raises(InputError) as drift:
        lk.stage_a()
    assert drift.value.column == "weight_kg" and "double" in drift.value.problem
    (lk.raw / "typed.parquet").unlink()
    write_csv(lk.raw / "really.csv", GOOD)
    with pytest.raises(InputError, match="not a readable Parquet file"):
        lk.stage_a()
    csv_lake = Lake(tmp_path / "csvlake", project[1]["csv"])
    write_csv(csv_lake.raw / "semicolons.csv", GOOD, delimiter=";")
    with pytest.raises(InputError, match="missing"):
        csv_lake.stage_a()                    # ';'-separated: one header field, every contract column missing


def test_record_positions_follow_the_file_when_spark_splits_it(spark, project, tmp_path):
    """A file read in several splits (4 KiB here) still numbers its records in file order: what "the later record
    wins" relies on."""
    lk = lake(tmp_path, project)
    rows = [[f"S{i:05d}", f"O{i}", "dhl", "1", "1", "true", "2024-03-15 08:00:00", "2024-03-15"]
            for i in range(1, 2001)]
    write_csv(lk.raw / "big.csv", rows, mtime=T0)
    spark.conf.set("spark.sql.files.maxPartitionBytes", "4096")
    try:
        lk.stage_a()
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    staged = lk.rows(spark, "stage", "_source_record")
    assert len(staged) == 2000
    assert all(r.shipment_id == f"S{r._source_record:05d}" for r in staged)


def test_benchmark_smoke(spark, tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_glue_scripts", REPO / "benchmarks" / "glue_scripts.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    figures = bench.run_benchmark(spark, tmp_path, rows=2000, files=2)
    # 1 % of the generated orders have an amount that is not a decimal: quarantined by stage A.
    assert figures["stage_a"]["rows"] == 2000 and figures["stage_b"]["published"] == 1980
    assert figures["stage_a"]["rows_per_s"] > 0 and figures["stage_b"]["rows_per_s"] > 0


# -- meshform run-pipeline: the scripts as subprocesses, like the command runs them ---------------------------

def _cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "meshform.cli", "--root", str(root), "run-pipeline", *args],
                          capture_output=True, text=True, timeout=300, cwd=REPO)


def test_run_pipeline_end_to_end_then_a_failing_delivery_changes_nothing(project, tmp_path):
    root = project[0]
    data = write_csv(tmp_path / "in" / "shipments.csv", GOOD + BAD[:1], mtime=T0)
    work = tmp_path / "work"
    ok = _cli(root, "--env", "dev", "--product", "sales.shipments", "--input", f"shipments={data}",
              "--workdir", str(work), "--format", "csv")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "4 read         3 staged       1 quarantined" in ok.stdout
    assert "quality PASSED (11/11)" in ok.stdout and "Traceback" not in ok.stdout + ok.stderr
    assert sorted(str(p.relative_to(work)).split("/part-")[0] for p in work.rglob("*.parquet")) == [
        "analytics/shipments/shipments/ship_date=2024-03-15", "analytics/shipments/shipments/ship_date=2024-03-16",
        "quarantine/shipments/shipments/rejected_by=stage_a",
        "stage/shipments/shipments/ship_date=2024-03-15", "stage/shipments/shipments/ship_date=2024-03-16"]
    published = sorted(p.read_bytes() for p in (work / "analytics").rglob("*.parquet"))
    broken = write_csv(tmp_path / "in2" / "shipments.csv", [r[:4] + ["0"] + r[5:] for r in GOOD], mtime=T0 + 60)
    failed = _cli(root, "--env", "dev", "--product", "sales.shipments", "--input", f"shipments={broken}",
                  "--workdir", str(work), "--format", "csv")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "FAILED: schema.0.quality.1: The table is not empty (value 0; DQDL: RowCount > 0)" in failed.stdout
    assert "nothing was published" in failed.stdout
    assert sorted(p.read_bytes() for p in (work / "analytics").rglob("*.parquet")) == published


def test_run_pipeline_bad_input_is_a_clear_error(project, tmp_path):
    root = project[0]
    work = tmp_path / "work"
    good = write_csv(tmp_path / "in" / "s.csv", GOOD)
    cases = [
        (["--product", "sales.nope", "--input", f"shipments={good}"], "product 'sales.nope' is not in environment"),
        (["--product", "sales.shipments", "--input", f"parcels={good}"], "has no table 'parcels'"),
        (["--product", "sales.shipments", "--input", f"shipments={tmp_path / 'no.csv'}"], "no.csv does not exist"),
        (["--product", "sales.shipments", "--input", "shipments"], "is not TABLE=PATH"),
    ]
    for args, message in cases:
        result = _cli(root, "--env", "dev", *args, "--workdir", str(work), "--format", "csv")
        assert result.returncode == 2 and message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
    no_spec = _cli(root, "--env", "dev", "--product", "sales.shipments", "--input", f"shipments={good}",
                   "--workdir", str(work))
    if no_spec.returncode == 2:               # until the spec knows pipelines: the --format hint
        assert "has no pipeline in environments/dev.yaml" in no_spec.stderr and "--format" in no_spec.stderr
    assert not work.exists() or not (work / "stage").exists()
    drift = write_csv(tmp_path / "in" / "drift.csv", [r + ["x"] for r in GOOD], header=HEADER + ["discount"])
    result = _cli(root, "--env", "dev", "--product", "sales.shipments", "--input", f"shipments={drift}",
                  "--workdir", str(work), "--format", "csv")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "drift.csv: discount: column(s) discount are not in the contract (schema drift)" in result.stderr
    assert "Traceback" not in result.stderr and not (work / "analytics").exists()


# -- the import of filtered inputs (glue_scripts/import_inputs.py) ------------------------------------------------
# dev: finance.invoices reads sales.orders; finance gets `orders` through a data cells filter that withholds the
# pii columns customer_email and shipping_postcode, so the pipeline imports it first.

# order_id, customer_id, order_ts, status, channel, currency, total, margin, email, postcode, country, date
ORDER_ROWS = [
    ("o-1", "c-1", dt.datetime(2024, 3, 1, 10, 0), "shipped", "web", "EUR", Decimal("10.50"), Decimal("2.00"),
     "a@example.com", "10115", "DE", dt.date(2024, 3, 1)),
    ("o-2", "c-2", dt.datetime(2024, 3, 2, 11, 30), "open", None, "EUR", Decimal("99.99"), None,
     "b@example.com", "75001", "FR", dt.date(2024, 3, 2)),
]


def _published_orders(spark, path: Path, rows=ORDER_ROWS, drop: str | None = None, text: str | None = None) -> Path:
    """sales.orders.orders as the producer publishes it: every contract column, in its types, Hive-partitioned."""
    from meshform_glue.manifest import table_schema

    mesh = load_meshes(REPO, ["dev"])[0]
    manifest_table = next(t for t in json.loads(manifest_json(
        mesh, mesh.products["sales.orders"], {"format": "csv"}))["tables"] if t["name"] == "orders")
    df = spark.createDataFrame(rows, table_schema(manifest_table))
    if drop:
        df = df.drop(drop)
    if text:
        df = df.withColumn(text, df[text].cast("string"))
    df.write.mode("overwrite").partitionBy("order_date").parquet(str(path))
    return path


def _import_args(tmp_path: Path, source: Path) -> tuple[list[str], dict]:
    from meshform.pipeline.inputs import pipeline_inputs

    mesh = load_meshes(REPO, ["dev"])[0]
    planned = pipeline_inputs(mesh, "finance", "invoices", mesh.spec.domains["finance"].pipelines["invoices"])
    assert sorted(planned.imports) == ["sales.orders.orders"]        # order_lines is read whole
    assert planned.stage_b["sales.orders.order_lines"]["mode"] == "catalog"
    entry = dict(planned.imports["sales.orders.orders"])
    root = tmp_path / "stage" / "imports" / "invoices"
    entry["path"] = str(root / "sales" / "orders")
    manifest = tmp_path / "manifest.json"
    manifest.write_text(manifest_json(mesh, mesh.products["finance.invoices"], {"format": "json"}))
    argv = ["import_inputs.py", "--JOB_NAME", "t", "--manifest", str(manifest),
            "--inputs", json.dumps({"sales.orders.orders": entry}),
            "--sources", json.dumps({"sales.orders.orders": str(source)}), "--imports_path", str(root)]
    return argv, entry


def test_import_keeps_exactly_the_granted_columns_and_replaces_the_snapshot(spark, tmp_path, capsys):
    from meshform_glue import import_inputs

    source = _published_orders(spark, tmp_path / "producer" / "orders")
    argv, entry = _import_args(tmp_path, source)
    assert import_inputs.run(argv) == 0
    assert result_of(capsys)["inputs"] == [{"input": "sales.orders.orders", "columns": 10, "rows": 2,
                                            "path": entry["path"]}]
    out = spark.read.parquet(entry["path"])
    assert out.columns == entry["columns"] and "customer_email" not in out.columns
    assert "shipping_postcode" not in out.columns
    assert [f.dataType.simpleString() for f in out.schema.fields] == [
        "string", "string", "timestamp", "string", "string", "string", "decimal(18,2)", "decimal(18,2)", "string",
        "date"]
    assert sorted(tuple(r) for r in out.collect()) == sorted(
        (r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[10], r[11]) for r in ORDER_ROWS)
    first = sorted(p.read_bytes() for p in Path(entry["path"]).rglob("*.parquet"))
    assert import_inputs.run(argv) == 0                         # idempotent: the same snapshot, byte for byte
    capsys.readouterr()
    assert sorted(p.read_bytes() for p in Path(entry["path"]).rglob("*.parquet")) == first
    _published_orders(spark, source, rows=ORDER_ROWS[:1])       # the producer republished: one order left
    assert import_inputs.run(argv) == 0
    capsys.readouterr()
    assert spark.read.parquet(entry["path"]).count() == 1
    assert not (tmp_path / "stage" / "imports" / "invoices" / "_tmp").exists()


def test_import_rejects_a_drifted_share_and_keeps_the_previous_snapshot(spark, tmp_path, capsys):
    from meshform_glue import import_inputs

    source = _published_orders(spark, tmp_path / "producer" / "orders")
    argv, entry = _import_args(tmp_path, source)
    assert import_inputs.run(argv) == 0
    capsys.readouterr()
    before = sorted(p.read_bytes() for p in Path(entry["path"]).rglob("*.parquet"))
    for drift, message in ((dict(drop="margin_amount"), "margin_amount: input sales.orders.orders: granted column "
                            "margin_amount is not readable"),
                           (dict(text="order_total_amount"), "order_total_amount: input sales.orders.orders: has "
                            "type string, not the contract's type (the producer's contract says decimal(18,2))")):
        _published_orders(spark, source, **drift)
        with pytest.raises(InputError) as err:
            import_inputs.run(argv)
        assert message in err.value.render(), err.value.render()
        assert sorted(p.read_bytes() for p in Path(entry["path"]).rglob("*.parquet")) == before
    bad = list(argv)
    bad[bad.index("--imports_path") + 1] = str(tmp_path / "elsewhere")
    with pytest.raises(InputError, match="is not below --imports_path"):
        import_inputs.run(bad)


def test_run_pipeline_imports_a_filtered_input_first(spark, tmp_path):
    orders = _published_orders(spark, tmp_path / "producer" / "orders")
    invoice = {"invoice_id": "i-1", "customer_id": "c-1", "order_id": "o-1", "cost_center_id": "cc-1",
               "invoice_date": "2024-03-01", "due_date": "2024-03-31", "net_amount": "10.00", "tax_amount": "1.90",
               "gross_amount": "11.90", "currency_code": "EUR", "payment_status": "open", "invoice_month": "2024-03"}
    data = tmp_path / "in" / "invoices.json"
    data.parent.mkdir(parents=True)
    data.write_text(json.dumps(invoice) + "\n", encoding="utf-8")
    work = tmp_path / "work"
    wrong = _cli(REPO, "--env", "dev", "--product", "finance.invoices", "--input", f"invoices={data}",
                 "--input", f"sales.orders.order_lines={orders}", "--workdir", str(work))
    assert wrong.returncode == 2 and "sales.orders.order_lines is not a filtered input of this pipeline (" \
        "sales.orders.order_lines is read whole through the catalog on Glue)" in wrong.stderr, wrong.stderr
    ok = _cli(REPO, "--env", "dev", "--product", "finance.invoices", "--input", f"invoices={data}",
              "--input", f"sales.orders.orders={orders}", "--workdir", str(work))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "sales.orders.orders           10 granted column(s)         2 rows" in ok.stdout, ok.stdout
    imported = spark.read.parquet(str(work / "stage" / "imports" / "invoices" / "sales" / "orders"))
    assert imported.count() == 2 and "customer_email" not in imported.columns
    assert (work / "analytics" / "invoices" / "invoices").is_dir()

"""Hostile and malformed input: one test per class. Every case goes through the CLI (`meshform validate`) on a copied
project and must exit 1 with a message naming the file (and line / field path where there is one) and a fix — never
a traceback, never silent acceptance, nothing written."""
from __future__ import annotations

import errno
import os
import resource
import time
from pathlib import Path

import pytest

from meshform import yamlio
from meshform.cli import main
from tests.conftest import edit_yaml

ENV = "environments/dev.yaml"
ORDERS = "contracts/sales/orders.yaml"


def run_validate(root: Path, capsys, *extra: str) -> tuple[int, str]:
    code = main(["--root", str(root), "validate", *extra])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def assert_rejected(code: int, out: str, *expected: str) -> None:
    assert code == 1, out
    assert "Traceback" not in out
    assert "error(s) found; nothing was written." in out
    for text in expected:
        assert text in out, f"{text!r} not in:\n{out}"


def replace(project: Path, rel: str, old: str, new: str) -> None:
    path = project / rel
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def append(project: Path, rel: str, text: str) -> None:
    path = project / rel
    path.write_text(path.read_text() + text)


# -- YAML constructor errors ------------------------------------------------------------------------------------

@pytest.mark.parametrize("rel,old,new,expected", [
    (ENV, "region: eu-west-1", "region: !!python/object/apply:os.system [echo pwned]",
     "environments/dev.yaml:3: region: the YAML tag '!!python/object/apply:os.system' is not allowed"),
    (ENV, "region: eu-west-1", "region: !foo eu-west-1",
     "environments/dev.yaml:3: region: the YAML tag '!foo' is not allowed"),
    (ENV, "region: eu-west-1", "region: !!int abc",
     "environments/dev.yaml:3: region: cannot read 'abc' as int"),
    (ORDERS, 'version: "1.0.0"', "version: 2024-02-30",
     "contracts/sales/orders.yaml:5: version: cannot read '2024-02-30' as timestamp: day is out of range"),
    (ORDERS, "status: active", "status: !!binary 'not*base64'",
     "contracts/sales/orders.yaml:6: status: the YAML tag '!!binary' is not allowed"),
], ids=["python-object", "custom-tag", "bad-int", "impossible-date", "binary"])
def test_yaml_constructor_errors(project, capsys, rel, old, new, expected):
    replace(project, rel, old, new)
    code, out = run_validate(project, capsys, "--env", "dev")
    assert_rejected(code, out, expected, "fix: ")


# -- odd but plausible YAML: what YAML 1.1 types on its own, blanks, nulls, wrong shapes -----------------------
# Each message says how YAML read the value and gives the form to write (the quoted text where text was meant).

@pytest.mark.parametrize("rel,old,new,expected,fix", [
    (ENV, "region: eu-west-1", "region: yes",
     "environments/dev.yaml:3: region: expected text, got the boolean true (YAML reads unquoted `yes` as a boolean)",
     'fix: quote it: region: "yes"'),
    (ENV, "classifications: [public, internal, confidential, pii]", "classifications: [public, internal, off, pii]",
     "governance.classifications.2: expected text, got the boolean false (YAML reads unquoted `off` as a boolean)",
     'fix: quote it: "off"'),
    (ENV, "retries: 3", "retries: on",
     "domains.finance.pipelines.invoices.retries: expected a whole number, got the boolean true (YAML reads "
     "unquoted `on` as a boolean)", "fix: write a whole number without quotes or units"),
    (ORDERS, "status: active", "status: no",
     "contracts/sales/orders.yaml:6: status: not valid ODCS v3: expected text, got the boolean false (YAML reads "
     "unquoted `no` as a boolean)", 'fix: quote it: status: "no"'),
], ids=["env-string", "env-list-item", "env-integer", "contract-string"])
def test_yaml_1_1_booleans_where_text_or_numbers_are_expected(project, capsys, rel, old, new, expected, fix):
    replace(project, rel, old, new)
    code, out = run_validate(project, capsys, "--env", "dev")
    assert_rejected(code, out, expected, fix)


@pytest.mark.parametrize("old,new,expected,fix", [
    # YAML 1.1: a leading zero is octal; these would be accepted as other numbers, or fail as "not text" without
    # saying why the digits changed.
    ('account_id: "222222222222"', "account_id: 022222222222",
     "environments/dev.yaml:31: domains.sales.account_id: YAML 1.1 reads unquoted `022222222222` (a leading zero) "
     "as the octal number 2454267026", 'fix: quote it: account_id: "022222222222" if the digits are text'),
    ("retries: 3", "retries: 010", "retries: YAML 1.1 reads unquoted `010` (a leading zero) as the octal number 8",
     "or write the number without the leading zero"),
    # base 60: `5:00` was silently accepted as a budget of 300 USD
    ("monthly_budget_usd: 300", "monthly_budget_usd: 5:00",
     "domains.sales.monthly_budget_usd: YAML 1.1 reads unquoted `5:00` as the base-60 (sexagesimal) number 300",
     'fix: write the number in decimal, or quote it: monthly_budget_usd: "5:00" to keep it as text'),
    ("monthly_budget_usd: 300", "monthly_budget_usd: .inf",
     "monthly_budget_usd: YAML reads unquoted `.inf` as inf (not a finite number)", "fix: write a finite number"),
], ids=["octal-account-id", "octal-retries", "sexagesimal-budget", "infinite-budget"])
def test_yaml_1_1_numbers_nobody_means_are_rejected(project, capsys, old, new, expected, fix):
    replace(project, ENV, old, new)
    code, out = run_validate(project, capsys, "--env", "dev")
    assert_rejected(code, out, expected, fix)


def test_values_yaml_misreads_are_reported_with_the_rest_of_the_file(project, capsys):
    # The YAML-level report keeps the value as its source text: the file's other fields are still checked in the
    # same run, and the value itself is reported once (not again as "expected text, got a number").
    replace(project, ENV, "region: eu-west-1", "region: yes")
    replace(project, ENV, "monthly_budget_usd: 300", "monthly_budget_usd: 5:00")
    replace(project, ORDERS, 'version: "1.0.0"', "version: 2024-01-01")
    replace(project, ORDERS, "status: active", "status: no")
    code, out = run_validate(project, capsys, "--env", "dev")
    assert_rejected(code, out, "environments/dev.yaml:3: region: expected text, got the boolean true",
                    "environments/dev.yaml:34: domains.sales.monthly_budget_usd: YAML 1.1 reads unquoted `5:00`",
                    "contracts/sales/orders.yaml:5: version: YAML reads unquoted `2024-01-01` as a date",
                    "contracts/sales/orders.yaml:6: status: not valid ODCS v3: expected text, got the boolean false")
    assert out.count("monthly_budget_usd") == 2 and out.count("orders.yaml:5:") == 1     # message + its fix line


@pytest.mark.parametrize("rel,old,new,expected,fix", [
    (ORDERS, 'version: "1.0.0"', "version: 1.10",
     "contracts/sales/orders.yaml:5: version: not valid ODCS v3: expected text, got the number 1.1 (YAML reads "
     "unquoted `1.10` as a number)", 'fix: quote it: version: "1.10"'),
    (ENV, "  - {subscriber: finance, product: sales.orders}", "  - {subscriber: finance, product: 2.0}",
     "subscriptions.7.product: expected text, got the number 2.0", 'fix: quote it: product: "2.0"'),
], ids=["contract-version", "env-product"])
def test_numbers_where_text_is_expected_name_the_source_text(project, capsys, rel, old, new, expected, fix):
    replace(project, rel, old, new)
    code, out = run_validate(project, capsys, "--env", "dev")
    assert_rejected(code, out, expected, fix)


@pytest.mark.parametrize("rel,old,new,expected", [
    (ORDERS, 'version: "1.0.0"', "version: 2024-01-01",
     "contracts/sales/orders.yaml:5: version: YAML reads unquoted `2024-01-01` as a date"),
    (ORDERS, "status: active", "status: active\ncontractCreatedTs: 2024-01-01T10:00:00Z",
     "contracts/sales/orders.yaml:7: contractCreatedTs: YAML reads unquoted `2024-01-01T10:00:00Z` as a date"),
    (ENV, "region: eu-west-1", "region: 2024-01-01", "environments/dev.yaml:3: region: YAML reads unquoted"),
], ids=["contract-version", "contract-timestamp", "env-region"])
def test_unquoted_dates(project, capsys, rel, old, new, expected):
    # contracts: this was a traceback (the ODCS schema validator cannot read a date object)
    replace(project, rel, old, new)
    code, out = run_validate(project, capsys, "--env", "dev")
    assert_rejected(code, out, expected, "fix: quote it: ")


@pytest.mark.parametrize("rel,old,new,expected,fix", [
    (ENV, "owner: sales-data@acme.example", "owner:",
     "environments/dev.yaml:32: domains.sales.owner: expected text, got an empty value (YAML reads a key without a "
     "value as null)", "fix: write the value after `owner:`"),
    (ENV, "region: eu-west-1", "region: ~", "region: expected text, got null (YAML reads unquoted `~` as null)",
     "fix: write the value after `region:`"),
    (ENV, "  marketing:\n    account_id", "  marketing:\n  hr:\n    account_id",
     "domains.marketing: expected a mapping of its fields, got an empty value", "fix: write the value after"),
    (ORDERS, "    properties:\n      - name: order_id", "    properties:\n    xprops:\n      - name: order_id",
     "schema.0.properties: not valid ODCS v3: expected a list, got an empty value",
     "fix: write the value after `properties:`"),
], ids=["env-string", "env-tilde", "env-mapping", "contract-list"])
def test_empty_values(project, capsys, rel, old, new, expected, fix):
    replace(project, rel, old, new)
    code, out = run_validate(project, capsys, "--env", "dev")
    assert_rejected(code, out, expected, fix)


@pytest.mark.parametrize("rel,old,new,expected,fix", [
    (ENV, "admins: [arn:aws:iam::222222222222:role/SalesDataSteward]",
     "admins: arn:aws:iam::222222222222:role/SalesDataSteward",
     "domains.sales.admins: expected a list, got 'arn:aws:iam::222222222222:role/SalesDataSteward'",
     "fix: write a list, e.g. admins: [arn:aws:iam::222222222222:role/SalesDataSteward]"),
    (ENV, "region: eu-west-1", "region: [eu-west-1]", "region: expected text, got a list of 1 item(s)",
     "fix: write one text value"),
    (ENV, "governance:\n  account_id", "governance: yes\nxgov:\n  account_id",
     "governance: expected a mapping of its fields, got the boolean true", "fix: write governance as a mapping"),
    (ENV, "    columns:\n      customers:", "    columns:\n      - customers:",
     "subscriptions.5.columns: expected a mapping, got a list of 1 item(s)", "fix: write columns as a mapping"),
    (ENV, "  type: local", "  type: yes",
     "environments/dev.yaml:8: backend.type: the boolean true (YAML reads unquoted `yes` as a boolean) is not a "
     "backend type", "fix: set backend.type to local, s3 or cloud"),
    (ENV, "  type: local", "  bucket: acme-state", "environments/dev.yaml:7: backend: the backend has no `type`",
     "fix: add `type: local` (or s3, cloud) under backend"),
    (ENV, "mode: serverless", "mode: on",
     "domains.sales.redshift.mode: Input should be 'serverless' or 'provisioned', got the boolean true",
     "fix: use one of the allowed values"),
    (ORDERS, "        required: true", "        required: yes please",
     "schema.0.properties.0.required: not valid ODCS v3: expected true or false, got 'yes please'",
     "fix: write required: true or required: false"),
], ids=["text-for-list", "list-for-text", "boolean-for-mapping", "list-for-mapping", "backend-type",
        "backend-without-type", "enum", "contract-boolean"])
def test_wrong_shapes_at_every_level(project, capsys, rel, old, new, expected, fix):
    replace(project, rel, old, new)
    code, out = run_validate(project, capsys, "--env", "dev")
    assert_rejected(code, out, expected, fix)


@pytest.mark.parametrize("old,new,expected,fix,absent", [
    # the ODCS schema's oneOf over the operators: the one alternative whose key is present says what is wrong
    ("        mustBeGreaterThan: 0", "        mustBeGreaterThan: none",
     "contracts/sales/orders.yaml:252: schema.1.quality.1.mustBeGreaterThan: not valid ODCS v3: expected a number, "
     "got 'none'", "fix: write mustBeGreaterThan as a number without quotes or units", "oneOf"),
    # an enum: reported once, with the values; the schema's echo ("unevaluated properties" of the same rule) dropped
    ("metric: duplicateValues", "metric: yes",
     "schema.0.quality.0.metric: not valid ODCS v3: expected one of 'nullValues', 'missingValues', "
     "'invalidValues', 'duplicateValues', 'rowCount', got the boolean true (YAML reads unquoted `yes` as a boolean)",
     "fix: use one of the values", "Unevaluated"),
    # a typo next to another error is still reported, as an unknown key
    ("    properties:\n      - name: order_id", "    properties:\n    propertys:\n      - name: order_id",
     "contracts/sales/orders.yaml:32: schema.0: not valid ODCS v3: unknown key(s) 'propertys' here",
     "fix: remove them or fix their spelling", "Unevaluated"),
    ("          properties:\n            - order_id", "          properties: order_id",
     "schema.0.quality.0.arguments.properties: arguments.properties must be a non-empty list of column names, got "
     "'order_id'", "fix: write the column names as a list", "needs arguments.properties"),
    ("        mustBe: 0\n        dimension: uniqueness", "        mustBe: no\n        dimension: uniqueness",
     "schema.0.quality.0.mustBe: mustBe must be a number, not the boolean false", "fix: write e.g. mustBe: 0",
     "not False"),
    ("    value: 1\n    unit: h", "    value:\n    unit: h",
     "slaProperties.0.value: the freshness term's value is an empty value (YAML reads a key without a value as "
     "null); it must be a positive number", "fix: write e.g. value: 24 with unit: h", "None"),
], ids=["one-of-operator", "enum", "typo-next-to-an-error", "quality-properties", "quality-operator", "sla-value"])
def test_contract_schema_errors_name_the_value_and_the_fix(project, capsys, old, new, expected, fix, absent):
    replace(project, ORDERS, old, new)
    code, out = run_validate(project, capsys, "--env", "dev")
    assert_rejected(code, out, expected, fix)
    assert absent not in out


@pytest.mark.parametrize("rel,old,new,expected", [
    (ENV, "    owner: sales-data@acme.example", "\towner: sales-data@acme.example",
     "environments/dev.yaml:32: <top>: YAML syntax error at line 32: while scanning for the next token, found "
     "character that cannot start any token — line 32 is indented with a tab (column 1); YAML indents with spaces"),
    (ORDERS, "        required: true", "\t\trequired: true", "line 43 is indented with a tab (column 1)"),
    (ENV, "    owner: sales-data@acme.example", "\u00a0   owner: sales-data@acme.example",
     "environments/dev.yaml:32: <top>: YAML syntax error at line 33: mapping values are not allowed in this context "
     "— line 32 is indented with a non-breaking space (U+00A0) (column 1)"),
], ids=["env-tab", "contract-tab", "env-no-break-space"])
def test_tabs_and_look_alike_spaces_in_indentation(project, capsys, rel, old, new, expected):
    replace(project, rel, old, new)
    code, out = run_validate(project, capsys, "--env", "dev")
    assert_rejected(code, out, expected, "with spaces")


def test_byte_order_mark_and_crlf_line_ends_are_ordinary_input(project, capsys):
    # Windows editors write both: the same content must validate exactly like the LF, BOM-less files.
    for rel in (ENV, ORDERS):
        path = project / rel
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    code, out = run_validate(project, capsys, "--env", "dev")
    assert code == 0, out
    replace(project, ENV, "region: eu-west-1", "region: yes")          # lines still count from 1 after the BOM
    code, out = run_validate(project, capsys, "--env", "dev")
    assert_rejected(code, out, "environments/dev.yaml:3: region: expected text, got the boolean true")


def test_multiple_documents_are_rejected(project, capsys):
    append(project, ORDERS, "---\nkind: DataContract\n")
    code, out = run_validate(project, capsys, "--env", "dev")
    assert_rejected(code, out, "contracts/sales/orders.yaml:", "more than one YAML document",
                    "fix: keep exactly one document per file")


# -- alias loops, alias bombs, deep nesting ---------------------------------------------------------------------

def _billion_laughs(levels: int = 12, width: int = 10) -> str:
    lines = ['lol0: &l0 "lol"']
    lines += [f"lol{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_rejected_fast_with_bounded_memory(project, capsys):
    # 10^11 strings if expanded; refused while streaming the parser's events.
    (project / ORDERS).write_text(_billion_laughs())
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    code, out = run_validate(project, capsys, "--env", "dev")
    elapsed = time.perf_counter() - started
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    assert_rejected(code, out, "contracts/sales/orders.yaml:1: lol0: YAML anchors and aliases are not allowed",
                    "fix: write the value out in full: YAML anchors (&name) and aliases (*name) are not allowed")
    assert elapsed < 1.0, elapsed
    assert grown_mb < 50, grown_mb


def test_alias_loop_is_rejected(project, capsys):
    append(project, ENV, "loop: &a [*a]\n")
    code, out = run_validate(project, capsys, "--env", "dev")
    assert_rejected(code, out, "environments/dev.yaml:", "loop: YAML anchors and aliases are not allowed")


def test_anchors_are_refused_even_when_harmless(project, capsys):
    replace(project, ENV, "  sales:\n    account_id:", "  sales: &sales\n    account_id:")
    code, out = run_validate(project, capsys, "--env", "dev")
    assert_rejected(code, out, "environments/dev.yaml:30: domains.sales: YAML anchors and aliases are not allowed")


@pytest.mark.parametrize("rel,nested", [
    (ENV, "deep: " + "[" * 20000 + "]" * 20000 + "\n"),
    (ORDERS, "customProperties: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n"),
], ids=["flow-sequences-env", "flow-mappings-contract"])
def test_deeply_nested_flow_collections(project, capsys, rel, nested):
    append(project, rel, nested)
    code, out = run_validate(project, capsys, "--env", "dev")
    assert_rejected(code, out, f"{rel}:", "the document nests deeper than 64 levels", "fix: flatten it")
    assert "RecursionError" not in out


def test_deeply_nested_column_type(project, capsys):
    replace(project, ORDERS, "physicalType: string", "physicalType: " + "array<" * 5000 + "string" + ">" * 5000)
    code, out = run_validate(project, capsys, "--env", "dev")
    assert_rejected(code, out, "contracts/sales/orders.yaml:41: schema.0.properties.0.physicalType:",
                    "types nest at most 32 levels deep")


# -- unreadable files and directories, long names, encodings -----------------------------------------------------

def _deny(monkeypatch, target: Path) -> None:
    """Permission denied on `target` (chmod 000; as root, which bypasses modes, the OS calls are made to fail)."""
    target.chmod(0)
    if os.geteuid() != 0:
        return
    real_open, real_scandir = open, os.scandir

    def fake_open(path, *args, **kwargs):
        if Path(path) == target:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    def fake_scandir(path="."):
        if Path(path) == target:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(yamlio, "open", fake_open, raising=False)
    monkeypatch.setattr(os, "scandir", fake_scandir)


def test_unreadable_contract_file(project, capsys, monkeypatch):
    _deny(monkeypatch, project / ORDERS)
    try:
        code, out = run_validate(project, capsys, "--env", "dev")
    finally:
        (project / ORDERS).chmod(0o644)
    assert_rejected(code, out, "contracts/sales/orders.yaml: <top>: permission denied",
                    "fix: make it readable",
                    "unknown product 'sales.orders' (contracts/sales/orders.yaml has errors, see above)")


def test_unreadable_contract_directory_does_not_drop_products(project, capsys, monkeypatch):
    _deny(monkeypatch, project / "contracts" / "sales")
    try:
        code, out = run_validate(project, capsys, "--env", "dev")
    finally:
        (project / "contracts" / "sales").chmod(0o755)
    assert_rejected(code, out, "contracts/sales/: <top>: permission denied: the directory cannot be listed",
                    "fix: make it readable and searchable")


def test_directory_where_a_file_is_expected(project, capsys):
    (project / ORDERS).unlink()
    (project / ORDERS).mkdir()
    (project / "environments" / "qa.yaml").mkdir()
    code, out = run_validate(project, capsys)
    assert_rejected(code, out, "contracts/sales/orders.yaml: <top>: is a directory, but a YAML file is expected",
                    "environments/qa.yaml: <top>: is a directory", "fix: replace the directory with a file")


def test_broken_symlinks(project, capsys):
    (project / ORDERS).unlink()
    (project / ORDERS).symlink_to(project / "nowhere.yaml")
    os.symlink(project / "no-such-dir", project / "contracts" / "hr")
    edit_yaml(project / ENV, lambda d: d["domains"].update(hr={
        "account_id": "777777777777", "owner": "hr@acme.example", "cost_center": "CC-7"}))
    code, out = run_validate(project, capsys, "--env", "dev")
    assert_rejected(code, out, "contracts/sales/orders.yaml: <top>: broken symbolic link",
                    "contracts/hr/: <top>: broken symbolic link", "fix: point the link at an existing")


def test_contract_that_is_not_a_regular_file(project, capsys):
    (project / ORDERS).unlink()
    os.mkfifo(project / ORDERS)               # reading a FIFO would block forever
    code, out = run_validate(project, capsys, "--env", "dev")
    assert_rejected(code, out, "contracts/sales/orders.yaml: <top>: is not a regular file")


def test_over_long_names(project, capsys, tmp_path):
    # a 300-character domain name would be a directory name the file system refuses (ENAMETOOLONG)
    edit_yaml(project / ENV, lambda d: d["domains"].update({"d" * 300: {
        "account_id": "777777777777", "owner": "x@acme.example", "cost_center": "CC-7"}}))
    code, out = run_validate(project, capsys, "--env", "dev")
    assert_rejected(code, out, "environments/dev.yaml:", f"domain name '{'d' * 300}' must be 2-30")
    # and a project root whose path the file system refuses
    code, out = run_validate(tmp_path / ("r" * 300), capsys)
    assert_rejected(code, out, "environments/: <top>: the directory name (or its path) is too long for the file system")


def test_non_utf8_bytes(project, capsys):
    (project / ORDERS).write_bytes((project / ORDERS).read_bytes().replace(b"Sales Orders", b"Sales \xff\xfe"))
    code, out = run_validate(project, capsys, "--env", "dev")
    assert_rejected(code, out, "contracts/sales/orders.yaml:4: <top>: not UTF-8: byte 0xff at line 4",
                    "fix: save the file as UTF-8")


def test_control_characters_in_names_are_escaped(project, capsys):
    edit_yaml(project / ENV, lambda d: d["domains"].update({"x\x1b[2J": d["domains"].pop("finance")}))
    code, out = run_validate(project, capsys, "--env", "dev")
    assert_rejected(code, out, "domains.x\\x1b[2J")
    assert "\x1b" not in out


# -- semantic holes: clearance outside the ontology, empty and null documents -------------------------------------

def test_clearance_outside_ontology_does_not_crash_later_checks(project, capsys):
    # sales subscribes to marketing.campaigns: the subscription checks compare against its clearance
    edit_yaml(project / ENV, lambda d: d["domains"]["sales"].update(clearance="secret"))
    edit_yaml(project / ENV, lambda d: d["consumers"]["analytics"].update(clearance="top-secret"))
    code, out = run_validate(project, capsys, "--env", "dev")
    assert_rejected(code, out, "domains.sales.clearance: clearance 'secret' is not in governance.classifications",
                    "consumers.analytics.clearance: clearance 'top-secret' is not in",
                    "fix: use one of: public, internal, confidential, pii")


@pytest.mark.parametrize("rel,content,expected", [
    (ORDERS, "", "contracts/sales/orders.yaml: <top>: the file is empty"),
    (ORDERS, "# only a comment\n", "contracts/sales/orders.yaml: <top>: the file is empty"),
    (ORDERS, "~\n", "contracts/sales/orders.yaml:1: <top>: the document is null"),
    (ORDERS, "--- null\n", "contracts/sales/orders.yaml:1: <top>: the document is null"),
    (ENV, "null\n", "environments/dev.yaml:1: <top>: the document is null"),
], ids=["empty-contract", "comment-only-contract", "null-contract", "explicit-null-contract", "null-env"])
def test_empty_and_null_documents(project, capsys, rel, content, expected):
    (project / rel).write_text(content)
    code, out = run_validate(project, capsys)
    assert_rejected(code, out, expected, "fix: add the document's content")


# -- patterns: ASCII only, no trailing newline, partitions, AWS length limits -----------------------------------

@pytest.mark.parametrize("change,expected", [
    (lambda d: d["domains"]["sales"].update(account_id="\u0662" * 12),
     "domains.sales.account_id: '" + "\u0662" * 12 + "' is not a valid AWS account ID"),
    (lambda d: d["domains"]["sales"].update(account_id="222222222222\n"),
     "domains.sales.account_id: '222222222222\\n' is not a valid AWS account ID"),
    (lambda d: d["governance"].update(admins=["arn:aws:iam::111111111111:role/D\u00e4taAdmin"]),
     "governance.admins.0: 'arn:aws:iam::111111111111:role/D\u00e4taAdmin' is not a valid IAM role or user ARN"),
    (lambda d: d["governance"].update(admins=["arn:aws:iam::111111111111:role/Admin\n"]),
     "governance.admins.0: 'arn:aws:iam::111111111111:role/Admin\\n' is not a valid IAM role or user ARN"),
    (lambda d: d["governance"].update(admins=["arn:aws-foo:iam::111111111111:role/Admin"]),
     "unknown ARN partition 'aws-foo' (AWS partitions are aws, aws-cn, aws-us-gov; meshform supports aws)"),
    (lambda d: d["governance"].update(admins=["arn:aws-cn:iam::111111111111:role/Admin"]),
     "partition 'aws-cn' (China Regions) is not supported"),
    (lambda d: d.update(region="cn-north-1"),
     "region: region cn-north-1: partition 'aws-cn' (China Regions) is not supported"),
    (lambda d: d["governance"].update(admins=["arn:aws:iam::111111111111:role/" + "a" * 65]),
     "IAM role name 'aaaaaaaaaaaaaaaaaaaa'... is 65 characters; IAM allows 64"),
    (lambda d: d["governance"].update(admins=["arn:aws:iam::111111111111:role/" + "p/" * 300 + "Admin"]),
     "IAM path is 601 characters; IAM allows 512"),
    (lambda d: d.update(deploy_role="d" * 65), "deploy_role: '" + "d" * 65 + "' has the wrong format"),
    (lambda d: d.update(deploy_role="mesh-deploy\n"), "deploy_role: 'mesh-deploy\\n' has the wrong format"),
    (lambda d: d["domains"]["sales"].update(owner="a" * 250 + "@acme.example"),
     "domains.sales.owner: owner e-mail address (it becomes the mesh:owner tag"),
    (lambda d: d["domains"]["sales"].update(owner="o'brien@acme.example"),
     "domains.sales.owner: \"o'brien@acme.example\" is not a valid owner e-mail address"),
    (lambda d: d["domains"]["sales"].update(description="x" * 1001),
     "domains.sales.description: description is 1001 characters; at most 1000 are allowed"),
    (lambda d: d["consumers"]["analytics"].update(description="BI\x00dashboards"),
     "consumers.analytics.description: description contains the control character U+0000"),
    (lambda d: d["domains"].update({"finance\n": d["domains"].pop("finance")}),
     "domains.finance\\n: domain name 'finance\\n' must be 2-30 lower-case letters"),
    (lambda d: d["backend"].update(type="s3", bucket="acme-state", region="eu-west-1",
                                   role_arn="arn:aws-us-gov:iam::999999999999:role/state"),
     "is in partition 'aws-us-gov' but the state bucket's region eu-west-1 is in 'aws'"),
], ids=["arabic-digits-account", "newline-account", "unicode-role", "newline-role", "unknown-partition",
        "china-partition", "china-region", "role-name-64", "role-path-512", "deploy-role-64", "newline-deploy-role",
        "owner-tag-256", "owner-tag-chars", "description-1000", "description-control", "newline-domain",
        "backend-partition"])
def test_patterns_and_aws_limits(project, capsys, change, expected):
    edit_yaml(project / ENV, change)
    code, out = run_validate(project, capsys, "--env", "dev")
    assert_rejected(code, out, "environments/dev.yaml:", expected, "fix: ")


@pytest.mark.parametrize("old,new,expected", [
    ("physicalType: string", "physicalType: char(0)", "'char(0)' is not a Glue/Hive column type (char length 0 "
                                                      "is outside 1..255)"),
    ("physicalType: string", "physicalType: char(256)", "char length 256 is outside 1..255"),
    ("physicalType: string", "physicalType: varchar(70000)", "varchar length 70000 is outside 1..65535"),
    ("physicalType: string", "physicalType: varchar(0)", "varchar length 0 is outside 1..65535"),
    ("physicalType: decimal(18,2)", "physicalType: decimal(39,2)", "decimal precision 39 is outside 1..38"),
    ("physicalType: decimal(18,2)", "physicalType: decimal(0)", "decimal precision 0 is outside 1..38"),
    ("physicalType: decimal(18,2)", "physicalType: decimal(10,11)", "decimal scale 11 is larger than its precision"),
    ("physicalType: decimal(18,2)", "physicalType: decimal(\u0661\u0668,\u0662)", "is not a Glue/Hive column type"),
    ("physicalName: order_id", 'physicalName: "order_id\\n"', "column name 'order_id\\n' must be lower-case"),
    ("physicalName: customer_id", "physicalName: customer_\u00efd", "column name 'customer_\u00efd' must be"),
    ("physicalName: customer_id", "physicalName: customer_\u0661", "column name 'customer_\u0661' must be"),
    ("physicalName: orders\n", 'physicalName: "orders\\n"\n', "table name 'orders\\n' must be lower-case"),
], ids=["char-0", "char-256", "varchar-70000", "varchar-0", "decimal-39", "decimal-0", "decimal-scale",
        "decimal-arabic-digits", "newline-column", "unicode-column", "arabic-digit-column", "newline-table"])
def test_contract_names_and_column_types(project, capsys, old, new, expected):
    replace(project, ORDERS, old, new)
    code, out = run_validate(project, capsys, "--env", "dev")
    assert_rejected(code, out, "contracts/sales/orders.yaml:", expected, "fix: ")


def test_valid_parametrized_types_are_still_accepted(project, capsys):
    # orders' pipeline reads CSV, which cannot carry a map column: read it as JSON for this contract.
    spec = project / "environments" / "dev.yaml"
    spec.write_text(spec.read_text().replace("format: csv", "format: json").replace(
        '        csv: {header: true, delimiter: ","}\n', ""))
    text = (project / ORDERS).read_text()
    for new in ("char(1)", "char(255)", "varchar(65535)", "decimal(38,38)", "decimal(15)",
                "map<string,array<struct<a:decimal(10,2),b:varchar(10)>>>"):
        text = text.replace("physicalType: string\n", f"physicalType: {new}\n", 1)
    (project / ORDERS).write_text(text)
    code, out = run_validate(project, capsys, "--env", "dev")
    assert code == 0, out


# -- --env and stray contracts ------------------------------------------------------------------------------------

def test_env_selection_still_reports_stray_and_misnamed_contracts(project, capsys):
    (project / "contracts" / "sales" / "orders.yaml").rename(project / "contracts" / "sales" / "orders.yml")
    (project / "contracts" / "hr").mkdir()
    (project / "contracts" / "hr" / "people.yaml").write_text("kind: DataContract\n")
    code, out = run_validate(project, capsys, "--env", "dev")
    assert_rejected(code, out,
                    "contracts/sales/orders.yml: <top>: contracts must end in .yaml; this file is ignored",
                    "fix: rename it to orders.yaml",
                    "unknown product 'sales.orders' (contracts/sales/orders.yml must be renamed to orders.yaml)",
                    "contracts/hr/: <top>: domain 'hr' has contracts but is not declared in any environment")
    assert "no contract contracts/sales/orders.yaml" not in out


def test_env_selection_skips_the_orphan_check_only_when_undecidable(project, capsys):
    (project / "environments" / "prod.yaml").write_text("domains: [unparsable\n")
    (project / "contracts" / "hr").mkdir()
    (project / "contracts" / "hr" / "people.yaml").write_text("kind: DataContract\n")
    code, out = run_validate(project, capsys, "--env", "dev")
    # prod's domains are unknown, so whether hr belongs to it cannot be decided: dev alone is valid
    assert code == 0, out
    code, out = run_validate(project, capsys)
    assert_rejected(code, out, "environments/prod.yaml:", "YAML syntax error")


def test_yml_environment_file_is_reported(project, capsys):
    (project / "environments" / "prod.yaml").rename(project / "environments" / "prod.yml")
    code, out = run_validate(project, capsys)
    assert_rejected(code, out, "environments/prod.yml: <top>: environment files must end in .yaml",
                    "fix: rename it to prod.yaml")


def _mutations(count: int) -> list[str]:
    """Bundled files with lines replaced or extended by YAML that is odd in every way this module checks."""
    import random
    rng = random.Random(11)
    root = Path(__file__).resolve().parent.parent
    bases = [p.read_text() for p in sorted(root.glob("environments/*.yaml")) + sorted(root.glob("contracts/*/*.yaml"))]
    odd = ["&a x", "*a", "!!python/object x", "!local x", "!!str 5", "!!int abc", "yes", "No", "~", "null", "5:00",
           "010", "2024-01-01", "2024-02-30", ".inf", "<<: {a: 1}", "? [a]\n  : b", "{a: 1, a: 2}", "\tx", "---",
           "'q'", "[1, yes, ~]", "- x", "0x1F", "1e3", "=", "!", "{? [x]: 1}", "k: &b v", "'a': 1", "true: x", "1: y",
           "9" * 5000, "-12", "1_000", "0", "00", "+1", "0b11", "Yes", "NULL", "1.5", "[2, on]"]
    out = list(bases)
    for _ in range(count):
        lines = rng.choice(bases).split("\n")
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(lines))
            key, colon, _ = lines[i].partition(":")
            piece = rng.choice(odd)
            lines[i] = f"{key}: {piece}" if colon and rng.random() < 0.5 else lines[i] + " " + piece
        out.append("\n".join(lines))
    return out


def test_inline_event_path_reads_everything_as_the_general_path_does(monkeypatch):
    """The event loop takes plain keys and text values inline (meshform/yamlio.py, for speed at 1,000 contracts):
    on bundled files and 1,500 mutations of them it must give the same data, lines, source texts and errors as the
    general path it shortcuts."""
    from meshform.errors import ErrorList

    def read(text: str) -> tuple:
        errors = ErrorList()
        data, lines = yamlio.parse_yaml(text, errors, "f.yaml")
        shape = None if lines is None else (dict(lines), lines.plain, sorted(lines.reported))
        return repr(data), shape, [repr(e) for e in errors.errors]

    inputs = _mutations(1500)
    inline = [read(text) for text in inputs]
    monkeypatch.setattr(yamlio, "INLINE_COMMON_EVENTS", False)
    general = [read(text) for text in inputs]
    differ = [inputs[i][:200] for i, (a, b) in enumerate(zip(inline, general, strict=True)) if a != b]
    assert not differ
    assert sum(1 for _, _, errors in general if errors) > 500          # the mutations do reach the checks
    assert sum(1 for data, _, errors in general if not errors and data != "None") > 10

"""`meshform catalog`: the static product catalog and mesh graph.

The generated HTML is checked against the access model it must mirror (meshform/access.py), for byte-identical
re-runs and for escaping of hostile spec/contract values; then every page is opened in headless Chromium (one
browser for the module, tests/browser.py): no console error, no network request, every link resolves, the graph
shows every domain and subscriber, search works as a person types. Screenshots land in a tmp directory (printed);
`UPDATE_SCREENSHOT=1` also refreshes the README's picture, docs/images/catalog.png."""
from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

import pytest

from meshform import access as am
from meshform import ops_names
from meshform.access_report import access_rows
from meshform.catalog_site import names, render_site
from meshform.catalog_site.graph import mesh_graph
from meshform.catalog_site.views import environment_view
from meshform.cli import main
from meshform.loader import load_meshes
from meshform.redshift.model import redshift_accesses
from meshform.spec.mesh import Mesh
from tests.browser import Browser, chromium_or_skip
from tests.conftest import REPO, copy_project, edit_yaml

# Markup, a template expression and a comment opener: each must come out as the same characters, as text.
HOSTILE = "<script>alert('catalog-xss')</script><img src=x onerror=alert(2)> & \"q\" </script><!-- {{ 7*7 }}"
README_SCREENSHOT = REPO / "docs" / "images" / "catalog.png"


# -- helpers ---------------------------------------------------------------------------------------------------
class Element:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Element | None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Element] = []
        self.parts: list[str | Element] = []

    @property
    def text(self) -> str:
        return "".join(p if isinstance(p, str) else p.text for p in self.parts)

    def iter(self):
        yield self
        for child in self.children:
            yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        return [e for e in self.iter() if (tag is None or e.tag == tag)
                and all(e.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def find(self, tag: str | None = None, **attrs: str) -> Element:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag}> with {attrs}"
        return found[0]


_VOID = {"meta", "link", "input", "br", "img", "hr", "area", "base", "col", "embed", "source", "track", "wbr"}


class _TreeBuilder(HTMLParser):
    """The stdlib parser (convert_charrefs: text comes back unescaped, as a browser shows it) into a small tree."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(element)
        self.current.parts.append(element)
        if tag not in _VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.current = self.current.parent or self.root

    def handle_endtag(self, tag):
        node: Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.parts.append(data)


def parse(path: Path) -> Element:
    builder = _TreeBuilder()
    builder.feed(path.read_text(encoding="utf-8"))
    builder.close()
    return builder.root


def _facts(page: Element) -> dict[str, str]:
    """The page's <dl class="facts">: term -> its description's text, whitespace collapsed."""
    items = page.find("dl", **{"class": "facts"}).children
    return {dt.text: " ".join(dd.text.split()) for dt, dd in zip(items[::2], items[1::2], strict=True)}


def _model_rows(mesh: Mesh) -> set[tuple]:
    """(subscriber, product, table, channel, mechanism slug, readable, withheld) of every access, straight from
    the two access models: Lake Formation (effective_accesses) and Redshift (redshift_accesses)."""
    rows = {(a.subscriber, a.product, a.table, "lakeformation", am.SLUG[a.mechanism], a.columns, a.hidden)
            for a in am.effective_accesses(mesh)}
    rows |= {(r.subscriber, r.product, o.table, "redshift", "datashare", o.columns, o.withheld)
             for r in redshift_accesses(mesh) for o in r.share.objects}
    return rows


def _shown_rows(row: Element, subscriber: str | None = None, product: str | None = None) -> tuple:
    """The same tuple, read back from an access row of a subscriber page."""
    return (subscriber or row.attrs["data-subscriber"], product or row.attrs["data-product"], row.attrs["data-table"],
            row.attrs["data-channel"], row.attrs["data-mechanism"],
            tuple(c.text for c in row.find("td", **{"class": "cols"}).find_all("code")),
            tuple(li.attrs["data-column"] for li in row.find_all("li") if "data-column" in li.attrs))


@dataclass
class Site:
    root: Path
    out: Path
    meshes: dict[str, Mesh]

    def page(self, env: str, rel: str) -> Element:
        return parse(self.out / env / rel)

    def html_files(self) -> list[Path]:
        return sorted(self.out.rglob("*.html"))

    def pages(self) -> list[Path]:
        """What a browser opens: every HTML page and the graph on its own (graph.svg)."""
        return sorted([*self.out.rglob("*.html"), *self.out.rglob("*.svg")])


def _build(root: Path, out: Path, *args: str) -> str:
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        assert main(["--root", str(root), "catalog", "--out", str(out), *args]) == 0
    return stdout.getvalue()


def _hostile_project(root: Path) -> Path:
    copy_project(root)

    def contract(d):
        d["name"] = HOSTILE[:60]
        d["description"]["purpose"] = HOSTILE
        d["schema"][0]["description"] = HOSTILE
        d["schema"][0]["properties"][1]["description"] = HOSTILE
        d["slaProperties"][0]["description"] = HOSTILE              # an attribute (title="...")
        d["slaProperties"][2]["value"] = HOSTILE                    # frequency: a free-form term
        d["schema"][0]["quality"][0]["description"] = HOSTILE
    edit_yaml(root / "contracts" / "sales" / "orders.yaml", contract)
    edit_yaml(root / "environments" / "dev.yaml", lambda d: (d["domains"]["sales"].update(description=HOSTILE),
                                                              d["consumers"]["analytics"].update(description=HOSTILE)))
    return root


@pytest.fixture(scope="module")
def bundled(tmp_path_factory) -> Site:
    root = copy_project(tmp_path_factory.mktemp("catalog") / "project")
    _build(root, root / "site")
    return Site(root, root / "site", {m.env: m for m in load_meshes(root)})


def _redshift_project(root: Path) -> Path:
    """dev, plus a Redshift warehouse for marketing, whose subscription to sales.customers becomes Redshift-only:
    its clearance (pii) covers the whole product, so it gets the unfiltered datashare."""
    copy_project(root)

    def spec(d):
        d["domains"]["marketing"]["redshift"] = {"mode": "serverless", "base_capacity": 8}
        for sub in d["subscriptions"]:
            if sub["subscriber"] == "marketing" and sub["product"] == "sales.customers":
                sub["via"] = ["redshift"]
    edit_yaml(root / "environments" / "dev.yaml", spec)
    return root


@pytest.fixture(scope="module")
def redshift_only(tmp_path_factory) -> Site:
    root = _redshift_project(tmp_path_factory.mktemp("redshift") / "project")
    _build(root, root / "site", "--env", "dev")
    return Site(root, root / "site", {m.env: m for m in load_meshes(root, ["dev"])})


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Site:
    root = _hostile_project(tmp_path_factory.mktemp("hostile") / "project")
    _build(root, root / "site", "--env", "dev")
    return Site(root, root / "site", {m.env: m for m in load_meshes(root, ["dev"])})


# -- the command -----------------------------------------------------------------------------------------------
def test_catalog_writes_every_page_and_prints_where_to_open_it(tmp_path, capsys):
    root = copy_project(tmp_path / "project")
    assert main(["--root", str(root), "catalog", "--env", "dev"]) == 0
    out = capsys.readouterr().out
    site = root / "catalog"                                  # the default --out
    assert f"open {(site / 'index.html').as_uri()}" in out
    assert f"dev: 7 products, 3 domains, 2 consumers -> {(site / 'dev' / 'index.html').as_uri()}" in out
    mesh = load_meshes(root, ["dev"])[0]
    expected = {"index.html", "dev/index.html", "dev/graph.html", "dev/graph.svg"}
    expected |= {f"dev/{names.product_page(fqn)}" for fqn in mesh.products}
    expected |= {f"dev/{names.domain_page(d)}" for d in mesh.spec.domains}
    expected |= {f"dev/{names.consumer_page(c)}" for c in mesh.spec.consumers}
    written = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert written == expected | {".meshform-catalog"}


def test_invalid_input_is_reported_and_nothing_is_written(tmp_path, capsys):
    root = copy_project(tmp_path / "project")
    _build(root, root / "catalog", "--env", "dev")
    before = {p: p.read_bytes() for p in (root / "catalog").rglob("*") if p.is_file()}
    edit_yaml(root / "contracts" / "sales" / "orders.yaml",
              lambda d: d["schema"][0]["properties"][0].update(classification="secret"))
    capsys.readouterr()
    assert main(["--root", str(root), "catalog", "--env", "dev"]) == 1
    err = capsys.readouterr().err
    assert "contracts/sales/orders.yaml" in err and "schema.0.properties.0.classification" in err
    assert "nothing was written" in err and "Traceback" not in err
    assert {p: p.read_bytes() for p in (root / "catalog").rglob("*") if p.is_file()} == before
    assert not [p for p in root.iterdir() if p.name.startswith(".catalog")]     # no staging directory left


def test_a_directory_it_did_not_write_is_never_replaced(tmp_path, capsys):
    root = copy_project(tmp_path / "project")
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "keep.txt").write_text("mine")
    assert main(["--root", str(root), "catalog", "--env", "dev", "--out", str(mine)]) == 1
    err = capsys.readouterr().err
    assert f"catalog: {mine} is not empty and was not written by `meshform catalog`" in err
    assert "fix: choose a new or empty --out directory" in err
    assert [p.name for p in mine.iterdir()] == ["keep.txt"]


def test_a_rerun_replaces_the_previous_catalog_whole(tmp_path):
    root = copy_project(tmp_path / "project")
    _build(root, root / "catalog", "--env", "dev")
    assert (root / "catalog" / "dev" / "products" / "finance.invoices.html").exists()
    (root / "contracts" / "finance" / "invoices.yaml").unlink()
    edit_yaml(root / "environments" / "dev.yaml", lambda d: d["domains"]["finance"].pop("pipelines"))
    edit_yaml(root / "environments" / "prod.yaml", lambda d: d["domains"]["finance"].pop("pipelines", None))
    _build(root, root / "catalog", "--env", "dev")
    assert not (root / "catalog" / "dev" / "products" / "finance.invoices.html").exists()
    assert "finance.invoices" not in (root / "catalog" / "dev" / "index.html").read_text()


def test_output_is_byte_identical_across_runs_roots_and_environment_order(bundled, tmp_path):
    other = copy_project(tmp_path / "elsewhere")
    _build(other, tmp_path / "again", "--env", "prod,dev")

    def tree(directory: Path) -> dict[str, bytes]:
        return {p.relative_to(directory).as_posix(): p.read_bytes() for p in directory.rglob("*") if p.is_file()}
    first, second = tree(bundled.out), tree(tmp_path / "again")
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []
    assert str(bundled.root) not in "".join(b.decode() for b in first.values())   # no absolute paths


def test_catalog_never_imports_the_cdktf_side(bundled):
    probe = (
        "import sys\nfrom pathlib import Path\n"
        "from meshform.loader import load_meshes\nfrom meshform.catalog_site import render_site\n"
        f"render_site(load_meshes(Path({str(bundled.root)!r})), Path({str(bundled.root)!r}))\n"
        "print('LOADED', sorted({m.split('.')[0] for m in sys.modules} & {'jsii', 'cdktf', 'constructs', "
        "'modules', 'cdktf_cdktf_provider_aws'}))\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert "LOADED []" in result.stdout, result.stdout + result.stderr


def test_make_demo_writes_the_catalog_of_the_bundled_environments_and_says_where(tmp_path):
    """`make demo`'s recipe (read with `make -n`, its install prerequisites taken as done) ends with the catalog;
    run in a fresh copy of the project, that command writes every bundled environment's site and prints its
    file:// address."""
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    # Under `make test` the inherited MAKELEVEL/MAKEFLAGS make a nested make announce its directory: not a recipe line.
    quiet = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
    recipe = subprocess.run([make, "-n", "--no-print-directory", "-o", ".venv/.installed", "-o",
                             ".venv-checkov/.installed", "demo"], cwd=REPO, env=quiet, capture_output=True, text=True,
                            timeout=60, check=True).stdout.splitlines()
    assert recipe == [".venv/bin/meshform build", ".venv/bin/meshform catalog"]
    root = copy_project(tmp_path / "project")
    (root / ".venv").symlink_to(REPO / ".venv")
    env = {**os.environ, "PYTHONPATH": str(REPO)}           # this tree's code, whatever the venv has installed
    env.pop("MESHFORM_ENV", None)
    done = subprocess.run(recipe[-1].split(), cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    envs = sorted(p.stem for p in (REPO / "environments").glob("*.yaml"))
    assert envs == ["dev", "prod"]
    for name in envs:
        assert f"-> {(root / 'catalog' / name / 'index.html').as_uri()}" in done.stdout
        assert (root / "catalog" / name / "graph.svg").is_file()
    assert done.stdout.rstrip().endswith(f"open {(root / 'catalog' / 'index.html').as_uri()}")


def test_the_browser_is_installed_by_the_makefile_and_required_in_ci(tmp_path, monkeypatch):
    """`make test` depends on the `chromium` target (Debian's package via apt-get); with no way to install it,
    the target fails under CI=true and only warns on a laptop, and so do the browser tests (fail vs. skip)."""
    makefile = (REPO / "Makefile").read_text()
    assert "DEB_TOOLS := chromium jq" in makefile
    assert any(line.startswith("test:") and " chromium" in line for line in makefile.splitlines())
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    nothing = tmp_path / "bin"                       # a PATH with no chromium and no apt-get
    nothing.mkdir()
    for ci in ("true", ""):
        run = subprocess.run([make, "-s", "-f", str(REPO / "Makefile"), "chromium"], cwd=tmp_path,
                             env={"PATH": str(nothing), "CI": ci}, capture_output=True, text=True, timeout=60)
        assert "not installed (the tests need them): chromium jq" in run.stderr, run.stderr
        assert (run.returncode != 0) == (ci == "true"), (ci, run.stderr)
    monkeypatch.setenv("PATH", str(nothing))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="make chromium"):
        chromium_or_skip()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run the browser tests"):
        chromium_or_skip()


# -- content: what the pages say is what the models say ---------------------------------------------------------
def test_index_lists_every_product_with_owner_sla_quality_and_pipeline(bundled):
    mesh = bundled.meshes["dev"]
    index = bundled.page("dev", "index.html")
    for fqn, product in mesh.products.items():
        row = index.find("tr", data_product=fqn)
        text = " ".join(row.text.split())
        for value in (product.owner, product.version, product.status, product.classification, product.title):
            assert value in text, (fqn, value)
        assert row.find("td", **{"class": "desc"}).text == product.description
        rules = sum(len(t.quality) for t in product.tables)
        assert row.find("td", data_rules=str(rules))
        has_pipeline = product.name in mesh.spec.domains[product.domain].pipelines
        assert row.find("td", data_pipeline="on" if has_pipeline else "off")
        watched = has_pipeline and product.freshness_seconds is not None
        assert ("freshness alarm" in text) == watched, fqn
        facts = bundled.page("dev", names.product_page(fqn)).find("dd", data_freshness_alarm=(
            ops_names.pipeline_alarm_name(mesh.spec.name_prefix, "dev", product.domain, product.name, "stale")
            if watched else ""))
        assert ("fires when nothing is published" in facts.text) == watched, fqn
    orders = index.find("tr", data_product="sales.orders")
    assert [" ".join(li.text.split()) for li in orders.find_all("li")] == \
        ["freshness 1 h", "retention 2555 d", "frequency 1 h"]          # contracts/sales/orders.yaml slaProperties
    facts = _facts(bundled.page("dev", names.product_page("sales.orders")))
    assert facts["freshness"] == "alarm acme-dev-sales-orders-stale fires when nothing is published within 1 h"
    assert "reads marketing.campaigns" in facts["pipeline"]                 # domains.sales.pipelines.orders.inputs
    assert "csv input, 2 x G.1X workers, 2 retries, timeout 60 min" in facts["pipeline"]
    for name, domain in mesh.spec.domains.items():
        section = index.find("section", id=f"domain-{name}")
        assert domain.owner in section.text and domain.description in section.text
    assert {r.attrs["data-consumer"] for r in index.find_all("tr") if "data-consumer" in r.attrs} == \
        set(mesh.spec.consumers)
    analytics = [" ".join(td.text.split()) for td in index.find("tr", data_consumer="analytics").find_all("td")]
    lake_tables = {(a.product, a.table) for a in am.effective_accesses(mesh) if a.subscriber == "analytics"}
    assert analytics[-2:] == [str(len(lake_tables)), "1 datashare(s)"]      # order_lines/orders also via Redshift
    front = parse(bundled.out / "index.html").find("table", id="environments")
    rows = {tr.find("a").text: [td.text for td in tr.find_all("td")] for tr in front.find_all("tr")[1:]}
    assert rows["dev"][-2:] == [str(len(am.effective_accesses(mesh))), "1"]
    assert rows["prod"][-1] == "0"


def test_a_contract_without_sla_says_so(tmp_path):
    root = copy_project(tmp_path / "project")
    edit_yaml(root / "contracts" / "finance" / "cost_centers.yaml", lambda d: d.pop("slaProperties"))
    pages = render_site(load_meshes(root, ["dev"]), root)
    product = pages[f"dev/{names.product_page('finance.cost_centers')}"]
    assert "<dt>SLA</dt><dd><span class=\"muted\">none declared</span>" in product
    assert 'data-sla="freshness"' in pages[f"dev/{names.product_page('finance.invoices')}"]


def test_product_pages_show_columns_keys_and_exactly_the_access_model(bundled):
    for env, mesh in bundled.meshes.items():
        model = _model_rows(mesh)
        for fqn, product in mesh.products.items():
            page = bundled.page(env, names.product_page(fqn))
            for table in product.tables:
                section = page.find("section", id=names.anchor("table", table.name))
                for column in table.all_columns:
                    row = section.find("tr", data_column=column.name)
                    assert column.type in row.text and column.classification in row.text
                    assert ("partition" in row.text) == (column in table.partition_keys)
                    assert ("PK" in row.text) == column.primary_key
                expected = {(sub, channel, slug, hidden) for sub, p, t, channel, slug, _, hidden in model
                            if p == fqn and t == table.name}
                shown = {(r.attrs["data-subscriber"], r.attrs["data-channel"], r.attrs["data-mechanism"],
                          tuple(li.attrs["data-column"] for li in r.find_all("li") if "data-column" in li.attrs))
                         for r in section.find_all("tr", **{"class": "access"})}
                assert shown == expected, (env, fqn, table.name)


def test_withheld_columns_say_why(bundled):
    page = bundled.page("dev", names.product_page("sales.orders"))
    row = page.find("tr", data_subscriber="analytics", data_table="orders")
    assert row.attrs["data-mechanism"] == "filter" and "orders__upto_confidential" in row.text
    email = row.find("li", data_column="customer_email")
    assert " ".join(email.text.split()) == "customer_email pii classified pii, above the clearance confidential"
    listed = bundled.page("dev", names.product_page("sales.customers")).find(
        "tr", data_subscriber="data-science", data_table="customers")
    assert listed.attrs["data-mechanism"] == "list"
    assert "not in the subscription's column list" in listed.text
    tagged = bundled.page("dev", names.product_page("finance.invoices")).find(
        "tr", data_subscriber="data-science", data_table="invoices")
    assert tagged.attrs["data-mechanism"] == "policy"
    assert "the tag grant covers only public, internal" in tagged.text


def test_subscriber_pages_show_what_each_reads_and_its_clearance(bundled):
    for env, mesh in bundled.meshes.items():
        for name in [*mesh.spec.domains, *mesh.spec.consumers]:
            href = names.domain_page(name) if name in mesh.spec.domains else names.consumer_page(name)
            page = bundled.page(env, href)
            expected = {row for row in _model_rows(mesh) if row[0] == name}
            shown = {_shown_rows(r, subscriber=name) for r in page.find_all("tr", **{"class": "access"})}
            assert shown == expected, (env, name)
            facts = _facts(page)
            assert facts["clearance"].startswith(f"{mesh.clearance_of(name)} ")
            assert facts["account"] == mesh.account_of(name)
    dev = bundled.meshes["dev"]
    warehouses = {n: _facts(bundled.page("dev", subscriber_href)).get("Redshift", "")
                  for n, subscriber_href in [(d, names.domain_page(d)) for d in dev.spec.domains]
                  + [(c, names.consumer_page(c)) for c in dev.spec.consumers]}
    assert warehouses == {                                                  # dev.yaml's redshift blocks
        "sales": "Redshift Serverless, base capacity 8 RPUs shares its products as datashares",
        "analytics": "Redshift provisioned cluster, 1 x ra3.large reads 1 product(s) from datashares, each as a "
                     "database",
        "marketing": "", "finance": "", "data-science": ""}
    science = bundled.page("dev", names.consumer_page("data-science"))
    assert "LF-tag grant on domain finance" in " ".join(science.find("ul", **{"class": "subs"}).text.split())


def test_graph_has_every_domain_product_and_subscriber_and_the_read_edges(bundled):
    mesh = bundled.meshes["dev"]
    graph = mesh_graph(environment_view(mesh, bundled.root))
    readers = {a.subscriber for a in am.effective_accesses(mesh)} | {r.subscriber for r in redshift_accesses(mesh)}
    assert {n.id for n in graph.nodes} == ({f"domain:{d}" for d in mesh.spec.domains}
                                           | {f"product:{p}" for p in mesh.products}
                                           | {f"subscriber:{c}" for c in mesh.spec.consumers}
                                           | {f"subscriber:{d}" for d in mesh.spec.domains if d in readers})
    pairs = {(f"product:{a.product}", f"subscriber:{a.subscriber}") for a in am.effective_accesses(mesh)}
    assert {(e.source, e.target) for e in graph.edges if e.channel == "lakeformation"} == pairs
    shares = {(f"product:{r.product}", f"subscriber:{r.subscriber}"): r.share.name for r in redshift_accesses(mesh)}
    assert shares == {("product:sales.orders", "subscriber:analytics"): "orders__upto_confidential"}    # dev.yaml
    drawn = {(e.source, e.target): e for e in graph.edges if e.channel == "redshift"}
    assert drawn.keys() == shares.keys()
    assert all(shares[k] in e.title and e.stroke[1] for k, e in drawn.items())          # named, dashed
    assert len([e for e in graph.edges if e.channel == "owns"]) == len(mesh.products)
    for column in ({"domain"}, {"product"}, {"consumer", "subscriber-domain"}):
        boxes = sorted((n.y, n.y + n.height) for n in graph.nodes if n.kind in column)
        assert all(a[1] <= b[0] for a, b in zip(boxes, boxes[1:], strict=False)), column     # no overlap
    assert all(n.x >= 0 and n.x + n.width <= graph.width and n.y + n.height <= graph.height for n in graph.nodes)


def test_the_pages_list_exactly_the_rows_of_meshform_access(bundled, redshift_only):
    """Never a second source: every access row of every subscriber page, Lake Formation and Redshift, is a row of
    `meshform access` (meshform/access_report.py) with the same readable and withheld columns, and vice versa."""
    for site in (bundled, redshift_only):
        for env, mesh in site.meshes.items():
            report = {(r["subscriber"], r["product"], r["table"], r["channel"], tuple(r["columns"]),
                       tuple(r["hidden"])) for r in access_rows(mesh)}
            shown = set()
            for name in [*mesh.spec.domains, *mesh.spec.consumers]:
                href = names.domain_page(name) if name in mesh.spec.domains else names.consumer_page(name)
                for row in site.page(env, href).find_all("tr", **{"class": "access"}):
                    sub, product, table, channel, _, readable, withheld = _shown_rows(row, subscriber=name)
                    shown.add((sub, product, table, channel, readable, withheld))
            assert shown == report, env
        assert {r["channel"] for r in access_rows(site.meshes["dev"])} == {"lakeformation", "redshift"}   # both seen


def test_what_a_subscriber_would_get_by_clearance_is_what_subscribers_get(bundled, redshift_only):
    """The product page's "by clearance" table (for someone who has not subscribed yet) agrees with what every
    actual subscription without a column list gets from the access models, level for level."""
    checked = {"lakeformation": 0, "redshift": 0}
    for site in (bundled, redshift_only):
        for env, mesh in site.meshes.items():
            shares = {(r.subscriber, r.product): r.share.name for r in redshift_accesses(mesh)}
            for index, sub in enumerate(mesh.spec.subscriptions):
                if sub.columns is not None:
                    continue
                page = site.page(env, names.product_page(sub.product))
                row = page.find("section", id="by-clearance").find("tr", data_level=mesh.clearance_of(sub.subscriber))
                assert row.attrs["data-offered"] == "yes", (env, sub)
                if "lakeformation" in sub.via:
                    for access in am.subscription_accesses(mesh, index):
                        cell = row.find("td", data_table=access.table)
                        assert cell.attrs["data-filter"] == (access.filter_name or ""), (env, sub, access.table)
                        assert tuple(c.text for c in cell.find_all("code"))[1:] == access.hidden
                        checked["lakeformation"] += 1
                if "redshift" in sub.via:
                    assert row.find("td", data_share=shares[(sub.subscriber, sub.product)])
                    checked["redshift"] += 1
    assert checked["lakeformation"] > 10 and checked["redshift"] == 3       # dev twice, the Redshift-only variant
    orders = bundled.page("dev", names.product_page("sales.orders")).find("section", id="by-clearance")
    public = orders.find("tr", data_level="public")
    assert public.attrs["data-offered"] == "no" and "every column of order_lines is above public" in public.text
    assert orders.find("tr", data_level="pii").find("td", data_share="orders")          # the whole datashare
    finance = bundled.page("dev", names.product_page("finance.invoices")).find("section", id="by-clearance")
    assert "no Redshift warehouse in finance" in finance.find("tr", data_level="internal").text


def test_a_redshift_subscriber_sees_its_datashare_cut_at_its_clearance(bundled):
    """dev: analytics (clearance confidential) subscribes to sales.orders (pii) via lakeformation and redshift:
    the datashare orders__upto_confidential, with a view of orders without its pii columns and order_lines whole."""
    page = bundled.page("dev", names.product_page("sales.orders"))
    rows = {r.attrs["data-table"]: r for r in page.find_all("tr", data_subscriber="analytics", data_channel="redshift")
            if "access" in r.attrs.get("class", "")}
    assert set(rows) == {"orders", "order_lines"}
    orders = rows["orders"]
    assert orders.attrs["data-mechanism"] == "datashare"
    assert orders.find("div", data_share_level="confidential")
    text = " ".join(orders.text.split())
    assert "Redshift datashare orders__upto_confidential" in text and "view orders__upto_confidential" in text
    assert "database sales_orders in the subscriber's warehouse" in text
    why = " ".join(orders.find("li", data_column="customer_email").text.split())
    assert why == ("customer_email pii classified pii, above the clearance confidential: the datashare holds view "
                   "orders__upto_confidential without it")
    assert "· table ·" in " ".join(rows["order_lines"].text.split())
    assert rows["order_lines"].find_all("li") == []          # nothing withheld of order_lines
    roles = [c.text for c in orders.find("td", **{"class": "roles"}).find_all("code")]
    assert roles == sorted(bundled.meshes["dev"].spec.consumers["analytics"].principals)
    who = page.find("section", id="subscribers")
    assert {(r.attrs["data-table"], r.attrs["data-channel"]) for r in who.find_all("tr", data_subscriber="analytics")} \
        == {("orders", "lakeformation"), ("orders", "redshift"), ("order_lines", "lakeformation"),
            ("order_lines", "redshift")}


def test_a_redshift_only_subscriber_gets_the_whole_datashare_and_its_own_edge(redshift_only):
    mesh = redshift_only.meshes["dev"]
    page = redshift_only.page("dev", names.product_page("sales.customers"))
    row = page.find("tr", data_subscriber="marketing", data_table="customers")
    assert (row.attrs["data-channel"], row.attrs["data-mechanism"]) == ("redshift", "datashare")
    assert row.find("div", data_share_level="whole")
    assert "Redshift datashare customers" in " ".join(row.text.split())
    assert not page.find_all("tr", data_subscriber="marketing", data_channel="lakeformation")
    marketing = redshift_only.page("dev", names.domain_page("marketing"))
    assert [r.attrs["data-channel"] for r in marketing.find_all("tr", **{"class": "access"})] == ["redshift"]
    graph = mesh_graph(environment_view(mesh, redshift_only.root))
    to_marketing = [e for e in graph.edges if e.target == "subscriber:marketing"]
    assert [(e.source, e.channel) for e in to_marketing] == [("product:sales.customers", "redshift")]
    assert to_marketing[0].stroke[1] and "datashare customers (the whole product)" in to_marketing[0].title
    svg = (redshift_only.out / "dev" / "graph.svg").read_text()
    assert 'data-channel="redshift" data-source="product:sales.customers" data-target="subscriber:marketing"' in svg


def test_page_names_are_safe_file_names():
    assert names.page_name("sales.orders") == "sales.orders"
    assert names.page_name("data-science") == "data-science"
    for bad in ("../../etc/passwd", "a/b", "..", ".hidden", "Sales Orders", "x" * 300, "", "con\x00"):
        name = names.page_name(bad)
        assert "/" not in name and ".." not in name and not name.startswith(".") and 0 < len(name) <= 80, bad
    assert names.page_name("a/b") != names.page_name("a_b") != names.page_name("a b")


def test_every_page_is_self_contained_with_a_strict_content_security_policy(bundled):
    for path in bundled.html_files():
        doc = parse(path)
        csp = doc.find("meta", http_equiv="Content-Security-Policy").attrs["content"]
        assert csp.startswith("default-src 'none'; style-src 'sha256-") and "'unsafe-inline'" not in csp, path
        for element in doc.iter():
            for attr in ("href", "src", "action"):
                value = element.attrs.get(attr)
                if value is not None:
                    assert not urlsplit(value).scheme or value == "data:,", (path, value)   # relative or the icon
                    assert not value.startswith("//"), (path, value)


def test_hostile_values_are_escaped_everywhere(hostile):
    page = hostile.page("dev", names.product_page("sales.orders"))
    assert page.find("p", **{"class": "lead"}).text == HOSTILE
    assert page.find("section", id="table-orders").find("p").text == HOSTILE
    assert page.find("tr", data_column="customer_id").find("td", **{"class": "desc"}).text == HOSTILE
    assert page.find("li", data_sla="freshness").attrs["title"] == HOSTILE           # attribute context
    assert page.find("li", data_sla="frequency").find("span", **{"class": "v"}).text == f"{HOSTILE} h"
    assert page.find("section", id="quality").find_all("td", **{"class": "desc"})[0].text == HOSTILE
    assert page.find_all("script") == [] and page.find_all("img") == []
    assert "{{ 7*7 }}" in page.text                          # data is never evaluated as a template
    for path in hostile.html_files():
        doc = parse(path)
        scripts = doc.find_all("script")
        assert len(scripts) == (2 if path.name == "index.html" and path.parent.name == "dev" else 0), path
    index = hostile.page("dev", "index.html")
    raw = (hostile.out / "dev" / "index.html").read_text()
    # The JSON data block: `</script>` (or `<!--`) inside a value would end it early or open a comment; the only
    # closing tags are those of the two script elements themselves.
    assert raw.lower().count("</script") == 2 and "<!--" not in raw
    entries = json.loads(index.find("script", id="search-index").text)
    assert next(e for e in entries if e["name"] == "sales.orders")["snippet"].startswith("<script>alert(")
    consumer = hostile.page("dev", names.consumer_page("analytics"))
    assert consumer.find("p", **{"class": "lead"}).text == HOSTILE
    svg = ElementTree.fromstring((hostile.out / "dev" / "graph.svg").read_text())     # well-formed XML on its own
    titles = [t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}title")]
    assert f"sales.orders: {HOSTILE[:60]} (pii)" in titles                              # SVG text context
    assert not [e for e in svg.iter() if e.tag.rsplit("}", 1)[-1] in ("script", "foreignObject", "image")]


# -- in a real browser -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser():
    instance = Browser(chromium_or_skip())
    try:
        yield instance
    finally:
        instance.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("catalog-screenshots")
    print(f"\ncatalog screenshots: {directory}")
    return directory


@dataclass
class Visit:
    problems: list[str]
    requests: list[str]
    links: list[str]              # absolute URLs of every href/src/action in the DOM


_LINKS = ("Array.from(document.querySelectorAll('[href],[src],form[action]')).map(e => new URL("
          "e.getAttribute('href') ?? e.getAttribute('src') ?? e.getAttribute('action'), document.baseURI).href)")


@pytest.fixture(scope="module")
def visits(browser, bundled, hostile, redshift_only, shots) -> dict[Path, Visit]:
    """Every page of the three sites, opened once: what the page logged, requested and links to."""
    page = browser.page()
    out = {}
    for path in bundled.pages() + hostile.pages() + redshift_only.pages():
        page.goto(path.as_uri())
        out[path] = Visit(page.problems(), page.requests(), page.evaluate(_LINKS))
        if path.parent.name == "dev" and path.name in ("index.html", "graph.html") and bundled.out in path.parents:
            page.screenshot(shots / f"dev-{path.stem}.png", full_page=True)
    page.goto((bundled.out / "dev" / names.product_page("sales.orders")).as_uri())
    page.screenshot(shots / "dev-product-sales.orders.png", full_page=True)
    return out


def test_the_browser_harness_reports_what_a_broken_page_does(browser, tmp_path):
    """The page checks below pass only if a clean page is clean: first prove a dirty one is reported."""
    broken = tmp_path / "broken.html"
    broken.write_text("<!doctype html><title>t</title><link rel=icon href='data:,'><img src='missing.png'>"
                      "<script>console.error('boom'); null.x;</script>")
    page = browser.page()
    page.goto(broken.as_uri())
    page.wait_for("document.readyState === 'complete'")
    problems = page.problems()
    assert any(p.startswith("console.error: boom") for p in problems), problems
    assert any(p.startswith("exception: TypeError") for p in problems), problems
    assert any("ERR_FILE_NOT_FOUND" in p for p in problems), problems
    assert (tmp_path / "missing.png").as_uri() in page.requests()


def test_every_page_loads_without_console_errors_and_offline(visits):
    assert len(visits) >= 40 and len([p for p in visits if p.suffix == ".svg"]) == 4
    for path, visit in visits.items():
        assert visit.problems == [], path
        assert visit.requests and all(u.startswith(("file://", "data:")) for u in visit.requests), (path, visit)


def test_every_link_resolves_to_a_file_and_anchor_of_the_site(visits, bundled, hostile, redshift_only):
    ids: dict[Path, set[str]] = {}
    for path, visit in visits.items():
        site = next(s.out for s in (bundled, hostile, redshift_only) if s.out in path.parents)
        assert visit.links, path
        for url in visit.links:
            if url == "data:,":
                continue
            parts = urlsplit(url)
            assert parts.scheme == "file", (path, url)
            target = Path(unquote(parts.path))
            assert target.is_file() and site in target.parents, (path, url)
            if parts.fragment:
                if target not in ids:
                    ids[target] = {e.attrs["id"] for e in parse(target).iter() if "id" in e.attrs}
                assert parts.fragment in ids[target], (path, url)


def test_graph_in_the_browser_shows_every_domain_and_subscriber(browser, bundled, redshift_only, shots):
    """In the bundled dev and in the variant whose marketing domain reads sales.customers through Redshift only."""
    page = browser.page()
    for site in (redshift_only, bundled):
        mesh = site.meshes["dev"]
        page.goto((site.out / "dev" / "graph.html").as_uri())
        drawn = page.evaluate(
            "Array.from(document.querySelectorAll('svg#mesh-graph a[data-node]')).map(a => {"
            " const box = a.querySelector('rect').getBBox(), svg = a.ownerSVGElement.viewBox.baseVal;"
            " return [a.dataset.node, a.querySelector('text').textContent,"
            " box.width > 0 && box.x >= 0 && box.x + box.width <= svg.width && box.y + box.height <= svg.height]; })")
        nodes = {node: (label, inside) for node, label, inside in drawn}
        readers = {a.subscriber for a in am.effective_accesses(mesh)} | {r.subscriber for r in redshift_accesses(mesh)}
        for domain in mesh.spec.domains:
            assert nodes[f"domain:{domain}"] == (domain, True)
            assert (f"subscriber:{domain}" in nodes) == (domain in readers)
            if domain in readers:
                assert nodes[f"subscriber:{domain}"] == (domain, True)
        for consumer in mesh.spec.consumers:
            assert nodes[f"subscriber:{consumer}"] == (consumer, True)
        edges = page.evaluate("Array.from(document.querySelectorAll('svg#mesh-graph path.edge')).map(e => "
                              "[e.dataset.channel, e.dataset.source, e.dataset.target, e.getTotalLength() > 0])")
        lake = {(f"product:{a.product}", f"subscriber:{a.subscriber}") for a in am.effective_accesses(mesh)}
        shares = {(f"product:{r.product}", f"subscriber:{r.subscriber}") for r in redshift_accesses(mesh)}
        assert sorted((s, t) for c, s, t, _ in edges if c == "lakeformation") == sorted(lake)
        assert sorted((s, t) for c, s, t, _ in edges if c == "redshift") == sorted(shares) != []
        assert all(drawn for *_, drawn in edges)
        if site is redshift_only:                          # a subscriber drawn for its Redshift edge alone
            assert nodes["subscriber:marketing"] == ("marketing", True)
            assert not [e for e in edges if e[2] == "subscriber:marketing" and e[0] != "redshift"]
    image = page.screenshot(shots / "dev-graph-viewport.png")
    if os.environ.get("UPDATE_SCREENSHOT") == "1":
        page.send("Emulation.setDeviceMetricsOverride", width=1000, height=640, deviceScaleFactor=1, mobile=False)
        page.screenshot(README_SCREENSHOT)
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_search_shows_results_as_a_product_name_is_typed(browser, bundled, shots):
    page = browser.page()
    page.goto((bundled.out / "dev" / "index.html").as_uri())
    page.evaluate("document.getElementById('search').focus()")
    page.type("revenue_d")
    first = page.wait_for("(document.querySelector('#search-results li a') || {}).textContent")
    assert first == "finance.revenue_daily"
    href = page.evaluate("document.querySelector('#search-results li a').href")
    assert href == (bundled.out / "dev" / names.product_page("finance.revenue_daily")).as_uri()
    page.screenshot(shots / "dev-search.png")
    page.type("zzz")
    assert page.wait_for("document.getElementById('search-status').textContent.startsWith('No match') && "
                         "document.querySelectorAll('#search-results li').length === 0")
    page.evaluate("document.getElementById('search').value = ''")
    page.type("upto_conf")                                   # a Redshift datashare's name
    found = page.wait_for("Array.from(document.querySelectorAll('#search-results li a')).map(a => a.textContent)")
    assert found == ["analytics", "sales.orders"]            # its subscriber and its product
    assert page.problems() == []


def test_search_from_another_page_lands_on_the_results(browser, bundled):
    page = browser.page()
    page.goto((bundled.out / "dev" / names.consumer_page("analytics")).as_uri())
    page.evaluate("document.querySelector('header input[name=q]').focus()")
    page.type("customer_email")
    since = len(page.browser.events.get(page.session, []))
    page.press_enter()
    page.wait_for_navigation(since)
    results = page.wait_for("Array.from(document.querySelectorAll('#search-results li a')).map(a => a.textContent)")
    assert results == ["sales.orders.orders"]            # the one table with that column
    assert page.evaluate("document.getElementById('search').value") == "customer_email"


def test_hostile_values_render_as_text_in_the_browser(browser, hostile):
    page = browser.page()
    page.goto((hostile.out / "dev" / names.product_page("sales.orders")).as_uri())
    assert page.evaluate("document.querySelector('p.lead').textContent") == HOSTILE
    assert page.evaluate("document.querySelector('li[data-sla=freshness]').title") == HOSTILE
    assert page.evaluate("document.scripts.length + document.images.length") == 0
    page.goto((hostile.out / "dev" / "graph.html").as_uri())
    assert page.evaluate("document.querySelector('a[data-node=\"product:sales.orders\"] > title').textContent") \
        == f"sales.orders: {HOSTILE[:60]} (pii)"
    assert page.evaluate("document.scripts.length + document.images.length") == 0
    page.goto((hostile.out / "dev" / "index.html").as_uri())
    page.evaluate("document.getElementById('search').focus()")
    page.type("catalog-xss")
    shown = page.wait_for("(document.querySelector('#search-results li') || {}).textContent")
    assert HOSTILE[:40] in shown and page.evaluate("document.images.length") == 0
    assert page.problems() == []


def test_screenshots_are_saved_and_the_readme_has_one(visits, shots):
    saved = sorted(p.name for p in shots.glob("*.png"))
    assert {"dev-index.png", "dev-graph.png", "dev-product-sales.orders.png"} <= set(saved)
    assert all((shots / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for name in saved)
    picture = README_SCREENSHOT.read_bytes()
    assert picture[:8] == b"\x89PNG\r\n\x1a\n" and len(picture) < 200_000
    assert "docs/images/catalog.png" in (REPO / "README.md").read_text()

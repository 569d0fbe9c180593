"""Page data -> HTML, with Jinja2 templates (templates/) and autoescaping on for every template: each value from
the spec and the contracts is escaped where it is written, so a description holding `<script>` is shown as text.

Defence in depth: every page carries a Content-Security-Policy that allows no script, style or resource but the
page's own inline stylesheet and (on the index) its own search script, each by SHA-256 hash. A value that ever
escaped the escaping could not run or load anything. Everything a page needs is inline: the site works offline
from file:// and makes no network request (the browser tests assert both)."""
from __future__ import annotations

import base64
import hashlib
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from meshform.catalog_site import names
from meshform.catalog_site.graph import EDGE_STYLE, LEGEND, Graph
from meshform.catalog_site.views import EnvironmentView

_HERE = Path(__file__).resolve().parent


@cache
def _jinja() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(_HERE / "templates"),
        autoescape=True,                     # every template, whatever its extension
        undefined=jinja2.StrictUndefined,    # a misspelt field fails the build instead of rendering as ""
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


@cache
def _asset(name: str) -> str:
    return (_HERE / "assets" / name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def _csp(script: str | None) -> str:
    scripts = _sha256(script) if script is not None else "'none'"
    return (f"default-src 'none'; style-src {_sha256(_asset('catalog.css'))}; script-src {scripts}; "
            "img-src data:; base-uri 'none'")


def _page(template: str, depth: int, values: dict[str, object], script: str | None = None) -> str:
    """`depth`: directories below the environment's (0 for index/graph, 1 for products/...); the site root (the
    environment list) is one more level up."""
    up = "../" * depth
    return _jinja().get_template(template).render(
        up=up, top=up + "../", css=Markup(_asset("catalog.css")), csp=_csp(script),
        script=Markup(script) if script is not None else None, **values)


def render_environment(view: EnvironmentView, graph: Graph, entries: list[dict[str, str]],
                       environments: list[str]) -> dict[str, str]:
    """Every page of one environment: path relative to `<out>/<env>/` -> HTML."""
    common: dict[str, object] = {"view": view, "environments": environments}
    pages = {names.INDEX_PAGE: _page("index.html.j2", 0, {**common, "entries": entries}, _asset("search.js"))}
    svg = _jinja().get_template("graph.svg.j2").render(graph=graph, up="", markers=sorted(EDGE_STYLE.items()))
    pages[names.GRAPH_PAGE] = _page("graph.html.j2", 0, {**common, "svg": Markup(svg), "graph": graph,
                                                         "legend": LEGEND, "edge_styles": EDGE_STYLE})
    pages["graph.svg"] = svg
    for product in view.products:
        pages[product.href] = _page("product.html.j2", 1, {**common, "product": product})
    for sub in view.domains + view.consumers:
        owned = [view.product(fqn) for fqn in sub.products]
        pages[sub.href] = _page("subscriber.html.j2", 1, {**common, "sub": sub, "owned": owned})
    return pages


def render_root(views: list[EnvironmentView]) -> str:
    """The site's front page: one line per environment (the site root holds one directory per environment)."""
    up = ""
    return _jinja().get_template("environments.html.j2").render(
        up=up, top=up, css=Markup(_asset("catalog.css")), csp=_csp(None), script=None, views=views,
        environments=[v.env for v in views])

"""`meshform catalog`: a static, offline product catalog and mesh graph of each environment, generated from the
validated model and the access models that also generate the Lake Formation grants (meshform/access.py) and the
Redshift datashares (meshform/redshift/model.py) and that `meshform access` reports — the site never decides on
its own who reads what. No jsii/cdktf here: it runs right after validation.

views.py (model -> page data) -> graph.py (layout, SVG) + search_index.py -> render.py (Jinja2, autoescaped)
-> site.py (atomic write). How it is built and tested: docs/catalog.md."""
from __future__ import annotations

from meshform.catalog_site.site import CatalogError, render_site, write_catalog

__all__ = ["CatalogError", "render_site", "write_catalog"]

"""meshform's strict Lake Formation emulation, grafted onto moto 5.2.5 (written so it could go upstream):
models.py (grant state and AWS's grant rules), filters.py (data cells filters: model and rules), rules.py
(stateless validation), catalog.py (what grants refer to), responses.py (request parsing and answers only).
install() wires it in."""
from __future__ import annotations

NEW_ACTIONS = ("CreateDataCellsFilter", "GetDataCellsFilter", "UpdateDataCellsFilter", "DeleteDataCellsFilter",
               "ListDataCellsFilter")


def install() -> None:
    """Idempotent; call before the server handles its first request."""
    from moto.lakeformation import urls as lf_urls
    from moto.lakeformation.models import LakeFormationBackend
    from moto.lakeformation.responses import LakeFormationResponse

    from meshform.local.moto_lf.filters import DataCellsFilters
    from meshform.local.moto_lf.models import StrictLakeFormation
    from meshform.local.moto_lf.responses import Handlers

    for model in (StrictLakeFormation, DataCellsFilters):
        for name, member in vars(model).items():
            if not name.startswith("__") and (callable(member) or isinstance(member, property)):
                setattr(LakeFormationBackend, name, member)
    for name, member in vars(Handlers).items():
        if callable(member) and not name.startswith("__"):
            setattr(LakeFormationResponse, name, member)
    for action in NEW_ACTIONS:
        lf_urls.url_paths[f"{{0}}/{action}$"] = lf_urls.response.dispatch
